package accounts

import (
	"encoding/json"
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

// Profile is what an account's owner may change about it; nil leaves a
// field as it is.
type Profile struct {
	Email       *string
	DisplayName *string
	Birthdate   json.RawMessage // "YYYY-MM-DD", or null to remove it
	// Privileged names the fields the request tried to set that only their
	// own operations set (roles, level, tenant, login, password, and an
	// account's own payload context): nobody raises themselves by mass
	// assignment, so naming one is PERMISSION DENIED on that field.
	Privileged []string
}

// Changes are what an update of another account sets.
type Changes struct {
	Profile
	Disabled *bool
	// PayloadContext replaces the values its payload templates' variables
	// read; nil leaves them.
	PayloadContext payloadcheck.Static
}

// changes validates p into store changes.
func (p Profile) changes(now time.Time) (models.ClientChanges, error) {
	var ch models.ClientChanges
	if len(p.Privileged) > 0 {
		return ch, fault.Denied(p.Privileged[0])
	}
	if p.Email != nil {
		if err := validEmail(*p.Email); err != nil {
			return ch, err
		}
		ch.Email = p.Email
	}
	if p.DisplayName != nil {
		if err := validDisplayName(*p.DisplayName); err != nil {
			return ch, err
		}
		ch.DisplayName = p.DisplayName
	}
	if p.Birthdate != nil {
		b, err := parseBirthdate(p.Birthdate, now)
		if err != nil {
			return ch, err
		}
		ch.Birthdate = &b
	}
	return ch, nil
}

// changes validates c into store changes.
func (c Changes) changes(now time.Time) (models.ClientChanges, error) {
	ch, err := c.Profile.changes(now)
	if err != nil {
		return ch, err
	}
	ch.Disabled = c.Disabled
	if c.PayloadContext != nil {
		stored, err := storedContext(c.PayloadContext)
		if err != nil {
			return ch, err
		}
		ch.PayloadContext = &stored
	}
	return ch, nil
}

var loginPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

func validLogin(s string) error {
	if !loginPattern.MatchString(s) {
		return fault.Invalid("login", "login must be 1-128 of letters, digits and . _ @ + - (starting with a letter or digit)", s)
	}
	return nil
}

func validPassword(pw string) error {
	if err := password.CheckPolicy(pw); err != nil {
		return fault.Invalid("password", err.Error(), nil)
	}
	return nil
}

func validEmail(s string) error {
	if s == "" {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return fault.Invalid("email", "email must be an address such as name@example.com", s)
	}
	return nil
}

func validDisplayName(s string) error {
	if len([]rune(s)) > 128 || strings.ContainsFunc(s, isControl) {
		return fault.Invalid("displayName", "displayName must be at most 128 printable characters", nil)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// BirthdateLayout is how a birthdate is written.
const BirthdateLayout = "2006-01-02"

// parseBirthdate accepts a past date since 1900, or null for none. It takes
// the JSON the request gave, as "not a date at all" and "not a past date"
// are refused with different messages, after the account's other fields.
func parseBirthdate(raw json.RawMessage, now time.Time) (*time.Time, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fault.Invalid("birthdate", "birthdate must be a date such as 1990-04-01, or null", nil)
	}
	d, err := time.Parse(BirthdateLayout, s)
	if err != nil || d.After(now) || d.Year() < 1900 {
		return nil, fault.Invalid("birthdate", "birthdate must be a past date such as 1990-04-01", s)
	}
	return &d, nil
}

// storedContext validates a payload context and returns it as stored.
func storedContext(context payloadcheck.Static) (string, error) {
	var fe *payloadcheck.FieldError
	if err := context.Validate(); errors.As(err, &fe) {
		return "", fault.Invalid("payloadContext."+fe.Field, fe.Message, nil)
	}
	b, err := json.Marshal(context)
	return string(b), err
}
