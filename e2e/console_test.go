package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/demo"
	"github.com/billgate/billgate/internal/testenv"
)

// browser is a page of Debian's headless chromium, driven over the
// DevTools protocol. It records what a person would notice went wrong:
// console errors, uncaught exceptions, CSP violations, requests that
// failed or that the server answered with a 5xx. The test fails on any
// when it ends. Screenshots go to e2e/screenshots/<test>/.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu       sync.Mutex
	problems []string
	shots    int
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (%v): run make deps", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	b := &browser{t: t, ctx: ctx, base: base}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, p := range b.problems {
			t.Errorf("in the page: %s", p)
		}
	})
	// The first call starts the browser, on a context without a deadline.
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventLoadingFailed:
			if !ev.Canceled {
				b.problem("request failed: %s", ev.ErrorText)
			}
		case *network.EventResponseReceived:
			if ev.Response.Status >= 500 {
				b.problem("%s answered %d", ev.Response.URL, ev.Response.Status)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			// The network's own lines say "the server answered 401", which
			// the failure journeys ask for; the rest are the page's.
			if m.IsException() || m.Type == chromedp.ConsoleError && m.Source != string(cdplog.EntrySourceNetwork) {
				b.problem("%s", m)
			}
		}
	}()
	return b
}

func (b *browser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// do runs steps within a minute, failing the test on an error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// openAs starts a browser on base, opens route, and logs in there as
// login (a customer names its business).
func openAs(t *testing.T, base, route, login, password, business string) *browser {
	t.Helper()
	b := newBrowser(t, base)
	b.open(route)
	b.login(login, password, business)
	return b
}

// open goes to a console route ("" for its first page).
func (b *browser) open(route string) {
	b.t.Helper()
	b.do("open "+route, chromedp.Navigate(b.base+"/console/#/"+route))
}

// text waits for sel and returns its text.
func (b *browser) text(sel string) string {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// waitText waits until sel's text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
		`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, sel, want),
		chromedp.WithPollingTimeout(40*time.Second)))
	if err != nil {
		page, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		b.shot("failed")
		b.t.Fatalf("wait for %q in %s: %v; the page reads %q", want, sel, err, page)
	}
}

// waitGone waits until nothing matches sel.
func (b *browser) waitGone(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`!document.querySelector(%q)`, sel), chromedp.WithPollingTimeout(40*time.Second))); err != nil {
		b.t.Fatalf("wait for %s to go: %v", sel, err)
	}
}

// login types into the login page's form, as a person would, and sends
// it. It waits for that page: other pages have a login field too.
func (b *browser) login(login, password, business string) {
	b.t.Helper()
	b.do("wait for the login page", chromedp.WaitVisible(chromedp.CSS(`main.login input[name=login]`)))
	// What an earlier try left in the fields goes first, as a person would
	// select it and type over it.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(document.querySelectorAll("main.login input").forEach((i) => (i.value = "")), true)`)); err != nil {
		b.t.Fatal(err)
	}
	var steps []chromedp.Action[chromedp.Void]
	for field, value := range map[string]string{"login": login, "password": password, "tenant": business} {
		if value != "" {
			steps = append(steps, chromedp.SendKeys(chromedp.CSS(`main.login input[name=`+field+`]`), value))
		}
	}
	b.do("log in as "+login, append(steps, chromedp.Click(chromedp.CSS(`main.login button[type=submit]`)))...)
}

// fill types values into the named fields of the form sel and sends it.
func (b *browser) fill(form string, fields map[string]string) {
	b.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for name, value := range fields {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS(form+` [name=`+name+`]`), value))
	}
	b.do("fill "+form, steps...)
	b.press(form + ` button[type=submit]`)
}

