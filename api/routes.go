package api

import "github.com/gin-gonic/gin"

// apiRoutes is the whole API surface.
func apiRoutes(r *gin.Engine, d Deps) {
	opsRoutes(r, d)
	r.GET("/openapi.yaml", serveSpec)
	r.GET("/docs", docsIndex)
	r.GET("/docs/*file", docs())
}

// opsRoutes are served by every billgate process, API and worker alike.
func opsRoutes(r *gin.Engine, d Deps) {
	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(d.Checks))
	r.GET("/metrics", gin.WrapH(d.Metrics.handler()))
}
