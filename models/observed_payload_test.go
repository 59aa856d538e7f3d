package models

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// observedTexts lists the payloads observed for role, for the actions
// named or else for every action, each after its action.
func observedTexts(t *testing.T, s *Store, role string, actions ...string) []string {
	t.Helper()
	rows, err := s.Observed(context.Background(), role)
	if err != nil {
		t.Fatalf("Observed(%s) = %v", role, err)
	}
	var out []string
	for _, r := range rows {
		if len(actions) == 0 || slices.Contains(actions, r.Action) {
			out = append(out, r.Action+" "+r.Payload)
		}
	}
	return out
}

func TestObservedPayloads(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		record := func(role, action string, payloads ...string) int {
			t.Helper()
			var ps [][]byte
			for _, p := range payloads {
				ps = append(ps, []byte(p))
			}
			held, err := s.RecordObserved(ctx, role, action, ps)
			if err != nil {
				t.Fatalf("RecordObserved(%s, %s, %s) = %v", role, action, payloads, err)
			}
			return held
		}
		if held := record("business", "products:create", `{"name":"Alpha"}`); held != 1 {
			t.Errorf("held after the first payload = %d, want 1", held)
		}
		if held := record("business", "products:create", `{"name":"Alpha"}`); held != 0 {
			t.Errorf("held after the same payload again = %d, want 0: nothing new", held)
		}
		if held := record("business", "products:create", `{"name":"Alpha"}`, `{"name":"Beta"}`); held != 2 {
			t.Errorf("held after a new payload with an old one = %d, want 2", held)
		}
		if held := record("business", "clients:create", `{"name":"Alpha"}`); held != 1 {
			t.Errorf("held for another action = %d, want 1: actions apart", held)
		}
		if held := record("customer", "products:create", `{"name":"Gamma"}`); held != 1 {
			t.Errorf("held for another role = %d, want 1: roles apart", held)
		}
		if held := record("nobody", "products:create", `{"name":"Delta"}`); held != 0 {
			t.Errorf("held for a role that does not exist = %d, want 0", held)
		}
		want := []string{`products:create {"name":"Alpha"}`, `products:create {"name":"Beta"}`, `clients:create {"name":"Alpha"}`}
		if got := observedTexts(t, s, "business"); !slices.Equal(got, want) {
			t.Errorf("Observed(business) = %q, want %q", got, want)
		}
		if got := observedTexts(t, s, "nobody"); got != nil {
			t.Errorf("Observed(nobody) = %q, want none", got)
		}
	})
}

// Summing up replaces a role's payloads for an action past a bound by
// their summary, in the oldest's place, and leaves the rest alone.
func TestSumUpObserved(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		const action = "products:create"
		record := func(role, action string, payloads ...string) {
			t.Helper()
			for _, p := range payloads {
				if _, err := s.RecordObserved(ctx, role, action, [][]byte{[]byte(p)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		record("business", action, `{"n":1}`, `{"n":2}`, `{"n":3}`)
		record("business", "clients:create", `{"n":1}`)
		record("customer", action, `{"n":1}`)
		var summed [][]string
		sum := func(rows []ObservedPayload) [][]byte {
			var ps []string
			for _, r := range rows {
				ps = append(ps, r.Payload)
			}
			summed = append(summed, ps)
			return [][]byte{[]byte(`{"n":[1,2,3]}`), []byte(`{"n":{}}`)}
		}
		if err := s.SumUpObserved(ctx, "business", action, 3, sum); err != nil || summed != nil {
			t.Fatalf("SumUpObserved(over 3) of 3 = %v, summed %q, want nothing done", err, summed)
		}
		before, _ := s.Observed(ctx, "business") // the three first: they were recorded first
		if err := s.SumUpObserved(ctx, "business", action, 2, sum); err != nil {
			t.Fatalf("SumUpObserved = %v", err)
		}
		if want := [][]string{{`{"n":1}`, `{"n":2}`, `{"n":3}`}}; !slices.EqualFunc(summed, want, slices.Equal) {
			t.Errorf("summed up %q, want %q", summed, want)
		}
		record("business", action, `{"n":4}`)
		after, err := s.Observed(ctx, "business")
		after = slices.DeleteFunc(after, func(p ObservedPayload) bool { return p.Action != action })
		if err != nil || len(after) != 3 || after[0].ID != before[0].ID || after[1].ID != before[1].ID ||
			after[0].Payload != `{"n":[1,2,3]}` || after[1].Payload != `{"n":{}}` || after[2].Payload != `{"n":4}` {
			t.Errorf("after SumUpObserved, Observed = %+v, %v: want the summary in the oldest's places, then what came after", after, err)
		}
		want := []string{`clients:create {"n":1}`}
		if got := observedTexts(t, s, "business", "clients:create"); !slices.Equal(got, want) {
			t.Errorf("another action's payloads = %q, want %q", got, want)
		}
		want = []string{action + ` {"n":1}`}
		if got := observedTexts(t, s, "customer"); !slices.Equal(got, want) {
			t.Errorf("another role's payloads = %q, want %q", got, want)
		}
		if err := s.SumUpObserved(ctx, "nobody", action, 0, sum); err != nil || len(summed) != 1 {
			t.Errorf("SumUpObserved(nobody) = %v, summed %q, want nothing done", err, summed)
		}
	})
}

// Processes that sum up at once do it one after the other: the second
// finds the summary, within the bound.
func TestSumUpObservedConcurrent(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		for i := range 10 {
			if _, err := s.RecordObserved(ctx, "business", "products:create", [][]byte{fmt.Appendf(nil, `{"n":%d}`, i)}); err != nil {
				t.Fatal(err)
			}
		}
		var calls atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				err := s.SumUpObserved(ctx, "business", "products:create", 1, func(rows []ObservedPayload) [][]byte {
					calls.Add(1)
					return [][]byte{fmt.Appendf(nil, `{"n":"%d payloads"}`, len(rows))}
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		want := []string{`products:create {"n":"10 payloads"}`}
		if got := observedTexts(t, s, "business"); calls.Load() != 1 || !slices.Equal(got, want) {
			t.Errorf("after summing up 8 times at once, %d sums and Observed = %q, want 1 and %q", calls.Load(), got, want)
		}
	})
}

// A deleted role's observations go with it; one that stops listening
// keeps them.
func TestObservedPayloadsOfDeletedRole(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		migrated(t, s)
		ctx := context.Background()
		r := &Role{Name: "seller", Level: LevelBusiness, Listen: true}
		if err := s.CreateRole(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordObserved(ctx, "seller", "products:create", [][]byte{[]byte(`{"name":"Alpha"}`)}); err != nil {
			t.Fatal(err)
		}
		r.Listen = false
		if err := s.UpdateRole(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
		if got := observedTexts(t, s, "seller"); len(got) != 1 {
			t.Errorf("Observed after listening stopped = %q, want the payload kept", got)
		}
		if err := s.DeleteRole(ctx, r.ID); err != nil {
			t.Fatalf("DeleteRole = %v", err)
		}
		if err := s.CreateRole(ctx, &Role{Name: "seller", Level: LevelBusiness}, nil); err != nil {
			t.Fatal(err)
		}
		if got := observedTexts(t, s, "seller"); got != nil {
			t.Errorf("Observed of a new role under a deleted one's name = %q, want none", got)
		}
	})
}