// press clicks the button sel from the page's script. A mouse click lands
// where the button was when its box was measured: a list that loads above
// it meanwhile moves it, and the click misses (TestConsoleKeys did, in
// CI).
func (b *browser) press(sel string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(document.querySelector(%q).click(), true)`, sel))); err != nil {
		b.t.Fatalf("press %s: %v", sel, err)
	}
}

// shot saves a screenshot of the whole page as <n>-<name>.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("screenshots", b.t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	b.shots++
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d-%s.png", b.shots, name)), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// Every role's first steps in the console: a wrong password and a locked
// account read as the seed's answers; a business logs in, reads its
// profile and sessions, and logs out; a customer logs in with its
// business's login.
func TestConsoleLogin(t *testing.T) {
	t.Parallel()
	id := testenv.DefaultIdentity()
	id.LockoutThreshold = 2
	s := newShopWith(t, testenv.Options{Identity: id})
	b := newBrowser(t, s.env.URL)

	b.open("")
	b.shot("login")
	b.login("shop", "not the password", "")
	b.waitText(`[role=alert]`, "AUTH FAILED")
	b.shot("wrong-password")

	b.login("shop", goodPassword, "")
	b.waitText(`#who-login`, "shop")
	if got := b.text(`#profile-login`); got != "shop" {
		t.Errorf("the profile shows %q", got)
	}
	b.shot("profile")
	b.open("sessions")
	b.waitText(`main table`, "(this one)")
	b.shot("sessions")
	b.do("log out", chromedp.Click(chromedp.CSS(`header button`)))
	b.do("back at the login", chromedp.WaitVisible(chromedp.CSS(`input[name=login]`)))
	waitFor(t, "the console's session to end", func() bool {
		for _, session := range callList(t, s.env, "/auth/sessions", s.owner...).results {
			if strings.Contains(session["userAgent"].(string), "HeadlessChrome") {
				return false
			}
		}
		return true
	})

	b.login("bob", goodPassword, "shop")
	b.waitText(`#who-login`, "bob")
	b.waitText(`#page`, "customer")
	b.shot("customer-profile")
	b.do("log out", chromedp.Click(chromedp.CSS(`header button`)))

	failed := func() any {
		for _, c := range callList(t, s.env, "/v1/clients?limit=200", s.admin...).results {
			if c["login"] == "rival" {
				return c["failedLogins"]
			}
		}
		return nil
	}
	for i := range 2 {
		b.login("rival", "not the password", "")
		// The answer before looks the same: count the failures instead.
		waitFor(t, "the failure to count", func() bool { return failed() == float64(i+1) })
		b.waitText(`[role=alert]`, "AUTH FAILED")
	}
	b.login("rival", goodPassword, "")
	b.waitText(`[role=alert]`, "Locked after too many failed logins: try again in")
	b.shot("locked")
}

// A business builds its catalog and its customers in the console; a
// customer is refused its business's pages.
func TestConsoleBusinessCatalog(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	b := openAs(t, s.env.URL, "products", "shop", goodPassword, "")
	b.waitText(`#products`, "Pro")
	b.fill("main form", map[string]string{"name": "Team", "amount": "49.50"})
	b.waitText(`[role=status]`, "Team is on sale.")
	b.waitText(`#products`, "$49.50 a month")
	b.shot("products")

	b.open("customers")
	b.waitText(`#customers`, "bob")
	b.fill("main form", map[string]string{"login": "carol", "email": "carol@example.com", "password": goodPassword})
	b.waitText(`#customers`, "carol@example.com")
	b.shot("customers")
	b.do("log out", chromedp.Click(chromedp.CSS(`header button`)))

	b.login("carol", goodPassword, "shop")
	b.waitText(`#who-login`, "carol")
	if nav := b.text(`header nav`); strings.Contains(nav, "Products") || strings.Contains(nav, "Customers") {
		t.Errorf("a customer's menu offers %q", nav)
	}
	b.open("products")
	b.waitText(`[role=alert]`, "PERMISSION DENIED")
	b.shot("customer-refused")
}

