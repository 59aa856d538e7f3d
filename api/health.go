package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Check probes one dependency for /readyz.
type Check struct {
	Name  string // "db", "temporal", "workers", …
	Probe func(ctx context.Context) error
}

// Report is something /readyz tells without being failed by it: a
// business's gateway not answering makes no billgate process unready.
type Report struct {
	Name string // "gateways", …
	Read func(ctx context.Context) (any, error)
}

// checkTimeout bounds each probe, so /readyz answers even when a dependency
// hangs rather than refuses.
const checkTimeout = 3 * time.Second

// healthz answers while the process can serve HTTP at all.
func healthz(c *gin.Context) {
	respond(c, http.StatusOK, gin.H{"status": "ok"})
}

// readyz runs every check at once and names each one that failed.
// ?exclude=workers,… leaves checks out: the API's Kubernetes probe excludes
// workers, so a worker outage does not take every API pod out of its
// Service (work accepted meanwhile waits durably in Temporal).
func readyz(all []Check, reports []Report) gin.HandlerFunc {
	return func(c *gin.Context) {
		excluded := strings.Split(c.Query("exclude"), ",")
		checks := slices.DeleteFunc(slices.Clone(all), func(check Check) bool { return slices.Contains(excluded, check.Name) })
		failures := make([]error, len(checks))
		var wg sync.WaitGroup
		for i, check := range checks {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(c.Request.Context(), checkTimeout)
				defer cancel()
				failures[i] = check.Probe(ctx)
			})
		}
		wg.Wait()
		status := gin.H{}
		var errs []Error
		for i, check := range checks {
			if failures[i] != nil {
				errs = append(errs, Error{Code: "UNAVAILABLE", Message: check.Name + ": " + failures[i].Error(), Field: check.Name})
				continue
			}
			status[check.Name] = "ok"
		}
		if len(errs) > 0 {
			c.AbortWithStatusJSON(http.StatusServiceUnavailable, gin.H{"errors": errs})
			return
		}
		answer := gin.H{"status": "ready", "checks": status}
		if told := readReports(c, reports); len(told) > 0 {
			answer["reports"] = told
		}
		respond(c, http.StatusOK, answer)
	}
}

// readReports reads every report; one that cannot be read is left out.
func readReports(c *gin.Context, reports []Report) gin.H {
	told := gin.H{}
	for _, r := range reports {
		ctx, cancel := context.WithTimeout(c.Request.Context(), checkTimeout)
		v, err := r.Read(ctx)
		cancel()
		if err == nil {
			told[r.Name] = v
		}
	}
	return told
}
