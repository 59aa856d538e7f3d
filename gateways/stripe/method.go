package stripe

import (
	"context"
	"fmt"
	"strings"

	"github.com/billgate/billgate/gateways"
)

// CheckMethod implements gateways.MethodChecker. It takes the PaymentMethod
// a customer saved, "pm_…" (or a stored token, "cus_…/pm_…"), retrieves it
// (GET /v1/payment_methods/{id}) and returns the token to store,
// "cus_…/pm_…". Only a PaymentMethod attached to a Customer can be charged
// off-session later, so an unattached one, or one attached to another
// customer than the token names, is a permanent error, as is one Stripe
// does not know.
func (a *account) CheckMethod(ctx context.Context, token string) (string, error) {
	wantCustomer, pmID := "", token
	if strings.Contains(token, "/") {
		var err error
		if wantCustomer, pmID, err = parseToken(token); err != nil {
			return "", gateways.Permanent(Kind, err)
		}
	} else if !validID(pmID, "pm_") {
		return "", gateways.Permanent(Kind, fmt.Errorf("%w %q: want pm_…, a PaymentMethod ID, or cus_…/pm_…", ErrMalformedToken, token))
	}
	pm, err := a.api.V1PaymentMethods.Retrieve(ctx, pmID, nil)
	if err != nil {
		return "", apiError("retrieve payment method "+pmID, err)
	}
	switch {
	case pm.Customer == nil || pm.Customer.ID == "":
		return "", gateways.Permanent(Kind, fmt.Errorf("payment method %s is not attached to a customer, so it cannot be charged off-session: save it with a SetupIntent (usage off_session) or attach it to a Customer first", pmID))
	case wantCustomer != "" && pm.Customer.ID != wantCustomer:
		return "", gateways.Permanent(Kind, fmt.Errorf("payment method %s belongs to customer %s, not %s", pmID, pm.Customer.ID, wantCustomer))
	}
	return Token(pm.Customer.ID, pm.ID), nil
}
