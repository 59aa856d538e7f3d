package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// getProfile is GET /v1/profile: the caller's own account, with its login
// statistics.
func (h *handlers) getProfile(c *gin.Context) {
	p := principal(c)
	respond(c, http.StatusOK, detailOf(p.Client, p.Roles))
}

// updateProfile is PATCH /v1/profile: email, displayName and birthdate.
// Roles, level, tenant, login and password cannot be set here.
func (h *handlers) updateProfile(c *gin.Context) {
	var req profileFields
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	now := time.Now().UTC()
	ch, err := req.changes(now)
	if err != nil {
		fail(c, err)
		return
	}
	p := principal(c)
	updated, err := h.Clients.UpdateClient(c.Request.Context(), p.Client.ID, ch, now)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, detailOf(updated, p.Roles))
}