// A business's subscriptions follow the live event stream: a customer's
// new subscription appears in the list, active, without a reload; its
// page shows its timeline and invoices, and its customer's cancellation
// as it happens.
func TestConsoleSubscriptionsLive(t *testing.T) {
	t.Parallel()
	identity := testenv.DefaultIdentity()
	identity.TemporalUIOrigins = []string{"http://temporal-ui.test"}
	s := newShopWith(t, testenv.Options{Identity: identity})
	b := openAs(t, s.env.URL, "subscriptions", "shop", goodPassword, "")
	b.waitText(`#page`, "No subscriptions yet.")
	sub := s.subscribe(t, s.monthly, sandbox.TokenOK)
	if sub.Status != 201 {
		t.Fatalf("subscribe = %d %+v", sub.Status, sub.Errors)
	}
	b.waitText(`#subscriptions`, "active")
	b.waitText(`#subscriptions`, "$30.00")
	b.shot("subscriptions-live")

	b.do("open the subscription", chromedp.Click(chromedp.CSS(`#subscriptions a`)))
	b.waitText(`#sub-status`, "active")
	b.waitText(`#timeline`, "subscription.activated")
	b.waitText(`#invoices`, "paid")
	id := sub.Result["id"].(string)
	link, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("#temporal-link").href`))
	want := "http://temporal-ui.test/namespaces/default/workflows?query=WorkflowId%3D%22subscription%2F" + id + "%22"
	if err != nil || link != want {
		t.Errorf("the Temporal UI link = %q (%v), want %q", link, err, want)
	}
	call(t, s.env, "GET", "/v1/subscriptions/"+id+"/workflow", "", s.bob...).is(t, "a customer asks for the workflow", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
	if r := call(t, s.env, "POST", "/v1/subscriptions/"+id+"/cancel", "", s.bob...); r.Status != 200 {
		t.Fatalf("cancel = %d %+v", r.Status, r.Errors)
	}
	b.waitText(`#sub-status`, "canceled")
	b.waitText(`#timeline`, "subscription.canceled")
	b.waitText(`#payments`, "succeeded")
	b.shot("subscription-detail")

	b.open("subscriptions")
	filter := func(status string) {
		b.do("filter "+status, chromedp.SetValue(chromedp.CSS(`#subscriptions-filter select`), status),
			chromedp.Click(chromedp.CSS(`#subscriptions-filter button`)))
	}
	filter("active")
	b.waitText(`#page`, "No subscriptions yet.")
	filter("canceled")
	b.waitText(`#subscriptions tbody`, "canceled")
}

// A customer sees what it has and its next invoice, cancels at the end of
// the period, and reads its invoices.
func TestConsoleCustomerCancels(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	sub := s.subscribe(t, s.monthly, sandbox.TokenOK)
	if sub.Status != 201 {
		t.Fatalf("subscribe = %d %+v", sub.Status, sub.Errors)
	}
	s.waitStatus(t, "/v1/subscriptions/"+sub.Result["id"].(string), "active")
	b := openAs(t, s.env.URL, "mine", "bob", goodPassword, "shop")
	b.waitText(`[data-subscription] .sub-state`, "active")
	b.waitText(`[data-subscription]`, "Next invoice: $30.00")
	b.shot("my-subscriptions")
	b.do("cancel", chromedp.Click(chromedp.CSS(`[data-subscription] button`)))
	b.waitText(`[data-subscription] .sub-state`, "active: ends on")
	b.waitText(`[data-subscription]`, "No invoice is coming.")
	b.shot("canceled-at-period-end")
	if r := call(t, s.env, "GET", "/v1/subscriptions/"+sub.Result["id"].(string), "", s.bob...); r.Result["cancelAtPeriodEnd"] != true {
		t.Errorf("after the console's cancel: %v", r.Result)
	}
	b.open("my-invoices")
	b.waitText(`#invoices`, "paid")
	b.shot("my-invoices")
}

// An admin creates a business, disables a customer and sets a business's
// password from the console; the API sees each change.
func TestConsoleAdminAccounts(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	b := openAs(t, s.env.URL, "accounts", "root", goodPassword, "")
	b.waitText(`#accounts`, "bob")
	b.fill("#new-business", map[string]string{"login": "acme", "email": "ops@acme.example", "password": goodPassword})
	b.waitText(`#accounts`, "acme")
	if r := call(t, s.env, "POST", "/auth/session", creds("acme", "")); r.Status != 200 {
		t.Errorf("the new business logs in: %d %+v", r.Status, r.Errors)
	}

	b.do("disable bob", chromedp.Click(chromedp.CSS(`tr[data-login=bob] .actions > button`)))
	b.waitText(`tr[data-login=bob] .status`, "disabled")
	if r := call(t, s.env, "POST", "/auth/session", creds("bob", "shop")); r.Status == 200 {
		t.Error("a disabled customer logged in")
	}

	const fresh = "a brand new passphrase"
	b.do("set rival's password",
		chromedp.SendKeys(chromedp.CSS(`tr[data-login=rival] input[name=password]`), fresh),
		chromedp.Click(chromedp.CSS(`tr[data-login=rival] form button`)))
	b.waitText(`[role=status]`, "rival has a new password")
	if r := call(t, s.env, "POST", "/auth/session", fmt.Sprintf(`{"login":"rival","password":%q}`, fresh)); r.Status != 200 {
		t.Errorf("rival logs in with the password the admin set: %d %+v", r.Status, r.Errors)
	}
	b.shot("accounts")
}

