package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/billgate/billgate/fault"
)

// TestProblemForFaults: the business layer's refusals reach the envelope
// as the answers handlers used to write themselves, wrapped or not.
func TestProblemForFaults(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Problem
	}{
		{fault.Invalid("priceId", "no such price", "x"), *Invalid("priceId", "no such price", "x")},
		{fmt.Errorf("sale: %w", fault.Invalid("quantity", "too large", int64(3))), *Invalid("quantity", "too large", int64(3))},
		{fault.Denied("testClockId"), *permissionDenied("testClockId")},
		{fault.IllegalChange("the subscription has ended"), Problem{Status: http.StatusConflict, Detail: Error{Code: "ILLEGAL_STATE_CHANGE", Message: "the subscription has ended"}}},
	} {
		if got := problemFor(tc.err); *got != tc.want {
			t.Errorf("problemFor(%v) = %+v, want %+v", tc.err, *got, tc.want)
		}
	}
}
