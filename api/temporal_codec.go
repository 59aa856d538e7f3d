package api

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/billgate/billgate/models"
)

// codecHeaders are the request headers the Temporal UI sends its codec
// endpoint.
var codecHeaders = strings.Join([]string{"Authorization", "Authorization-Extras", "Content-Type", "X-Namespace"}, ", ")

// codecRoutes serve Temporal's remote codec protocol at
// /temporal-codec/{encode,decode}, for the Temporal UI and the temporal
// CLI (--codec-endpoint) to show what billgate's payloads hold. The
// payloads hold payment tokens and personal data: admins only. Browsers
// may call them from the configured Temporal UI origins, with credentials.
func (h *handlers) codecRoutes(r *gin.Engine) {
	cors := allowOrigins(h.TemporalUIOrigins)
	for _, op := range []string{"encode", "decode"} {
		r.OPTIONS("/temporal-codec/"+op, cors, preflight)
	}
	g := r.Group("/temporal-codec", cors, h.authenticateFrom(h.TemporalUIOrigins), requireLevel(models.LevelAdmin))
	h.route(g, "POST", "/encode", "temporal-codec:encode", h.codec(converter.PayloadCodec.Encode))
	h.route(g, "POST", "/decode", "temporal-codec:decode", h.codec(converter.PayloadCodec.Decode))
}

// allowOrigins lets pages from origins read the answers, refusals
// included, with credentials. Never "*": credentials forbid it, and the
// answers hold customers' data.
func allowOrigins(origins []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Writer.Header().Add("Vary", "Origin")
		if o := c.GetHeader("Origin"); o != "" && slices.Contains(origins, o) {
			c.Header("Access-Control-Allow-Origin", o)
			c.Header("Access-Control-Allow-Credentials", "true")
		}
		c.Next()
	}
}

// preflight answers a browser's CORS preflight. It carries no
// credentials, so it is public; an origin not allowed gets no
// Access-Control-Allow-Origin, and the browser sends nothing.
func preflight(c *gin.Context) {
	if c.Writer.Header().Get("Access-Control-Allow-Origin") != "" {
		c.Header("Access-Control-Allow-Methods", http.MethodPost)
		c.Header("Access-Control-Allow-Headers", codecHeaders)
		c.Header("Access-Control-Max-Age", "600")
	}
	c.Status(http.StatusNoContent)
}

// codec answers {"payloads": [...]} (protojson) with each payload passed
// through transform.
func (h *handlers) codec(transform func(converter.PayloadCodec, []*commonpb.Payload) ([]*commonpb.Payload, error)) handlerFunc {
	return func(c *gin.Context) error {
		if ns := c.GetHeader("X-Namespace"); ns != "" && ns != h.Namespace {
			return Invalid("X-Namespace", fmt.Sprintf("billgate's payloads are in namespace %q", h.Namespace), ns)
		}
		in, err := readPayloads(c)
		if err != nil {
			return err
		}
		out, err := transform(h.PayloadCodec, in.GetPayloads())
		if err != nil {
			return Invalid("payloads", err.Error(), nil)
		}
		body, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
		if err != nil {
			return fmt.Errorf("write the payloads: %w", err)
		}
		c.Header("Cache-Control", "no-store") // decoded, they hold customers' data
		c.Data(http.StatusOK, "application/json", body)
		return nil
	}
}

// readPayloads reads the protocol's body: {"payloads": [...]} in protojson.
func readPayloads(c *gin.Context) (*commonpb.Payloads, error) {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, Invalid("Content-Type", "request body must be application/json", ct)
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if tooLarge := asMaxBytes(err); tooLarge != nil {
		return nil, bodyTooLarge(tooLarge.Limit)
	}
	if err != nil {
		return nil, Invalid("body", "could not read the request body", nil)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, Invalid("body", `request body is empty; send {"payloads": [...]}`, nil)
	}
	payloads := &commonpb.Payloads{}
	if err := protojson.Unmarshal(body, payloads); err != nil {
		return nil, Invalid("body", `want {"payloads": [...]}, each payload {"metadata": {...}, "data": "<base64>"}: `+err.Error(), nil)
	}
	return payloads, nil
}
