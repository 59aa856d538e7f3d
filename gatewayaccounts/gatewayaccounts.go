// Package gatewayaccounts is a business's connections to its own accounts
// at real gateways (Stripe, PayPal, Skrill): which credentials each takes,
// who may connect, see, rotate and remove one, and the sealing of its
// secrets. A business keeps its own accounts, an admin any tenant's; a
// customer none. Secrets are sealed under the master keys for the account
// they belong to, shown never again, and rotated by replacing them.
package gatewayaccounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// Store keeps the accounts.
type Store interface {
	CreateGatewayAccount(ctx context.Context, a *models.GatewayAccount) error
	GatewayAccountByID(ctx context.Context, id uuid.UUID) (*models.GatewayAccount, error)
	GatewayAccountList(ctx context.Context, tenant *uuid.UUID, after uuid.UUID, limit int) ([]models.GatewayAccount, error)
	UpdateGatewayAccount(ctx context.Context, id uuid.UUID, ch models.GatewayAccountChanges, read, now time.Time) error
	DeleteGatewayAccount(ctx context.Context, id uuid.UUID) error
	RouteInUse(ctx context.Context, route string) (bool, error)
}

// Box seals secrets for an owner and opens them (*sealed.Box).
type Box interface {
	Seal(plaintext, owner []byte) (string, error)
	Open(sealed string, owner []byte) ([]byte, error)
}

// Field is one credential an account of a gateway is connected with.
type Field struct {
	Name string
	// Secret values are sealed and never shown again.
	Secret bool
	// Optional values may be left out.
	Optional bool
}

// Gateways are the gateways a business may connect.
type Gateways interface {
	// Names are the gateways' names, sorted.
	Names() []string
	// Fields lists the credentials of the gateway named; false when
	// billgate connects no such gateway.
	Fields(gateway string) ([]Field, bool)
	// Check checks the shape of an account's credentials (a test key in
	// live mode, say), calling nothing.
	Check(gateway, mode string, credentials map[string]string) error
}

// Service is the accounts' operations.
type Service struct {
	Store    Store
	Gateways Gateways
	Secrets  Box
	Now      func() time.Time
}

// The modes of an account.
const (
	ModeTest = "test"
	ModeLive = "live"
)

// New is an account to connect.
type New struct {
	// ID is the account's, reserved by the request's Idempotency-Key: a
	// retried request connects the account its first try may have.
	ID          uuid.UUID
	TenantID    *uuid.UUID // an admin names the tenant
	Gateway     string
	Mode        string
	Name        string
	Currencies  []billing.Currency // empty takes any
	Credentials map[string]string
}

// WebhookPath is the path of an account's webhooks, which the business
// registers at its gateway.
func WebhookPath(gateway string, id uuid.UUID) string {
	return "/webhooks/" + gateway + "/" + id.String()
}

// ReturnPath is the path a payer comes back to from the gateway.
func ReturnPath(gateway string, id uuid.UUID) string {
	return "/gateways/" + gateway + "/" + id.String() + "/return"
}

// MaxNameLen bounds an account's name, in characters.
const MaxNameLen = 200

// maxCredentialLen bounds one credential value, in bytes.
const maxCredentialLen = 4096

// Connect stores a new account for the caller's tenant.
func (s *Service) Connect(ctx context.Context, caller tenancy.Caller, n New) (*models.GatewayAccount, error) {
	if caller.IsCustomer() {
		return nil, fault.Denied("gatewayAccounts")
	}
	tenant, err := caller.TenantFor(n.TenantID)
	if err != nil {
		return nil, err
	}
	if n.ID == uuid.Nil {
		n.ID = uuid.Must(uuid.NewV7())
	}
	fields, ok := s.Gateways.Fields(n.Gateway)
	if !ok {
		return nil, fault.Invalid("gateway", "gateway must be one billgate connects: "+strings.Join(s.Gateways.Names(), ", "), n.Gateway)
	}
	if n.Mode != ModeTest && n.Mode != ModeLive {
		return nil, fault.Invalid("mode", "mode must be test or live", n.Mode)
	}
	if err := checkName(n.Name); err != nil {
		return nil, err
	}
	currencies, err := joinCurrencies(n.Currencies)
	if err != nil {
		return nil, err
	}
	if err := checkCredentials(fields, n.Credentials, true); err != nil {
		return nil, err
	}
	if err := s.Gateways.Check(n.Gateway, n.Mode, n.Credentials); err != nil {
		return nil, fault.Invalid("credentials", err.Error(), nil)
	}
	now := s.Now().UTC()
	a := &models.GatewayAccount{ID: n.ID, TenantID: tenant, Gateway: n.Gateway, Mode: n.Mode, Name: n.Name,
		Currencies: currencies, CreatedAt: now, UpdatedAt: now}
	if a.Settings, a.SealedSecrets, a.SecretNames, err = s.store(a.ID, fields, n.Credentials); err != nil {
		return nil, err
	}
	switch err := s.Store.CreateGatewayAccount(ctx, a); {
	case errors.Is(err, models.ErrInUse): // the named tenant does not exist
		return nil, fault.Invalid("tenantId", "no such tenant", tenant.String())
	case errors.Is(err, models.ErrConflict): // connected by the first try
		stored, err := s.Store.GatewayAccountByID(ctx, a.ID)
		if err != nil || stored.TenantID != tenant || stored.Gateway != a.Gateway {
			return nil, fault.IllegalChange("this account ID is another account's")
		}
		return stored, nil
	case err != nil:
		return nil, err
	}
	return a, nil
}