// A business makes an API key and a signing key in the console: each
// secret is shown once, the API key works for a call, and revoked it no
// longer does.
func TestConsoleKeys(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	b := openAs(t, s.env.URL, "keys", "shop", goodPassword, "")
	b.fill("#api-keys form", map[string]string{"name": "crm"})
	secret := b.text(`#api-keys .secret-value`)
	if r := call(t, s.env, "GET", "/v1/profile", "", "Authorization", "Plain "+secret); r.Status != 200 || r.Result["login"] != "shop" {
		t.Fatalf("a call with the console's API key = %d %+v", r.Status, r.Errors)
	}
	b.waitText(`#api-keys table`, "crm")
	b.fill("#signing-keys form", map[string]string{"name": "porta"})
	b.waitText(`#signing-keys table`, "hmac-sha256")
	if got := b.text(`#signing-keys .secret-value`); got == "" || got == secret {
		t.Errorf("the signing key's secret reads %q", got)
	}
	b.shot("keys")
	b.do("revoke the API key", chromedp.Click(chromedp.CSS(`#api-keys table button`)))
	b.do("wait for the list", chromedp.WaitNotPresent(chromedp.CSS(`#api-keys tbody tr`)))
	if r := call(t, s.env, "GET", "/v1/profile", "", "Authorization", "Plain "+secret); r.Status != 401 {
		t.Errorf("a call with the revoked key = %d, want 401", r.Status)
	}
}

