package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// FuzzDecodeRefusesWhatJSONWouldMerge: a body with "displayName" and
// another key is refused exactly when encoding/json would decode that key
// into the same field, whatever its case or folding.
func FuzzDecodeRefusesWhatJSONWouldMerge(f *testing.F) {
	f.Add("diſplayName")
	f.Add("DISPLAYNAME")
	f.Add("dİsplayName")
	f.Add("display\u212aame")
	type profile struct {
		DisplayName string `json:"displayName"`
	}
	h := testEngine(f, 1<<20, func(r *gin.Engine) {
		r.POST("/profile", func(c *gin.Context) {
			var v map[string]any
			if err := decodeJSON(c, &v); err != nil {
				fail(c, err)
				return
			}
			respond(c, http.StatusOK, v)
		})
	})
	f.Fuzz(func(t *testing.T, key string) {
		if strings.ContainsRune(key, 0) {
			t.Skip() // refused for the NUL alone
		}
		keyJSON, _ := json.Marshal(key)
		body := `{"displayName":"first",` + string(keyJSON) + `:"second"}`
		var merged profile
		if err := json.Unmarshal([]byte(`{`+string(keyJSON)+`:"second"}`), &merged); err != nil {
			t.Skip()
		}
		w := do(h, http.MethodPost, "/profile", "application/json", body)
		refused := w.Code == http.StatusBadRequest && strings.Contains(w.Body.String(), "appears twice")
		if wouldMerge := merged.DisplayName == "second"; refused != wouldMerge {
			t.Fatalf("POST %s refused: %v; encoding/json merges the keys: %v", body, refused, wouldMerge)
		}
	})
}
