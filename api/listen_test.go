package api_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// startListening puts the named role in listen mode.
func startListening(t *testing.T, a *accountsAPI, role string) { setListening(t, a, role, true) }

func setListening(t *testing.T, a *accountsAPI, role string, on bool) {
	t.Helper()
	for _, r := range a.call("root", "GET", "/v1/roles", "").list(t).Results {
		if r["name"] == role {
			body := fmt.Sprintf(`{"listen":%t}`, on)
			if got := a.call("root", "PATCH", "/v1/roles/"+r["id"].(string), body); got.status != 200 {
				t.Fatalf("PATCH %s %s = %d %s", role, body, got.status, got.body)
			}
			return
		}
	}
	t.Fatalf("no role %s", role)
}

// observedTemplate is the one proposal GET observed?role= answers, for action.
func observedTemplate(t *testing.T, a *accountsAPI, role, action string) any {
	t.Helper()
	var got struct {
		Results []struct {
			Action   string `json:"action"`
			Template any    `json:"template"`
		} `json:"results"`
	}
	r := a.call("root", "GET", "/v1/payload-templates/observed?role="+role, "")
	if json.Unmarshal([]byte(r.body), &got) != nil || len(got.Results) != 1 || got.Results[0].Action != action {
		t.Fatalf("GET observed?role=%s = %d %s, want %s alone", role, r.status, r.body, action)
	}
	return got.Results[0].Template
}

// Listen mode behind a load balancer: two API processes over one database
// each accept half of a listening role's requests, and either one proposes
// from all of them.
func TestListenModeAcrossReplicas(t *testing.T) {
	first := newAccountsAPI(t)
	second := first.replica()
	startListening(t, first, "business")
	for i, replica := range []*accountsAPI{first, second} {
		name := []string{"Alpha", "Beta"}[i]
		body := fmt.Sprintf(`{"login":%q,"password":%q,"displayName":%q}`, strings.ToLower(name), goodPassword, name)
		if r := replica.call("shop", "POST", "/v1/clients", body); r.status != 201 {
			t.Fatalf("POST /v1/clients %s = %d %s", body, r.status, r.body)
		}
	}
	var want any
	_ = json.Unmarshal([]byte(`{"displayName":["Alpha","Beta"],"login":["alpha","beta"],"password":"<%= * %>"}`), &want)
	for i, replica := range []*accountsAPI{first, second} {
		if got := observedTemplate(t, replica, "business", "clients:create"); !reflect.DeepEqual(got, want) {
			t.Errorf("replica %d proposes %v, want %v", i+1, got, want)
		}
	}
}

// A role that stops listening is no longer observed, and keeps what was;
// listening again adds to it.
func TestListenModeOffAndOn(t *testing.T) {
	a := newAccountsAPI(t)
	create := func(name string) {
		t.Helper()
		body := fmt.Sprintf(`{"login":%q,"password":%q,"displayName":%q}`, strings.ToLower(name), goodPassword, name)
		if r := a.call("shop", "POST", "/v1/clients", body); r.status != 201 {
			t.Fatalf("POST /v1/clients %s = %d %s", body, r.status, r.body)
		}
	}
	startListening(t, a, "business")
	create("Alpha")
	setListening(t, a, "business", false)
	create("Unheard")
	var want any
	_ = json.Unmarshal([]byte(`{"displayName":["Alpha"],"login":["alpha"],"password":"<%= * %>"}`), &want)
	if got := observedTemplate(t, a, "business", "clients:create"); !reflect.DeepEqual(got, want) {
		t.Errorf("after listening stopped, the proposal is %v, want %v", got, want)
	}
	startListening(t, a, "business")
	create("Beta")
	_ = json.Unmarshal([]byte(`{"displayName":["Alpha","Beta"],"login":["alpha","beta"],"password":"<%= * %>"}`), &want)
	if got := observedTemplate(t, a, "business", "clients:create"); !reflect.DeepEqual(got, want) {
		t.Errorf("after listening again, the proposal is %v, want %v", got, want)
	}
}
