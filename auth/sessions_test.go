package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
)

// An absolute lifetime shorter than the idle timeout bounds the first expiry.
func testLoginLifetimeShorterThanIdle(t *testing.T, f *fixture) {
	cfg := testConfig()
	cfg.Sessions.IdleTimeout, cfg.Sessions.AbsoluteLifetime = 2*time.Hour, time.Hour
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	s := f.mustLogin("shop", "pw", "").Session
	if !s.ExpiresAt.Equal(start.Add(time.Hour)) || !s.AbsoluteExpiresAt.Equal(start.Add(time.Hour)) {
		t.Errorf("Login() session expires %v, absolute %v, want both %v", s.ExpiresAt, s.AbsoluteExpiresAt, start.Add(time.Hour))
	}
}

func testAuthenticateRefuses(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	unknown, _ := NewSessionToken()

	tests := []struct {
		name  string
		token func() string
	}{
		{"empty", func() string { return "" }},
		{"unknown token", func() string { return unknown }},
		{"not a bgs_ token", func() string { return "opaque-but-not-ours" }},
		{"a session's hash instead of its token", func() string { return f.mustLogin("shop", "pw", "").Session.SecretHash }},
		{"token with one character changed", func() string {
			tok := f.mustLogin("shop", "pw", "").Token
			last := byte('A')
			if tok[len(tok)-1] == 'A' {
				last = 'B'
			}
			return tok[:len(tok)-1] + string(last)
		}},
		{"expired", func() string {
			tok := f.mustLogin("shop", "pw", "").Token
			f.advance(cfg.Sessions.IdleTimeout)
			return tok
		}},
		{"revoked by Logout", func() string {
			tok := f.mustLogin("shop", "pw", "").Token
			p := f.mustAuthenticate(tok)
			if err := f.svc.Sessions.Logout(f.ctx, p); err != nil {
				f.t.Fatalf("Logout() = %v", err)
			}
			return tok
		}},
		{"client disabled", func() string {
			c := f.client(nil, "soon-gone", "pw", "business")
			tok := f.mustLogin("soon-gone", "pw", "").Token
			f.mustAuthenticate(tok)
			if err := f.store.SetDisabled(f.ctx, c.ID, true); err != nil {
				f.t.Fatal(err)
			}
			return tok
		}},
	}
	for _, tt := range tests {
		f.run(tt.name, func(t *testing.T) {
			token := tt.token()
			if p, err := f.authenticate(token); !errors.Is(err, ErrSessionUnknown) {
				t.Errorf("Authenticate(%s) = %v, %v, want ErrSessionUnknown", tt.name, p, err)
			}
		})
	}
}

func testAuthenticateSlidesIdleExpiry(t *testing.T, f *fixture) {
	cfg := testConfig() // 2h idle, 24h absolute
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	res := f.mustLogin("shop", "pw", "")
	absolute := res.Session.AbsoluteExpiresAt

	for _, at := range []time.Duration{30 * time.Minute, 90 * time.Minute, 2*time.Hour + 10*time.Minute} {
		f.clock = start.Add(at)
		p := f.mustAuthenticate(res.Token)
		want := f.clock.Add(cfg.Sessions.IdleTimeout)
		if !p.Session.ExpiresAt.Equal(want) {
			t.Errorf("Authenticate() at %v: session expires %v, want %v", at, p.Session.ExpiresAt, want)
		}
		if s := f.stored(res.Token); !s.ExpiresAt.Equal(want) || !s.LastSeenAt.Equal(f.clock) {
			t.Errorf("stored session at %v: expires %v, last seen %v, want %v, %v", at, s.ExpiresAt, s.LastSeenAt, want, f.clock)
		}
	}

	// Used every 110 minutes it lives on, up to the absolute expiry and
	// never past it.
	for f.clock.Add(110 * time.Minute).Before(absolute) {
		f.advance(110 * time.Minute)
		p := f.mustAuthenticate(res.Token)
		if want := minTime(f.clock.Add(cfg.Sessions.IdleTimeout), absolute); !p.Session.ExpiresAt.Equal(want) {
			t.Fatalf("Authenticate() at %v: expires %v, want %v", f.clock.Sub(start), p.Session.ExpiresAt, want)
		}
	}
	f.clock = absolute.Add(-time.Second)
	p := f.mustAuthenticate(res.Token)
	if !p.Session.ExpiresAt.Equal(absolute) {
		t.Errorf("Authenticate() a second before the absolute expiry: expires %v, want %v", p.Session.ExpiresAt, absolute)
	}
	if s := f.stored(res.Token); !s.ExpiresAt.Equal(absolute) || !s.AbsoluteExpiresAt.Equal(absolute) {
		t.Errorf("stored session: expires %v, absolute %v, want both %v", s.ExpiresAt, s.AbsoluteExpiresAt, absolute)
	}
	f.clock = absolute
	if p, err := f.authenticate(res.Token); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("Authenticate() at the absolute expiry = %v, %v, want ErrSessionUnknown", p, err)
	}
}

