package reports

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
)

func TestParseWindow(t *testing.T) {
	now := time.Date(2031, 3, 10, 17, 45, 0, 0, time.UTC)
	for _, tt := range []struct {
		from, to         string
		wantFrom, wantTo string
		wantField        string
	}{
		{"", "", "2031-02-09", "2031-03-10", ""},
		{"", "2031-01-31", "2031-01-02", "2031-01-31", ""},
		{"2031-03-01", "", "2031-03-01", "2031-03-10", ""},
		{"2031-03-10", "2031-03-10", "2031-03-10", "2031-03-10", ""},
		{"2030-03-10", "2031-03-10", "2030-03-10", "2031-03-10", ""}, // 366 days
		{"2030-03-09", "2031-03-10", "", "", "from"},
		{"2031-03-11", "2031-03-10", "", "", "from"},
		{"yesterday", "", "", "", "from"},
		{"", "2031-3-1", "", "", "to"},
	} {
		w, err := ParseWindow(tt.from, tt.to, now)
		var invalid *fault.InvalidError
		switch {
		case tt.wantField != "":
			if !errors.As(err, &invalid) || invalid.Field != tt.wantField {
				t.Errorf("ParseWindow(%q, %q) = %v, want INVALID on %s", tt.from, tt.to, err, tt.wantField)
			}
		case err != nil || w.From.Format(time.DateOnly) != tt.wantFrom || w.To.Format(time.DateOnly) != tt.wantTo:
			t.Errorf("ParseWindow(%q, %q) = %v to %v, %v; want %s to %s", tt.from, tt.to, w.From, w.To, err, tt.wantFrom, tt.wantTo)
		}
	}
}

type fakeStore struct {
	mrr  []models.MRRRow
	days []models.Day
	err  error
}

func (f *fakeStore) MRR(_ context.Context, _ uuid.UUID, days []models.Day) ([]models.MRRRow, error) {
	f.days = days
	return f.mrr, f.err
}

func (f *fakeStore) Revenue(context.Context, uuid.UUID, []models.Day) ([]models.RevenueRow, error) {
	return []models.RevenueRow{{N: 1, Currency: "USD", Collected: 900, Refunded: 100}}, f.err
}

func (f *fakeStore) PaymentHealth(context.Context, uuid.UUID, []models.Day) ([]models.PaymentHealthRow, error) {
	return []models.PaymentHealthRow{{N: 2, Failed: 3, Recovered: 1}}, f.err
}

func (f *fakeStore) Churn(context.Context, uuid.UUID, []models.Day) ([]models.ChurnRow, error) {
	return nil, f.err
}

// Every day of the window has a point, in every currency the store
// named, zeros included, so a chart needs no gaps filled.
func TestSeriesHaveEveryDay(t *testing.T) {
	ctx := context.Background()
	w, _ := ParseWindow("2031-01-30", "2031-02-01", time.Now())
	store := &fakeStore{mrr: []models.MRRRow{{N: 0, Currency: "USD", MRR: 100, Active: 1}, {N: 2, Currency: "EUR", MRR: 7, Active: 1}}}
	s := &Service{Store: store}

	mrr, err := s.MRR(ctx, uuid.New(), w)
	want := []MRRPoint{
		{"2031-01-30", "EUR", 0, 0}, {"2031-01-31", "EUR", 0, 0}, {"2031-02-01", "EUR", 7, 1},
		{"2031-01-30", "USD", 100, 1}, {"2031-01-31", "USD", 0, 0}, {"2031-02-01", "USD", 0, 0},
	}
	if err != nil || !reflect.DeepEqual(mrr, want) {
		t.Errorf("MRR = %v, %v; want %v", mrr, err, want)
	}
	wantDays := []models.Day{
		{Start: time.Date(2031, 1, 30, 0, 0, 0, 0, time.UTC), End: time.Date(2031, 1, 31, 0, 0, 0, 0, time.UTC)},
		{Start: time.Date(2031, 1, 31, 0, 0, 0, 0, time.UTC), End: time.Date(2031, 2, 1, 0, 0, 0, 0, time.UTC)},
		{Start: time.Date(2031, 2, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2031, 2, 2, 0, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(store.days, wantDays) {
		t.Errorf("the store was asked for %v, want %v", store.days, wantDays)
	}
	if revenue, _ := s.Revenue(ctx, uuid.New(), w); len(revenue) != 3 || revenue[1].Net != 800 || revenue[0].Collected != 0 {
		t.Errorf("Revenue = %v, want three days, the second netting 800", revenue)
	}
	if payments, _ := s.Payments(ctx, uuid.New(), w); len(payments) != 3 || payments[2] != (PaymentsPoint{"2031-02-01", 3, 1, 0}) {
		t.Errorf("Payments = %v", payments)
	}
	if churn, _ := s.Churn(ctx, uuid.New(), w); len(churn) != 3 || churn[0] != (ChurnPoint{Date: "2031-01-30"}) {
		t.Errorf("Churn = %v, want three days of nothing", churn)
	}
	store.err = errors.New("database gone")
	if _, err := s.MRR(ctx, uuid.New(), w); err == nil {
		t.Error("MRR hid the store's error")
	}
}
