package testclocks

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

var (
	shop  = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	other = uuid.MustParse("00000000-0000-0000-0000-00000000000c")
	t0    = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	now   = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
)

// store keeps clocks in memory with the database's compare-and-sets.
type store struct {
	clocks map[uuid.UUID]*models.TestClock
	// beforeAdvance, when set, runs inside StartAdvance: another request
	// moving the clock first.
	beforeAdvance func(*models.TestClock)
}

func (s *store) CreateTestClock(_ context.Context, c *models.TestClock) error {
	c.ID, c.Status = uuid.New(), models.ClockReady
	s.clocks[c.ID] = c
	return nil
}

func (s *store) TestClockByID(_ context.Context, id uuid.UUID) (*models.TestClock, error) {
	c, ok := s.clocks[id]
	if !ok {
		return nil, models.ErrNotFound
	}
	cp := *c
	return &cp, nil
}

func (s *store) TestClocks(context.Context, *uuid.UUID, uuid.UUID, int) ([]models.TestClock, error) {
	return nil, nil
}

func (s *store) StartAdvance(_ context.Context, id uuid.UUID, from, to, _ time.Time) error {
	c := s.clocks[id]
	if s.beforeAdvance != nil {
		s.beforeAdvance(c)
	}
	if c.Status != models.ClockReady || !c.FrozenTime.Equal(from) {
		return models.ErrConflict
	}
	c.Status, c.TargetTime = models.ClockAdvancing, &to
	return nil
}

func (s *store) StartDelete(_ context.Context, id uuid.UUID, _ time.Time) error {
	c := s.clocks[id]
	if c.Gone() {
		return models.ErrConflict
	}
	c.Status, c.TargetTime = models.ClockDeleting, nil
	return nil
}

// temporal records the workflows started and the signals sent.
type temporal struct {
	started  []contract.TestClockChange
	signals  []string
	startErr error
	sigErr   error
}

func (w *temporal) ExecuteWorkflow(_ context.Context, _ client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	w.started = append(w.started, args[0].(contract.TestClockChange))
	return nil, w.startErr
}

func (w *temporal) SignalWorkflow(_ context.Context, _, _, name string, _ any) error {
	w.signals = append(w.signals, name)
	return w.sigErr
}

func newService(t *testing.T) (*Service, *store, *temporal, *models.TestClock) {
	t.Helper()
	st, wf := &store{clocks: map[uuid.UUID]*models.TestClock{}}, &temporal{}
	s := &Service{Store: st, Workflows: wf, Now: func() time.Time { return now }}
	business := tenancy.Caller{ID: shop, Level: models.LevelBusiness}
	clock, err := s.Create(context.Background(), business, New{Name: "q1", FrozenTime: t0.Add(500 * time.Millisecond)})
	if err != nil || clock.TenantID != shop || !clock.FrozenTime.Equal(t0) || !clock.CreatedAt.Equal(now) {
		t.Fatalf("Create = %+v, %v; want the shop's, frozen to the second, made now", clock, err)
	}
	return s, st, wf, clock
}

var (
	shopScope  = tenancy.Scope{Tenant: &shop}
	otherScope = tenancy.Scope{Tenant: &other}
)

func TestAdvance(t *testing.T) {
	ctx := context.Background()
	s, st, wf, clock := newService(t)
	var invalid *fault.InvalidError
	if _, err := s.Advance(ctx, shopScope, clock.ID, t0); !errors.As(err, &invalid) || invalid.Field != "to" {
		t.Errorf("an advance to the clock's own time = %v, want to refused", err)
	}
	far := t0.Add(MaxAdvance + time.Hour).In(time.FixedZone("", 7200))
	if _, err := s.Advance(ctx, shopScope, clock.ID, far); !errors.As(err, &invalid) || invalid.Value != far.Format(time.RFC3339) {
		t.Errorf("an advance of more than two years = %v, want refused echoing the time as asked", err)
	}
	if _, err := s.Advance(ctx, otherScope, clock.ID, t0.Add(time.Hour)); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another tenant's advance = %v, want not found", err)
	}

	to := t0.Add(24 * time.Hour)
	got, err := s.Advance(ctx, shopScope, clock.ID, to.Add(300*time.Millisecond))
	if err != nil || got.Status != models.ClockAdvancing || !got.TargetTime.Equal(to) {
		t.Fatalf("Advance = %+v, %v; want advancing to %v", got, err, to)
	}
	if _, err := s.Advance(ctx, shopScope, clock.ID, to); err != nil {
		t.Errorf("the same advance again = %v, want it joined", err)
	}
	if want := (contract.TestClockChange{ClockID: clock.ID, To: to}); len(wf.started) != 2 || wf.started[0] != want || wf.started[1] != want {
		t.Errorf("workflows started = %+v, want the advance's twice (joined)", wf.started)
	}
	if _, err := s.Advance(ctx, shopScope, clock.ID, to.Add(time.Hour)); !errors.Is(err, ErrAdvancing) {
		t.Errorf("another advance while advancing = %v, want %v", err, ErrAdvancing)
	}
	st.clocks[clock.ID].Status = models.ClockInternalFailure
	if _, err := s.Advance(ctx, shopScope, clock.ID, to.Add(time.Hour)); !errors.Is(err, ErrFailed) {
		t.Errorf("an advance of a failed clock = %v, want %v", err, ErrFailed)
	}
}

