package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/billgate/billgate/auth/password"
	"github.com/billgate/billgate/internal/apitest"
	"github.com/billgate/billgate/models"
)

// A worker process killed after the gateway took a charge and before the
// payment was recorded as paid loses nothing: a new worker picks the
// workflow up where it stopped, the payment is paid, and the gateway's
// ledger shows one charge. The charge is an async one, so the kill falls
// exactly between the charge and its outcome; the payer approves while no
// worker runs, and Temporal keeps the webhook's signal until one does.
func TestWorkerKilledBetweenChargeAndProjection(t *testing.T) {
	db, temporal := sharedBackends(t)

	apiPort := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	env := []string{"BILLGATE_SANDBOX_SECRET=e2e-secret", "BILLGATE_PUBLIC_URL=" + base}
	common := []string{"--db", db, "--temporal", temporal.FrontendAddr(), "--namespace", temporal.Namespace(), "--metrics-addr", ""}
	startWith(t, env, append([]string{"api", "--http", fmt.Sprintf("127.0.0.1:%d", apiPort)}, common...)...)
	worker := func() *process {
		return startWith(t, env, append([]string{"worker", "--http", fmt.Sprintf("127.0.0.1:%d", freePort(t)), "--queues", "subscriptions,payments,events"}, common...)...)
	}
	first := worker()
	c := apitest.Client(t)
	waitStatus(t, c, base+"/readyz", http.StatusOK)

	owner := seedShop(t, db)
	do := func(method, path, body string, header ...string) map[string]any {
		t.Helper()
		r := callAt(t, c, base, method, path, body, header...)
		if r.Result == nil {
			t.Fatalf("%s %s = %d %+v", method, path, r.Status, r.Errors)
		}
		return r.Result
	}
	auth := []string{"Authorization", "Bearer " + do("POST", "/auth/session", `{"login":"shop","password":"`+goodPassword+`"}`)["token"].(string)}
	customer := do("POST", "/v1/clients", newAccount("buyer", ""), auth...)["id"].(string)
	purchase := do("POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"customerId":%q,"paymentMethod":{"gateway":"sandbox","token":"sandbox_async"}}`, owner.price, customer), auth...)
	path := "/v1/payments/" + purchase["id"].(string)
	var approval string
	waitFor(t, "the charge to await approval", func() bool {
		approval, _ = do("GET", path, "", auth...)["approvalUrl"].(string)
		return approval != ""
	})

	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	first.done <- nil
	resp, err := c.PostForm(approval, url.Values{"decision": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve with no worker running = %d, want 303", resp.StatusCode)
	}
	time.Sleep(500 * time.Millisecond)
	if status := do("GET", path, "", auth...)["status"]; status != "pending" {
		t.Fatalf("with no worker the payment is %v, want still pending", status)
	}

	worker()
	waitFor(t, "the payment to be paid after the restart", func() bool { return do("GET", path, "", auth...)["status"] == "paid" })
	admin := []string{"Authorization", "Bearer " + do("POST", "/auth/session", `{"login":"root","password":"`+goodPassword+`"}`)["token"].(string)}
	charges := callAt(t, c, base, "GET", "/v1/sandbox/ledger", "", admin...)
	if len(charges.Results) != 1 || charges.Results[0]["status"] != "succeeded" {
		t.Errorf("ledger = %v, want one succeeded charge", charges.Results)
	}
}

// seededShop is what seedShop put in the database.
type seededShop struct{ price string }

// seedShop creates an admin, a business "shop" with a one-time price, in
// the database the binaries use.
func seedShop(t *testing.T, db string) seededShop {
	t.Helper()
	ctx := context.Background()
	store, err := models.Open(ctx, db, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	hash, err := password.New(password.Params{Memory: 64, Time: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}).Hash(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateClient(ctx, &models.Client{Login: "root", PasswordHash: hash}, "admin"); err != nil {
		t.Fatal(err)
	}
	shop := &models.Client{Login: "shop", PasswordHash: hash}
	if err := store.CreateClient(ctx, shop, "business"); err != nil {
		t.Fatal(err)
	}
	p := &models.Product{TenantID: shop.ID, Name: "Guide", Active: true, Prices: []models.Price{{Amount: 1500, Currency: "USD", Type: "one_time", Active: true}}}
	if err := store.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	return seededShop{price: p.Prices[0].ID.String()}
}
