// Package activities holds billgate's Temporal activities: the side of the
// work that does I/O (the database, later the payment gateways), called by
// the workflows in package workflows.
package activities

import (
	"time"

	"github.com/billgate/billgate/delivery"
	"github.com/billgate/billgate/gateways"
	"github.com/billgate/billgate/models"
)

// Activities implements billgate's activities. Any state the worker shares
// among them is stored here; worker.Start registers it filled, and
// workflows call its methods through a nil pointer.
//
// Store is the concrete *models.Store rather than a narrow interface: the
// activity tests run against a real database on every dialect (SQLite, and
// Postgres when TEST_DATABASE_URL is set), and the workflow tests mock the
// activities themselves, so an interface would add indirection without a
// test that needs it.
type Activities struct {
	Store *models.Store
	// Gateways finds the gateway a payment names: the process's own, or a
	// business's connected account.
	Gateways gateways.Router
	// Endpoints opens webhook endpoints' secrets, and Sender delivers
	// to them.
	Endpoints Endpoints
	Sender    delivery.Sender
	// Now is the clock; nil means the system clock in UTC.
	Now func() time.Time
}

func (a *Activities) now() time.Time {
	if a.Now == nil {
		return time.Now().UTC()
	}
	return a.Now()
}
