package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/internal/payloadcodec"
	"github.com/billgate/billgate/internal/testenv"
	"github.com/billgate/billgate/workflows/contract"
)

// uiOrigin is the Temporal UI the codec endpoint lets browsers call it from.
const uiOrigin = "https://temporal.example.com"

// codecReply is an answer of the codec endpoint: the protocol's payloads
// on success, the envelope's errors otherwise.
type codecReply struct {
	reply
	Payloads []*commonpb.Payload
}

// postCodec sends payloads (or, when raw is set, that body) to
// /temporal-codec/<op>.
func postCodec(t *testing.T, env *testenv.Env, op string, payloads []*commonpb.Payload, raw string, header ...string) codecReply {
	t.Helper()
	body := raw
	if payloads != nil {
		b, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	req, err := http.NewRequest(http.MethodPost, env.URL+"/temporal-codec/"+op+"?preserveStorageRefs=true", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := codecReply{reply: reply{Status: resp.StatusCode, Header: resp.Header}}
	if resp.StatusCode != http.StatusOK {
		if err := json.Unmarshal(b, &r.reply); err != nil {
			t.Fatalf("POST /temporal-codec/%s = %d, body %q is not the envelope: %v", op, resp.StatusCode, b, err)
		}
		return r
	}
	var out commonpb.Payloads
	if err := protojson.Unmarshal(b, &out); err != nil {
		t.Fatalf("POST /temporal-codec/%s: body %q is not the protocol's payloads: %v", op, b, err)
	}
	r.Payloads = out.Payloads
	return r
}

// Issue 10, hole 13: a subscription's history, as Temporal keeps it, holds
// neither the payment token nor the customer, except in the search
// attributes Temporal indexes; an admin decodes it through the codec
// endpoint, and nobody else can.
func TestHistoryIsEncrypted(t *testing.T) {
	t.Parallel()
	id := testenv.DefaultIdentity()
	id.TemporalUIOrigins = []string{uiOrigin}
	s := newShopWith(t, testenv.Options{Identity: id})
	created := s.subscribe(t, s.monthly, sandbox.TokenOK)
	if created.Status != http.StatusCreated {
		t.Fatalf("subscribe = %d %+v", created.Status, created.Errors)
	}
	sub := created.Result["id"].(string)
	s.waitStatus(t, "/v1/subscriptions/"+sub, "active")

	// A client without billgate's codec sees what Temporal stores.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	raw, err := client.DialContext(ctx, client.Options{HostPort: s.env.TemporalAddr(), Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The first run: the one that took the payment method and charged.
	workflowID := contract.SubscriptionWorkflowID(uuid.MustParse(sub))
	desc, err := raw.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	history := &historypb.History{}
	iter := raw.GetWorkflowHistory(ctx, workflowID, desc.GetWorkflowExecutionInfo().GetFirstRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		history.Events = append(history.Events, event)
	}
	var stored []*commonpb.Payload
	err = proxy.VisitPayloads(ctx, history, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			stored = append(stored, p...)
			return p, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) < 3 {
		t.Fatalf("the history holds %d payloads, want the input, activities' and more", len(stored))
	}
	secrets := []string{sandbox.TokenOK, s.bobID}
	for i, p := range stored {
		if enc := string(p.Metadata[converter.MetadataEncoding]); enc != payloadcodec.Encoding {
			t.Errorf("stored payload %d: encoding %q, want %q", i, enc, payloadcodec.Encoding)
		}
		for _, secret := range secrets {
			if bytes.Contains(p.Data, []byte(secret)) || bytes.Contains([]byte(p.String()), []byte(secret)) {
				t.Errorf("stored payload %d holds %q in plain text", i, secret)
			}
		}
	}

	input := history.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	decoded := postCodec(t, s.env, "decode", input, "", s.admin...)
	if decoded.Status != http.StatusOK || len(decoded.Payloads) != len(input) {
		t.Fatalf("admin decode of the input = %d %+v, want %d payloads", decoded.Status, decoded.Errors, len(input))
	}
	var in contract.SubscriptionInput
	if err := converter.GetDefaultDataConverter().FromPayload(decoded.Payloads[0], &in); err != nil {
		t.Fatal(err)
	}
	if in.Token != sandbox.TokenOK || in.CustomerID.String() != s.bobID {
		t.Errorf("decoded input = token %q, customer %s, want %q, %s", in.Token, in.CustomerID, sandbox.TokenOK, s.bobID)
	}
	if got := decoded.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("decoded answer Cache-Control = %q, want no-store", got)
	}

	t.Run("only admins", func(t *testing.T) {
		postCodec(t, s.env, "decode", input, "", s.owner...).is(t, "a business decodes", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		postCodec(t, s.env, "decode", input, "", s.bob...).is(t, "a customer decodes", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		postCodec(t, s.env, "encode", input, "", s.bob...).is(t, "a customer encodes", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		postCodec(t, s.env, "decode", input, "").is(t, "nobody decodes", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
		postCodec(t, s.env, "decode", input, "", "Authorization", "Bearer not-a-session").is(t, "an unknown token decodes", 404, "SESSION_UNKNOWN", "SESSION UNKNOWN")
	})

	t.Run("encode then decode", func(t *testing.T) {
		plain, _ := converter.GetDefaultDataConverter().ToPayload(map[string]string{"email": "ada@example.com"})
		encoded := postCodec(t, s.env, "encode", []*commonpb.Payload{plain}, "", s.admin...)
		if encoded.Status != http.StatusOK || len(encoded.Payloads) != 1 ||
			string(encoded.Payloads[0].Metadata[converter.MetadataEncoding]) != payloadcodec.Encoding || bytes.Contains(encoded.Payloads[0].Data, []byte("ada@")) {
			t.Fatalf("encode = %d %+v %v, want one sealed payload", encoded.Status, encoded.Errors, encoded.Payloads)
		}
		back := postCodec(t, s.env, "decode", encoded.Payloads, "", s.admin...)
		if back.Status != http.StatusOK || len(back.Payloads) != 1 || !bytes.Equal(back.Payloads[0].Data, plain.Data) ||
			string(back.Payloads[0].Metadata[converter.MetadataEncoding]) != "json/plain" {
			t.Errorf("decode(encode(p)) = %d %+v %v, want p", back.Status, back.Errors, back.Payloads)
		}
	})

	t.Run("from the Temporal UI", func(t *testing.T) {
		token, _ := login(t, s.env, creds("root", ""))
		ui := []string{"Cookie", "sid=" + token, "Origin", uiOrigin, "Sec-Fetch-Site", "same-site"}
		r := postCodec(t, s.env, "decode", input, "", ui...)
		if r.Status != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != uiOrigin || r.Header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("decode with the admin's cookie from the UI = %d %+v, CORS %q %q, want 200 readable by %s",
				r.Status, r.Errors, r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Access-Control-Allow-Credentials"), uiOrigin)
		}
		evil := postCodec(t, s.env, "decode", input, "", "Cookie", "sid="+token, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
		evil.is(t, "decode with the admin's cookie from another site", 401, "PERMISSION_DENIED", "PERMISSION DENIED")
		if got := evil.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("another site may read the answer: Access-Control-Allow-Origin %q", got)
		}

		for origin, allowed := range map[string]bool{uiOrigin: true, "https://evil.example": false, "null": false} {
			req, _ := http.NewRequest(http.MethodOptions, s.env.URL+"/temporal-codec/decode", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
			resp, err := s.env.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			got := h.Get("Access-Control-Allow-Origin")
			switch {
			case resp.StatusCode != http.StatusNoContent:
				t.Errorf("preflight from %s = %d, want 204", origin, resp.StatusCode)
			case allowed && (got != origin || h.Get("Access-Control-Allow-Credentials") != "true" || h.Get("Access-Control-Allow-Methods") != "POST" ||
				!strings.Contains(h.Get("Access-Control-Allow-Headers"), "X-Namespace") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Content-Type")):
				t.Errorf("preflight from %s = %v, want it allowed with credentials, POST, Content-Type and X-Namespace", origin, h)
			case !allowed && (got != "" || h.Get("Access-Control-Allow-Credentials") != ""):
				t.Errorf("preflight from %s = %v, want no CORS headers", origin, h)
			}
		}
	})

	t.Run("bad bodies", func(t *testing.T) {
		unknownKey := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(payloadcodec.Encoding), payloadcodec.KeyIDMetadata: []byte("retired")}, Data: input[0].Data}
		tampered := &commonpb.Payload{Metadata: input[0].Metadata, Data: append(bytes.Clone(input[0].Data[:len(input[0].Data)-1]), input[0].Data[len(input[0].Data)-1]^1)}
		for _, tt := range []struct {
			name     string
			payloads []*commonpb.Payload
			raw      string
			header   []string
			field    string
			message  string
		}{
			{"not JSON", nil, "payloads please", nil, "body", `want {"payloads": [...]}`},
			{"empty", nil, "", nil, "body", "request body is empty"},
			{"payloads not a list", nil, `{"payloads":"x"}`, nil, "body", `want {"payloads": [...]}`},
			{"an unknown field", nil, `{"payloads":[],"extra":1}`, nil, "body", `unknown field "extra"`},
			{"data not base64", nil, `{"payloads":[{"data":"%%%"}]}`, nil, "body", `want {"payloads": [...]}`},
			{"a retired key", []*commonpb.Payload{unknownKey}, "", nil, "payloads", `unknown key "retired"`},
			{"tampered", []*commonpb.Payload{tampered}, "", nil, "payloads", "tampered"},
			{"another namespace", input, "", []string{"X-Namespace", "other"}, "X-Namespace", `namespace "default"`},
			{"a form", input, "", []string{"Content-Type", "application/x-www-form-urlencoded"}, "Content-Type", "application/json"},
		} {
			r := postCodec(t, s.env, "decode", tt.payloads, tt.raw, append(append([]string{}, s.admin...), tt.header...)...)
			if r.Status != http.StatusBadRequest || len(r.Errors) != 1 || r.Errors[0].Code != "INVALID" || r.Errors[0].Field != tt.field || !strings.Contains(r.Errors[0].Message, tt.message) {
				t.Errorf("decode %s = %d %+v, want 400 INVALID on %s mentioning %q", tt.name, r.Status, r.Errors, tt.field, tt.message)
			}
		}
	})
}
