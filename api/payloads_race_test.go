package api_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// Listen mode through the router: a business creates customers in 24
// requests at once, through two replicas in turn, while an admin reads the
// proposals. Every request is observed: the role keeps the values within
// the bound and proposes the wildcard past it.
func TestListenModeConcurrentRequests(t *testing.T) {
	first := newAccountsAPI(t)
	replicas := []*accountsAPI{first, first.replica()}
	startListening(t, first, "business")
	const requests = 24 // past the 10 values listen mode keeps a field
	const observed = "/v1/payload-templates/observed?role=business"
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range requests {
		wg.Go(func() {
			<-start
			a := replicas[i%len(replicas)]
			body := fmt.Sprintf(`{"login":"customer%d","password":%q,"displayName":"team %d"}`, i, goodPassword, i%3)
			if r, err := a.send("shop", "POST", "/v1/clients", body); err != nil || r.status != 201 {
				t.Errorf("POST /v1/clients %s = %d %s, %v", body, r.status, r.body, err)
			}
			if r, err := a.send("root", "GET", observed, ""); err != nil || r.status != 200 {
				t.Errorf("GET %s = %d %s, %v", observed, r.status, r.body, err)
			}
		})
	}
	close(start)
	wg.Wait()

	var want any
	_ = json.Unmarshal([]byte(`{"displayName":["team 0","team 1","team 2"],"login":"<%= * %>","password":"<%= * %>"}`), &want)
	if got := observedTemplate(t, first, "business", "clients:create"); !reflect.DeepEqual(got, want) {
		t.Errorf("observed clients:create = %v, want %v", got, want)
	}
}
