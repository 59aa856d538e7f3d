package outbound

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The ESPF brief's bearer example: header {"alg":"HS256"}, payload
// {"i_env":3,"Exp":1560342316}, key "superkey".
const (
	briefToken  = "eyJhbGciOiJIUzI1NiJ9.eyJpX2VudiI6MywiRXhwIjoxNTYwMzQyMzE2fQ.PONYERv3xYs5g--XwbflOcaWddSuUNt7hAQqvoEcO4Q"
	briefExpiry = 1560342316
)

// TestBearerBriefExample reproduces the brief's token from an endpoint's
// stored configuration, signed five minutes before it expires.
func TestBearerBriefExample(t *testing.T) {
	stored := `{"scheme":"bearer","claims":{ "i_env": 3 },"expiry_claim":"Exp","ttl_seconds":300,"secret":"superkey"}`
	var a Auth
	if err := json.Unmarshal([]byte(stored), &a); err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	if err := a.Authorize(h, time.Unix(briefExpiry-300, 0)); err != nil {
		t.Fatal(err)
	}
	checkHeaders(t, h, http.Header{"Authorization": {"Bearer " + briefToken}})
}

func TestBearerPayload(t *testing.T) {
	now := time.Unix(1700000000, 999_999_999)
	tests := []struct {
		name string
		auth Auth
		want string
	}{
		{"defaults", Auth{Secret: "k"}, `{"exp":1700000300}`},
		{"null claims", Auth{Claims: json.RawMessage("null"), Secret: "k"}, `{"exp":1700000300}`},
		{"empty object", Auth{Claims: json.RawMessage(" { } "), Secret: "k"}, `{"exp":1700000300}`},
		{"claims kept in their order, expiry last", Auth{Claims: json.RawMessage(`{"z":1, "a":[1, 2], "m":{"y":true,"b":null}}`), ExpiryClaim: "Exp", TTLSeconds: 60, Secret: "k"},
			`{"z":1,"a":[1,2],"m":{"y":true,"b":null},"Exp":1700000060}`},
		{"expiry claim name escaped", Auth{ExpiryClaim: `valid"until`, TTLSeconds: 1, Secret: "k"}, `{"valid\"until":1700000001}`},
		{"strings kept as written", Auth{Claims: json.RawMessage(`{"s":"a\u00e9 b"}`), Secret: "k"}, `{"s":"a\u00e9 b","exp":1700000300}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.auth.bearerPayload(now)
			if err != nil || string(got) != tt.want {
				t.Fatalf("bearerPayload() = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

// TestBearerVerifiedByGolangJWT has golang-jwt's parser check each token
// as a receiver would, with the key, only HS256 allowed, and its clock.
func TestBearerVerifiedByGolangJWT(t *testing.T) {
	now := time.Unix(1700000000, 0)
	a := Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"i_env":3,"iss":"billgate"}`), TTLSeconds: 120, Secret: "a-32-byte-key-for-hs256-hmacs-ok"}
	h := http.Header{}
	if err := a.Authorize(h, now); err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer ")
	if !ok {
		t.Fatalf("Authorization = %q, want a Bearer token", h.Get("Authorization"))
	}
	header, _, _ := strings.Cut(token, ".")
	if decoded, err := base64.RawURLEncoding.DecodeString(header); err != nil || string(decoded) != `{"alg":"HS256"}` {
		t.Errorf("JOSE header = %s, %v; want {\"alg\":\"HS256\"}", decoded, err)
	}

	tests := []struct {
		name string
		at   time.Time
		key  string
		want error // nil accepts
	}{
		{"at signing", now, string(a.Secret), nil},
		{"a second before expiry", now.Add(119 * time.Second), string(a.Secret), nil},
		{"at expiry", now.Add(120 * time.Second), string(a.Secret), jwt.ErrTokenExpired},
		{"another key", now, "another-32-byte-key-for-hs256-ok", jwt.ErrTokenSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := jwt.MapClaims{}
			parsed, err := jwt.ParseWithClaims(token, claims,
				func(*jwt.Token) (any, error) { return []byte(tt.key), nil },
				jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return tt.at }))
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("Parse() = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil || !parsed.Valid {
				t.Fatalf("Parse() = %v", err)
			}
			want := jwt.MapClaims{"i_env": 3.0, "iss": "billgate", "exp": float64(now.Unix() + 120)}
			if !reflect.DeepEqual(claims, want) || !reflect.DeepEqual(parsed.Header, map[string]any{"alg": "HS256"}) {
				t.Errorf("Parse() = header %v, claims %v; want claims %v", parsed.Header, claims, want)
			}
		})
	}
}

// TestBearerFreshPerDelivery: each delivery's token expires TTL after it.
func TestBearerFreshPerDelivery(t *testing.T) {
	a := Auth{Scheme: SchemeBearer, Claims: json.RawMessage(`{"i_env":3}`), ExpiryClaim: "Exp", Secret: "superkey"}
	first, err := a.bearerToken(time.Unix(briefExpiry-300, 0))
	if err != nil || first != briefToken {
		t.Fatalf("bearerToken() = %q, %v; want the brief's token (the default TTL is 300 s)", first, err)
	}
	later, _ := a.bearerToken(time.Unix(briefExpiry, 0))
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(later, claims, func(*jwt.Token) (any, error) { return []byte("superkey"), nil },
		jwt.WithValidMethods([]string{"HS256"})); err != nil {
		t.Fatal(err)
	}
	if claims["Exp"] != float64(briefExpiry+300) {
		t.Errorf("a later delivery's Exp = %v, want %d", claims["Exp"], briefExpiry+300)
	}
}
