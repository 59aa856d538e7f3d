package workflows

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/delivery"
	"github.com/billgate/billgate/workflows/contract"
)

var (
	testEndpoint = contract.WebhookEndpointInput{EndpointID: uuid.MustParse("019a0000-0000-7000-8000-0000000000e1")}
	outboxStart  = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
)

// outbox is an endpoint's pending deliveries, in event order, and a
// receiver that answers each try with the next of its delivery's answers
// (delivered once they run out), as AttemptWebhookDelivery reports them.
type outbox struct {
	ids      []uuid.UUID // every delivery, in event order
	pending  []uuid.UUID
	answers  map[uuid.UUID][]activities.AttemptResult
	disabled []string
	tries    []try
}

// try is one AttemptWebhookDelivery call, and when it came.
type try struct {
	delivery uuid.UUID
	at       time.Duration // since the workflow started
	in       activities.AttemptInput
}

func newOutbox(deliveries int) *outbox {
	o := &outbox{answers: map[uuid.UUID][]activities.AttemptResult{}}
	for range deliveries {
		o.ids = append(o.ids, uuid.Must(uuid.NewV7()))
	}
	o.pending = slices.Clone(o.ids)
	return o
}

func (o *outbox) register(env *testsuite.TestWorkflowEnvironment) {
	var a *activities.Activities
	env.OnActivity(a.NextWebhookDelivery, mock.Anything, testEndpoint.EndpointID).Return(func(context.Context, uuid.UUID) (activities.NextDelivery, error) {
		switch {
		case len(o.disabled) > 0:
			return activities.NextDelivery{Stop: true}, nil
		case len(o.pending) == 0:
			return activities.NextDelivery{}, nil
		}
		return activities.NextDelivery{DeliveryID: o.pending[0]}, nil
	})
	env.OnActivity(a.AttemptWebhookDelivery, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.AttemptInput) (activities.AttemptResult, error) {
		if !slices.Contains(o.pending, in.DeliveryID) {
			return activities.AttemptResult{Skipped: true}, nil
		}
		o.tries = append(o.tries, try{in.DeliveryID, env.Now().Sub(outboxStart), in})
		res := activities.AttemptResult{Outcome: delivery.Delivered}
		if answers := o.answers[in.DeliveryID]; len(answers) > 0 {
			res, o.answers[in.DeliveryID] = answers[0], answers[1:]
		}
		res.Wait = cmp.Or(res.Wait, in.RetryIn)
		if res.Outcome == delivery.Delivered || res.Outcome == delivery.Retry && in.Last {
			o.pending = slices.DeleteFunc(o.pending, func(id uuid.UUID) bool { return id == in.DeliveryID })
		}
		return res, nil
	})
	env.OnActivity(a.DisableWebhookEndpoint, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DisableEndpointInput) error {
		if in.EndpointID != testEndpoint.EndpointID {
			return errors.New("disabled another endpoint")
		}
		o.disabled = append(o.disabled, in.Reason)
		return nil
	})
}

// run runs the endpoint's workflow to its end; setup may schedule
// signals. It returns the workflow's error.
func (o *outbox) run(t *testing.T, setup func(env *testsuite.TestWorkflowEnvironment)) error {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(outboxStart)
	Register(env)
	o.register(env)
	if setup != nil {
		setup(env)
	}
	env.ExecuteWorkflow(WebhookEndpointWorkflow, testEndpoint)
	if !env.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	return env.GetWorkflowError()
}

// order is the deliveries tried, a try at a time.
func (o *outbox) order() []uuid.UUID {
	var out []uuid.UUID
	for _, a := range o.tries {
		out = append(out, a.delivery)
	}
	return out
}

// failing is n answers of a receiver that is down.
func failing(n int) []activities.AttemptResult {
	return slices.Repeat([]activities.AttemptResult{{Outcome: delivery.Retry, Error: "connection refused"}}, n)
}

func repeat(id uuid.UUID, n int) []uuid.UUID { return slices.Repeat([]uuid.UUID{id}, n) }

// checkSchedule checks that tries came on DeliverySchedule: each after its
// step's wait plus at most a tenth of it.
func checkSchedule(t *testing.T, tries []try) {
	t.Helper()
	for i := 1; i < len(tries); i++ {
		step, waited := DeliverySchedule[i], tries[i].at-tries[i-1].at
		if waited < step || waited > step+step/10 {
			t.Errorf("try %d came %v after the one before, want %v plus at most a tenth", i+1, waited, step)
		}
	}
	if len(tries) > 0 && tries[0].at != 0 {
		t.Errorf("the first try waited %v", tries[0].at)
	}
}

// A receiver that is down holds the endpoint's queue: the first delivery
// is retried on the Standard Webhooks schedule, and the ones after it go,
// in order, once it is through.
func TestWebhookEndpointRetriesOnTheScheduleInOrder(t *testing.T) {
	o := newOutbox(3)
	o.answers[o.ids[0]] = failing(4)
	if err := o.run(t, nil); err != nil {
		t.Fatal(err)
	}
	if want := append(repeat(o.ids[0], 5), o.ids[1], o.ids[2]); !slices.Equal(o.order(), want) {
		t.Fatalf("tries %v, want %v", o.order(), want)
	}
	checkSchedule(t, o.tries[:5])
	if o.tries[5].at != o.tries[4].at {
		t.Errorf("the next delivery waited %v after the first went through", o.tries[5].at-o.tries[4].at)
	}
	if len(o.disabled) > 0 {
		t.Errorf("disabled: %v", o.disabled)
	}
}

