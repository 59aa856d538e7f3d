package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Reports computes a business's dashboard series in the database, one
// row per day (and currency) that has something to count.
type Reports struct{ *conn }

// Day is one day of a report, [Start, End).
type Day struct {
	Start, End time.Time
}

// MRRRow is the monthly recurring revenue of day N in a currency, and how
// many subscriptions paid it.
type MRRRow struct {
	N        int
	Currency string
	MRR      int64
	Active   int64
}

// RevenueRow is what day N collected in a currency (invoices paid) and
// gave back (refunds that succeeded).
type RevenueRow struct {
	N         int
	Currency  string
	Collected int64
	Refunded  int64
}

// PaymentHealthRow counts day N's declined attempts, and the payments
// with a declined attempt that were paid (recovered) or ended unpaid
// (lost) that day.
type PaymentHealthRow struct {
	N                       int
	Failed, Recovered, Lost int64
}

// ChurnRow counts the paying subscriptions that ended on day N: canceled,
// or expired after their retries.
type ChurnRow struct {
	N                 int
	Canceled, Expired int64
}

// Which events start and stop a subscription paying: past_due still
// counts, as in Stripe's MRR; a trial, a pause or an end does not. Events
// that keep the state (renewed, price_changed, past_due) are left out, so
// each subscription is in one state at any time.
var (
	payingEvents  = []string{EventSubscriptionActivated, EventSubscriptionResumed}
	stateEvents   = append([]string{EventSubscriptionCreated, EventSubscriptionTrialing, EventSubscriptionPaused, EventSubscriptionCanceled, EventSubscriptionExpired}, payingEvents...)
	endedByChurn  = []string{EventSubscriptionCanceled, EventSubscriptionExpired}
	paymentHealth = []string{EventPaymentSucceeded, EventPaymentExpired}
)

// monthlyAmount is a subscription's amount a month: a year's is a
// twelfth, a week's 52/12 and a day's 365/12, as Stripe's MRR counts them.
const monthlyAmount = `CASE p."interval"
	WHEN 'month' THEN s.amount * s.quantity / p.interval_count
	WHEN 'year' THEN s.amount * s.quantity / (12 * p.interval_count)
	WHEN 'week' THEN s.amount * s.quantity * 52 / (12 * p.interval_count)
	WHEN 'day' THEN s.amount * s.quantity * 365 / (12 * p.interval_count)
	ELSE 0 END`

// MRR is, at the end of each day, the tenant's paying subscriptions and
// their monthly amount, by currency. A subscription's state on a day is
// the one its last state event before the day's end set; its amount is
// its current price's.
func (r *Reports) MRR(ctx context.Context, tenant uuid.UUID, days []Day) ([]MRRRow, error) {
	cte, args := r.days(days)
	args = append(args, tenant, stateEvents, days[len(days)-1].End, payingEvents)
	q := cte + `, states AS (
		SELECT object_id, type, created_at AS since,
			LEAD(created_at) OVER (PARTITION BY object_id ORDER BY created_at, id) AS until
		FROM events WHERE tenant_id = ? AND type IN ? AND created_at < ?)
	SELECT d.n, s.currency, SUM(` + monthlyAmount + `) AS mrr, COUNT(*) AS active
	FROM days d
	JOIN states st ON st.since < d.day_end AND (st.until IS NULL OR st.until >= d.day_end)
	JOIN subscriptions s ON s.id = st.object_id
	JOIN prices p ON p.id = s.price_id
	WHERE st.type IN ?
	GROUP BY d.n, s.currency ORDER BY d.n, s.currency`
	var rows []MRRRow
	return rows, translate(r.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error)
}

// Revenue is what each day collected and refunded, by currency.
func (r *Reports) Revenue(ctx context.Context, tenant uuid.UUID, days []Day) ([]RevenueRow, error) {
	cte, args := r.days(days)
	args = append(args, tenant, tenant)
	q := cte + `, money AS (
		SELECT d.n, i.currency, i.amount_due AS collected, 0 AS refunded
		FROM days d JOIN invoices i ON i.paid_at >= d.day_start AND i.paid_at < d.day_end
		WHERE i.tenant_id = ?
		UNION ALL
		SELECT d.n, f.currency, 0, f.amount
		FROM days d JOIN refunds f ON f.updated_at >= d.day_start AND f.updated_at < d.day_end
		WHERE f.tenant_id = ? AND f.status = 'succeeded')
	SELECT n, currency, SUM(collected) AS collected, SUM(refunded) AS refunded
	FROM money GROUP BY n, currency ORDER BY n, currency`
	var rows []RevenueRow
	return rows, translate(r.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error)
}

// PaymentHealth counts each day's declined attempts and the payments they
// were recovered or lost on.
func (r *Reports) PaymentHealth(ctx context.Context, tenant uuid.UUID, days []Day) ([]PaymentHealthRow, error) {
	cte, args := r.days(days)
	args = append(args, EventPaymentFailed, EventPaymentSucceeded, EventPaymentExpired, tenant, EventPaymentFailed, paymentHealth, EventPaymentFailed)
	q := cte + `
	SELECT d.n,
		SUM(CASE WHEN e.type = ? THEN 1 ELSE 0 END) AS failed,
		SUM(CASE WHEN e.type = ? THEN 1 ELSE 0 END) AS recovered,
		SUM(CASE WHEN e.type = ? THEN 1 ELSE 0 END) AS lost
	FROM days d JOIN events e ON e.created_at >= d.day_start AND e.created_at < d.day_end
	WHERE e.tenant_id = ? AND (e.type = ? OR e.type IN ? AND EXISTS (
		SELECT 1 FROM events f WHERE f.object_id = e.object_id AND f.type = ? AND f.id < e.id))
	GROUP BY d.n ORDER BY d.n`
	var rows []PaymentHealthRow
	return rows, translate(r.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error)
}

// Churn counts each day's ends of subscriptions that had paid: an end
// before the first payment (an expired first invoice) is not churn.
func (r *Reports) Churn(ctx context.Context, tenant uuid.UUID, days []Day) ([]ChurnRow, error) {
	cte, args := r.days(days)
	args = append(args, EventSubscriptionCanceled, EventSubscriptionExpired, tenant, endedByChurn, EventSubscriptionActivated)
	q := cte + `
	SELECT d.n,
		SUM(CASE WHEN e.type = ? THEN 1 ELSE 0 END) AS canceled,
		SUM(CASE WHEN e.type = ? THEN 1 ELSE 0 END) AS expired
	FROM days d JOIN events e ON e.created_at >= d.day_start AND e.created_at < d.day_end
	WHERE e.tenant_id = ? AND e.type IN ? AND EXISTS (
		SELECT 1 FROM events a WHERE a.object_id = e.object_id AND a.type = ? AND a.id < e.id)
	GROUP BY d.n ORDER BY d.n`
	var rows []ChurnRow
	return rows, translate(r.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error)
}

// days is the WITH clause of a table days(n, day_start, day_end), and its
// arguments. Postgres is told the times' type; SQLite compares them as the
// text it stores.
func (r *Reports) days(days []Day) (string, []any) {
	at := "?"
	if r.dialect == Postgres {
		at = "CAST(? AS timestamptz)"
	}
	rows := make([]string, len(days))
	args := make([]any, 0, 3*len(days))
	for i, d := range days {
		rows[i] = fmt.Sprintf("(%d, %s, %s)", i, at, at)
		args = append(args, d.Start.UTC(), d.End.UTC())
	}
	return "WITH days(n, day_start, day_end) AS (VALUES " + strings.Join(rows, ", ") + ")", args
}
