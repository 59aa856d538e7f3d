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
	t.Parallel()
	k := newCluster(t)
	k.api()
	first := k.worker("subscriptions,payments,events")
	waitStatus(t, k.http, k.base+"/readyz", http.StatusOK)

	auth := k.login("shop")
	customer := k.do("POST", "/v1/clients", newAccount("buyer", ""), auth...)["id"].(string)
	purchase := k.do("POST", "/v1/purchases", k.purchase(customer, "sandbox_async"), auth...)
	path := "/v1/payments/" + purchase["id"].(string)
	var approval string
	waitFor(t, "the charge to await approval", func() bool {
		approval, _ = k.do("GET", path, "", auth...)["approvalUrl"].(string)
		return approval != ""
	})

	first.kill(t)
	resp, err := k.http.PostForm(approval, url.Values{"decision": {"approve"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve with no worker running = %d, want 303", resp.StatusCode)
	}
	time.Sleep(500 * time.Millisecond)
	if status := k.do("GET", path, "", auth...)["status"]; status != "pending" {
		t.Fatalf("with no worker the payment is %v, want still pending", status)
	}

	k.worker("subscriptions,payments,events")
	waitFor(t, "the payment to be paid after the restart", func() bool { return k.do("GET", path, "", auth...)["status"] == "paid" })
	charges := callAt(t, k.http, k.base, "GET", "/v1/sandbox/ledger", "", k.login("root")...)
	if len(charges.Results) != 1 || charges.Results[0]["status"] != "succeeded" {
		t.Errorf("ledger = %v, want one succeeded charge", charges.Results)
	}
}

// cluster is billgate run as separate api and worker processes over shared
// backends, with a shop seeded in its database.
type cluster struct {
	t                *testing.T
	db, base         string
	apiPort          int
	env, common      []string
	http             *http.Client
	shop             seededShop
	temporalHostPort string
	namespace        string
}

func newCluster(t *testing.T) *cluster {
	db, temporal := sharedBackends(t)
	k := &cluster{t: t, db: db, apiPort: freePort(t), http: apitest.Client(t),
		temporalHostPort: temporal.FrontendAddr(), namespace: temporal.Namespace()}
	k.base = fmt.Sprintf("http://127.0.0.1:%d", k.apiPort)
	k.env = []string{"BILLGATE_SANDBOX_SECRET=e2e-secret", "BILLGATE_PUBLIC_URL=" + k.base}
	k.common = []string{"--db", db, "--temporal", k.temporalHostPort, "--namespace", k.namespace, "--metrics-addr", ""}
	k.shop = seedShop(t, db)
	return k
}

// api starts an API process on the cluster's API port.
func (k *cluster) api() *process {
	return startWith(k.t, k.env, append([]string{"api", "--http", fmt.Sprintf("127.0.0.1:%d", k.apiPort)}, k.common...)...)
}

// worker starts a worker process serving queues.
func (k *cluster) worker(queues string) *process {
	return startWith(k.t, k.env, append([]string{"worker", "--http", fmt.Sprintf("127.0.0.1:%d", freePort(k.t)), "--queues", queues}, k.common...)...)
}

// do calls the API and fails the test unless it answers with a result.
func (k *cluster) do(method, path, body string, header ...string) map[string]any {
	k.t.Helper()
	r := callAt(k.t, k.http, k.base, method, path, body, header...)
	if r.Result == nil {
		k.t.Fatalf("%s %s = %d %+v", method, path, r.Status, r.Errors)
	}
	return r.Result
}

// login is the Authorization header of a session of a seeded account.
func (k *cluster) login(login string) []string {
	token := k.do("POST", "/auth/session", `{"login":"`+login+`","password":"`+goodPassword+`"}`)["token"].(string)
	return []string{"Authorization", "Bearer " + token}
}

// purchase is the body of a purchase of the seeded price by customer.
func (k *cluster) purchase(customer, token string) string {
	return fmt.Sprintf(`{"priceId":%q,"customerId":%q,"paymentMethod":{"gateway":"sandbox","token":%q}}`, k.shop.price, customer, token)
}

// kill ends the process at once, as a crash would.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.done <- nil
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
