package skrill

import (
	"strings"
	"testing"
)

func TestTransactionID(t *testing.T) {
	long := strings.Repeat("k", MaxTransactionIDLen+1)
	tests := []struct {
		key, want  string
		reversible bool
	}{
		{"0190f3a2-7b1c-7d4e-8f00-123456789abc/1", "0190f3a2-7b1c-7d4e-8f00-123456789abc_2F1", true},
		{"pay_1/2/refund", "pay_5F1_2F2_2Frefund", true},
		{"a.b c", "a_2Eb_20c", true},
		{"é", "_C3_A9", true},
		{strings.Repeat("k", MaxTransactionIDLen), strings.Repeat("k", MaxTransactionIDLen), true},
		{long, ".", false},
		{strings.Repeat("/", 34), ".", false}, // 102 characters once escaped
	}
	for _, tt := range tests {
		got := transactionID(tt.key)
		if !tt.reversible {
			if !strings.HasPrefix(got, hashedIDPrefix) || len(got) != 65 || got != transactionID(tt.key) {
				t.Errorf("transactionID(%q) = %q, want a stable hashed ID", tt.key, got)
			}
			if _, ok := idempotencyKey(got); ok || !validReference(got) {
				t.Errorf("hashed ID %q: reversible or not a valid reference", got)
			}
			continue
		}
		if got != tt.want || len(got) > MaxTransactionIDLen {
			t.Errorf("transactionID(%q) = %q, want %q", tt.key, got, tt.want)
		}
		if back, ok := idempotencyKey(got); !ok || back != tt.key {
			t.Errorf("idempotencyKey(%q) = %q, %v, want %q", got, back, ok, tt.key)
		}
	}
	if transactionID("a/1") == transactionID("a_2F1") {
		t.Error("two keys share a transaction ID")
	}
}

func TestIdempotencyKeyRefusesForeignIDs(t *testing.T) {
	for _, id := range []string{"", "a_2f1", "a_2", "a_41", "a/1", "a b", strings.Repeat("k", 101), ".xyz"} {
		if key, ok := idempotencyKey(id); ok {
			t.Errorf("idempotencyKey(%q) = %q, true; want not one of ours", id, key)
		}
		if validReference(id) {
			t.Errorf("validReference(%q) = true", id)
		}
	}
}
