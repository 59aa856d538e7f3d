// Package listenmode is listen mode's memory: what the payloads of the
// requests that roles in listen mode had accepted were, kept in the
// database, so that every API process proposes templates from what all of
// them observed (docs/payload-templates.md). payloadcheck's Observer makes
// the rules; this package stores its summaries and replays them.
package listenmode

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"

	"github.com/billgate/billgate/auth/payloadcheck"
	"github.com/billgate/billgate/models"
)

// Store keeps the observed payloads; models.Observations is one.
type Store interface {
	RecordObserved(ctx context.Context, role, action string, payloads [][]byte) (held int, err error)
	Observed(ctx context.Context, role string) ([]models.ObservedPayload, error)
	SumUpObserved(ctx context.Context, role, action string, over int, sum func([]models.ObservedPayload) [][]byte) error
}

// Kept bounds the payloads a role keeps per action. The process that
// stores one past it sums them up (payloadcheck.Observer.Summary): into
// one payload, or a few when fields held both values and objects.
const Kept = 100

// Observations record, for the roles in listen mode, what their members'
// accepted requests carried, and propose templates from it.
type Observations struct {
	store     Store
	maxValues int
	log       *slog.Logger
}

// New keeps observations in store; a field seen with more than maxValues
// distinct values is proposed as the wildcard.
func New(store Store, maxValues int, log *slog.Logger) *Observations {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Observations{store: store, maxValues: maxValues, log: log}
}

// Observe records body, which a request for action carried and which was
// accepted, for each of roles. Only its summary is stored, with secret
// fields redacted. The request has succeeded: a failure to record is
// logged, never returned, and a client that hangs up does not stop it.
func (o *Observations) Observe(ctx context.Context, roles []string, action string, body []byte) {
	observer := payloadcheck.NewObserver(o.maxValues)
	observer.Observe(action, redacted(body))
	summary := observer.Summary(action)
	if summary == nil {
		return // not an object: nothing a template could propose
	}
	ctx = context.WithoutCancel(ctx)
	for _, role := range roles {
		o.record(ctx, role, action, summary)
	}
}

// record stores summary for role and action and, past Kept, sums up what
// the role holds for the action.
func (o *Observations) record(ctx context.Context, role, action string, summary [][]byte) {
	held, err := o.store.RecordObserved(ctx, role, action, summary)
	if err != nil {
		o.log.WarnContext(ctx, "listen mode: an accepted payload was not recorded",
			slog.String("role", role), slog.String("action", action), slog.Any("error", err))
		return
	}
	if held <= Kept {
		return
	}
	err = o.store.SumUpObserved(ctx, role, action, Kept, func(rows []models.ObservedPayload) [][]byte {
		return o.replay(rows).Summary(action)
	})
	if err != nil {
		o.log.WarnContext(ctx, "listen mode: the payloads observed were not summed up; the next one past the bound tries again",
			slog.String("role", role), slog.String("action", action), slog.Any("error", err))
	}
}

// Proposals are the templates proposed for the role named role, by
// action, from what every process observed.
func (o *Observations) Proposals(ctx context.Context, role string) (map[string]payloadcheck.Template, error) {
	rows, err := o.store.Observed(ctx, role)
	if err != nil {
		return nil, err
	}
	return o.replay(rows).Proposals(), nil
}

// replay observes stored payloads again, in the order they were recorded.
func (o *Observations) replay(rows []models.ObservedPayload) *payloadcheck.Observer {
	observer := payloadcheck.NewObserver(o.maxValues)
	for _, r := range rows {
		observer.Observe(r.Action, []byte(r.Payload))
	}
	return observer
}

// secretFields are never observed: listen mode proposes the wildcard for
// them without keeping what was sent, so proposals never show an admin a
// password or a payment token.
var secretFields = []string{"password", "currentPassword", "newPassword", "token", "secret"}

// redacted is body with the values of secret fields, at any depth,
// replaced by markup, which the observer widens to the wildcard.
func redacted(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return body // not JSON: the observer ignores it
	}
	redact(v)
	out, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return out
}

func redact(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if slices.ContainsFunc(secretFields, func(f string) bool { return strings.EqualFold(f, k) }) {
				v[k] = "<%= redacted %>"
				continue
			}
			redact(x)
		}
	case []any:
		for _, x := range v {
			redact(x)
		}
	}
}
