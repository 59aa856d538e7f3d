package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/billgate/billgate/console"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/reports"
)

// publicRoutes answer without credentials; every other route declares the
// action its policies must allow (TestEveryRouteDeclaresAnAction).
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true,
	"GET /openapi.yaml": true, "GET /docs": true, "GET /docs/*file": true,
	"GET /console": true, "GET /console/*file": true, // its pages log in through the API
	"POST /auth/session": true, "GET /.well-known/jwks.json": true,
	"GET /sandbox/approve/:ref": true, "POST /sandbox/approve/:ref": true, "POST /webhooks/sandbox": true,
	"POST /webhooks/:gateway/:accountId": true, "GET /gateways/:gateway/:accountId/return": true,
	"OPTIONS /temporal-codec/encode": true, "OPTIONS /temporal-codec/decode": true, // CORS preflights carry no credentials
	// A bare socket logs in by its first message; the stream checks
	// events:read itself.
	"GET /v1/events/stream": true,
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
	r.GET("/console", func(c *gin.Context) { c.Redirect(http.StatusFound, "/console/") })
	r.GET("/console/*file", gin.WrapH(console.Handler()))
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
	if d.ConnectedWebhooks != nil {
		r.POST("/webhooks/:gateway/:accountId", serve(h.gatewayWebhook))
		r.GET("/gateways/:gateway/:accountId/return", serve(h.gatewayReturn))
	}

	if d.PayloadCodec != nil {
		h.codecRoutes(r)
	}
	if d.Streams != nil {
		r.GET("/v1/events/stream", serve(h.streamEvents))
	}

	authed := r.Group("", h.authenticate)
	h.route(authed, "GET", "/auth/session", "auth:read", h.currentSession)
	h.route(authed, "PATCH", "/auth/session", "auth:update", h.extendSession)
	h.route(authed, "DELETE", "/auth/session", "auth:delete", h.logout)
	h.route(authed, "GET", "/auth/sessions", "auth:read", h.listSessions)
	h.route(authed, "DELETE", "/auth/sessions", "auth:delete", h.revokeSessions)
	h.route(authed, "DELETE", "/auth/sessions/:id", "auth:delete", h.revokeSession)
	h.route(authed, "PUT", "/auth/password", "auth:update", h.changePassword)
	h.route(authed, "POST", "/auth/token", "auth:token", h.issueToken)

	v1 := authed.Group("/v1")
	h.route(v1, "GET", "/profile", "profile:read", h.getProfile)
	h.route(v1, "PATCH", "/profile", "profile:update", h.updateProfile)

	h.route(v1, "POST", "/clients", "clients:create", h.idempotent(h.createClient))
	h.route(v1, "GET", "/clients", "clients:list", h.listClients)
	h.route(v1, "GET", "/clients/:id", "clients:read", h.getClient)
	h.route(v1, "PATCH", "/clients/:id", "clients:update", h.updateClient)
	h.route(v1, "DELETE", "/clients/:id", "clients:delete", h.deleteClient)
	h.route(v1, "GET", "/audit-events", "audit-events:read", h.listAuditEvents)

	h.route(v1, "POST", "/api-keys", "api-keys:create", h.createAPIKey) // never replayed: that would store the secret
	h.route(v1, "GET", "/api-keys", "api-keys:list", h.listAPIKeys)
	h.route(v1, "DELETE", "/api-keys/:id", "api-keys:delete", h.revokeAPIKey)
	h.route(v1, "POST", "/signing-keys", "signing-keys:create", h.createSigningKey) // never replayed: that would store the secret
	h.route(v1, "GET", "/signing-keys", "signing-keys:list", h.listSigningKeys)
	h.route(v1, "DELETE", "/signing-keys/:id", "signing-keys:delete", h.revokeSigningKey)

	h.route(v1, "POST", "/products", "products:create", h.idempotent(h.createProduct))
	h.route(v1, "GET", "/products", "products:read", h.listProducts)
	h.route(v1, "GET", "/products/:id", "products:read", h.getProduct)
	h.route(v1, "PATCH", "/products/:id", "products:update", h.updateProduct)
	h.route(v1, "POST", "/products/:id/prices", "products:update", h.idempotent(h.addPrice))
	h.route(v1, "GET", "/prices/:id", "products:read", h.getPrice)
	h.route(v1, "PATCH", "/prices/:id", "products:update", h.updatePrice)

	h.route(v1, "POST", "/customers/:id/payment-methods", "customers:update", h.idempotent(h.addPaymentMethod))
	h.route(v1, "GET", "/customers/:id/payment-methods", "customers:read", h.listPaymentMethods)
	h.route(v1, "DELETE", "/customers/:id/payment-methods/:methodId", "customers:update", h.deletePaymentMethod)

	h.route(v1, "POST", "/subscriptions", "subscriptions:create", h.idempotent(h.createSubscription))
	h.route(v1, "GET", "/subscriptions", "subscriptions:read", h.listSubscriptions)
	h.route(v1, "GET", "/subscriptions/:id", "subscriptions:read", h.getSubscription)
	h.route(v1, "GET", "/subscriptions/:id/upcoming-invoice", "subscriptions:read", h.upcomingInvoice)
	h.route(v1, "GET", "/subscriptions/:id/price-change-preview", "subscriptions:read", h.priceChangePreview)
	h.route(v1, "POST", "/subscriptions/:id/cancel", "subscriptions:cancel", h.idempotent(h.subscriptionChange(h.cancelSubscription)))
	h.route(v1, "POST", "/subscriptions/:id/reactivate", "subscriptions:cancel", h.idempotent(h.subscriptionChange(h.reactivateSubscription)))
	h.route(v1, "POST", "/subscriptions/:id/pause", "subscriptions:update", h.idempotent(h.subscriptionChange(h.pauseSubscription)))
	h.route(v1, "POST", "/subscriptions/:id/resume", "subscriptions:update", h.idempotent(h.subscriptionChange(h.resumeSubscription)))
	h.route(v1, "POST", "/subscriptions/:id/change-price", "subscriptions:change-price", h.idempotent(h.subscriptionChange(h.changePrice)))
	h.route(v1, "POST", "/subscriptions/:id/payment-method", "subscriptions:payment-method", h.idempotent(h.subscriptionChange(h.changePaymentMethod)))
	h.route(v1, "POST", "/purchases", "purchases:create", h.idempotent(h.createPurchase))
	h.route(v1, "GET", "/invoices", "invoices:read", h.listInvoices)
	h.route(v1, "GET", "/invoices/:id", "invoices:read", h.getInvoice)
	h.route(v1, "GET", "/payments", "payments:read", h.listPayments)
	h.route(v1, "GET", "/payments/:id", "payments:read", h.getPayment)
	h.route(v1, "POST", "/refunds", "refunds:create", h.idempotent(h.createRefund))
	h.route(v1, "GET", "/refunds", "refunds:read", h.listRefunds)
	h.route(v1, "GET", "/refunds/:id", "refunds:read", h.getRefund)
	h.route(v1, "GET", "/entitlements", "entitlements:read", h.listEntitlements)
	h.route(v1, "GET", "/events", "events:read", h.listEvents)
	h.route(v1, "GET", "/events/:id", "events:read", h.getEvent)

	// Test clocks and gateway accounts are a business's tools, whatever a
	// policy grants a customer.
	businesses := v1.Group("", requireLevel(models.LevelBusiness))
	h.route(businesses, "POST", "/test-clocks", "test-clocks:create", h.idempotent(h.createTestClock))
	h.route(businesses, "GET", "/test-clocks", "test-clocks:read", h.listTestClocks)
	h.route(businesses, "GET", "/test-clocks/:id", "test-clocks:read", h.getTestClock)
	h.route(businesses, "POST", "/test-clocks/:id/advance", "test-clocks:advance", h.advanceTestClock)
	h.route(businesses, "DELETE", "/test-clocks/:id", "test-clocks:delete", h.deleteTestClock)
	h.route(businesses, "POST", "/gateway-accounts", "gateway-accounts:create", h.idempotent(h.connectGatewayAccount))
	h.route(businesses, "GET", "/gateway-accounts", "gateway-accounts:read", h.listGatewayAccounts)
	h.route(businesses, "GET", "/gateway-accounts/:id", "gateway-accounts:read", h.getGatewayAccount)
	h.route(businesses, "PATCH", "/gateway-accounts/:id", "gateway-accounts:update", h.updateGatewayAccount)
	h.route(businesses, "DELETE", "/gateway-accounts/:id", "gateway-accounts:delete", h.disconnectGatewayAccount)
	h.route(businesses, "GET", "/reconciliation", "reconciliation:read", h.listFindings)
	h.route(businesses, "GET", "/subscriptions/:id/workflow", "subscriptions:read", h.subscriptionWorkflow)
	h.route(businesses, "GET", "/reports/mrr", "reports:read", report(h, (*reports.Service).MRR))
	h.route(businesses, "GET", "/reports/revenue", "reports:read", report(h, (*reports.Service).Revenue))
	h.route(businesses, "GET", "/reports/payments", "reports:read", report(h, (*reports.Service).Payments))
	h.route(businesses, "GET", "/reports/churn", "reports:read", report(h, (*reports.Service).Churn))
	h.route(businesses, "POST", "/webhook-endpoints", "webhook-endpoints:create", h.createWebhookEndpoint) // never replayed: that would store the secret
	h.route(businesses, "GET", "/webhook-endpoints", "webhook-endpoints:read", h.listWebhookEndpoints)
	h.route(businesses, "GET", "/webhook-endpoints/:id", "webhook-endpoints:read", h.getWebhookEndpoint)
	h.route(businesses, "PATCH", "/webhook-endpoints/:id", "webhook-endpoints:update", h.updateWebhookEndpoint)
	h.route(businesses, "DELETE", "/webhook-endpoints/:id", "webhook-endpoints:delete", h.deleteWebhookEndpoint)
	h.route(businesses, "POST", "/webhook-endpoints/:id/rotate-secret", "webhook-endpoints:update", h.rotateWebhookSecret)
	h.route(businesses, "POST", "/webhook-endpoints/:id/test", "webhook-endpoints:update", h.testWebhookEndpoint)
	h.route(businesses, "GET", "/webhook-endpoints/:id/deliveries", "webhook-endpoints:read", h.listWebhookDeliveries)
	h.route(businesses, "POST", "/webhook-endpoints/:id/deliveries/:deliveryId/retry", "webhook-endpoints:update", h.retryWebhookDelivery)

	// Admin-only whatever a policy says: these raise or bypass levels.
	admins := v1.Group("", requireLevel(models.LevelAdmin))
	h.route(admins, "PUT", "/clients/:id/roles", "clients:grant", h.setClientRoles)
	h.route(admins, "PUT", "/clients/:id/password", "clients:set-password", h.setClientPassword)
	h.route(admins, "GET", "/clients/:id/sessions", "clients:sessions-read", h.clientSessions)
	h.route(admins, "DELETE", "/clients/:id/sessions", "clients:sessions-revoke", h.revokeClientSessions)
	h.route(admins, "DELETE", "/clients/:id/sessions/:sessionId", "clients:sessions-revoke", h.revokeClientSession)
	if d.SandboxLedger != nil {
		h.route(admins, "GET", "/sandbox/ledger", "sandbox:read", h.sandboxLedger)
	}
	h.route(admins, "POST", "/roles", "roles:create", h.idempotent(h.createRole))
	h.route(admins, "GET", "/roles", "roles:list", h.listRoles)
	h.route(admins, "GET", "/roles/:id", "roles:read", h.getRole)
	h.route(admins, "PATCH", "/roles/:id", "roles:update", h.updateRole)
	h.route(admins, "DELETE", "/roles/:id", "roles:delete", h.deleteRole)
	h.route(admins, "POST", "/policies", "policies:create", h.idempotent(h.createPolicy))
	h.route(admins, "GET", "/policies", "policies:list", h.listPolicies)
	h.route(admins, "GET", "/policies/:id", "policies:read", h.getPolicy)
	h.route(admins, "PATCH", "/policies/:id", "policies:update", h.updatePolicy)
	h.route(admins, "DELETE", "/policies/:id", "policies:delete", h.deletePolicy)
	h.route(admins, "GET", "/actions", "actions:list", h.listActions)
	h.route(admins, "GET", "/payload-templates/observed", "payload-templates:read", h.observedTemplates)
	h.route(admins, "POST", "/payload-templates", "payload-templates:create", h.adoptTemplate)
}

// route registers an authenticated route behind its action's policy check.
func (h *handlers) route(g *gin.RouterGroup, method, path, action string, handler handlerFunc) {
	h.actions[method+" "+strings.TrimSuffix(g.BasePath(), "/")+path] = action
	g.Handle(method, path, authorize(action), h.checkPayload(action), serve(handler))
}

// opsRoutes are served by every billgate process, API and worker alike;
// /metrics only when it has no listener of its own (billgate dev).
func opsRoutes(r *gin.Engine, d Deps) {
	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(d.Checks, d.Reports))
	if !d.MetricsApart {
		r.GET("/metrics", gin.WrapH(d.Metrics.handler()))
	}
}
