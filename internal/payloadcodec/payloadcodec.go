// Package payloadcodec encrypts the payloads billgate hands Temporal
// (workflow and activity arguments and results, signals, updates, queries,
// memos and failures) with AES-256-GCM under BILLGATE_MASTER_KEYS, so that
// whoever reads Temporal's histories or database sees no payment token and
// no personal data. Search attributes stay plain: Temporal indexes them.
package payloadcodec

import (
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/billgate/billgate/auth/sealed"
)

const (
	// Encoding marks an encrypted payload in its metadata.
	Encoding = "binary/encrypted"
	// KeyIDMetadata names the master key that sealed a payload, so payloads
	// sealed before a rotation still open.
	KeyIDMetadata = "encryption-key-id"
)

// associatedData binds every sealed payload to this use of the master
// keys: a sealed signing-key secret cannot pass for a payload.
var associatedData = []byte("temporal-payload/" + Encoding)

// Codec seals each payload whole (its data and its metadata, encoding
// included) under the newest master key, and opens it under whichever key
// sealed it. Payloads it did not seal pass through Decode unchanged: the
// histories of workflows started before encryption still replay.
type Codec struct {
	box *sealed.Box
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New is a codec over the master keys box holds.
func New(box *sealed.Box) *Codec { return &Codec{box: box} }

// Encode seals every payload.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("payloadcodec: payload %d: %w", i+1, err)
		}
		kid, data := c.box.SealBytes(plain, associatedData)
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding), KeyIDMetadata: []byte(kid)},
			Data:     data,
		}
	}
	return out, nil
}

// Decode opens every sealed payload. One sealed under a key the codec does
// not hold, or changed since, is an error naming it.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		plain, err := c.box.OpenBytes(string(p.GetMetadata()[KeyIDMetadata]), p.GetData(), associatedData)
		if err != nil {
			return payloads, fmt.Errorf("payloadcodec: payload %d: %w (is every master key that sealed it in BILLGATE_MASTER_KEYS?)", i+1, err)
		}
		original := &commonpb.Payload{}
		if err := proto.Unmarshal(plain, original); err != nil {
			return payloads, fmt.Errorf("payloadcodec: payload %d: %w", i+1, err)
		}
		out[i] = original
	}
	return out, nil
}

// DataConverter converts values as Temporal's default converter does, then
// seals them.
func DataConverter(c *Codec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter seals failures' messages and stack traces too (an
// activity's error may quote what it was given), through dc.
func FailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true})
}
