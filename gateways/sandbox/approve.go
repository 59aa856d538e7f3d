package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/url"

	"github.com/billgate/billgate/gateways"
)

// approvalStyle is the approval page's one stylesheet, inline: the page's
// Content-Security-Policy allows it by its hash and nothing else.
const approvalStyle = `
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }
dt { color: #666; } dd { margin: 0 0 .75rem; font-weight: 600; }
form { display: inline; } button { font-size: 1rem; padding: .5rem 1.25rem; margin-right: .5rem; }
`

// ApprovalPageCSP is the approval page's Content-Security-Policy (without
// frame-ancestors, which the server adds to every answer): no script,
// no resource, its stylesheet by hash, its forms posting to itself.
var ApprovalPageCSP = "default-src 'none'; style-src '" + cspHash(approvalStyle) + "'; form-action 'self'; base-uri 'none'"

// cspHash is a CSP hash source for an inline element's content.
func cspHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

var approvalPage = template.Must(template.New("approve").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox payment approval</title>
<style>` + approvalStyle + `</style>
</head>
<body>
<h1>Sandbox payment</h1>
<p>This is billgate's test gateway. No money moves.</p>
<dl>
<dt>Amount</dt><dd>{{.Amount}}</dd>
{{- with .Description}}
<dt>Description</dt><dd>{{.}}</dd>
{{- end}}
<dt>Customer</dt><dd>{{.CustomerID}}</dd>
<dt>Reference</dt><dd>{{.Reference}}</dd>
</dl>
{{- if .Pending}}
<form method="post" action="{{.Action}}"><button type="submit" name="decision" value="approve">Approve</button></form>
<form method="post" action="{{.Action}}"><button type="submit" name="decision" value="decline">Decline</button></form>
{{- else if .Voided}}
<p>This payment was <strong>voided</strong> by the merchant: it can no longer be approved.</p>
{{- else}}
<p>This payment was already decided: <strong>{{.Status}}</strong>.</p>
{{- end}}
</body>
</html>
`))

// ApprovalPage renders the approval page of the charge with reference: its
// amount and description, and for a pending charge an Approve and a Decline
// button, which POST decision=approve or decision=decline to
// ApprovePath+reference. It fails with ErrUnknownReference.
func (s *Sandbox) ApprovalPage(ctx context.Context, reference string) ([]byte, error) {
	c, err := s.ledger.ByReference(ctx, reference)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = approvalPage.Execute(&b, struct {
		Charge
		Amount  string
		Action  string
		Pending bool
		Voided  bool
	}{c, c.Amount.String(), ApprovePath + url.PathEscape(reference), c.Status == gateways.Pending, c.Status == gateways.Voided})
	if err != nil {
		return nil, fmt.Errorf("render approval page: %w", err)
	}
	return b.Bytes(), nil
}

// Decide approves (Succeeded) or declines (Declined, approval_declined) the
// pending charge with reference, and returns the webhook announcing it: the
// event, its JSON body and the SignatureHeader value, ready to POST to
// /webhooks/sandbox. A charge is decided once: the other decision fails with
// ErrAlreadyDecided, as does a decision on a voided charge, and an unknown
// reference with ErrUnknownReference. The same decision again returns the
// same webhook again: the payer sent the form twice, maybe because the
// webhook its first answer carried was lost.
func (s *Sandbox) Decide(ctx context.Context, reference string, approve bool) (Event, []byte, string, error) {
	status, code := gateways.Succeeded, ""
	if !approve {
		status, code = gateways.Declined, gateways.CodeApprovalDeclined
	}
	c, err := s.ledger.Resolve(ctx, reference, status, code, s.clock().UTC())
	if errors.Is(err, ErrAlreadyDecided) {
		if decided, lookErr := s.ledger.ByReference(ctx, reference); lookErr == nil && decided.Status == status && !decided.ResolvedAt.IsZero() {
			return s.webhook(decided)
		}
	}
	if err != nil {
		return Event{}, nil, "", err
	}
	return s.webhook(c)
}

// Webhook rebuilds the webhook of a charge decided by Decide, signed now, for
// redelivery when the first POST was lost. The event is the same, ID
// included, so the receiver deduplicates it. It fails with
// ErrUnknownReference, and for a charge that is still pending, was never
// pending, or was voided (only the payer's decisions are announced by
// webhook).
func (s *Sandbox) Webhook(ctx context.Context, reference string) (Event, []byte, string, error) {
	c, err := s.ledger.ByReference(ctx, reference)
	if err != nil {
		return Event{}, nil, "", err
	}
	return s.webhook(c)
}

func (s *Sandbox) webhook(c Charge) (Event, []byte, string, error) {
	e := Event{
		ID:             "evt_" + c.Reference,
		Reference:      c.Reference,
		IdempotencyKey: c.Key,
		DeclineCode:    c.DeclineCode,
		Created:        c.ResolvedAt.UTC(),
	}
	switch {
	case c.ResolvedAt.IsZero():
		return Event{}, nil, "", fmt.Errorf("sandbox charge %q is %s and was never decided: no webhook to send", c.Reference, c.Status)
	case c.Status == gateways.Voided:
		return Event{}, nil, "", fmt.Errorf("sandbox charge %q was voided by the merchant, not decided by the payer: no webhook to send", c.Reference)
	case c.Status == gateways.Succeeded:
		e.Type = EventChargeSucceeded
	default:
		e.Type = EventChargeDeclined
	}
	body, err := json.Marshal(e)
	if err != nil {
		return Event{}, nil, "", fmt.Errorf("encode sandbox event: %w", err)
	}
	return e, body, Sign(s.secret, s.clock(), body), nil
}
