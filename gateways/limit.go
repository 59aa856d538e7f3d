package gateways

import (
	"context"
	"fmt"

	"golang.org/x/time/rate"
)

// Limited makes g wait for a token before each request (charge, lookup,
// find, void or refund), so this
// process asks the gateway at most perSecond times a second (bursts of
// burst). Every
// worker process holds its own limiter: N payment workers may send N times
// the rate. A charge whose context ends while it waits is a transient
// error, retried by the activity like a gateway timeout.
func Limited(g Gateway, perSecond float64, burst int) Gateway {
	return &limited{Gateway: g, limiter: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

type limited struct {
	Gateway
	limiter *rate.Limiter
}

func (l *limited) Charge(ctx context.Context, req ChargeRequest) (ChargeResult, error) {
	if err := l.wait(ctx); err != nil {
		return ChargeResult{}, err
	}
	return l.Gateway.Charge(ctx, req)
}

// Lookup waits for a token too: a lookup is a request to the gateway.
func (l *limited) Lookup(ctx context.Context, reference string) (ChargeResult, error) {
	if err := l.wait(ctx); err != nil {
		return ChargeResult{}, err
	}
	return l.Gateway.Lookup(ctx, reference)
}

// Find waits for a token too.
func (l *limited) Find(ctx context.Context, idempotencyKey string) (ChargeResult, error) {
	if err := l.wait(ctx); err != nil {
		return ChargeResult{}, err
	}
	return l.Gateway.Find(ctx, idempotencyKey)
}

// Void waits for a token too.
func (l *limited) Void(ctx context.Context, req VoidRequest) (ChargeResult, error) {
	if err := l.wait(ctx); err != nil {
		return ChargeResult{}, err
	}
	return l.Gateway.Void(ctx, req)
}

// Refund waits for a token too.
func (l *limited) Refund(ctx context.Context, req RefundRequest) (RefundResult, error) {
	if err := l.wait(ctx); err != nil {
		return RefundResult{}, err
	}
	return l.Gateway.Refund(ctx, req)
}

func (l *limited) wait(ctx context.Context) error {
	if err := l.limiter.Wait(ctx); err != nil {
		return Transient(l.Name(), fmt.Errorf("rate limit: %w", err))
	}
	return nil
}
