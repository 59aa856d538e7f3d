package skrill

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// apiAnswer is an answer of the Automated Payment Interface (refund.pl,
// ondemand_request.pl), an XML <response> (Automated Payments and Merchant
// Query Interfaces Guide, "Refunds" and "Skrill 1-Tap"):
//
//   - a prepare step answers <sid>, or <error><error_msg>CODE</error_msg></error>;
//   - a 1-Tap request answers <transaction> with amount, currency, id,
//     status and status_msg;
//   - a refund answers mb_amount, mb_currency, mb_transaction_id,
//     merchant_id, status and transaction_id, and <error>CODE</error> when
//     it failed.
type apiAnswer struct {
	XMLName         xml.Name           `xml:"response"`
	SID             string             `xml:"sid"`
	Error           *apiError          `xml:"error"`
	Transaction     *oneTapTransaction `xml:"transaction"`
	MBAmount        string             `xml:"mb_amount"`
	MBCurrency      string             `xml:"mb_currency"`
	MBTransactionID string             `xml:"mb_transaction_id"`
	Status          string             `xml:"status"`
	TransactionID   string             `xml:"transaction_id"`
}

// apiError is either form of an error element.
type apiError struct {
	Msg  string `xml:"error_msg"`
	Text string `xml:",chardata"`
}

// code is the error's code, e.g. "CANNOT_LOGIN".
func (e *apiError) code() string {
	if e == nil {
		return ""
	}
	if e.Msg != "" {
		return strings.TrimSpace(e.Msg)
	}
	return strings.TrimSpace(e.Text)
}

// oneTapTransaction is the answer to a 1-Tap request.
type oneTapTransaction struct {
	Amount    string `xml:"amount"`
	Currency  string `xml:"currency"`
	ID        string `xml:"id"`
	Status    string `xml:"status"`
	StatusMsg string `xml:"status_msg"`
}

func parseAPIAnswer(body []byte) (apiAnswer, error) {
	var a apiAnswer
	d := xml.NewDecoder(bytes.NewReader(body))
	d.CharsetReader = latin1Reader
	if err := d.Decode(&a); err != nil {
		return apiAnswer{}, fmt.Errorf("answer is not Skrill's XML <response>: %w: %s", err, errorText(body))
	}
	return a, nil
}

// latin1Reader decodes ISO-8859-1, which Skrill names in its answers'
// Content-Type and may name in their XML declaration.
func latin1Reader(charset string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1":
	default:
		return nil, fmt.Errorf("unsupported charset %q", charset)
	}
	b, err := io.ReadAll(in)
	if err != nil {
		return nil, err
	}
	runes := make([]rune, len(b))
	for i, c := range b {
		runes[i] = rune(c)
	}
	return strings.NewReader(string(runes)), nil
}
