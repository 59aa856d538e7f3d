package api_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/billgate/billgate/internal/apitest"
	"github.com/billgate/billgate/models"
)

// The event types are listed in three places that must agree: the store's
// EventTypes, the spec's Event.type enum, and docs/events.md's table.
func TestEveryEventTypeIsSpecifiedAndDocumented(t *testing.T) {
	var inSpec []string
	for _, v := range apitest.Spec(t).Components.Schemas["Event"].Value.Properties["type"].Value.Enum {
		inSpec = append(inSpec, v.(string))
	}
	if !slices.Equal(slices.Sorted(slices.Values(inSpec)), slices.Sorted(slices.Values(models.EventTypes))) {
		t.Errorf("api/openapi.yaml's Event.type = %v\nwant models.EventTypes %v", inSpec, models.EventTypes)
	}
	doc, err := os.ReadFile("../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range models.EventTypes {
		if !strings.Contains(string(doc), "| `"+typ+"` |") {
			t.Errorf("docs/events.md has no row for %s", typ)
		}
	}
}
