package apicall

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
)

func TestRequest(t *testing.T) {
	req, err := Request(context.Background(), "POST", "http://billgate.test/v1/subscriptions", JSON(map[string]string{"priceId": "p"}), "key-1", "tok")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if string(body) != `{"priceId":"p"}` || req.Header.Get("Content-Type") != "application/json" ||
		req.Header.Get("Idempotency-Key") != "key-1" || req.Header.Get("Authorization") != "Bearer tok" {
		t.Errorf("request = %s %v", body, req.Header)
	}
	bare, err := Request(context.Background(), "GET", "http://billgate.test/healthz", "", "", "")
	if err != nil || len(bare.Header) != 0 {
		t.Errorf("a bare GET = %v %v, want no headers", bare.Header, err)
	}
}

func TestEveryPage(t *testing.T) {
	pages := map[string]struct {
		items []int
		next  string
	}{
		"/v1/payments?subscriptionId=s&limit=200":              {[]int{1, 2}, "c/1"},
		"/v1/payments?subscriptionId=s&limit=200&cursor=c%2F1": {[]int{3}, "c 2"},
		"/v1/payments?subscriptionId=s&limit=200&cursor=c+2":   {nil, ""},
	}
	var asked []string
	all, err := EveryPage("/v1/payments?subscriptionId=s", func(page string) ([]int, string, error) {
		asked = append(asked, page)
		p, ok := pages[page]
		if !ok {
			return nil, "", errors.New("no such page: " + page)
		}
		return p.items, p.next, nil
	})
	if err != nil || !slices.Equal(all, []int{1, 2, 3}) || len(asked) != 3 {
		t.Errorf("EveryPage = %v, %v after asking %q; want [1 2 3] in 3 pages", all, err, asked)
	}
	refused := errors.New("503")
	if _, err := EveryPage("/v1/subscriptions", func(string) ([]int, string, error) { return nil, "", refused }); !errors.Is(err, refused) {
		t.Errorf("a page refused = %v, want its error", err)
	}
}
