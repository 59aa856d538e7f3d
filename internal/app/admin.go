package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/models"
)

// EnsureAdmin creates the platform admin `login` unless it exists. Without
// a password it generates one and returns it, to be shown once; an
// existing admin is left as it is.
func EnsureAdmin(ctx context.Context, store *models.Store, hasher *password.Hasher, login, pass string) (generated string, err error) {
	if _, err := store.ClientByLogin(ctx, nil, login); err == nil {
		return "", nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return "", err
	}
	if pass == "" {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		pass = base64.RawURLEncoding.EncodeToString(b)
		generated = pass
	}
	if err := password.CheckPolicy(pass); err != nil {
		return "", fmt.Errorf("admin password: %w", err)
	}
	hash, err := hasher.Hash(pass)
	if err != nil {
		return "", err
	}
	if err := store.CreateClient(ctx, &models.Client{Login: login, DisplayName: "Administrator", PasswordHash: hash}, "admin"); err != nil {
		return "", fmt.Errorf("create admin %s: %w", login, err)
	}
	return generated, nil
}
