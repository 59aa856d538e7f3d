package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/billgate/billgate/internal/demo"
)

// Every page of every role, on a phone's screen (390 × 844, as an iPhone
// 12's), over the demo's data: none scrolls sideways (wide tables scroll
// in their own box), every field has a label, and every button and link
// says what it does.
func TestConsoleOnAPhone(t *testing.T) {
	t.Parallel()
	env := startDemo(t)
	sub := callList(t, env, "/v1/subscriptions?status=past_due", as(t, env, `{"login":"demo","password":"`+demo.Password+`"}`)...).results[0]["id"].(string)

	for _, who := range []struct {
		login, password, business string
		pages                     []string
	}{
		{"root", goodPassword, "", []string{"accounts", "roles", "templates", "audit", "profile", "sessions", "keys", "password"}},
		{demo.Business, demo.Password, "", []string{"dashboard", "subscriptions", "subscription/" + sub, "products", "customers", "payments", "gateways", "webhooks", "clocks"}},
		{"alice", demo.Password, demo.Business, []string{"mine", "shop", "my-invoices", "my-payment-methods"}},
	} {
		t.Run(who.login, func(t *testing.T) {
			b := newBrowser(t, env.URL)
			b.do("a phone's screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			b.open(who.pages[0])
			b.login(who.login, who.password, who.business)
			for _, page := range who.pages {
				b.open(page)
				b.do("wait for "+page, chromedp.WaitVisible(chromedp.CSS(`#page h1`)))
				// What loads after the heading (a list, a chart) is in
				// the check too.
				b.waitGone(`#page .loading`)
				time.Sleep(300 * time.Millisecond)
				problems, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](phoneCheck))
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range problems {
					t.Errorf("%s: %s", page, p)
				}
				b.shot(strings.Split(page, "/")[0])
			}
		})
	}
}

// phoneCheck lists what a person on a phone, or with a screen reader,
// would stumble on.
const phoneCheck = `(() => {
  const problems = [];
  const wide = document.documentElement.scrollWidth;
  if (wide > innerWidth + 1) problems.push("the page scrolls sideways: " + wide + "px on a " + innerWidth + "px screen");
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) {
      problems.push("a " + el.tagName.toLowerCase() + " without a label: " + (el.name || el.outerHTML.slice(0, 80)));
    }
  }
  for (const el of document.querySelectorAll("button, a[href], summary")) {
    if (!el.textContent.trim() && !el.getAttribute("aria-label")) problems.push("a " + el.tagName.toLowerCase() + " that says nothing");
  }
  return problems;
})()`
