package gateways

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Registry maps gateway names to gateways. The zero value is empty and ready
// to use, and a Registry is safe for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	byName map[string]Gateway
}

// Register adds g under g.Name(). A name is lower-case ASCII letters, digits,
// "-" and "_", starting with a letter, because it appears in webhook routes
// (/webhooks/{gateway}); registering a name twice is an error.
func (r *Registry) Register(g Gateway) error {
	if g == nil {
		return errors.New("register gateway: nil gateway")
	}
	name := g.Name()
	if !validName(name) {
		return fmt.Errorf("register gateway %q: a name is a lower-case letter followed by lower-case letters, digits, \"-\" or \"_\"", name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byName[name]; dup {
		return fmt.Errorf("register gateway %q: already registered", name)
	}
	if r.byName == nil {
		r.byName = make(map[string]Gateway)
	}
	r.byName[name] = g
	return nil
}

// Get returns the gateway registered under name.
func (r *Registry) Get(name string) (Gateway, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	g, ok := r.byName[name]
	return g, ok
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	names := make([]string, 0, len(r.byName))
	for name := range r.byName {
		names = append(names, name)
	}
	r.mu.RUnlock()
	slices.Sort(names)
	return names
}

func validName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
