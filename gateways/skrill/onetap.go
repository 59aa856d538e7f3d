package skrill

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/billgate/billgate/gateways"
)

// chargeOneTap takes a 1-Tap payment, without the payer (Automated
// Payments and Merchant Query Interfaces Guide, "Skrill 1-Tap"): a prepare
// request to ondemand_request.pl names the payment (rec_payment_id, amount,
// currency, and our transaction ID as frn_trn_id) and answers a session
// ID; a request with that ID executes it. An error that refuses the
// payment (BALANCE_NOT_ENOUGH, ONDEMAND_CANCELLED…) is a decline.
func (g *Gateway) chargeOneTap(ctx context.Context, trn string, req gateways.ChargeRequest, tok token) (gateways.ChargeResult, error) {
	endpoint := g.apiURL + "/ondemand_request.pl"
	prepare := url.Values{
		"action":         {"prepare"},
		"email":          {g.creds.email},
		"password":       {g.creds.passwordHash},
		"amount":         {formatAmount(req.Amount)},
		"currency":       {string(req.Amount.Currency)},
		"rec_payment_id": {tok.recPaymentID},
		"frn_trn_id":     {trn},
	}
	if g.acct.WebhookURL != "" {
		prepare.Set("ondemand_status_url", g.acct.WebhookURL)
	}
	prepared, err := g.apiCall(ctx, endpoint, prepare, "1-Tap prepare")
	if err != nil {
		return declineOr(trn, err)
	}
	if prepared.SID == "" {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("1-Tap prepare for %s answered no session ID", trn))
	}
	done, err := g.apiCall(ctx, endpoint, url.Values{"action": {"request"}, "sid": {prepared.SID}}, "1-Tap request")
	if err != nil {
		return declineOr(trn, err)
	}
	if done.Transaction == nil {
		return gateways.ChargeResult{}, gateways.Permanent(Kind, fmt.Errorf("1-Tap request for %s answered no transaction", trn))
	}
	return chargeResult(trn, url.Values{"status": {done.Transaction.Status}})
}

// apiCall posts form to an Automated Payment Interface endpoint and returns
// its answer; an answer with an error code is an *answerError.
func (g *Gateway) apiCall(ctx context.Context, endpoint string, form url.Values, what string) (apiAnswer, error) {
	body, err := g.post(ctx, endpoint, form)
	if err != nil {
		return apiAnswer{}, err
	}
	a, err := parseAPIAnswer(body)
	if err != nil {
		return apiAnswer{}, gateways.Permanent(Kind, fmt.Errorf("%s: %w: %w", what, errUnreadableAnswer, err))
	}
	if code := a.Error.code(); code != "" {
		return a, &answerError{what: what, code: code}
	}
	return a, nil
}

// errUnreadableAnswer marks an answer that is not Skrill's XML: whether
// the request was carried out is unknown.
var errUnreadableAnswer = errors.New("unreadable answer")

// answerError is an API answer carrying an error code: Skrill answered,
// and did not carry the request out.
type answerError struct {
	what, code string
}

func (e *answerError) Error() string { return e.what + ": Skrill answered " + e.code }

// declineOr is a 1-Tap decline when err is an answer refusing the payment,
// and err as a gateway error otherwise.
func declineOr(trn string, err error) (gateways.ChargeResult, error) {
	ae, ok := errors.AsType[*answerError](err)
	if !ok {
		return gateways.ChargeResult{}, err
	}
	if code, ok := oneTapDeclines[ae.code]; ok {
		return gateways.ChargeResult{Status: gateways.Declined, Reference: trn, DeclineCode: code}, nil
	}
	return gateways.ChargeResult{}, apiFailure(ae.what, ae.code)
}
