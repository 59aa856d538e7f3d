package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/auth"
	"github.com/billgate/billgate/eventstream"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
)

// The live stream's limits.
const (
	// streamLoginWait is how long a bare socket has to send its login.
	streamLoginWait = 10 * time.Second
	// DefaultStreamBuffer is how many events a socket may fall behind by
	// before it is closed (1013): it resumes from its last event ID.
	DefaultStreamBuffer = 256
	// streamPing is how often the server pings; a pong must come within
	// streamWriteWait, as must every write.
	streamPing      = 30 * time.Second
	streamWriteWait = 10 * time.Second
	// streamRecheck is how often a stream's credentials are checked again,
	// besides whenever the client's identity changes.
	streamRecheck = time.Minute
	// streamLoginLimit bounds the first message.
	streamLoginLimit = 4 << 10
)

// streamHello is the first message of a socket opened without
// credentials: a login, as POST /auth/session takes it, or a token, as
// Bearer takes it.
type streamHello struct {
	Type        string `json:"type"` // login or auth
	Login       string `json:"login"`
	Password    string `json:"password"`
	Tenant      string `json:"tenant"`
	Token       string `json:"token"`
	LastEventID string `json:"lastEventId"`
}

// streamFrame is a message the server sends: ready (with the new session
// of a login), event, or error (with the envelope's errors), before the
// server closes the socket.
type streamFrame struct {
	Type   string          `json:"type"`
	Result any             `json:"result,omitempty"`
	Event  json.RawMessage `json:"event,omitempty"`
	Errors []Error         `json:"errors,omitempty"`
}

// streamReady is the ready frame's result: who the stream is for and,
// after a login, the session it opened.
type streamReady struct {
	ClientID uuid.UUID   `json:"clientId"`
	Session  *newSession `json:"session,omitempty"`
}

// streamAuth is a stream's principal and how to check it again: nil when
// its credentials cannot be presented twice (Basic is a password hash
// away, a signature is for one request), and then any change to the
// client's identity closes the stream.
type streamAuth struct {
	principal *auth.Principal
	recheck   func(ctx context.Context) error
}

// streamEvents is GET /v1/events/stream: a WebSocket of the events the
// caller may see, from after lastEventId when given, then live.
func (h *handlers) streamEvents(c *gin.Context) error {
	after, err := idQuery(c, "lastEventId")
	if err != nil {
		return err
	}
	types, err := eventTypesQuery(c.Query("type"))
	if err != nil {
		return err
	}
	var who *streamAuth
	if _, cookieErr := c.Cookie(sessionCookie); c.GetHeader("Authorization") != "" || cookieErr == nil {
		if who, err = h.streamCredentials(c); err != nil {
			return h.withChallenge(c, err, h.challenge)
		}
		if !who.principal.Can("events:read") {
			return auth.ErrPermissionDenied
		}
	}
	if err := upgradeProblem(c); err != nil {
		return err
	}
	conn, err := websocket.Accept(c.Writer, c.Request, nil)
	if err != nil {
		return nil // Accept has answered
	}
	defer conn.CloseNow()
	ctx := c.Request.Context()
	var session *newSession
	if who == nil {
		var hello streamHello
		if who, session, hello, err = h.streamLogin(ctx, conn, origin(c)); err != nil {
			closeStream(ctx, conn, err)
			return nil
		}
		if hello.LastEventID != "" {
			if after, err = optionalID("lastEventId", &hello.LastEventID); err != nil {
				closeStream(ctx, conn, err)
				return nil
			}
		}
		if !who.principal.Can("events:read") {
			closeStream(ctx, conn, auth.ErrPermissionDenied)
			return nil
		}
	}
	s := &liveStream{conn: conn, who: who, scope: callerOf(who.principal).Scope(), types: types, hub: h.Streams, watch: h.IdentityWatch, log: h.Events,
		buffer: h.StreamBuffer}
	s.run(ctx, after, streamReady{ClientID: who.principal.Account.ID, Session: session})
	return nil
}

