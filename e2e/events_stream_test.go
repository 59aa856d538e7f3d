package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/billgate/billgate/gateways/sandbox"
)

// frame is a message of the live stream.
type frame struct {
	Type   string         `json:"type"`
	Result map[string]any `json:"result"`
	Event  map[string]any `json:"event"`
	Errors []struct {
		Code, Message string
	} `json:"errors"`
}

// liveClient is a WebSocket client of GET /v1/events/stream.
type liveClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// openStream opens the stream with query and the header's name, value
// pairs; the socket closes when the test ends.
func openStream(t *testing.T, base, query string, header ...string) *liveClient {
	t.Helper()
	conn, resp, err := dialStream(base, query, header...)
	if err != nil {
		t.Fatalf("dial the stream: %v (%v)", err, resp)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return &liveClient{t: t, conn: conn}
}

func dialStream(base, query string, header ...string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/v1/events/stream"+query, &websocket.DialOptions{HTTPHeader: h})
}

func (c *liveClient) send(v any) {
	c.t.Helper()
	data, _ := json.Marshal(v)
	if err := c.conn.Write(context.Background(), websocket.MessageText, data); err != nil {
		c.t.Fatal(err)
	}
}

// next reads the next frame; err is the socket's end.
func (c *liveClient) next() (frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var f frame
	_, data, err := c.conn.Read(ctx)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("frame %s: %v", data, err)
	}
	return f, nil
}

func (c *liveClient) must(want string) frame {
	c.t.Helper()
	f, err := c.next()
	if err != nil || f.Type != want {
		c.t.Fatalf("frame %+v, %v; want %s", f, err, want)
	}
	return f
}

// events reads events until until says it has them all; it returns their
// IDs and types.
func (c *liveClient) events(until func(types []string) bool) (ids, types []string) {
	c.t.Helper()
	for !until(types) {
		e := c.must("event").Event
		ids, types = append(ids, e["id"].(string)), append(types, e["type"].(string))
	}
	return ids, types
}

// closed checks that the server sent err's envelope, then closed the
// socket with 1008 and its message.
func (c *liveClient) closed(code, message string) {
	c.t.Helper()
	f, err := c.next()
	if err != nil || f.Type != "error" || len(f.Errors) != 1 || f.Errors[0].Code != code || f.Errors[0].Message != message {
		c.t.Fatalf("frame %+v, %v; want error %s %q", f, err, code, message)
	}
	_, err = c.next()
	var closeErr websocket.CloseError
	if !errors.As(err, &closeErr) || closeErr.Code != websocket.StatusPolicyViolation || closeErr.Reason != message {
		c.t.Errorf("the socket ended with %v, want 1008 %q", err, message)
	}
}

// A socket opened bare logs in by its first message and gets its
// tenant's events; a wrong password and an unknown token get the seed's
// answers, and a page of another origin cannot ride the session cookie.
func TestEventStreamLogsInByMessage(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	shop := openStream(t, s.env.URL, "")
	shop.send(map[string]string{"type": "login", "login": "shop", "password": goodPassword})
	ready := shop.must("ready").Result
	session, _ := ready["session"].(map[string]any)
	if session == nil || session["token"] == "" || ready["clientId"] != session["clientId"] {
		t.Fatalf("ready %v", ready)
	}
	event := s.newCustomer(t, "carol")
	if e := shop.must("event").Event; e["id"] != event || e["type"] != "customer.created" {
		t.Errorf("event %v, want %s", e, event)
	}

	wrong := openStream(t, s.env.URL, "")
	wrong.send(map[string]string{"type": "login", "login": "shop", "password": "not the password"})
	wrong.closed("AUTH_FAILED", "AUTH FAILED")
	unknown := openStream(t, s.env.URL, "")
	unknown.send(map[string]string{"type": "auth", "token": "bgs_no-such-session"})
	unknown.closed("SESSION_UNKNOWN", "SESSION UNKNOWN")
	garbled := openStream(t, s.env.URL, "")
	garbled.send(map[string]string{"type": "hello"})
	garbled.closed("INVALID", "type must be login or auth")

	_, resp, err := dialStream(s.env.URL, "", "Origin", "https://evil.example", "Cookie", "sid="+session["token"].(string))
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-origin upgrade with the cookie: %v, %v; want 403", resp, err)
	}
	if _, resp, err := dialStream(s.env.URL, "", "Authorization", "Bearer bgs_no-such-session"); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("an upgrade with an unknown token: %v, %v; want 404 SESSION UNKNOWN", resp, err)
	}
}