// An unused session dies at its idle expiry, not a moment later.
func testAuthenticateIdleExpiryBoundary(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	alive := f.mustLogin("shop", "pw", "").Token
	dead := f.mustLogin("shop", "pw", "").Token
	f.advance(cfg.Sessions.IdleTimeout - time.Second)
	f.mustAuthenticate(alive)
	f.advance(time.Second)
	if p, err := f.authenticate(dead); !errors.Is(err, ErrSessionUnknown) {
		t.Errorf("Authenticate() after exactly the idle timeout = %v, %v, want ErrSessionUnknown", p, err)
	}
	f.mustAuthenticate(alive) // it was used a second ago
}

func testAuthenticateThrottlesTouch(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	res := f.mustLogin("shop", "pw", "")

	steps := []struct {
		at       time.Duration
		wantSeen time.Duration // LastSeenAt in the database, from start
	}{
		{10 * time.Second, 0},
		{50 * time.Second, 0},
		{59 * time.Second, 0},
		{60 * time.Second, 60 * time.Second},
		{90 * time.Second, 60 * time.Second},
		{119 * time.Second, 60 * time.Second},
		{125 * time.Second, 125 * time.Second},
	}
	for _, st := range steps {
		f.clock = start.Add(st.at)
		f.mustAuthenticate(res.Token)
		s := f.stored(res.Token)
		wantSeen := start.Add(st.wantSeen)
		if !s.LastSeenAt.Equal(wantSeen) || !s.ExpiresAt.Equal(wantSeen.Add(cfg.Sessions.IdleTimeout)) {
			t.Errorf("after Authenticate() at %v: last seen %v, expires %v, want %v, %v",
				st.at, s.LastSeenAt, s.ExpiresAt, wantSeen, wantSeen.Add(cfg.Sessions.IdleTimeout))
		}
	}
}

func testAuthenticateIPBinding(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	tests := []struct {
		mode    string
		ip      string
		wantErr error
	}{
		{IPBindingStrict, homeIP, nil},
		{IPBindingStrict, otherIP, ErrAuthFailed},
		{IPBindingStrict, "", ErrAuthFailed},
		{IPBindingLog, homeIP, nil},
		{IPBindingLog, otherIP, nil},
		{IPBindingOff, homeIP, nil},
		{IPBindingOff, otherIP, nil},
	}
	for _, tt := range tests {
		f.run(tt.mode+"/"+tt.ip, func(t *testing.T) {
			res := f.mustLogin("shop", "pw", "") // from homeIP
			cfg := testConfig()
			cfg.Sessions.IPBinding = tt.mode
			svc := f.service(cfg)
			p, err := svc.Requests.Token(f.ctx, res.Token, Origin{IP: tt.ip})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Authenticate(from %q, binding %s) = %v, %v, want %v", tt.ip, tt.mode, p, err, tt.wantErr)
			}
			if err == nil && p.Session.ID != res.Session.ID {
				t.Errorf("Authenticate(from %q, binding %s) = session %s, want %s", tt.ip, tt.mode, p.Session.ID, res.Session.ID)
			}
			// A refusal leaves the session usable from its own IP.
			if _, err := svc.Requests.Token(f.ctx, res.Token, Origin{IP: homeIP}); err != nil {
				t.Errorf("Authenticate(from %q, binding %s) after that = %v, want a principal", homeIP, tt.mode, err)
			}
		})
	}
}

