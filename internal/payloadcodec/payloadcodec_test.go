package payloadcodec

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/billgate/billgate/auth/sealed"
)

var (
	keyOld = sealed.Key{ID: "old", Secret: bytes.Repeat([]byte{1}, sealed.KeySize)}
	keyNew = sealed.Key{ID: "new", Secret: bytes.Repeat([]byte{2}, sealed.KeySize)}
)

func newCodec(t testing.TB, keys ...sealed.Key) *Codec {
	t.Helper()
	box, err := sealed.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	return New(box)
}

// payloads are what billgate's default converter makes: JSON with its
// encoding, nil, raw bytes and a payload with extra metadata.
func payloads(t testing.TB) []*commonpb.Payload {
	t.Helper()
	dc := converter.GetDefaultDataConverter()
	var out []*commonpb.Payload
	for _, v := range []any{
		map[string]string{"token": "tok_visa_4242", "email": "ada@example.com"},
		nil,
		[]byte{0, 1, 2},
		"",
	} {
		p, err := dc.ToPayload(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	out[0].Metadata["messageType"] = []byte("billgate.Example")
	return out
}

func TestRoundTrip(t *testing.T) {
	c := newCodec(t, keyNew, keyOld)
	in := payloads(t)
	encoded, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(encoded) != len(in) {
		t.Fatalf("Encode(%d payloads) = %d payloads", len(in), len(encoded))
	}
	for i, p := range encoded {
		if got := string(p.Metadata[converter.MetadataEncoding]); got != Encoding {
			t.Errorf("payload %d: encoding %q, want %q", i, got, Encoding)
		}
		if got := string(p.Metadata[KeyIDMetadata]); got != "new" {
			t.Errorf("payload %d: key ID %q, want the newest key, new", i, got)
		}
		if len(p.Metadata) != 2 {
			t.Errorf("payload %d: metadata %v, want the encoding and key ID alone: the original's is sealed", i, p.Metadata)
		}
		for _, plain := range []string{"tok_visa_4242", "ada@example.com", "json/plain", "billgate.Example"} {
			if bytes.Contains(p.Data, []byte(plain)) {
				t.Errorf("payload %d holds %q in plain text", i, plain)
			}
		}
	}
	again, _ := c.Encode(in)
	if bytes.Equal(again[0].Data, encoded[0].Data) {
		t.Error("Encode twice gave the same bytes, want a fresh nonce each time")
	}
	decoded, err := c.Decode(encoded)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !proto.Equal(decoded[i], in[i]) {
			t.Errorf("payload %d: Decode(Encode(%v)) = %v, want it back, metadata and all", i, in[i], decoded[i])
		}
	}
}

// Through the data converter a value comes back as it went in.
func TestDataConverter(t *testing.T) {
	dc := DataConverter(newCodec(t, keyNew))
	type method struct{ Gateway, Token string }
	p, err := dc.ToPayload(method{"sandbox", "tok_visa_4242"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("tok_visa_4242")) {
		t.Errorf("ToPayload = %q, want the token sealed", p.Data)
	}
	var got method
	if err := dc.FromPayload(p, &got); err != nil || got != (method{"sandbox", "tok_visa_4242"}) {
		t.Errorf("FromPayload(ToPayload(m)) = %+v, %v, want m", got, err)
	}
}

// Rotation: payloads sealed under the old key still open once a new key
// goes first; new payloads are sealed under the new key.
func TestRotation(t *testing.T) {
	before := newCodec(t, keyOld)
	sealedOld, _ := before.Encode(payloads(t))

	rotated := newCodec(t, keyNew, keyOld)
	if got, err := rotated.Decode(sealedOld); err != nil || !proto.Equal(got[0], payloads(t)[0]) {
		t.Errorf("rotated Decode(old payloads) = %v, %v, want them opened", got, err)
	}
	sealedNew, _ := rotated.Encode(payloads(t))
	if kid := string(sealedNew[0].Metadata[KeyIDMetadata]); kid != "new" {
		t.Errorf("rotated Encode sealed with %q, want new", kid)
	}
	if _, err := before.Decode(sealedNew); err == nil || !strings.Contains(err.Error(), `unknown key "new"`) {
		t.Errorf("Decode without the new key: error %v, want one naming unknown key \"new\"", err)
	}
}

// Payloads the codec did not seal, as in histories recorded before it,
// pass through Decode unchanged.
func TestDecodePassesPlainPayloads(t *testing.T) {
	c := newCodec(t, keyNew)
	in := payloads(t)
	got, err := c.Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if got[i] != in[i] {
			t.Errorf("payload %d: Decode(plain) = %v, want it as it was", i, got[i])
		}
	}
}

func TestDecodeRefusals(t *testing.T) {
	c := newCodec(t, keyNew, keyOld)
	good, _ := c.Encode(payloads(t)[:1])
	with := func(change func(p *commonpb.Payload)) *commonpb.Payload {
		p := proto.Clone(good[0]).(*commonpb.Payload)
		change(p)
		return p
	}
	tests := []struct {
		name    string
		payload *commonpb.Payload
		reason  string
	}{
		{"an unknown key", with(func(p *commonpb.Payload) { p.Metadata[KeyIDMetadata] = []byte("gone") }), `unknown key "gone"`},
		{"no key ID", with(func(p *commonpb.Payload) { delete(p.Metadata, KeyIDMetadata) }), `unknown key ""`},
		{"another known key's name", with(func(p *commonpb.Payload) { p.Metadata[KeyIDMetadata] = []byte("old") }), "tampered"},
		{"a bit flipped", with(func(p *commonpb.Payload) { p.Data[len(p.Data)/2] ^= 1 }), "tampered"},
		{"a byte cut", with(func(p *commonpb.Payload) { p.Data = p.Data[:len(p.Data)-1] }), "tampered"},
		{"no data", with(func(p *commonpb.Payload) { p.Data = nil }), "too short"},
		{"sealed for something else", func() *commonpb.Payload {
			box, _ := sealed.New([]sealed.Key{keyNew})
			kid, data := box.SealBytes(good[0].Data, []byte("signing-key/1"))
			return &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding), KeyIDMetadata: []byte(kid)}, Data: data}
		}(), "another owner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]*commonpb.Payload{payloads(t)[1]}, tt.payload)
			got, err := c.Decode(in)
			if !errors.Is(err, sealed.ErrInvalid) || !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), "payload 2") {
				t.Errorf("Decode = %v, want an error about payload 2 mentioning %q", err, tt.reason)
			}
			if len(got) != len(in) || got[1] != in[1] {
				t.Errorf("Decode refused, but returned %v, want its input", got)
			}
		})
	}
}
