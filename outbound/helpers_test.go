package outbound

import (
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"
)

func checkHeaders(t *testing.T, got, want http.Header) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("headers = %v, want %v", got, want)
	}
}

func timestampOf(at time.Time) string { return strconv.FormatInt(at.Unix(), 10) }
