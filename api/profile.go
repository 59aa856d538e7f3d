package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/billgate/billgate/auth"
)

// getProfile is GET /v1/profile: the caller's own account, with its login
// statistics.
func (h *handlers) getProfile(c *gin.Context) error {
	p := principal(c)
	respond(c, http.StatusOK, detailOf(p.Account, p.Roles))
	return nil
}

// updateProfile is PATCH /v1/profile: email, displayName and birthdate.
func (h *handlers) updateProfile(c *gin.Context) error {
	var req profileFields
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	updated, err := h.Accounts.UpdateProfile(c.Request.Context(), actor(c), req.profile())
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, detailOf(auth.AccountOf(updated), principal(c).Roles))
	return nil
}
