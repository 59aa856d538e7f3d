// Package importer loads accounts from JSON lines, as `billgate admin
// import-clients` does: one account per line, with a legacy password hash
// (rehashed at the next login), a password, or neither.
package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/models"
)

// Line is one account in the import file.
type Line struct {
	Login        string `json:"login"`
	Tenant       string `json:"tenant"` // a customer's business: its login or ID
	Role         string `json:"role"`   // customer (default with a tenant), business (default without), admin
	Email        string `json:"email"`
	DisplayName  string `json:"displayName"`
	Birthdate    string `json:"birthdate"` // YYYY-MM-DD
	Disabled     bool   `json:"disabled"`
	PasswordHash string `json:"passwordHash"` // argon2id, legacy SHA-256 or PBKDF2 (docs/password-hashes.md)
	Password     string `json:"password"`     // plain text, hashed on import
}

// Result counts what was imported.
type Result struct {
	Imported int
	Legacy   int // accounts whose hash is rehashed at their next login
}

// LineError is a refused line; the import stops before storing anything.
type LineError struct {
	Line int
	Err  error
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

var loginPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

// maxLineBytes bounds one line; a longer one is refused.
const maxLineBytes = 64 << 10

// Import reads every line, checks them all, and stores them in one
// transaction: either every account is imported or none is, and the error
// lists every refused line.
func Import(ctx context.Context, store *models.Store, hasher *password.Hasher, r io.Reader) (Result, error) {
	lines, unreadable, err := read(r)
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = store.WithTx(ctx, func(tx *models.Store) error {
		var errs []error
		for i, l := range lines {
			if err := unreadable[i+1]; err != nil {
				errs = append(errs, LineError{Line: i + 1, Err: err})
				continue
			}
			client, role, legacy, err := l.client(ctx, tx, hasher)
			if err == nil {
				err = tx.CreateClient(ctx, client, role)
			}
			if err != nil {
				errs = append(errs, LineError{Line: i + 1, Err: err})
				continue
			}
			res.Imported++
			if legacy {
				res.Legacy++
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// read decodes every line, and reports by line number those it could not.
func read(r io.Reader) ([]Line, map[int]error, error) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 4096), maxLineBytes)
	var lines []Line
	unreadable := map[int]error{}
	for n := 1; scanner.Scan(); n++ {
		var l Line
		dec := json.NewDecoder(strings.NewReader(scanner.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			unreadable[n] = fmt.Errorf("not a JSON account: %w", err)
		}
		lines = append(lines, l)
	}
	if err := scanner.Err(); err != nil {
		return nil, nil, fmt.Errorf("read: %w (lines are at most %d bytes)", err, maxLineBytes)
	}
	if len(lines) == 0 {
		return nil, nil, errors.New("no accounts in the file")
	}
	return lines, unreadable, nil
}

// client validates a line into the account to store.
func (l Line) client(ctx context.Context, store *models.Store, hasher *password.Hasher) (*models.Client, string, bool, error) {
	if !loginPattern.MatchString(l.Login) {
		return nil, "", false, fmt.Errorf("login %q: want 1-128 of letters, digits and . _ @ + -", l.Login)
	}
	c := &models.Client{Login: l.Login, Email: l.Email, DisplayName: l.DisplayName, Disabled: l.Disabled}
	role := l.Role
	if l.Tenant != "" {
		tenant, err := findTenant(ctx, store, l.Tenant)
		if err != nil {
			return nil, "", false, err
		}
		c.TenantID = &tenant
		if role == "" {
			role = "customer"
		}
	} else if role == "" {
		role = "business"
	}
	switch {
	case role != "customer" && role != "business" && role != "admin":
		return nil, "", false, fmt.Errorf("role %q: want customer, business or admin", role)
	case (role == "customer") != (c.TenantID != nil):
		return nil, "", false, errors.New("a customer, and only a customer, names its tenant")
	}
	if l.Birthdate != "" {
		d, err := time.Parse("2006-01-02", l.Birthdate)
		if err != nil {
			return nil, "", false, fmt.Errorf("birthdate %q: want YYYY-MM-DD", l.Birthdate)
		}
		c.Birthdate = &d
	}
	legacy := false
	switch {
	case l.PasswordHash != "" && l.Password != "":
		return nil, "", false, errors.New("give passwordHash or password, not both")
	case l.PasswordHash != "":
		if err := password.Check(l.PasswordHash); err != nil {
			return nil, "", false, fmt.Errorf("passwordHash: %w", err)
		}
		c.PasswordHash = l.PasswordHash
		legacy = !strings.HasPrefix(l.PasswordHash, "$argon2id$")
	case l.Password != "":
		if err := password.CheckPolicy(l.Password); err != nil {
			return nil, "", false, err
		}
		hash, err := hasher.Hash(l.Password)
		if err != nil {
			return nil, "", false, err
		}
		c.PasswordHash = hash
	}
	return c, role, legacy, nil
}

func findTenant(ctx context.Context, store *models.Store, tenant string) (uuid.UUID, error) {
	if id, err := uuid.Parse(tenant); err == nil {
		business, err := store.ClientByID(ctx, id)
		if err != nil {
			return uuid.Nil, fmt.Errorf("tenant %s: %w", tenant, err)
		}
		if business.TenantID != nil {
			return uuid.Nil, fmt.Errorf("tenant %s is a customer, not a business", tenant)
		}
		return id, nil
	}
	business, err := store.ClientByLogin(ctx, nil, tenant)
	if err != nil {
		return uuid.Nil, fmt.Errorf("tenant %q: %w", tenant, err)
	}
	return business.ID, nil
}
