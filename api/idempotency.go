package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// IdempotencyKeys stores the first answer to each Idempotency-Key.
type IdempotencyKeys interface {
	ClaimIdempotencyKey(ctx context.Context, r models.IdempotentRequest, lease time.Duration) (models.IdempotentRequest, bool, error)
	CompleteIdempotencyKey(ctx context.Context, clientID uuid.UUID, key string, status int, contentType, body string) error
	ReleaseIdempotencyKey(ctx context.Context, clientID uuid.UUID, key string) error
}

const idempotencyHeader = "Idempotency-Key"

// keyLease is how long a request holds its key: longer than any request
// runs, so a key held longer belongs to a process that died, and a retry
// takes it over.
const keyLease = time.Minute

// reservedIDKey holds, in the gin context, the ID an Idempotency-Key
// reserves for what its request creates or the update it sends.
const reservedIDKey = "billgate.reservedID"

var (
	errKeyReused     = &Problem{Status: http.StatusConflict, Detail: Error{Code: "IDEMPOTENCY_KEY_REUSED", Message: "this Idempotency-Key was used with another request", Field: idempotencyHeader}}
	errKeyInProgress = &Problem{Status: http.StatusConflict, Detail: Error{Code: "IDEMPOTENCY_KEY_IN_PROGRESS", Message: "a request with this Idempotency-Key is still running; retry later", Field: idempotencyHeader}}
)

// idempotent honours Idempotency-Key on a POST that creates, charges or
// changes a subscription: the same key with the same request replays the
// first answer (marked Idempotent-Replayed), with another request it is a
// 409. Keys belong to the caller. A 5xx is not kept: a retry runs afresh,
// but under the ID the key reserved (reservedID), so it finds the workflow
// or the update the first try may have started instead of starting
// another. So does a retry after the process running the first died.
func (h *handlers) idempotent(next handlerFunc) handlerFunc {
	return func(c *gin.Context) error {
		key := c.GetHeader(idempotencyHeader)
		if key == "" {
			return next(c)
		}
		if len(key) > 255 || hasControlChar(key) {
			return Invalid(idempotencyHeader, "Idempotency-Key must be 1-255 printable characters", nil)
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			if tooLarge := asMaxBytes(err); tooLarge != nil {
				err = bodyTooLarge(tooLarge.Limit)
			}
			return err
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request.Method+" "+c.Request.URL.RequestURI()+"\n"), body...))
		caller := principal(c).Account.ID
		ctx := context.WithoutCancel(c.Request.Context()) // the answer is kept even if the caller hangs up
		now := h.Now().UTC()
		stored, claimed, err := h.IdempotencyKeys.ClaimIdempotencyKey(ctx, models.IdempotentRequest{
			ClientID: caller, Key: key, RequestHash: hex.EncodeToString(sum[:]), ResourceID: uuid.Must(uuid.NewV7()),
			CreatedAt: now, ClaimedAt: now}, keyLease)
		switch {
		case err != nil:
			return err
		case stored.RequestHash != hex.EncodeToString(sum[:]):
			return errKeyReused
		case !claimed && stored.Status == 0:
			return errKeyInProgress
		case !claimed:
			c.Header("Idempotent-Replayed", "true")
			c.Data(stored.Status, stored.ContentType, []byte(stored.Body))
			c.Abort()
			return nil
		}
		c.Set(reservedIDKey, stored.ResourceID)
		rec := &recordingWriter{ResponseWriter: c.Writer}
		c.Writer = rec
		if err := next(c); err != nil {
			fail(c, err) // into rec: the refusal is the answer kept
		}
		if rec.Status() >= 500 {
			err = h.IdempotencyKeys.ReleaseIdempotencyKey(ctx, caller, key)
		} else {
			err = h.IdempotencyKeys.CompleteIdempotencyKey(ctx, caller, key, rec.Status(), rec.Header().Get("Content-Type"), rec.body.String())
		}
		if err != nil {
			_ = c.Error(err) // the answer is sent; a repeat will find the key in progress
		}
		return nil
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

// reservedID is the ID the request's Idempotency-Key reserved, or a new
// one when it has none.
func reservedID(c *gin.Context) uuid.UUID {
	if id, ok := c.Get(reservedIDKey); ok && id.(uuid.UUID) != uuid.Nil {
		return id.(uuid.UUID)
	}
	return uuid.Must(uuid.NewV7())
}