// Jitter differs between deliveries, so that retries of many failing at
// once spread out, and replays the same.
func TestRetryDelayJitter(t *testing.T) {
	a, b := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	first := retryDelay(a, 3)
	if again := retryDelay(a, 3); again != first {
		t.Errorf("the jitter of a try changes between calls: %v, then %v", first, again)
	}
	if retryDelay(a, 3) == retryDelay(b, 3) && retryDelay(a, 4) == retryDelay(b, 4) {
		t.Error("two deliveries get the same jitter")
	}
}

// When the schedule is spent, the delivery fails (its last try says so)
// and the next one is sent.
func TestWebhookEndpointFailsADeliveryWhenTheScheduleIsSpent(t *testing.T) {
	o := newOutbox(2)
	o.answers[o.ids[0]] = failing(len(DeliverySchedule))
	if err := o.run(t, nil); err != nil {
		t.Fatal(err)
	}
	n := len(DeliverySchedule)
	if want := append(repeat(o.ids[0], n), o.ids[1]); !slices.Equal(o.order(), want) {
		t.Fatalf("tries %v, want %v", o.order(), want)
	}
	checkSchedule(t, o.tries[:n])
	for i, a := range o.tries[:n] {
		if a.in.Last != (i == n-1) || (a.in.RetryIn == 0) != a.in.Last {
			t.Errorf("try %d: %+v", i+1, a.in)
		}
	}
}

// A 410, or a send billgate refuses (the URL leads inside), disables the
// endpoint at once; its other deliveries wait for it to be enabled.
func TestWebhookEndpointDisabledByItsReceiver(t *testing.T) {
	for _, tc := range []struct {
		answer activities.AttemptResult
		reason string
	}{
		{activities.AttemptResult{Outcome: delivery.Gone}, "the endpoint answered 410 Gone"},
		{activities.AttemptResult{Outcome: delivery.Refused, Error: "169.254.169.254 is an internal address"}, "billgate refused to send: 169.254.169.254 is an internal address"},
	} {
		o := newOutbox(2)
		o.answers[o.ids[0]] = []activities.AttemptResult{tc.answer}
		if err := o.run(t, nil); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(o.disabled, []string{tc.reason}) || !slices.Equal(o.order(), o.ids[:1]) || len(o.pending) != 2 {
			t.Errorf("%s: disabled %q, tries %v, pending %v", tc.answer.Outcome, o.disabled, o.order(), o.pending)
		}
	}
}

// An endpoint whose deliveries have failed for five days is disabled.
func TestWebhookEndpointDisabledAfterFiveDaysOfFailures(t *testing.T) {
	o := newOutbox(1)
	since := outboxStart.Add(-FailingEndpointLimit + time.Minute)
	down := activities.AttemptResult{Outcome: delivery.Retry, FailingSince: &since}
	o.answers[o.ids[0]] = []activities.AttemptResult{down, down, down, down}
	if err := o.run(t, nil); err != nil {
		t.Fatal(err)
	}
	if len(o.tries) != 3 || !slices.Equal(o.disabled, []string{"every delivery failed for 5 days"}) {
		t.Errorf("tries %d, disabled %q; want the third try (past 5 days) to disable it", len(o.tries), o.disabled)
	}
}

// With nothing to send the workflow waits for a wake, and ends when none
// comes.
func TestWebhookEndpointWaitsForAWake(t *testing.T) {
	o := newOutbox(1)
	late := o.ids[0]
	o.pending = nil
	err := o.run(t, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			o.pending = append(o.pending, late)
			env.SignalWorkflow(contract.WakeSignal, contract.Wake{})
		}, 4*time.Minute)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.tries) != 1 || o.tries[0].at != 4*time.Minute {
		t.Errorf("tries %+v, want one at the wake", o.tries)
	}
}

// A receiver's Retry-After sets the wait, and a wake that asks for a send
// now cuts a wait short; a wake that does not, does not.
func TestWebhookEndpointWaits(t *testing.T) {
	o := newOutbox(1)
	o.answers[o.ids[0]] = []activities.AttemptResult{{Outcome: delivery.Retry, Wait: 42 * time.Second}, {Outcome: delivery.Retry}}
	err := o.run(t, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.WakeSignal, contract.Wake{}) }, time.Minute)
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.WakeSignal, contract.Wake{Now: true}) }, 2*time.Minute)
	})
	if err != nil {
		t.Fatal(err)
	}
	var at []time.Duration
	for _, a := range o.tries {
		at = append(at, a.at)
	}
	if !slices.Equal(at, []time.Duration{0, 42 * time.Second, 2 * time.Minute}) {
		t.Errorf("tries at %v, want at 0, after Retry-After's 42s, and at the hurried wake", at)
	}
}

// A run sends at most deliveriesPerRun, then continues as new.
func TestWebhookEndpointContinuesAsNew(t *testing.T) {
	o := newOutbox(deliveriesPerRun + 1)
	err := o.run(t, nil)
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) || len(o.tries) != deliveriesPerRun {
		t.Errorf("after %d tries: %v", len(o.tries), err)
	}
}