// Get is an account the caller sees.
func (s *Service) Get(ctx context.Context, caller tenancy.Caller, id uuid.UUID) (*models.GatewayAccount, error) {
	a, err := s.Store.GatewayAccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if caller.IsCustomer() || !caller.IsAdmin() && a.TenantID != caller.ID {
		return nil, fmt.Errorf("gateway account %s: %w", id, models.ErrNotFound)
	}
	return a, nil
}

// List pages through the accounts the caller sees: a business its own, an
// admin every tenant's or the one named.
func (s *Service) List(ctx context.Context, caller tenancy.Caller, tenant *uuid.UUID, after uuid.UUID, limit int) ([]models.GatewayAccount, error) {
	switch {
	case caller.IsCustomer():
		return nil, fault.Denied("gatewayAccounts")
	case !caller.IsAdmin():
		tenant = &caller.ID
	}
	return s.Store.GatewayAccountList(ctx, tenant, after, limit)
}

// Changes are what an update replaces: nil leaves a value. Credentials
// named replace the stored ones of those names, the others stay: a secret
// is rotated by giving its new value.
type Changes struct {
	Name        *string
	Currencies  *[]billing.Currency
	Credentials map[string]string
}

// Update changes an account the caller sees.
func (s *Service) Update(ctx context.Context, caller tenancy.Caller, id uuid.UUID, ch Changes) (*models.GatewayAccount, error) {
	a, err := s.Get(ctx, caller, id)
	if err != nil {
		return nil, err
	}
	var set models.GatewayAccountChanges
	if ch.Name != nil {
		if err := checkName(*ch.Name); err != nil {
			return nil, err
		}
		set.Name = ch.Name
	}
	if ch.Currencies != nil {
		joined, err := joinCurrencies(*ch.Currencies)
		if err != nil {
			return nil, err
		}
		set.Currencies = &joined
	}
	if len(ch.Credentials) > 0 {
		fields, _ := s.Gateways.Fields(a.Gateway)
		if err := checkCredentials(fields, ch.Credentials, false); err != nil {
			return nil, err
		}
		merged, err := s.credentials(a)
		if err != nil {
			return nil, err
		}
		for name, v := range ch.Credentials {
			merged[name] = v
		}
		if err := s.Gateways.Check(a.Gateway, a.Mode, merged); err != nil {
			return nil, fault.Invalid("credentials", err.Error(), nil)
		}
		settings, sealed, names, err := s.store(a.ID, fields, merged)
		if err != nil {
			return nil, err
		}
		set.Settings, set.SealedSecrets, set.SecretNames = &settings, &sealed, &names
	}
	switch err := s.Store.UpdateGatewayAccount(ctx, id, set, a.UpdatedAt, s.Now().UTC()); {
	case errors.Is(err, models.ErrConflict):
		return nil, fault.IllegalChange("the account changed while this update was made: read it and try again")
	case err != nil:
		return nil, err
	}
	return s.Store.GatewayAccountByID(ctx, id)
}

// Disconnect removes an account the caller sees. One through which money
// still moves (a subscription not ended, a payment open, a refund
// pending) is refused, and so is one a saved payment method names: the
// method goes first.
func (s *Service) Disconnect(ctx context.Context, caller tenancy.Caller, id uuid.UUID) error {
	a, err := s.Get(ctx, caller, id)
	if err != nil {
		return err
	}
	switch inUse, err := s.Store.RouteInUse(ctx, contract.GatewayRoute(a.Gateway, a.ID)); {
	case err != nil:
		return err
	case inUse:
		return fault.IllegalChange("subscriptions, payments or refunds still go through this account: end them first")
	}
	err = s.Store.DeleteGatewayAccount(ctx, id)
	if errors.Is(err, models.ErrInUse) {
		return fault.IllegalChange("saved payment methods still pay through this account: delete them first")
	}
	return err
}