// The business's journey, all in the console: it creates a product, a
// customer and a test clock, subscribes the customer on the clock,
// advances the clock a month and watches the renewal appear live, then
// previews and applies a price change. The API confirms each step.
func TestConsoleBusinessJourney(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	b := openAs(t, s.env.URL, "products", "shop", goodPassword, "")
	b.waitText(`#products`, "Pro")
	b.fill("main form", map[string]string{"name": "Team", "amount": "40"})
	b.waitText(`#products`, "Team")
	b.open("customers")
	b.waitText(`#customers`, "bob")
	b.fill("main form", map[string]string{"login": "carl", "password": goodPassword})
	b.waitText(`#customers`, "carl")
	b.open("clocks")
	b.waitText(`#page h1`, "Test clocks")
	b.fill("main form", map[string]string{"name": "journey"})
	b.waitText(`[data-clock=journey] .clock-state`, "at ")

	var team, clock, carl string
	for _, p := range callList(t, s.env, "/v1/products", s.owner...).results {
		if p["name"] == "Team" {
			team = p["prices"].([]any)[0].(map[string]any)["id"].(string)
		}
	}
	for _, c := range callList(t, s.env, "/v1/test-clocks", s.owner...).results {
		clock = c["id"].(string)
	}
	for _, c := range callList(t, s.env, "/v1/clients?login=carl", s.owner...).results {
		carl = c["id"].(string)
	}
	if team == "" || clock == "" || carl == "" {
		t.Fatalf("made in the console: price %q, clock %q, customer %q", team, clock, carl)
	}

	b.open("customer/" + carl)
	b.do("subscribe carl on the clock",
		chromedp.WaitVisible(chromedp.CSS(`#new-subscription select[name=priceId]`)),
		chromedp.SetValue(chromedp.CSS(`#new-subscription select[name=priceId]`), team),
		chromedp.SetValue(chromedp.CSS(`#new-subscription select[name=testClockId]`), clock),
		chromedp.SetValue(chromedp.CSS(`#new-subscription select[name=pay]`), "token:"+sandbox.TokenOK),
		chromedp.Click(chromedp.CSS(`#new-subscription button[type=submit]`)))
	b.waitText(`#new-subscription`, "carl is subscribed")
	subs := callList(t, s.env, "/v1/subscriptions?customerId="+carl, s.owner...).results
	if len(subs) != 1 || subs[0]["testClockId"] != clock || subs[0]["priceId"] != team {
		t.Fatalf("carl's subscriptions = %v, want one to Team on the clock", subs)
	}
	sub := subs[0]["id"].(string)

	b.open("clocks")
	b.waitText(`[data-clock=journey] table`, "active")
	before := b.text(`[data-clock=journey] .period-end`)
	b.shot("clock-before")
	b.do("advance the clock", chromedp.Click(chromedp.CSS(`[data-clock=journey] button`)))
	waitFor(t, "the renewal on the page", func() bool {
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("[data-clock=journey] .period-end")?.textContent ?? ""`))
		return err == nil && got != "" && got != before
	})
	b.waitText(`[data-clock=journey] .clock-state`, "at ")
	if renewed := callList(t, s.env, "/v1/events?type=subscription.renewed&objectId="+sub, s.owner...).results; len(renewed) != 1 {
		t.Errorf("renewals recorded: %v", renewed)
	}
	b.shot("clock-after")

	b.open("subscription/" + sub)
	b.waitText(`#timeline`, "subscription.renewed")
	b.do("preview Pro",
		chromedp.SetValue(chromedp.CSS(`#change-price select[name=priceId]`), s.monthly),
		chromedp.Click(chromedp.CSS(`#change-price button[type=submit]`)))
	b.waitText(`#next-invoice`, "Next invoice")
	b.shot("price-change-preview")
	if got := s.get(t, "/v1/subscriptions/"+sub); got["priceId"] != team {
		t.Fatalf("the preview changed the price: %v", got)
	}
	b.do("apply it", chromedp.Click(chromedp.CSS(`#price-preview > button`)))
	b.waitText(`#page`, "The subscription is on its new price.")
	if got := s.get(t, "/v1/subscriptions/"+sub); got["priceId"] != s.monthly {
		t.Errorf("after the change: %v", got)
	}
}

// A business pauses and resumes a subscription on a test clock, then
// moves it to a dearer price: the console previews the change (a credit
// for the unused period at the old price, a debit for it at the new one)
// and applies it only when confirmed; the next invoice is what the
// preview said.
func TestConsolePriceChangePreviewed(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	small := s.price(t, `{"amount":3000,"currency":"USD","type":"recurring","interval":"day","intervalCount":30}`)
	large := s.price(t, `{"amount":6000,"currency":"USD","type":"recurring","interval":"day","intervalCount":30}`)
	clock := s.newClock(t)
	sub := s.subscribeOnClock(t, clock, small, sandbox.TokenOK)
	s.advance(t, clock, clockStart.AddDate(0, 0, 10))

	b := openAs(t, s.env.URL, "subscription/"+strings.TrimPrefix(sub, "/v1/subscriptions/"), "shop", goodPassword, "")
	b.waitText(`#sub-status`, "active")
	b.do("pause", chromedp.Click(chromedp.CSS(`#sub-actions button`)))
	b.waitText(`#sub-status`, "paused")
	b.do("resume", chromedp.Click(chromedp.CSS(`#sub-actions button`)))
	b.waitText(`[role=status]`, "Resumed")
	b.waitText(`#sub-status`, "active")
	waitFor(t, "the resumed period to be paid", func() bool {
		return s.get(t, sub)["currentPeriodStart"] == clockStart.AddDate(0, 0, 10).Format(time.RFC3339)
	})

	// Resuming restarted the period now, at 3000: moving to 6000 right
	// away credits all 3000 and debits all 6000.
	b.do("preview the change",
		chromedp.SetValue(chromedp.CSS(`#change-price select[name=priceId]`), large),
		chromedp.Click(chromedp.CSS(`#change-price button[type=submit]`)))
	b.waitText(`#next-invoice .amount-due`, "$90.00")
	b.shot("price-change-preview")
	if got := s.get(t, sub); got["priceId"] != small {
		t.Fatalf("the preview changed the subscription: %v", got)
	}
	b.do("confirm", chromedp.Click(chromedp.CSS(`#price-preview > button`)))
	b.waitText(`#page`, "The subscription is on its new price.")
	b.waitText(`.facts`, "$60.00")
	b.shot("price-changed")
	if got := s.get(t, sub); got["priceId"] != large {
		t.Errorf("after the confirmed change: %v", got)
	}
	upcoming := call(t, s.env, "GET", sub+"/upcoming-invoice", "", s.owner...)
	if upcoming.Result["amountDue"] != float64(9000) {
		t.Errorf("the next invoice after the change: %v, want the previewed 6000 - 3000 + 6000", upcoming.Result)
	}
}

// A business's dashboard draws what its subscriptions did: the demo's
// 60 days on a test clock (billgate dev --demo) show as MRR, paying
// subscriptions, revenue, declines and recoveries, and churn. The
// README's screenshot is this test's.
func TestConsoleDashboard(t *testing.T) {
	t.Parallel()
	env := startDemo(t)

	b := openAs(t, env.URL, "dashboard", demo.Business, demo.Password, "")
	b.waitText(`#mrr-USD`, "$95.00")
	b.waitText(`#churned`, "2")
	b.waitText(`#page`, "Revenue by day (USD)")
	b.shot("dashboard")
	bars, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure.chart rect.bar").length`))
	if err != nil || bars == 0 {
		t.Errorf("the charts have %d bars (%v), want the revenue drawn", bars, err)
	}
}
