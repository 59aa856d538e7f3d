package signature

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Authorization writes p as an `Authorization: Signature` header value, in
// the order and form npm http-signature writes it: what a client sends.
func (p Params) Authorization() string {
	parts := []string{fmt.Sprintf("keyId=%q", p.KeyID)}
	if p.Algorithm != "" {
		parts = append(parts, fmt.Sprintf("algorithm=%q", p.Algorithm))
	}
	if p.Created != 0 {
		parts = append(parts, fmt.Sprintf("created=%d", p.Created))
	}
	if p.Expires != 0 {
		parts = append(parts, fmt.Sprintf("expires=%d", p.Expires))
	}
	parts = append(parts,
		fmt.Sprintf("headers=%q", strings.Join(p.Headers, " ")),
		fmt.Sprintf("signature=%q", base64.StdEncoding.EncodeToString(p.Signature)))
	return "Signature " + strings.Join(parts, ",")
}
