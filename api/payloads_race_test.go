package api_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// Listen mode through the router: a business creates customers in 24
// requests at once while an admin reads the proposals. Every request is
// observed: the role keeps the values within the bound and proposes the
// wildcard past it.
func TestListenModeConcurrentRequests(t *testing.T) {
	a := newAccountsAPI(t)
	var business string
	for _, r := range a.call("root", "GET", "/v1/roles", "").list(t).Results {
		if r["name"] == "business" {
			business = r["id"].(string)
		}
	}
	if r := a.call("root", "PATCH", "/v1/roles/"+business, `{"listen":true}`); r.status != 200 {
		t.Fatalf("PATCH business {listen: true} = %d %s", r.status, r.body)
	}
	const requests = 24 // past the 10 values listen mode keeps a field
	const observed = "/v1/payload-templates/observed?role=business"
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range requests {
		wg.Go(func() {
			<-start
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

	var got struct {
		Results []struct {
			Action   string          `json:"action"`
			Template json.RawMessage `json:"template"`
		} `json:"results"`
	}
	if r := a.call("root", "GET", observed, ""); json.Unmarshal([]byte(r.body), &got) != nil || len(got.Results) != 1 || got.Results[0].Action != "clients:create" {
		t.Fatalf("GET %s = %d %s, want clients:create alone", observed, r.status, r.body)
	}
	const want = `{"displayName":["team 0","team 1","team 2"],"login":"<%= * %>","password":"<%= * %>"}`
	var template, wanted any
	_ = json.Unmarshal(got.Results[0].Template, &template)
	_ = json.Unmarshal([]byte(want), &wanted)
	if !reflect.DeepEqual(template, wanted) {
		t.Errorf("observed clients:create = %s, want %s", got.Results[0].Template, want)
	}
}
