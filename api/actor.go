package api

import (
	"github.com/gin-gonic/gin"

	"github.com/billgate/billgate/accounts"
	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/tenancy"
)

// caller is who the request acts for, as the domain's tenancy rules see it.
func caller(c *gin.Context) tenancy.Caller { return callerOf(principal(c)) }

// callerOf is who a principal is, as the domain sees it.
func callerOf(p *auth.Principal) tenancy.Caller {
	return tenancy.Caller{ID: p.Account.ID, TenantID: p.Account.TenantID, Level: p.Level}
}

// actor is who the request acts for, as the accounts service sees it.
func actor(c *gin.Context) accounts.Actor {
	return accounts.Actor{Caller: caller(c), IP: c.ClientIP()}
}

// requireLevel refuses anyone below level, whatever a policy allows: only
// admins grant roles, set another account's password, manage its sessions,
// roles and policies (which raise or bypass levels); only businesses and
// admins use test clocks.
func requireLevel(level int) gin.HandlerFunc {
	return func(c *gin.Context) {
		if principal(c).Level < level {
			fail(c, auth.ErrPermissionDenied)
			return
		}
		c.Next()
	}
}
