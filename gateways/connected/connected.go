// Package connected connects businesses' gateway accounts: it opens an
// account's credentials (package gatewayaccounts), hands them to its
// gateway's Connector, keeps the Gateway made while the account is
// unchanged, and notes on the account whether the gateway answered each
// call, so that readiness and the account's view tell without calling it.
package connected

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/billgate/billgate/gatewayaccounts"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/workflows/contract"
)

// Connectors are the gateways businesses may connect, by name. They are
// what gatewayaccounts asks about credentials.
type Connectors map[string]gateways.Connector

// Names are the gateways' names, sorted.
func (c Connectors) Names() []string {
	names := make([]string, 0, len(c))
	for name := range c {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Fields lists the credentials of the gateway named.
func (c Connectors) Fields(name string) ([]gatewayaccounts.Field, bool) {
	conn, ok := c[name]
	if !ok {
		return nil, false
	}
	var fields []gatewayaccounts.Field
	for _, cred := range conn.Credentials() {
		fields = append(fields, gatewayaccounts.Field{Name: cred.Name, Secret: cred.Secret, Optional: cred.Optional})
	}
	return fields, true
}

// Check connects an account with the credentials given, which checks their
// shape and calls nothing.
func (c Connectors) Check(name, mode string, credentials map[string]string) error {
	conn, ok := c[name]
	if !ok {
		return errors.New("unknown gateway " + name)
	}
	_, err := conn.Connect(gateways.Account{Mode: gateways.Mode(mode), Credentials: credentials})
	return err
}

// Opener opens an account's credentials (gatewayaccounts.Service).
type Opener interface {
	Open(ctx context.Context, id uuid.UUID) (gatewayaccounts.Opened, error)
}

// Health notes whether a gateway answered a call through an account
// (models.GatewayAccounts).
type Health interface {
	RecordGatewayAnswer(ctx context.Context, id uuid.UUID, at time.Time, failure string) error
}

// Accounts connects accounts: it implements gateways.Accounts.
type Accounts struct {
	Connectors Connectors
	Opener     Opener
	Health     Health
	// BaseURL is billgate's public URL, which the accounts' webhook and
	// return URLs start with.
	BaseURL string
	// Rate caps the calls a second this process sends each gateway, all
	// its accounts together (bursts of as many); zero is no cap.
	Rate int
	Now  func() time.Time

	mu       sync.Mutex
	cache    map[uuid.UUID]connection
	limiters map[string]*rate.Limiter
}

// connection is an account's gateway as connected from the row updated at
// updated.
type connection struct {
	updated time.Time
	gateway *observed
}

// WebhookPath is the path of an account's webhooks.
func WebhookPath(kind string, id uuid.UUID) string { return "/webhooks/" + kind + "/" + id.String() }

// ReturnPath is the path a payer comes back to from the gateway.
func ReturnPath(kind string, id uuid.UUID) string {
	return "/gateways/" + kind + "/" + id.String() + "/return"
}

// Connect is the Gateway of account id at gateway kind.
func (a *Accounts) Connect(ctx context.Context, kind string, id uuid.UUID) (gateways.ConnectedGateway, error) {
	route := contract.GatewayRoute(kind, id)
	opened, err := a.Opener.Open(ctx, id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, gateways.Permanent(route, gateways.ErrUnknownAccount)
	case err != nil:
		return nil, err
	case opened.Account.Gateway != kind:
		return nil, gateways.Permanent(route, fmt.Errorf("%w: the account is at %s", gateways.ErrUnknownAccount, opened.Account.Gateway))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.cache[id]; ok && c.updated.Equal(opened.Account.UpdatedAt) {
		return c.gateway, nil
	}
	conn, ok := a.Connectors[kind]
	if !ok {
		return nil, gateways.Permanent(route, fmt.Errorf("%w: billgate connects no %s accounts", gateways.ErrUnknownAccount, kind))
	}
	g, err := conn.Connect(gateways.Account{ID: id, Mode: gateways.Mode(opened.Account.Mode), Credentials: opened.Credentials,
		Currencies: opened.Currencies, WebhookURL: a.BaseURL + gatewayaccounts.WebhookPath(kind, id), ReturnURL: a.BaseURL + gatewayaccounts.ReturnPath(kind, id)})
	if err != nil {
		return nil, gateways.Permanent(route, err)
	}
	if a.cache == nil {
		a.cache = map[uuid.UUID]connection{}
	}
	c := connection{updated: opened.Account.UpdatedAt, gateway: &observed{ConnectedGateway: g, account: id, health: a.Health, now: a.now, limiter: a.limiter(kind)}}
	a.cache[id] = c
	return c.gateway, nil
}

// limiter is the gateway's limiter, nil without a Rate; a.mu is held.
func (a *Accounts) limiter(kind string) *rate.Limiter {
	if a.Rate <= 0 {
		return nil
	}
	if a.limiters == nil {
		a.limiters = map[string]*rate.Limiter{}
	}
	if a.limiters[kind] == nil {
		a.limiters[kind] = rate.NewLimiter(rate.Limit(a.Rate), a.Rate)
	}
	return a.limiters[kind]
}

func (a *Accounts) now() time.Time {
	if a.Now == nil {
		return time.Now().UTC()
	}
	return a.Now().UTC()
}

// reportEvery is how often an unchanged outcome is written again, so that
// a busy account's row is not written at every call.
const reportEvery = 30 * time.Second

// observed waits its turn under the gateway's rate limit before each call
// billgate makes, and notes on its account whether the gateway answered:
// an answer is any reply, a decline or a refusal included; a failure is a
// transient error (no reply, a timeout, a 5xx). Webhooks are the gateway
// calling billgate, so they say nothing of it.
type observed struct {
	gateways.ConnectedGateway
	account uuid.UUID
	health  Health
	now     func() time.Time
	limiter *rate.Limiter // nil: no limit

	mu       sync.Mutex
	failing  bool
	reported time.Time
}

// turn waits for the limiter. A context that ends first is a transient
// error, retried like a gateway timeout; it says nothing of the gateway.
func (o *observed) turn(ctx context.Context) error {
	if o.limiter == nil {
		return nil
	}
	if err := o.limiter.Wait(ctx); err != nil {
		return gateways.Transient(o.Name(), fmt.Errorf("rate limit: %w", err))
	}
	return nil
}

func (o *observed) note(ctx context.Context, err error) {
	failing := gateways.IsTransient(err)
	now := o.now()
	o.mu.Lock()
	due := o.reported.IsZero() || failing != o.failing || now.Sub(o.reported) >= reportEvery
	if due {
		o.failing, o.reported = failing, now
	}
	o.mu.Unlock()
	if !due {
		return
	}
	failure := ""
	if failing {
		failure = err.Error()
	}
	// The call's outcome stands whatever the note's: a lost note is
	// written at the next call.
	if nerr := o.health.RecordGatewayAnswer(context.WithoutCancel(ctx), o.account, now, failure); nerr != nil {
		o.mu.Lock()
		o.reported = time.Time{}
		o.mu.Unlock()
	}
}

// observe makes one call to the gateway in its turn, and notes whether
// the gateway answered.
func observe[T any](ctx context.Context, o *observed, call func() (T, error)) (T, error) {
	if err := o.turn(ctx); err != nil {
		var none T
		return none, err
	}
	res, err := call()
	o.note(ctx, err)
	return res, err
}

func (o *observed) Charge(ctx context.Context, req gateways.ChargeRequest) (gateways.ChargeResult, error) {
	return observe(ctx, o, func() (gateways.ChargeResult, error) { return o.ConnectedGateway.Charge(ctx, req) })
}

func (o *observed) Lookup(ctx context.Context, reference string) (gateways.ChargeResult, error) {
	return observe(ctx, o, func() (gateways.ChargeResult, error) { return o.ConnectedGateway.Lookup(ctx, reference) })
}

func (o *observed) Find(ctx context.Context, key string) (gateways.ChargeResult, error) {
	return observe(ctx, o, func() (gateways.ChargeResult, error) { return o.ConnectedGateway.Find(ctx, key) })
}

func (o *observed) Void(ctx context.Context, req gateways.VoidRequest) (gateways.ChargeResult, error) {
	return observe(ctx, o, func() (gateways.ChargeResult, error) { return o.ConnectedGateway.Void(ctx, req) })
}

func (o *observed) Refund(ctx context.Context, req gateways.RefundRequest) (gateways.RefundResult, error) {
	return observe(ctx, o, func() (gateways.RefundResult, error) { return o.ConnectedGateway.Refund(ctx, req) })
}

func (o *observed) LookupRefund(ctx context.Context, reference string) (gateways.RefundResult, error) {
	return observe(ctx, o, func() (gateways.RefundResult, error) { return o.ConnectedGateway.LookupRefund(ctx, reference) })
}

func (o *observed) CheckMethod(ctx context.Context, token string) (string, error) {
	return observe(ctx, o, func() (string, error) { return o.ConnectedGateway.CheckMethod(ctx, token) })
}

var _ gateways.RefundLister = (*observed)(nil)

// ListRefunds implements gateways.RefundLister: the adapter's list, or none
// when the adapter lists no refunds (it reports none made outside its API).
func (o *observed) ListRefunds(ctx context.Context, reference string) ([]gateways.ListedRefund, error) {
	lister, ok := o.ConnectedGateway.(gateways.RefundLister)
	if !ok {
		return nil, nil
	}
	return observe(ctx, o, func() ([]gateways.ListedRefund, error) { return lister.ListRefunds(ctx, reference) })
}
