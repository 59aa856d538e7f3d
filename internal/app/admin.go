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
	if pass == "" {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		pass = base64.RawURLEncoding.EncodeToString(b)
		generated = pass
	}
	created, err := EnsureAccount(ctx, store, hasher, &models.Client{Login: login, DisplayName: "Administrator"}, pass, "admin")
	if !created {
		generated = ""
	}
	return generated, err
}

// EnsureAccount creates the platform account c (a business or an admin)
// with pass and role unless its login exists, and reports whether it did.
func EnsureAccount(ctx context.Context, store *models.Store, hasher *password.Hasher, c *models.Client, pass, role string) (created bool, err error) {
	if _, err := store.ClientByLogin(ctx, nil, c.Login); err == nil {
		return false, nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return false, err
	}
	if err := password.CheckPolicy(pass); err != nil {
		return false, fmt.Errorf("%s password: %w", role, err)
	}
	if c.PasswordHash, err = hasher.Hash(pass); err != nil {
		return false, err
	}
	if err := store.CreateClient(ctx, c, role); err != nil {
		return false, fmt.Errorf("create %s %s: %w", role, c.Login, err)
	}
	return true, nil
}
