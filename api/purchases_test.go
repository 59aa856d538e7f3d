package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/workflows/contract"
)

// The answer for a purchase whose workflow has not written it yet (202):
// its input's start state, as a row, as the API shows it. Times render in
// UTC.
func TestAcceptedPaymentBody(t *testing.T) {
	ids := func(n byte) uuid.UUID { return uuid.UUID{15: n} }
	at := time.Date(2026, 3, 1, 17, 30, 0, 123456789, time.FixedZone("IST", 19800))
	in := contract.PaymentInput{
		PaymentIdentity: contract.PaymentIdentity{
			PaymentID: ids(1), InvoiceID: ids(2), TenantID: ids(3), CustomerID: ids(4), PriceID: ids(5),
			PaymentMethodID: ids(6), Gateway: "sandbox",
		},
		Token: "tok", TestClock: &contract.TestClock{ID: ids(7)},
		Invoice: contract.InvoiceDraft{Lines: []billing.Line{{Kind: billing.OneTime, Description: "Widget", Amount: billing.Money{Amount: 2970, Currency: "USD"}, Quantity: 3}}},
	}
	inline := in
	inline.PaymentMethodID, inline.TestClock = uuid.Nil, nil
	for _, tc := range []struct {
		name string
		in   contract.PaymentInput
		want string
	}{
		{"saved method, test clock", in, `{"id":"00000000-0000-0000-0000-000000000001","tenantId":"00000000-0000-0000-0000-000000000003","customerId":"00000000-0000-0000-0000-000000000004","invoiceId":"00000000-0000-0000-0000-000000000002","subscriptionId":null,"priceId":"00000000-0000-0000-0000-000000000005","amount":2970,"currency":"USD","gateway":"sandbox","paymentMethodId":"00000000-0000-0000-0000-000000000006","status":"pending","attempts":[],"approvalUrl":null,"declineCode":null,"nextAttemptAt":null,"testClockId":"00000000-0000-0000-0000-000000000007","paidAt":null,"amountRefunded":0,"disputedAt":null,"createdAt":"2026-03-01T12:00:00.123456789Z","updatedAt":"2026-03-01T12:00:00.123456789Z"}`},
		{"inline method", inline, `{"id":"00000000-0000-0000-0000-000000000001","tenantId":"00000000-0000-0000-0000-000000000003","customerId":"00000000-0000-0000-0000-000000000004","invoiceId":"00000000-0000-0000-0000-000000000002","subscriptionId":null,"priceId":"00000000-0000-0000-0000-000000000005","amount":2970,"currency":"USD","gateway":"sandbox","paymentMethodId":null,"status":"pending","attempts":[],"approvalUrl":null,"declineCode":null,"nextAttemptAt":null,"testClockId":null,"paidAt":null,"amountRefunded":0,"disputedAt":null,"createdAt":"2026-03-01T12:00:00.123456789Z","updatedAt":"2026-03-01T12:00:00.123456789Z"}`},
	} {
		started, err := startedPayment(tc.in, at)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(viewPayment(started))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}