// upgradeProblem refuses, in the envelope, the requests websocket.Accept
// would refuse in plain text: one that is no WebSocket handshake, and one
// from a page of another origin (403), whose session cookie, which a
// browser sends along, must not open a stream for that page. Accept
// checks them again, alike.
func upgradeProblem(c *gin.Context) error {
	r := c.Request
	if !r.ProtoAtLeast(1, 1) || !hasToken(r.Header, "Connection", "upgrade") || !hasToken(r.Header, "Upgrade", "websocket") {
		c.Header("Connection", "Upgrade")
		c.Header("Upgrade", "websocket")
		return &Problem{Status: http.StatusUpgradeRequired, Detail: Error{Code: "UPGRADE_REQUIRED", Message: "this is a WebSocket: open it with an upgrade request"}}
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		c.Header("Sec-WebSocket-Version", "13")
		return Invalid("Sec-WebSocket-Version", "the WebSocket version must be 13", nil)
	}
	if keys := r.Header.Values("Sec-WebSocket-Key"); len(keys) != 1 || !validWebSocketKey(keys[0]) {
		return Invalid("Sec-WebSocket-Key", "Sec-WebSocket-Key must be one 16-byte key in base64", nil)
	}
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
			return &Problem{Status: http.StatusForbidden, Detail: Error{Code: "CROSS_ORIGIN", Message: "a page of another origin may not open the stream", Field: "Origin"}}
		}
	}
	return nil
}

// hasToken reports whether a comma-separated header holds token, in any
// case.
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func validWebSocketKey(key string) bool {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(key))
	return err == nil && len(b) == 16
}

// streamCredentials authenticates the upgrade request as any call is
// authenticated: a cookie (from billgate's own origin, which Accept
// checks), or the Authorization header.
func (h *handlers) streamCredentials(c *gin.Context) (*streamAuth, error) {
	p, err := h.authenticated(c, nil)
	if err != nil {
		return nil, err
	}
	from := origin(c)
	who := &streamAuth{principal: p}
	switch scheme, value := authScheme(c.GetHeader("Authorization")); {
	case scheme == "":
		cookie, _ := c.Cookie(sessionCookie)
		who.recheck = h.tokenCheck(cookie, from)
	case isScheme(scheme, "Bearer"):
		who.recheck = h.tokenCheck(value, from)
	case isScheme(scheme, h.APIKeyScheme):
		who.recheck = func(ctx context.Context) error { _, err := h.Authn.APIKey(ctx, value, from); return err }
	}
	return who, nil
}

func (h *handlers) tokenCheck(token string, from auth.Origin) func(context.Context) error {
	return func(ctx context.Context) error { _, err := h.Authn.Token(ctx, token, from); return err }
}

// streamLogin reads a bare socket's first message and authenticates it,
// with the answers a login or a token gets over HTTP.
func (h *handlers) streamLogin(ctx context.Context, conn *websocket.Conn, from auth.Origin) (*streamAuth, *newSession, streamHello, error) {
	var hello streamHello
	conn.SetReadLimit(streamLoginLimit)
	readCtx, cancel := context.WithTimeout(ctx, streamLoginWait)
	defer cancel()
	kind, data, err := conn.Read(readCtx)
	switch {
	case err != nil:
		return nil, nil, hello, auth.ErrSessionUnknown // no credentials came: as a call without any
	case kind != websocket.MessageText || json.Unmarshal(data, &hello) != nil:
		return nil, nil, hello, Invalid("type", `the first message must be {"type":"login",…} or {"type":"auth","token":…}`, nil)
	}
	switch hello.Type {
	case "login":
		res, err := h.Logins.Login(ctx, auth.Credentials{Login: hello.Login, Password: hello.Password, Tenant: hello.Tenant}, from)
		if err != nil {
			return nil, nil, hello, err
		}
		p, err := h.Authn.Token(ctx, res.Token, from)
		if err != nil {
			return nil, nil, hello, err
		}
		session := &newSession{ID: res.Session.ID, Token: res.Token, ClientID: res.Session.ClientID, ExpiresAt: res.Session.ExpiresAt.UTC()}
		return &streamAuth{principal: p, recheck: h.tokenCheck(res.Token, from)}, session, hello, nil
	case "auth":
		p, err := h.Authn.Token(ctx, hello.Token, from)
		if err != nil {
			return nil, nil, hello, err
		}
		return &streamAuth{principal: p, recheck: h.tokenCheck(hello.Token, from)}, nil, hello, nil
	}
	return nil, nil, hello, Invalid("type", "type must be login or auth", hello.Type)
}

// closeStream sends err as an error frame, in the envelope HTTP would
// answer it with, and closes the socket with its message: 1008 for a
// refusal of who the client is, 1011 for a failure of billgate's.
func closeStream(ctx context.Context, conn *websocket.Conn, err error) {
	p := problemFor(err)
	writeFrame(ctx, conn, streamFrame{Type: "error", Errors: []Error{p.Detail}})
	status := websocket.StatusPolicyViolation
	if p.Status >= 500 {
		status = websocket.StatusInternalError
	}
	_ = conn.Close(status, p.Detail.Message)
}

// LiveEventFrame is an event as the live stream sends it: rendered once
// for every stream that takes it (eventstream.Hub's render).
func LiveEventFrame(e *models.Event) []byte {
	data, _ := json.Marshal(streamFrame{Type: "event", Event: EventPayload(e)}) // plain data, as EventPayload
	return data
}

