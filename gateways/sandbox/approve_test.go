package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/billgate/billgate/gateways"
)

func TestDecide(t *testing.T) {
	tests := []struct {
		approve   bool
		want      gateways.Status
		wantCode  string
		wantEvent string
	}{
		{true, gateways.Succeeded, "", EventChargeSucceeded},
		{false, gateways.Declined, "approval_declined", EventChargeDeclined},
	}
	for _, tt := range tests {
		t.Run(tt.wantEvent, func(t *testing.T) {
			s, l := newSandbox(t)
			now := t0
			s.clock = func() time.Time { return now }
			ctx := context.Background()
			pending, err := s.Charge(ctx, request("p/1", TokenAsync))
			if err != nil || pending.Status != gateways.Pending {
				t.Fatalf("Charge(sandbox_async) = %+v, %v, want pending", pending, err)
			}
			ref := pending.Reference

			now = t0.Add(90 * time.Second)
			ev, body, sig, err := s.Decide(ctx, ref, tt.approve)
			if err != nil {
				t.Fatalf("Decide(%s, %v) = %v", ref, tt.approve, err)
			}
			wantEv := Event{ID: "evt_" + ref, Type: tt.wantEvent, Reference: ref, IdempotencyKey: "p/1", DeclineCode: tt.wantCode, Created: now}
			if ev != wantEv {
				t.Errorf("Decide(%s, %v) event = %+v, want %+v", ref, tt.approve, ev, wantEv)
			}
			// The receiver's view: the signed body parses back to the event.
			got, err := ParseWebhook(secret, sig, body, now.Add(time.Minute))
			if err != nil || got != wantEv {
				t.Errorf("ParseWebhook(Decide's webhook) = %+v, %v, want %+v, nil", got, err, wantEv)
			}

			c, err := l.ByReference(ctx, ref)
			if err != nil || c.Status != tt.want || c.DeclineCode != tt.wantCode || !c.ResolvedAt.Equal(now) {
				t.Errorf("ByReference(%s) = %+v, %v, want %s %q resolved at %v", ref, c, err, tt.want, tt.wantCode, now)
			}
			// Retrying the charge now gets the decision, not a new charge.
			final, err := s.Charge(ctx, request("p/1", TokenAsync))
			want := gateways.ChargeResult{Status: tt.want, Reference: ref, DeclineCode: tt.wantCode}
			if err != nil || final.Status != want.Status || final.Reference != want.Reference || final.DeclineCode != want.DeclineCode || final.NextAction != nil {
				t.Errorf("Charge(same key) after Decide = %+v, %v, want %+v", final, err, want)
			}

			if _, _, _, err := s.Decide(ctx, ref, !tt.approve); !errors.Is(err, ErrAlreadyDecided) {
				t.Errorf("Decide(%s, %v) after a decision = %v, want ErrAlreadyDecided", ref, !tt.approve, err)
			}
			if again, _, _, err := s.Decide(ctx, ref, tt.approve); err != nil || again != ev {
				t.Errorf("Decide(%s, %v) again = %+v %v, want the same webhook", ref, tt.approve, again, err)
			}
			if c2, _ := l.ByReference(ctx, ref); c2 != c {
				t.Errorf("ByReference(%s) after decisions again = %+v, want %+v", ref, c2, c)
			}

			// A resend carries the same event, signed at the time of sending.
			now = t0.Add(time.Hour)
			ev2, body2, sig2, err := s.Webhook(ctx, ref)
			if err != nil || ev2 != ev || string(body2) != string(body) || sig2 != Sign(secret, now, body) {
				t.Errorf("Webhook(%s) = %+v, %s, %s, %v, want the same event signed at %v", ref, ev2, body2, sig2, err, now)
			}
			if cs := charges(t, l); len(cs) != 1 {
				t.Errorf("Charges() = %+v, want one charge", cs)
			}
		})
	}
}

func TestDecideRefused(t *testing.T) {
	s, _ := newSandbox(t)
	ctx := context.Background()
	done, err := s.Charge(ctx, request("p/1", TokenOK))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref  string
		want error
	}{
		{"sbx_nope", ErrUnknownReference},
		{"", ErrUnknownReference},
		{done.Reference, ErrAlreadyDecided}, // answered at once, never pending
	}
	for _, tt := range tests {
		if _, _, _, err := s.Decide(ctx, tt.ref, true); !errors.Is(err, tt.want) {
			t.Errorf("Decide(%q, true) = %v, want %v", tt.ref, err, tt.want)
		}
	}
}

func TestWebhookRefused(t *testing.T) {
	s, _ := newSandbox(t)
	ctx := context.Background()
	pending, _ := s.Charge(ctx, request("p/1", TokenAsync))
	done, _ := s.Charge(ctx, request("p/2", TokenOK))
	for _, ref := range []string{pending.Reference, done.Reference} {
		if _, _, _, err := s.Webhook(ctx, ref); err == nil || !strings.Contains(err.Error(), "never decided") {
			t.Errorf("Webhook(%s) = %v, want an error containing %q", ref, err, "never decided")
		}
	}
	if _, _, _, err := s.Webhook(ctx, "sbx_nope"); !errors.Is(err, ErrUnknownReference) {
		t.Errorf("Webhook(sbx_nope) = %v, want ErrUnknownReference", err)
	}
}

