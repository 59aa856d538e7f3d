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
func docs() handlerFunc {
	ui := ginswagger.WrapHandler(swaggerfiles.Handler, ginswagger.URL("/openapi.yaml"))
	return func(c *gin.Context) error {
		if c.Param("file") == "/doc.json" {
			return errNotFound
		}
		setCSP(c, docsCSP)
		ui(c)
		return nil
	}
}

// docsCSP is what Swagger UI loads: its scripts and stylesheets from /docs,
// the spec by fetch, and data: images from its CSS. Its page hides an SVG
// sprite with a style attribute and React sets inline styles, hence
// 'unsafe-inline' for styles (never for scripts).
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'"

func docsIndex(c *gin.Context) {
	c.Redirect(http.StatusFound, "/docs/index.html")
}