func TestAdvanceRaces(t *testing.T) {
	ctx := context.Background()
	to := t0.Add(time.Hour)
	for _, tc := range []struct {
		name  string
		other func(*models.TestClock)
		want  error
	}{
		{"losing to the same advance joins it", func(c *models.TestClock) { c.Status, c.TargetTime = models.ClockAdvancing, &to }, nil},
		{"losing to another advance is refused", func(c *models.TestClock) {
			later := to.Add(time.Hour)
			c.Status, c.TargetTime = models.ClockAdvancing, &later
		}, ErrAdvancing},
		{"a clock that advanced meanwhile refuses a stale time", func(c *models.TestClock) { c.FrozenTime = to }, ErrAdvancing},
		{"a clock deleted meanwhile is not found", func(c *models.TestClock) { c.Status = models.ClockDeleting }, models.ErrNotFound},
	} {
		s, st, _, clock := newService(t)
		st.beforeAdvance = tc.other
		if _, err := s.Advance(ctx, shopScope, clock.ID, to); !errors.Is(err, tc.want) {
			t.Errorf("%s: Advance = %v, want %v", tc.name, err, tc.want)
		}
	}

	s, _, wf, clock := newService(t)
	wf.startErr = errors.New("temporal is down")
	if _, err := s.Advance(ctx, shopScope, clock.ID, to); !errors.Is(err, ErrStalled) {
		t.Errorf("an advance whose workflow did not start = %v, want %v", err, ErrStalled)
	}
	wf.startErr = nil
	if got, err := s.Advance(ctx, shopScope, clock.ID, to); err != nil || got.Status != models.ClockAdvancing {
		t.Errorf("the same advance again = %+v, %v; want it resumed", got, err)
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	s, st, wf, clock := newService(t)
	if err := s.Delete(ctx, otherScope, clock.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another tenant's Delete = %v, want not found", err)
	}
	if err := s.Delete(ctx, shopScope, clock.ID); err != nil || st.clocks[clock.ID].Status != models.ClockDeleting {
		t.Fatalf("Delete = %v, status %s; want deleting", err, st.clocks[clock.ID].Status)
	}
	if _, err := s.Get(ctx, shopScope, clock.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("Get of a clock being deleted = %v, want not found", err)
	}
	if err := s.Delete(ctx, shopScope, clock.ID); err != nil {
		t.Errorf("deleting again = %v, want the deletion joined", err)
	}
	if want := (contract.TestClockChange{ClockID: clock.ID, Delete: true}); len(wf.started) != 2 || wf.started[1] != want {
		t.Errorf("workflows started = %+v, want the deletion's twice", wf.started)
	}
	st.clocks[clock.ID].Status = models.ClockDeleted
	if err := s.Delete(ctx, shopScope, clock.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("deleting a deleted clock = %v, want not found", err)
	}
}

func TestForSale(t *testing.T) {
	ctx := context.Background()
	s, st, _, clock := newService(t)
	if got, err := s.ForSale(ctx, nil, shop, "stripe"); got != nil || err != nil {
		t.Errorf("no clock named = %v, %v; want real time", got, err)
	}
	var invalid *fault.InvalidError
	if _, err := s.ForSale(ctx, &clock.ID, other, Gateway); !errors.As(err, &invalid) || invalid.Message != "no such test clock" {
		t.Errorf("another tenant's clock = %v, want no such test clock", err)
	}
	if _, err := s.ForSale(ctx, &clock.ID, shop, "stripe"); !errors.As(err, &invalid) || invalid.Field != "testClockId" {
		t.Errorf("a clock with another gateway = %v, want refused", err)
	}
	got, err := s.ForSale(ctx, &clock.ID, shop, Gateway)
	if err != nil || *got != (contract.TestClock{ID: clock.ID, Now: t0}) {
		t.Errorf("ForSale = %+v, %v; want the clock at its time", got, err)
	}
	st.clocks[clock.ID].Status = models.ClockAdvancing
	if _, err := s.ForSale(ctx, &clock.ID, shop, Gateway); !errors.Is(err, ErrAdvancing) {
		t.Errorf("a sale on an advancing clock = %v, want %v", err, ErrAdvancing)
	}
}

func TestFollow(t *testing.T) {
	ctx := context.Background()
	later := t0.Add(time.Hour)
	for _, tc := range []struct {
		name     string
		move     func(*models.TestClock)
		purchase bool
		want     []string
	}{
		{"a clock unchanged tells nothing", func(*models.TestClock) {}, false, nil},
		{"an advance begun is told", func(c *models.TestClock) { c.TargetTime = &later }, false, []string{contract.ClockAdvanceSignal}},
		{"an advance done is told", func(c *models.TestClock) { c.FrozenTime = later }, false, []string{contract.ClockAdvanceSignal}},
		{"a deleted clock cancels a subscription", func(c *models.TestClock) { c.Status = models.ClockDeleting }, false, []string{contract.CancelSignal}},
		{"a deleted clock withdraws a purchase", func(c *models.TestClock) { c.Status = models.ClockDeleted }, true, []string{contract.WithdrawSignal}},
	} {
		s, st, wf, clock := newService(t)
		tc.move(st.clocks[clock.ID])
		if err := s.Follow(ctx, &contract.TestClock{ID: clock.ID, Now: t0}, "w", tc.purchase); err != nil || len(wf.signals) != len(tc.want) || (len(tc.want) > 0 && wf.signals[0] != tc.want[0]) {
			t.Errorf("%s: Follow = %v, signals %v; want %v", tc.name, err, wf.signals, tc.want)
		}
	}
	s, st, wf, clock := newService(t)
	st.clocks[clock.ID].TargetTime = &later
	wf.sigErr = serviceerror.NewNotFound("workflow ended")
	if err := s.Follow(ctx, &contract.TestClock{ID: clock.ID, Now: t0}, "w", false); err != nil {
		t.Errorf("telling an ended workflow = %v, want nothing to do", err)
	}
}
