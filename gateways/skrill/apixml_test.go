package skrill

import (
	"testing"
)

// The answer shapes of the Automated Payments and Merchant Query
// Interfaces Guide ("Refunds", "Skrill 1-Tap"), as Skrill sends them.
func TestParseAPIAnswer(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(apiAnswer) bool
	}{
		{"session ID", `<?xml version="1.0" encoding="UTF-8"?><response><sid>5c779936dd026263fc9614413d5a5982</sid></response>`,
			func(a apiAnswer) bool { return a.SID == "5c779936dd026263fc9614413d5a5982" && a.Error.code() == "" }},
		{"error_msg, Latin-1 declared", `<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?><response><error><error_msg>CANNOT_LOGIN</error_msg></error></response>`,
			func(a apiAnswer) bool { return a.Error.code() == "CANNOT_LOGIN" }},
		{"refund refused", `<?xml version="1.0" encoding="UTF-8"?><response><error>ALREADY_REFUNDED</error><mb_amount>1.000000</mb_amount><mb_currency>USD</mb_currency><mb_transaction_id>2451682729</mb_transaction_id><merchant_id>105701451</merchant_id><status>2</status><transaction_id>e40a8e22</transaction_id></response>`,
			func(a apiAnswer) bool { return a.Error.code() == "ALREADY_REFUNDED" && a.Status == "2" }},
		{"1-Tap payment", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response><transaction><amount>0.50</amount><currency>USD</currency><id>2451071245</id><status>2</status><status_msg>processed</status_msg></transaction></response>`,
			func(a apiAnswer) bool {
				return a.Transaction != nil && a.Transaction.ID == "2451071245" && a.Transaction.Status == "2"
			}},
	}
	for _, tt := range tests {
		a, err := parseAPIAnswer([]byte(tt.body))
		if err != nil || !tt.check(a) {
			t.Errorf("parseAPIAnswer(%s) = %+v, %v", tt.name, a, err)
		}
	}
	for _, body := range []string{"", "5c779936dd026263fc9614413d5a5982", `<?xml version="1.0" encoding="KOI8-R"?><response/>`, `<other/>`} {
		if a, err := parseAPIAnswer([]byte(body)); err == nil {
			t.Errorf("parseAPIAnswer(%q) = %+v, want an error", body, a)
		}
	}
}

func TestLatin1Decoding(t *testing.T) {
	a, err := parseAPIAnswer([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><response><error>CAF\xc9</error></response>"))
	if err != nil || a.Error.code() != "CAFÉ" {
		t.Errorf("Latin-1 answer = %+v, %v; want CAFÉ", a, err)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"aé", 2, "a"}, // é is two bytes: cut before it, not inside
		{"ééé", 4, "éé"},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.max); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}

func TestFailedDeclineCode(t *testing.T) {
	tests := map[string]string{
		"05": "insufficient_funds", "5": "insufficient_funds", "24": "expired_card", "80": "fraudulent",
		"99": "failed", "": "failed", "123": "failed_reason_123", "x1": "failed",
	}
	for code, want := range tests {
		if got := failedDeclineCode(code); got != want {
			t.Errorf("failedDeclineCode(%q) = %q, want %q", code, got, want)
		}
	}
}
