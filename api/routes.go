package api

import "github.com/gin-gonic/gin"

// publicRoutes answer without credentials; every other route declares the
// action its policies must allow (TestEveryRouteDeclaresAnAction).
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true,
	"GET /openapi.yaml": true, "GET /docs": true, "GET /docs/*file": true,
	"POST /auth/session": true,
}

// handlers holds what the API's handlers need.
type handlers struct {
	auth         Authenticator
	cookieSecure bool
	// actions records each authenticated route's action, by "METHOD path".
	actions map[string]string
}

// apiRoutes is the whole API surface.
func apiRoutes(r *gin.Engine, d Deps) {
	registerRoutes(r, d, &handlers{auth: d.Auth, cookieSecure: d.CookieSecure, actions: map[string]string{}})
}

func registerRoutes(r *gin.Engine, d Deps, h *handlers) {
	opsRoutes(r, d)
	r.GET("/openapi.yaml", serveSpec)
	r.GET("/docs", docsIndex)
	r.GET("/docs/*file", docs())
	if d.Auth == nil {
		return
	}
	r.POST("/auth/session", h.login)

	authed := r.Group("", h.authenticate)
	h.route(authed, "GET", "/auth/session", "auth:read", h.currentSession)
	h.route(authed, "PATCH", "/auth/session", "auth:update", h.extendSession)
	h.route(authed, "DELETE", "/auth/session", "auth:delete", h.logout)
	h.route(authed, "GET", "/auth/sessions", "auth:read", h.listSessions)
	h.route(authed, "DELETE", "/auth/sessions", "auth:delete", h.revokeSessions)
	h.route(authed, "DELETE", "/auth/sessions/:id", "auth:delete", h.revokeSession)
	h.route(authed, "PUT", "/auth/password", "auth:update", h.changePassword)
}

// route registers an authenticated route behind its action's policy check.
func (h *handlers) route(g *gin.RouterGroup, method, path, action string, handler gin.HandlerFunc) {
	h.actions[method+" "+path] = action
	g.Handle(method, path, authorize(action), handler)
}

// opsRoutes are served by every billgate process, API and worker alike.
func opsRoutes(r *gin.Engine, d Deps) {
	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(d.Checks))
	r.GET("/metrics", gin.WrapH(d.Metrics.handler()))
}
