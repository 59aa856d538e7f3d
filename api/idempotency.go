package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// IdempotencyKeys stores the first answer to each Idempotency-Key.
type IdempotencyKeys interface {
	ClaimIdempotencyKey(ctx context.Context, r models.IdempotentRequest) (models.IdempotentRequest, bool, error)
	CompleteIdempotencyKey(ctx context.Context, clientID uuid.UUID, key string, status int, contentType, body string) error
	ReleaseIdempotencyKey(ctx context.Context, clientID uuid.UUID, key string) error
}

const idempotencyHeader = "Idempotency-Key"

var (
	errKeyReused     = &Problem{Status: http.StatusConflict, Detail: Error{Code: "IDEMPOTENCY_KEY_REUSED", Message: "this Idempotency-Key was used with another request", Field: idempotencyHeader}}
	errKeyInProgress = &Problem{Status: http.StatusConflict, Detail: Error{Code: "IDEMPOTENCY_KEY_IN_PROGRESS", Message: "a request with this Idempotency-Key is still running; retry later", Field: idempotencyHeader}}
)

// idempotent honours Idempotency-Key on a POST that creates, charges or
// changes a subscription: the same key with the same request replays the
// first answer (marked Idempotent-Replayed), with another request it is a
// 409. Keys belong to the caller. A 5xx is not kept, so a retry runs
// afresh, unless the change may have been applied (errOutcomeUnknown).
func (h *handlers) idempotent(next gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader(idempotencyHeader)
		if key == "" {
			next(c)
			return
		}
		if len(key) > 255 || hasControlChar(key) {
			fail(c, Invalid(idempotencyHeader, "Idempotency-Key must be 1-255 printable characters", nil))
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			if tooLarge := asMaxBytes(err); tooLarge != nil {
				err = bodyTooLarge(tooLarge.Limit)
			}
			fail(c, err)
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request.Method+" "+c.Request.URL.RequestURI()+"\n"), body...))
		caller := principal(c).Client.ID
		ctx := context.WithoutCancel(c.Request.Context()) // the answer is kept even if the caller hangs up
		stored, claimed, err := h.IdempotencyKeys.ClaimIdempotencyKey(ctx, models.IdempotentRequest{
			ClientID: caller, Key: key, RequestHash: hex.EncodeToString(sum[:]), CreatedAt: time.Now().UTC()})
		switch {
		case err != nil:
			fail(c, err)
			return
		case stored.RequestHash != hex.EncodeToString(sum[:]):
			fail(c, errKeyReused)
			return
		case !claimed && stored.Status == 0:
			fail(c, errKeyInProgress)
			return
		case !claimed:
			c.Header("Idempotent-Replayed", "true")
			c.Data(stored.Status, stored.ContentType, []byte(stored.Body))
			c.Abort()
			return
		}
		rec := &recordingWriter{ResponseWriter: c.Writer}
		c.Writer = rec
		next(c)
		if rec.Status() >= 500 && !mayHaveChanged(c) {
			err = h.IdempotencyKeys.ReleaseIdempotencyKey(ctx, caller, key)
		} else {
			err = h.IdempotencyKeys.CompleteIdempotencyKey(ctx, caller, key, rec.Status(), rec.Header().Get("Content-Type"), rec.body.String())
		}
		if err != nil {
			_ = c.Error(err) // the answer is sent; a repeat will find the key in progress
		}
	}
}

// recordingWriter keeps a copy of the response body.
type recordingWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// mayHaveChanged reports whether a failed request's change may have been
// applied all the same, so its key must not be released.
func mayHaveChanged(c *gin.Context) bool {
	last := c.Errors.Last()
	return last != nil && errors.Is(last.Err, errOutcomeUnknown)
}
