package api

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/billgate/billgate/models"
)

// publicRoutes answer without credentials; every other route declares the
// action its policies must allow (TestEveryRouteDeclaresAnAction).
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true,
	"GET /openapi.yaml": true, "GET /docs": true, "GET /docs/*file": true,
	"POST /auth/session": true, "GET /.well-known/jwks.json": true,
	"GET /sandbox/approve/:ref": true, "POST /sandbox/approve/:ref": true, "POST /webhooks/sandbox": true,
	"OPTIONS /temporal-codec/encode": true, "OPTIONS /temporal-codec/decode": true, // CORS preflights carry no credentials
}

// handlers serves the API from its dependencies.
type handlers struct {
	Deps
	// actions records each authenticated route's action, by "METHOD path".
	actions map[string]string
	// challenge is the WWW-Authenticate of a 401 AUTH FAILED.
	challenge string
}

// apiRoutes is the whole API surface.
func apiRoutes(r *gin.Engine, d Deps) {
	registerRoutes(r, d, &handlers{Deps: d, actions: map[string]string{}, challenge: apiChallenge(d.APIKeyScheme)})
}

func registerRoutes(r *gin.Engine, d Deps, h *handlers) {
	opsRoutes(r, d)
	r.GET("/openapi.yaml", serveSpec)
	r.GET("/docs", docsIndex)
	r.GET("/docs/*file", serve(docs()))
	if d.Authn == nil {
		return
	}
	r.POST("/auth/session", serve(h.login))
	r.GET("/.well-known/jwks.json", serve(h.jwks))
	if d.Sandbox != nil {
		// The payer follows an approval link without an account; a
		// webhook proves itself by its signature.
		r.GET("/sandbox/approve/:ref", serve(h.approvalPage))
		r.POST("/sandbox/approve/:ref", serve(h.decide))
		r.POST("/webhooks/sandbox", serve(h.sandboxWebhook))
	}

	if d.PayloadCodec != nil {
		h.codecRoutes(r)
	}

	authed := r.Group("", h.authenticate)
	h.route(authed, "GET", "/auth/session", "auth:read", serve(h.currentSession))
	h.route(authed, "PATCH", "/auth/session", "auth:update", serve(h.extendSession))
	h.route(authed, "DELETE", "/auth/session", "auth:delete", serve(h.logout))
	h.route(authed, "GET", "/auth/sessions", "auth:read", serve(h.listSessions))
	h.route(authed, "DELETE", "/auth/sessions", "auth:delete", serve(h.revokeSessions))
	h.route(authed, "DELETE", "/auth/sessions/:id", "auth:delete", serve(h.revokeSession))
	h.route(authed, "PUT", "/auth/password", "auth:update", serve(h.changePassword))
	h.route(authed, "POST", "/auth/token", "auth:token", serve(h.issueToken))

	v1 := authed.Group("/v1")
	h.route(v1, "GET", "/profile", "profile:read", serve(h.getProfile))
	h.route(v1, "PATCH", "/profile", "profile:update", serve(h.updateProfile))

	h.route(v1, "POST", "/clients", "clients:create", h.idempotent(serve(h.createClient)))
	h.route(v1, "GET", "/clients", "clients:list", serve(h.listClients))
	h.route(v1, "GET", "/clients/:id", "clients:read", serve(h.getClient))
	h.route(v1, "PATCH", "/clients/:id", "clients:update", serve(h.updateClient))
	h.route(v1, "DELETE", "/clients/:id", "clients:delete", serve(h.deleteClient))
	h.route(v1, "GET", "/audit-events", "audit-events:read", serve(h.listAuditEvents))

	h.route(v1, "POST", "/api-keys", "api-keys:create", serve(h.createAPIKey)) // never replayed: that would store the secret
	h.route(v1, "GET", "/api-keys", "api-keys:list", serve(h.listAPIKeys))
	h.route(v1, "DELETE", "/api-keys/:id", "api-keys:delete", serve(h.revokeAPIKey))
	h.route(v1, "POST", "/signing-keys", "signing-keys:create", serve(h.createSigningKey)) // never replayed: that would store the secret
	h.route(v1, "GET", "/signing-keys", "signing-keys:list", serve(h.listSigningKeys))
	h.route(v1, "DELETE", "/signing-keys/:id", "signing-keys:delete", serve(h.revokeSigningKey))

	h.route(v1, "POST", "/products", "products:create", h.idempotent(serve(h.createProduct)))
	h.route(v1, "GET", "/products", "products:read", serve(h.listProducts))
	h.route(v1, "GET", "/products/:id", "products:read", serve(h.getProduct))
	h.route(v1, "PATCH", "/products/:id", "products:update", serve(h.updateProduct))
	h.route(v1, "POST", "/products/:id/prices", "products:update", h.idempotent(serve(h.addPrice)))
	h.route(v1, "GET", "/prices/:id", "products:read", serve(h.getPrice))
	h.route(v1, "PATCH", "/prices/:id", "products:update", serve(h.updatePrice))

	h.route(v1, "POST", "/customers/:id/payment-methods", "customers:update", h.idempotent(serve(h.addPaymentMethod)))
	h.route(v1, "GET", "/customers/:id/payment-methods", "customers:read", serve(h.listPaymentMethods))
	h.route(v1, "DELETE", "/customers/:id/payment-methods/:methodId", "customers:update", serve(h.deletePaymentMethod))

	h.route(v1, "POST", "/subscriptions", "subscriptions:create", h.idempotent(serve(h.createSubscription)))
	h.route(v1, "GET", "/subscriptions", "subscriptions:read", serve(h.listSubscriptions))
	h.route(v1, "GET", "/subscriptions/:id", "subscriptions:read", serve(h.getSubscription))
	h.route(v1, "GET", "/subscriptions/:id/upcoming-invoice", "subscriptions:read", serve(h.upcomingInvoice))
	h.route(v1, "POST", "/subscriptions/:id/cancel", "subscriptions:cancel", h.idempotent(serve(h.subscriptionChange(h.cancelSubscription))))
	h.route(v1, "POST", "/subscriptions/:id/pause", "subscriptions:update", h.idempotent(serve(h.subscriptionChange(h.pauseSubscription))))
	h.route(v1, "POST", "/subscriptions/:id/resume", "subscriptions:update", h.idempotent(serve(h.subscriptionChange(h.resumeSubscription))))
	h.route(v1, "POST", "/subscriptions/:id/change-price", "subscriptions:update", h.idempotent(serve(h.subscriptionChange(h.changePrice))))
	h.route(v1, "POST", "/subscriptions/:id/payment-method", "subscriptions:payment-method", h.idempotent(serve(h.subscriptionChange(h.changePaymentMethod))))
	h.route(v1, "POST", "/purchases", "purchases:create", h.idempotent(serve(h.createPurchase)))
	h.route(v1, "GET", "/invoices", "invoices:read", serve(h.listInvoices))
	h.route(v1, "GET", "/invoices/:id", "invoices:read", serve(h.getInvoice))
	h.route(v1, "GET", "/payments", "payments:read", serve(h.listPayments))
	h.route(v1, "GET", "/payments/:id", "payments:read", serve(h.getPayment))
	h.route(v1, "GET", "/entitlements", "entitlements:read", serve(h.listEntitlements))

	// Test clocks are a business's tool, whatever a policy grants a customer.
	businesses := v1.Group("", requireLevel(models.LevelBusiness))
	h.route(businesses, "POST", "/test-clocks", "test-clocks:create", h.idempotent(serve(h.createTestClock)))
	h.route(businesses, "GET", "/test-clocks", "test-clocks:read", serve(h.listTestClocks))
	h.route(businesses, "GET", "/test-clocks/:id", "test-clocks:read", serve(h.getTestClock))
	h.route(businesses, "POST", "/test-clocks/:id/advance", "test-clocks:advance", serve(h.advanceTestClock))
	h.route(businesses, "DELETE", "/test-clocks/:id", "test-clocks:delete", serve(h.deleteTestClock))

	// Admin-only whatever a policy says: these raise or bypass levels.
	admins := v1.Group("", requireLevel(models.LevelAdmin))
	h.route(admins, "PUT", "/clients/:id/roles", "clients:grant", serve(h.setClientRoles))
	h.route(admins, "PUT", "/clients/:id/password", "clients:set-password", serve(h.setClientPassword))
	h.route(admins, "GET", "/clients/:id/sessions", "clients:sessions-read", serve(h.clientSessions))
	h.route(admins, "DELETE", "/clients/:id/sessions", "clients:sessions-revoke", serve(h.revokeClientSessions))
	h.route(admins, "DELETE", "/clients/:id/sessions/:sessionId", "clients:sessions-revoke", serve(h.revokeClientSession))
	if d.SandboxLedger != nil {
		h.route(admins, "GET", "/sandbox/ledger", "sandbox:read", serve(h.sandboxLedger))
	}
	h.route(admins, "POST", "/roles", "roles:create", h.idempotent(serve(h.createRole)))
	h.route(admins, "GET", "/roles", "roles:list", serve(h.listRoles))
	h.route(admins, "GET", "/roles/:id", "roles:read", serve(h.getRole))
	h.route(admins, "PATCH", "/roles/:id", "roles:update", serve(h.updateRole))
	h.route(admins, "DELETE", "/roles/:id", "roles:delete", serve(h.deleteRole))
	h.route(admins, "POST", "/policies", "policies:create", h.idempotent(serve(h.createPolicy)))
	h.route(admins, "GET", "/policies", "policies:list", serve(h.listPolicies))
	h.route(admins, "GET", "/policies/:id", "policies:read", serve(h.getPolicy))
	h.route(admins, "PATCH", "/policies/:id", "policies:update", serve(h.updatePolicy))
	h.route(admins, "DELETE", "/policies/:id", "policies:delete", serve(h.deletePolicy))
	h.route(admins, "GET", "/payload-templates/observed", "payload-templates:read", serve(h.observedTemplates))
	h.route(admins, "POST", "/payload-templates", "payload-templates:create", serve(h.adoptTemplate))
}

// route registers an authenticated route behind its action's policy check.
func (h *handlers) route(g *gin.RouterGroup, method, path, action string, handler gin.HandlerFunc) {
	h.actions[method+" "+strings.TrimSuffix(g.BasePath(), "/")+path] = action
	g.Handle(method, path, authorize(action), h.checkPayload(action), handler)
}

// opsRoutes are served by every billgate process, API and worker alike;
// /metrics only when it has no listener of its own (billgate dev).
func opsRoutes(r *gin.Engine, d Deps) {
	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(d.Checks))
	if !d.MetricsApart {
		r.GET("/metrics", gin.WrapH(d.Metrics.handler()))
	}
}