func writeFrame(ctx context.Context, conn *websocket.Conn, f streamFrame) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return writeData(ctx, conn, data)
}

func writeData(ctx context.Context, conn *websocket.Conn, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, streamWriteWait)
	defer cancel()
	return conn.Write(ctx, websocket.MessageText, data)
}

// liveStream is one authenticated socket.
type liveStream struct {
	conn  *websocket.Conn
	who   *streamAuth
	scope tenancy.Scope
	types []string
	hub   *eventstream.Hub
	watch *eventstream.Watch
	log   EventLog
	// buffer is how many events it may fall behind by.
	buffer int
	// after is where the stream starts: the last event ID the client
	// has, or the time it connected.
	after uuid.UUID
}

// sees reports whether the stream shows e.
func (s *liveStream) sees(e *models.Event) bool {
	if bytes.Compare(e.ID[:], s.after[:]) <= 0 {
		return false
	}
	customer := uuid.Nil
	if e.CustomerID != nil {
		customer = *e.CustomerID
	}
	if !s.scope.Allows(e.TenantID, customer) {
		return false
	}
	if len(s.types) == 0 {
		return true
	}
	for _, t := range s.types {
		if models.EventPatternMatches(t, e.Type) {
			return true
		}
	}
	return false
}

// run sends ready, the events after after (when given), then live events,
// until the client goes, falls behind, stops answering pings, or its
// credentials stop working.
func (s *liveStream) run(ctx context.Context, after *uuid.UUID, ready streamReady) {
	ctx = s.conn.CloseRead(ctx) // the client sends nothing more; its close ends ctx
	s.after = eventstream.TimeFloor(time.Now())
	if after != nil {
		s.after = *after
	}
	sub := s.hub.Subscribe(s.sees, s.buffer)
	defer sub.Close()
	changes, stop := s.watch.Follow(ready.ClientID)
	defer stop()
	if writeFrame(ctx, s.conn, streamFrame{Type: "ready", Result: ready}) != nil {
		return
	}
	// What the replay sent of the hub's window, which the hub may send
	// again.
	sent, recent := map[uuid.UUID]bool{}, eventstream.TimeFloor(time.Now().Add(-2*s.hub.Window))
	if after != nil {
		if err := s.replay(ctx, *after, func(id uuid.UUID) {
			if bytes.Compare(id[:], recent[:]) >= 0 {
				sent[id] = true
			}
		}); err != nil {
			closeStream(ctx, s.conn, err)
			return
		}
	}
	ping, recheck := time.NewTicker(streamPing), time.NewTicker(streamRecheck)
	defer ping.Stop()
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case item := <-sub.Items():
			if sent[item.Event.ID] {
				continue
			}
			if writeData(ctx, s.conn, item.Payload) != nil {
				return
			}
		case <-sub.Dropped():
			_ = s.conn.Close(websocket.StatusTryAgainLater, "too slow: reconnect with lastEventId")
			return
		case <-ping.C:
			pingCtx, cancel := context.WithTimeout(ctx, streamWriteWait)
			err := s.conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return
			}
		case <-changes:
			if !s.stillValid(ctx) {
				return
			}
		case <-recheck.C:
			if s.who.recheck != nil && !s.stillValid(ctx) {
				return
			}
		}
	}
}

// stillValid checks the stream's credentials again; one that cannot be
// checked again is no longer trusted once the client's identity changed.
// A stream whose credentials failed is closed with the answer a call
// would get (SESSION UNKNOWN for a revoked or expired session).
func (s *liveStream) stillValid(ctx context.Context) bool {
	err := auth.ErrSessionUnknown
	if s.who.recheck != nil {
		err = s.who.recheck(ctx)
	}
	if err == nil {
		return true
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	closeStream(ctx, s.conn, err)
	return false
}

// replay sends the events the stream sees after after, from the log,
// telling sent of each.
func (s *liveStream) replay(ctx context.Context, after uuid.UUID, sent func(uuid.UUID)) error {
	f := models.EventFilter{After: after, Types: s.types, Limit: maxPageSize}
	if !s.scope.Everything() {
		f.TenantID, f.CustomerID = s.scope.Tenant, s.scope.Customer
	}
	for {
		events, err := s.log.Events(ctx, f)
		if err != nil {
			return err
		}
		for i := range events {
			sent(events[i].ID)
			if err := writeData(ctx, s.conn, LiveEventFrame(&events[i])); err != nil {
				return err
			}
		}
		if len(events) < maxPageSize {
			return nil
		}
		f.After = events[len(events)-1].ID
	}
}
