package gateways

import (
	"context"
	"fmt"

	"golang.org/x/time/rate"
)

// Limited makes g wait for a token before each charge, so this process asks
// the gateway at most perSecond charges a second (bursts of burst). Every
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
	if err := l.limiter.Wait(ctx); err != nil {
		return ChargeResult{}, Transient(l.Name(), fmt.Errorf("rate limit: %w", err))
	}
	return l.Gateway.Charge(ctx, req)
}