// billgate reads a webhook back with the sandbox's own secret, at its clock.
func TestReadWebhook(t *testing.T) {
	s, _ := newSandbox(t)
	now := t0
	s.clock = func() time.Time { return now }
	ctx := context.Background()
	pending, _ := s.Charge(ctx, request("p/1", TokenAsync))
	ev, body, sig, err := s.Decide(ctx, pending.Reference, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReadWebhook(sig, body); err != nil || got != ev {
		t.Errorf("ReadWebhook(Decide's webhook) = %+v, %v, want %+v, nil", got, err, ev)
	}
	if _, err := s.ReadWebhook(Sign([]byte("other"), now, body), body); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("ReadWebhook(signed with another secret) = %v, want ErrSignatureMismatch", err)
	}
	now = t0.Add(DefaultTolerance + time.Second)
	if _, err := s.ReadWebhook(sig, body); !errors.Is(err, ErrTimestampTolerance) {
		t.Errorf("ReadWebhook(signed %s ago) = %v, want ErrTimestampTolerance", now.Sub(t0), err)
	}
}

func TestDecideConcurrent(t *testing.T) {
	s, _ := newSandbox(t)
	ctx := context.Background()
	pending, _ := s.Charge(ctx, request("p/1", TokenAsync))
	type outcome struct {
		approve bool
		err     error
	}
	outcomes := make(chan outcome, 10)
	for i := range 10 {
		go func() {
			_, _, _, err := s.Decide(ctx, pending.Reference, i%2 == 0)
			outcomes <- outcome{i%2 == 0, err}
		}()
	}
	// One decision wins; the same one again is taken too, the other refused.
	taken := map[bool]int{}
	for range 10 {
		switch o := <-outcomes; {
		case o.err == nil:
			taken[o.approve]++
		case !errors.Is(o.err, ErrAlreadyDecided):
			t.Errorf("Decide() = %v, want nil or ErrAlreadyDecided", o.err)
		}
	}
	if len(taken) != 1 || taken[true]+taken[false] != 5 {
		t.Errorf("decisions taken = %v, want the 5 of one kind", taken)
	}
}

func TestApprovalPage(t *testing.T) {
	s, _ := newSandbox(t)
	ctx := context.Background()
	r := request("p/1", TokenAsync)
	r.Description = `<script>alert("x")</script> & more`
	pending, _ := s.Charge(ctx, r)
	ref := pending.Reference

	page, err := s.ApprovalPage(ctx, ref)
	if err != nil {
		t.Fatalf("ApprovalPage(%s) = %v", ref, err)
	}
	html := string(page)
	for _, want := range []string{
		"<!doctype html>",
		"USD 19.99",
		"cus_1",
		ref,
		`<form method="post" action="/sandbox/approve/` + ref + `"><button type="submit" name="decision" value="approve">Approve</button></form>`,
		`<form method="post" action="/sandbox/approve/` + ref + `"><button type="submit" name="decision" value="decline">Decline</button></form>`,
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("ApprovalPage(%s) lacks %q:\n%s", ref, want, html)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Errorf("ApprovalPage(%s) holds an unescaped <script>:\n%s", ref, html)
	}

	if _, _, _, err := s.Decide(ctx, ref, false); err != nil {
		t.Fatal(err)
	}
	page, err = s.ApprovalPage(ctx, ref)
	if err != nil || strings.Contains(string(page), "<form") || !strings.Contains(string(page), "already decided: <strong>declined</strong>") {
		t.Errorf("ApprovalPage(%s) after Decide = %s, %v, want the decision and no form", ref, page, err)
	}
	if _, err := s.ApprovalPage(ctx, "sbx_nope"); !errors.Is(err, ErrUnknownReference) {
		t.Errorf("ApprovalPage(sbx_nope) = %v, want ErrUnknownReference", err)
	}
}

func TestChargeJSON(t *testing.T) {
	c := Charge{
		Key: "p/1", Reference: "sbx_1", CustomerID: "cus_1", Token: TokenDecline, Amount: usd,
		Status: gateways.Declined, DeclineCode: "card_declined", CreatedAt: t0,
	}
	b, err := json.Marshal(c)
	want := `{"idempotencyKey":"p/1","reference":"sbx_1","customerId":"cus_1","token":"sandbox_decline",` +
		`"amount":{"amount":1999,"currency":"USD"},"status":"declined","declineCode":"card_declined","createdAt":"2026-01-01T00:00:00Z"}`
	if err != nil || string(b) != want {
		t.Errorf("json.Marshal(%+v) = %s, %v, want %s", c, b, err, want)
	}
}

// A payer who sends the same decision again, because its answer or the
// webhook it carried was lost (issue 15's chaos run lost one while Temporal
// was down), gets the same webhook again, so billgate still learns of it;
// the other decision stays refused.
func TestDecideAgainDeliversTheWebhookAgain(t *testing.T) {
	s, _ := newSandbox(t)
	ctx := context.Background()
	pending, err := s.Charge(ctx, request("p/1", TokenAsync))
	if err != nil {
		t.Fatal(err)
	}
	first, body, _, err := s.Decide(ctx, pending.Reference, true)
	if err != nil {
		t.Fatal(err)
	}
	again, againBody, signature, err := s.Decide(ctx, pending.Reference, true)
	if err != nil || again != first || string(againBody) != string(body) || signature == "" {
		t.Errorf("the same decision again = %+v %s %v, want the first webhook %+v again", again, againBody, err, first)
	}
	if _, _, _, err := s.Decide(ctx, pending.Reference, false); !errors.Is(err, ErrAlreadyDecided) {
		t.Errorf("the other decision = %v, want ErrAlreadyDecided", err)
	}
}
