package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerfiles "github.com/swaggo/files"
	ginswagger "github.com/swaggo/gin-swagger"
)

// Spec is the OpenAPI document: the contract every route is tested against.
//
//go:embed openapi.yaml
var Spec []byte

func serveSpec(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", Spec)
}

// docs serves Swagger UI from the swaggo/files module, pointed at
// /openapi.yaml. gin-swagger would also serve a swag-generated doc.json,
// which billgate has no use for: that path is a plain 404.
func docs() gin.HandlerFunc {
	ui := ginswagger.WrapHandler(swaggerfiles.Handler, ginswagger.URL("/openapi.yaml"))
	return func(c *gin.Context) {
		if c.Param("file") == "/doc.json" {
			fail(c, errNotFound)
			return
		}
		ui(c)
	}
}

func docsIndex(c *gin.Context) {
	c.Redirect(http.StatusFound, "/docs/index.html")
}
