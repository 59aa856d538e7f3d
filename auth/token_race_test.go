package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Requests verify access tokens at once, new and remembered alike: each
// gets its own token's claims, to change as it likes, the memory holds
// each token once, and a remembered token still expires.
func TestTokensConcurrentVerify(t *testing.T) {
	const distinct, goroutines, rounds = 4, 16, 20
	now := tokenNow
	tokens := newTestTokens(t, &now, keyOne)
	raws, sessions := make([]string, distinct), make([]uuid.UUID, distinct)
	for i := range raws {
		sessions[i] = uuid.New()
		raws[i] = sign(t, jwt.SigningMethodHS256, keyOne, func(c *TokenClaims) { c.SessionID = sessions[i] })
	}
	together(goroutines, func(g int) {
		for r := range rounds {
			i := (g + r) % distinct
			claims, err := tokens.Verify(raws[i])
			if err != nil || claims.SessionID != sessions[i] {
				t.Errorf("Verify(token %d) = %+v, %v, want session %s", i, claims, err, sessions[i])
				return
			}
			claims.SessionID = uuid.Nil // the caller's copy
		}
	})
	if len(tokens.verified) != distinct {
		t.Errorf("%d tokens remembered, want %d", len(tokens.verified), distinct)
	}

	now = tokenNow.Add(10*time.Minute + tokenLeeway)
	together(goroutines, func(g int) {
		if _, err := tokens.Verify(raws[g%distinct]); !errors.Is(err, ErrAuthFailed) {
			t.Errorf("Verify(an expired, remembered token) = %v, want ErrAuthFailed", err)
		}
	})
}
