package layers

import (
	"go/build"
	"strings"
	"testing"
)

const module = "github.com/billgate/billgate/"

// rules are what a room must never compile, directly or not.
var rules = []struct {
	room, why string
	never     []string
}{
	{"api", "it reaches the workflows through their contract only, so a change to workflow code never needs an API build, and it cannot call a gateway to move money",
		[]string{"workflows", "activities", "worker", "gateways"}},
	{"models", "the store keeps billgate's rows; a gateway keeps its own, and workflow code writes through the store, not the store through it: a row is mapped from the workflows' contract (SubscriptionRow, PaymentRows), which the store may compile",
		[]string{"gateways", "workflows", "activities", "worker"}},
	{"sales", "the domain decides; it does not serve HTTP or run workflow code", []string{"api", "workflows", "activities", "gateways"}},
	{"catalog", "the domain decides; it does not serve HTTP", []string{"api", "workflows", "activities", "gateways"}},
	{"accounts", "the domain decides; it does not serve HTTP", []string{"api", "workflows", "activities", "gateways"}},
	{"gatewayaccounts", "the domain decides; it keeps accounts and seals their secrets, and never calls a gateway", []string{"api", "workflows", "activities", "gateways"}},
	{"gateways/stripe", adapterWhy, adapterNever},
	{"gateways/paypal", adapterWhy, adapterNever},
	{"gateways/skrill", adapterWhy, adapterNever},
	{"testclocks", "the domain decides; it does not serve HTTP or run workflow code", []string{"api", "workflows", "activities", "gateways"}},
	{"webhookendpoints", "the domain decides; it keeps endpoints and seals their secrets, and never delivers", []string{"api", "workflows", "activities", "gateways"}},
	{"outbound", "it signs and authenticates a delivery; it holds no rows and sends nothing", []string{"api", "models", "workflows", "activities", "gateways"}},
	{"delivery", "it sends one event and says what came of it; the workflow decides what next, and the store keeps the log", []string{"api", "models", "workflows", "activities", "gateways"}},
	{"eventrelay", "it fans events out and wakes the delivery workflows through their contract; the API renders the events for it",
		[]string{"api", "workflows", "activities", "gateways"}},
	{"eventstream", "it tails the event log and fans events out to streams; the API renders them and serves the sockets",
		[]string{"api", "workflows", "activities", "gateways"}},
	{"console", "it is files a browser runs, which reach billgate through the public API alone",
		[]string{"api", "models", "workflows", "activities", "gateways", "auth"}},
	{"safehttp", "it is a client for addresses others chose, and knows nothing of billgate", []string{"api", "models", "workflows", "activities", "gateways", "outbound"}},
}

// An adapter speaks its provider's API in billgate's gateway vocabulary: it
// holds no rows, serves no HTTP and knows nothing of who buys what.
const adapterWhy = "a gateway adapter speaks its provider's API in the gateways vocabulary only; billgate's store, API and domain reach it, never it them"

var adapterNever = []string{"api", "models", "workflows", "activities", "sales", "gatewayaccounts", "internal/app"}

// TestRoomsCompileOnlyWhatTheyMay walks each room's imports: a path
// forbidden, or anything below it, fails with the package that imported it.
func TestRoomsCompileOnlyWhatTheyMay(t *testing.T) {
	for _, r := range rules {
		seen := map[string]bool{}
		var walk func(path, from string)
		walk = func(path, from string) {
			if seen[path] || !strings.HasPrefix(path, module) {
				return
			}
			seen[path] = true
			rel := strings.TrimPrefix(path, module)
			for _, never := range r.never {
				if rel == never || strings.HasPrefix(rel, never+"/") && !allowed(rel) {
					t.Errorf("%s compiles %s (imported by %s): %s", r.room, rel, strings.TrimPrefix(from, module), r.why)
					return
				}
			}
			pkg, err := build.Import(path, ".", 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range pkg.Imports {
				walk(imp, path)
			}
		}
		walk(module+r.room, "")
	}
}

// allowed are the paths below a forbidden one that every room may use: the
// workflows' contract is IDs, names and message types.
func allowed(rel string) bool { return rel == "workflows/contract" }

// TestTheWalkReachesTheContract keeps the walk honest: the rooms that start
// workflows must reach the contract, or the rules walk the wrong packages.
func TestTheWalkReachesTheContract(t *testing.T) {
	pkg, err := build.Import(module+"sales", ".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if imp == module+"workflows/contract" {
			return
		}
	}
	t.Error("sales does not import the workflow contract; the rules above walk the wrong packages")
}
