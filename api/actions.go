package api

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// actionView is an action the authorizer checks, with the routes that
// declare it.
type actionView struct {
	Action string   `json:"action"`
	Routes []string `json:"routes"`
}

// ginParam is a path parameter as gin spells it, ":id" or "*file".
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// listActions is GET /v1/actions: every action this server's routes
// declare, which is what a policy's statements and payload templates may
// name, each with its routes as the spec spells them ("GET /v1/products/{id}").
func (h *handlers) listActions(c *gin.Context) error {
	routes := map[string][]string{}
	for route, action := range h.actions {
		routes[action] = append(routes[action], ginParam.ReplaceAllString(route, "{$1}"))
	}
	out := make([]actionView, 0, len(routes))
	for _, action := range slices.Sorted(maps.Keys(routes)) {
		out = append(out, actionView{Action: action, Routes: slices.SortedFunc(slices.Values(routes[action]), byPath)})
	}
	respondList(c, out, "")
	return nil
}

// byPath orders "METHOD /path" routes by path, then method.
func byPath(a, b string) int {
	methodA, pathA, _ := strings.Cut(a, " ")
	methodB, pathB, _ := strings.Cut(b, " ")
	if c := strings.Compare(pathA, pathB); c != 0 {
		return c
	}
	return strings.Compare(methodA, methodB)
}