func testExtendSession(t *testing.T, f *fixture) {
	cfg := testConfig()
	f.use(cfg)
	f.client(nil, "shop", "pw", "business")
	res := f.mustLogin("shop", "pw", "")
	absolute := res.Session.AbsoluteExpiresAt
	p := f.mustAuthenticate(res.Token)

	tests := []struct {
		name    string
		to      time.Time
		want    time.Time
		wantErr error
	}{
		{"within the lifetime", start.Add(5 * time.Hour), start.Add(5 * time.Hour), nil},
		{"shorter than now + idle", start.Add(time.Minute), start.Add(time.Minute), nil},
		{"past the absolute expiry: capped", start.Add(48 * time.Hour), absolute, nil},
		{"exactly the absolute expiry", absolute, absolute, nil},
		{"a nanosecond from now", start.Add(time.Nanosecond), start.Add(time.Nanosecond), nil},
		{"now", start, time.Time{}, ErrExpiryInPast},
		{"the past", start.Add(-time.Hour), time.Time{}, ErrExpiryInPast},
		{"zero time", time.Time{}, time.Time{}, ErrExpiryInPast},
	}
	for _, tt := range tests {
		f.run(tt.name, func(t *testing.T) {
			before := p.Session.ExpiresAt
			got, err := f.svc.Sessions.Extend(f.ctx, p, tt.to)
			if !errors.Is(err, tt.wantErr) || !got.Equal(tt.want) {
				t.Fatalf("ExtendSession(%v) = %v, %v, want %v, %v", tt.to, got, err, tt.want, tt.wantErr)
			}
			if err != nil {
				if !p.Session.ExpiresAt.Equal(before) {
					t.Errorf("a refused ExtendSession moved the principal's expiry to %v", p.Session.ExpiresAt)
				}
				return
			}
			if !p.Session.ExpiresAt.Equal(tt.want) {
				t.Errorf("ExtendSession(%v): principal's session expires %v, want %v", tt.to, p.Session.ExpiresAt, tt.want)
			}
			if !tt.want.Equal(start.Add(time.Nanosecond)) { // Postgres keeps microseconds
				if s := f.stored(res.Token); !s.ExpiresAt.Equal(tt.want) {
					t.Errorf("ExtendSession(%v): stored expiry %v, want %v", tt.to, s.ExpiresAt, tt.want)
				}
			}
		})
	}

	// Extended to 5h, the session outlives the 2h idle timeout.
	if _, err := f.svc.Sessions.Extend(f.ctx, p, start.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	f.advance(4 * time.Hour)
	f.mustAuthenticate(res.Token)
}

func testRevokeSessions(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	f.client(nil, "other", "pw", "business")

	f.run("keep current", func(t *testing.T) {
		current := f.mustLogin("shop", "pw", "").Token
		others := []string{f.mustLogin("shop", "pw", "").Token, f.mustLogin("shop", "pw", "").Token}
		bystander := f.mustLogin("other", "pw", "").Token
		p := f.mustAuthenticate(current)
		if list, err := f.svc.Sessions.List(f.ctx, p); err != nil || len(list) != 3 {
			t.Fatalf("Sessions() = %d sessions, %v, want 3", len(list), err)
		}
		n, err := f.svc.Sessions.RevokeAll(f.ctx, p, true)
		if err != nil || n != 2 {
			t.Fatalf("RevokeSessions(keepCurrent true) = %d, %v, want 2, nil", n, err)
		}
		f.mustAuthenticate(current)
		f.mustAuthenticate(bystander)
		for _, tok := range others {
			if _, err := f.authenticate(tok); !errors.Is(err, ErrSessionUnknown) {
				t.Errorf("Authenticate(revoked) = %v, want ErrSessionUnknown", err)
			}
		}
		if list, err := f.svc.Sessions.List(f.ctx, p); err != nil || len(list) != 1 || list[0].ID != p.Session.ID {
			t.Errorf("Sessions() after revoking = %v, %v, want only the current one", list, err)
		}
		if n, err := f.svc.Sessions.RevokeAll(f.ctx, p, true); err != nil || n != 0 {
			t.Errorf("RevokeSessions(keepCurrent true) again = %d, %v, want 0, nil", n, err)
		}
	})

	f.run("all", func(t *testing.T) {
		// The current session of the subtest above is still live.
		current := f.mustLogin("shop", "pw", "").Token
		f.mustLogin("shop", "pw", "")
		bystander := f.mustLogin("other", "pw", "").Token
		p := f.mustAuthenticate(current)
		n, err := f.svc.Sessions.RevokeAll(f.ctx, p, false)
		if err != nil || n != 3 {
			t.Fatalf("RevokeSessions(keepCurrent false) = %d, %v, want 3, nil", n, err)
		}
		if _, err := f.authenticate(current); !errors.Is(err, ErrSessionUnknown) {
			t.Errorf("Authenticate(current) after revoking all = %v, want ErrSessionUnknown", err)
		}
		f.mustAuthenticate(bystander)
	})

	f.run("one", func(t *testing.T) {
		mine := f.mustAuthenticate(f.mustLogin("shop", "pw", "").Token)
		sibling := f.mustLogin("shop", "pw", "")
		theirs := f.mustLogin("other", "pw", "")

		if err := f.svc.Sessions.Revoke(f.ctx, mine, theirs.Session.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RevokeSession(another client's session) = %v, want models.ErrNotFound", err)
		}
		f.mustAuthenticate(theirs.Token)
		if err := f.svc.Sessions.Revoke(f.ctx, mine, uuid.New()); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RevokeSession(unknown) = %v, want models.ErrNotFound", err)
		}
		if err := f.svc.Sessions.Revoke(f.ctx, mine, sibling.Session.ID); err != nil {
			t.Fatalf("RevokeSession(own session) = %v, want nil", err)
		}
		if _, err := f.authenticate(sibling.Token); !errors.Is(err, ErrSessionUnknown) {
			t.Errorf("Authenticate(revoked sibling) = %v, want ErrSessionUnknown", err)
		}
		if err := f.svc.Sessions.Revoke(f.ctx, mine, sibling.Session.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("RevokeSession(already revoked) = %v, want models.ErrNotFound", err)
		}
		if err := f.svc.Sessions.Logout(f.ctx, mine); err != nil {
			t.Fatalf("Logout() = %v", err)
		}
		if err := f.svc.Sessions.Logout(f.ctx, mine); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("Logout() twice = %v, want models.ErrNotFound", err)
		}
	})
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"", 5, ""},
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"ab€", 4, "ab"}, // never half a rune
		{"ab€", 5, "ab€"},
		{"ab€", 3, "ab"},
		{"ab€", 2, "ab"},
		{"€€", 1, ""},
		{strings.Repeat("x", 600), 512, strings.Repeat("x", 512)},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// Login stores at most 512 bytes of the user agent, cut at a rune.
func testLoginTruncatesUserAgent(t *testing.T, f *fixture) {
	f.client(nil, "shop", "pw", "business")
	agent := "a" + strings.Repeat("€", 300) // 901 bytes; byte 512 is inside a rune
	res, err := f.svc.Logins.Login(f.ctx, Credentials{Login: "shop", Password: "pw"}, Origin{IP: homeIP, UserAgent: agent})
	if err != nil {
		t.Fatal(err)
	}
	want := "a" + strings.Repeat("€", 170) // 511 bytes
	if got := f.stored(res.Token).UserAgent; got != want {
		t.Errorf("stored user agent = %d bytes, want %d", len(got), len(want))
	}
}