// Opened is an account with every credential in the clear, for the
// gateway's Connector only.
type Opened struct {
	Account     models.GatewayAccount
	Credentials map[string]string
	Currencies  []billing.Currency
}

// Open reads an account and opens its secrets.
func (s *Service) Open(ctx context.Context, id uuid.UUID) (Opened, error) {
	a, err := s.Store.GatewayAccountByID(ctx, id)
	if err != nil {
		return Opened{}, err
	}
	creds, err := s.credentials(a)
	if err != nil {
		return Opened{}, err
	}
	return Opened{Account: *a, Credentials: creds, Currencies: Currencies(a)}, nil
}

// Settings are an account's credentials shown as given.
func Settings(a *models.GatewayAccount) map[string]string {
	out := map[string]string{}
	_ = json.Unmarshal([]byte(a.Settings), &out) // written by store, from a map
	return out
}

// Currencies are the currencies an account takes; none means any.
func Currencies(a *models.GatewayAccount) []billing.Currency {
	var out []billing.Currency
	for _, code := range split(a.Currencies) {
		out = append(out, billing.Currency(code))
	}
	return out
}

// SecretNames are the names of an account's sealed credentials.
func SecretNames(a *models.GatewayAccount) []string { return split(a.SecretNames) }

func split(list string) []string {
	if list == "" {
		return []string{}
	}
	return strings.Split(list, ",")
}

// credentials are an account's settings and opened secrets.
func (s *Service) credentials(a *models.GatewayAccount) (map[string]string, error) {
	plain, err := s.Secrets.Open(a.SealedSecrets, a.ID[:])
	if err != nil {
		return nil, fmt.Errorf("gateway account %s: its secrets do not open under the configured master keys: %w", a.ID, err)
	}
	secrets := map[string]string{}
	if err := json.Unmarshal(plain, &secrets); err != nil {
		return nil, fmt.Errorf("gateway account %s: sealed secrets: %w", a.ID, err)
	}
	creds := Settings(a)
	for name, v := range secrets {
		creds[name] = v
	}
	return creds, nil
}

// store splits credentials into the settings shown and the secrets
// sealed for the account id, whose names it lists.
func (s *Service) store(id uuid.UUID, fields []Field, creds map[string]string) (settings, sealed, names string, err error) {
	shown, secret := map[string]string{}, map[string]string{}
	var secretNames []string
	for _, f := range fields {
		v, ok := creds[f.Name]
		switch {
		case !ok:
		case f.Secret:
			secret[f.Name] = v
			secretNames = append(secretNames, f.Name)
		default:
			shown[f.Name] = v
		}
	}
	settingsJSON, _ := json.Marshal(shown) // maps of strings always marshal
	secretJSON, _ := json.Marshal(secret)
	if sealed, err = s.Secrets.Seal(secretJSON, id[:]); err != nil {
		return "", "", "", err
	}
	return string(settingsJSON), sealed, strings.Join(secretNames, ","), nil
}

// checkCredentials refuses a name the gateway does not take, an empty or
// oversized value, and, when all is set, a required one missing.
func checkCredentials(fields []Field, creds map[string]string, all bool) error {
	for name, v := range creds {
		i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == name })
		switch {
		case i < 0:
			return fault.Invalid("credentials."+name, "this gateway takes no credential "+name+"; it takes "+fieldNames(fields), nil)
		case v == "" || len(v) > maxCredentialLen || !utf8.ValidString(v):
			return fault.Invalid("credentials."+name, fmt.Sprintf("must be 1 to %d bytes of UTF-8", maxCredentialLen), nil)
		}
	}
	if !all {
		return nil
	}
	for _, f := range fields {
		if _, ok := creds[f.Name]; !ok && !f.Optional {
			return fault.Invalid("credentials."+f.Name, "is required", nil)
		}
	}
	return nil
}

func fieldNames(fields []Field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

func checkName(name string) error {
	if utf8.RuneCountInString(name) > MaxNameLen || !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fault.Invalid("name", fmt.Sprintf("name must be at most %d printable characters", MaxNameLen), nil)
	}
	return nil
}

// joinCurrencies checks the currencies and lists each once, upper-case
// and sorted.
func joinCurrencies(cs []billing.Currency) (string, error) {
	codes := make([]string, len(cs))
	for i, c := range cs {
		parsed, err := billing.ParseCurrency(string(c))
		if err != nil {
			return "", fault.Invalid("currencies", err.Error(), string(c))
		}
		codes[i] = string(parsed)
	}
	slices.Sort(codes)
	return strings.Join(slices.Compact(codes), ","), nil
}