// A customer's stream carries its subscription's events as they happen,
// in the order GET /v1/events lists them; reconnected with its last
// event's ID, it gets what happened meanwhile, and nothing twice.
func TestEventStreamFollowsASubscription(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	listed := func() []string {
		var out []string
		for _, e := range callList(t, s.env, "/v1/events", s.bob...).results {
			out = append(out, e["id"].(string))
		}
		return out
	}
	before := len(listed()) // bob's creation
	live := openStream(t, s.env.URL, "", s.bob...)
	live.must("ready")
	if sub := s.subscribe(t, s.monthly, sandbox.TokenOK); sub.Status != 201 {
		t.Fatalf("subscribe = %d %+v", sub.Status, sub.Errors)
	}
	ids, types := live.events(func(types []string) bool { return slices.Contains(types, "subscription.activated") })
	for _, want := range []string{"subscription.created", "invoice.created", "invoice.paid", "payment.succeeded", "subscription.activated"} {
		if !slices.Contains(types, want) {
			t.Errorf("the stream carried %v, without %s", types, want)
		}
	}
	if all := listed(); !slices.Equal(all[before:before+len(ids)], ids) {
		t.Errorf("streamed %v, listed %v after %d", ids, all, before)
	}
	live.conn.Close(websocket.StatusNormalClosure, "")

	buy := call(t, s.env, "POST", "/v1/purchases", fmt.Sprintf(`{"priceId":%q,"paymentMethod":{"gateway":"sandbox","token":%q}}`, s.pdf, sandbox.TokenOK), s.bob...)
	if buy.Status != 201 {
		t.Fatalf("purchase = %d %+v", buy.Status, buy.Errors)
	}
	s.waitStatus(t, "/v1/payments/"+buy.Result["id"].(string), "paid")
	missed := listed()[before+len(ids):] // the payment's events were written with it
	if len(missed) == 0 {
		t.Fatal("no events of the purchase")
	}
	resumed := openStream(t, s.env.URL, "?lastEventId="+ids[len(ids)-1], s.bob...)
	resumed.must("ready")
	rest, _ := resumed.events(func(types []string) bool { return len(types) == len(missed) })
	if !slices.Equal(rest, missed) {
		t.Errorf("resumed with %v, want %v", rest, missed)
	}
}

// Revoking the session a stream logged in with closes it, with the
// answer a call with that session would get.
func TestEventStreamClosesOnRevocation(t *testing.T) {
	t.Parallel()
	s := newShop(t)
	live := openStream(t, s.env.URL, "")
	live.send(map[string]string{"type": "login", "login": "bob", "password": goodPassword, "tenant": "shop"})
	token := live.must("ready").Result["session"].(map[string]any)["token"].(string)
	if r := call(t, s.env, "DELETE", "/auth/session", "", "Authorization", "Bearer "+token); r.Status >= 300 {
		t.Fatalf("logout = %d %+v", r.Status, r.Errors)
	}
	live.closed("SESSION_UNKNOWN", "SESSION UNKNOWN")
}

// Events reach a stream whatever replica it is connected to: a customer
// created through one API process reaches a stream on another.
func TestEventStreamAcrossReplicas(t *testing.T) {
	t.Parallel()
	k := newCluster(t)
	k.api()
	other := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	startWith(t, k.env, append([]string{"api", "--http", strings.TrimPrefix(other, "http://")}, k.common...)...)
	k.worker("subscriptions,payments,events")
	waitStatus(t, k.http, k.base+"/readyz", http.StatusOK)
	waitStatus(t, k.http, other+"/readyz", http.StatusOK)

	live := openStream(t, other, "")
	live.send(map[string]string{"type": "login", "login": "shop", "password": goodPassword})
	live.must("ready")
	customer := k.do("POST", "/v1/clients", newAccount("buyer", ""), k.login("shop")...)["id"].(string)
	if e := live.must("event").Event; e["type"] != "customer.created" || e["objectId"] != customer {
		t.Errorf("the other replica streamed %v, want the creation of %s", e, customer)
	}
}
