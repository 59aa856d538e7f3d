// Package worker runs billgate's Temporal workers: one per task queue, each
// registering the workflows and activities that queue serves.
package worker

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/billgate/billgate/activities"
	"github.com/billgate/billgate/workflows"
	"github.com/billgate/billgate/workflows/contract"
)

// TaskQueues maps the names `--queues` takes to Temporal task queues.
var TaskQueues = map[string]string{
	"subscriptions": contract.SubscriptionsTaskQueue,
	"payments":      contract.PaymentsTaskQueue,
	"events":        contract.EventsTaskQueue,
}

// registrations says what each task queue's worker serves.
var registrations = map[string]func(r sdkworker.Registry, acts *activities.Activities){
	contract.SubscriptionsTaskQueue: func(r sdkworker.Registry, acts *activities.Activities) {
		workflows.Register(r)
		r.RegisterActivity(acts)
	},
	// Gateway calls run on their own queue, so they scale (and are rate
	// limited) apart from the workflows.
	contract.PaymentsTaskQueue: func(r sdkworker.Registry, acts *activities.Activities) {
		r.RegisterActivity(acts)
	},
	// Webhook deliveries run apart, so that a slow receiver never holds
	// up billing: their workflows and the sends both.
	contract.EventsTaskQueue: func(r sdkworker.Registry, acts *activities.Activities) {
		workflows.Register(r)
		r.RegisterActivity(acts)
	},
}

// Group is the running workers of one process.
type Group struct {
	workers []sdkworker.Worker
}

// Start starts a worker for each named queue, registering the workflows
// and activities the queue serves; acts holds the activities' dependencies.
// stopTimeout is how long Stop lets running activities finish.
func Start(c client.Client, queues []string, acts *activities.Activities, stopTimeout time.Duration) (*Group, error) {
	if acts == nil && len(queues) > 0 {
		return nil, errors.New("worker: no activities to register")
	}
	served := make([]string, len(queues))
	for i, name := range queues {
		taskQueue, ok := TaskQueues[name]
		if !ok {
			return nil, fmt.Errorf("worker: unknown queue %q", name)
		}
		served[i] = taskQueue
	}
	g := &Group{}
	for _, taskQueue := range served {
		w := sdkworker.New(c, taskQueue, sdkworker.Options{WorkerStopTimeout: stopTimeout})
		registrations[taskQueue](w, acts)
		if err := w.Start(); err != nil {
			g.Stop()
			return nil, fmt.Errorf("worker: start %s: %w", taskQueue, err)
		}
		g.workers = append(g.workers, w)
	}
	return g, nil
}

// Stop stops every worker at once, letting running activities finish. A
// second Stop does nothing.
func (g *Group) Stop() {
	var wg sync.WaitGroup
	for _, w := range g.workers {
		wg.Go(w.Stop)
	}
	wg.Wait()
	g.workers = nil
}
