package payloadcodec

import (
	"errors"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/billgate/billgate/auth/sealed"
)

// FuzzDecode: whatever an encrypted-looking payload holds, Decode never
// panics, and refuses all but what the codec sealed.
func FuzzDecode(f *testing.F) {
	// Keys of this run alone: what a past run sealed must not open.
	c := newCodec(f, sealed.RandomKey("new"), sealed.RandomKey("old"))
	good, _ := c.Encode(payloads(f))
	for _, p := range good {
		f.Add(string(p.Metadata[KeyIDMetadata]), p.Data)
	}
	f.Add("old", []byte{})
	f.Fuzz(func(t *testing.T, kid string, data []byte) {
		p := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding), KeyIDMetadata: []byte(kid)}, Data: data}
		_, err := c.Decode([]*commonpb.Payload{p})
		if err != nil {
			if !errors.Is(err, sealed.ErrInvalid) {
				t.Fatalf("Decode(%q, %x) error = %v, want ErrInvalid", kid, data, err)
			}
			return
		}
		for _, g := range good {
			if string(g.Metadata[KeyIDMetadata]) == kid && string(g.Data) == string(data) {
				return
			}
		}
		t.Fatalf("Decode(%q, %x) opened a payload the codec never sealed", kid, data)
	})
}
