package skrill

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/billgate/billgate/gateways"
)

// The Merchant Query Interface (Automated Payments and Merchant Query
// Interfaces Guide, "Merchant Query Interface") answers in plain text: a
// first line "<code>\t\t<message>", and for "200\t\tOK" of status_trn a
// second line holding the transaction's status-report fields, URL-encoded
// as in a status post.

// The MQI codes the adapter tells apart.
const (
	mqiOK               = 200
	mqiCannotLogin      = 401
	mqiTransactionUnset = 403 // "Transaction not found: <ID>"
)

// errTransactionNotFound is the MQI's 403: Skrill has no transaction with
// the ID. A Quick Checkout payment exists only once the payer submits it.
var errTransactionNotFound = errors.New("no Skrill transaction has this ID")

// queryTransaction asks the MQI for the transaction with our transaction ID
// (action status_trn, trn_id) and returns its status-report fields.
func (g *Gateway) queryTransaction(ctx context.Context, transactionID string) (url.Values, error) {
	return g.queryStatus(ctx, "trn_id", transactionID)
}

// querySkrillTransaction asks the MQI for the transaction with Skrill's ID
// (status_trn, mb_trn_id alone: "if both are given, trn_id will be
// used"), a refund's included.
func (g *Gateway) querySkrillTransaction(ctx context.Context, mbTransactionID string) (url.Values, error) {
	return g.queryStatus(ctx, "mb_trn_id", mbTransactionID)
}

// queryStatus is status_trn for the transaction whose param is id.
func (g *Gateway) queryStatus(ctx context.Context, param, id string) (url.Values, error) {
	body, err := g.post(ctx, g.apiURL+"/query.pl", url.Values{
		"action":   {"status_trn"},
		"email":    {g.creds.email},
		"password": {g.creds.passwordHash},
		param:      {id},
	})
	if err != nil {
		return nil, err
	}
	first, rest, _ := strings.Cut(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n")
	codeText, message, _ := strings.Cut(strings.TrimSpace(first), "\t")
	code, err := strconv.Atoi(strings.TrimSpace(codeText))
	message = strings.TrimSpace(message)
	switch {
	case err != nil:
		return nil, gateways.Permanent(Kind, fmt.Errorf("MQI status_trn %s: the answer %q has no status code", id, errorText(body)))
	case code == mqiOK:
		fields, err := url.ParseQuery(strings.TrimSpace(rest))
		if err != nil || fields.Get("status") == "" {
			return nil, gateways.Permanent(Kind, fmt.Errorf("MQI status_trn %s: the status report %q does not parse", id, strings.TrimSpace(rest)))
		}
		return fields, nil
	case code == mqiTransactionUnset:
		return nil, gateways.Permanent(Kind, fmt.Errorf("%w: %w: MQI status_trn %s: %d %s", gateways.ErrUnknownCharge, errTransactionNotFound, id, code, message))
	case code == mqiCannotLogin:
		return nil, gateways.Permanent(Kind, fmt.Errorf("MQI refused the account's email and API/MQI password (or the MQI is not enabled for this server's IP address): %d %s", code, message))
	case code >= 500:
		return nil, gateways.Transient(Kind, fmt.Errorf("%w to MQI status_trn %s: %d %s", errNoAnswer, id, code, message))
	}
	return nil, gateways.Permanent(Kind, fmt.Errorf("MQI status_trn %s: %d %s", id, code, message))
}
