package workflows

import (
	"reflect"
	"testing"

	"github.com/billgate/billgate/workflows/contract"
)

// Workflow state and messages hold no database type, so a change to a
// stored row never changes what a running workflow holds or replays
// (issue 10).
func TestWorkflowStateHoldsNoDatabaseTypes(t *testing.T) {
	const models = "github.com/billgate/billgate/models"
	seen := map[reflect.Type]bool{}
	var walk func(path string, tp reflect.Type)
	walk = func(path string, tp reflect.Type) {
		if seen[tp] {
			return
		}
		seen[tp] = true
		if tp.PkgPath() == models {
			t.Errorf("%s is %s, a database type", path, tp)
		}
		switch tp.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(path+"[]", tp.Elem())
		case reflect.Map:
			walk(path+"{key}", tp.Key())
			walk(path+"{}", tp.Elem())
		case reflect.Struct:
			for i := range tp.NumField() {
				walk(path+"."+tp.Field(i).Name, tp.Field(i).Type)
			}
		}
	}
	for _, v := range []any{payment{}, subscription{}, contract.PaymentInput{}, contract.SubscriptionInput{}, contract.PaymentState{}, contract.SubscriptionState{}} {
		walk(reflect.TypeOf(v).Name(), reflect.TypeOf(v))
	}
}
