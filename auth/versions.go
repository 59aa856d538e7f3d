package auth

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// versionStore reads identity versions.
type versionStore interface {
	// IdentityVersions reads the clients' identity versions: one statement
	// of primary-key lookups.
	IdentityVersions(ctx context.Context, clientIDs []uuid.UUID) (map[uuid.UUID]IdentityVersion, error)
}

// versionReads reads identity versions for this process's requests, one
// read at a time: the requests that arrive while one runs gather into the
// next, which starts when it ends and answers them all with one
// statement. So a read starts after every request it answers began, and
// sees every change whose response came before; a request waits for one
// read when the process is idle, two at most when it is busy, and the
// database answers one read per round trip, not one per request.
type versionReads struct {
	store     versionStore
	mu        sync.Mutex
	gathering *versionRead // the next read, not started: requests join it
	last      *versionRead // the read before it
}

type versionRead struct {
	clients map[uuid.UUID]struct{}
	done    chan struct{} // closed once got or err is set
	got     map[uuid.UUID]IdentityVersion
	err     error
}

const (
	// maxVersionBatch bounds the clients of one read; past it, requests
	// gather into the read after.
	maxVersionBatch = 1000
	// versionReadTimeout bounds one read, which every request it answers
	// waits for.
	versionReadTimeout = 10 * time.Second
)

// of reads a client's identity version as the database holds it now.
func (r *versionReads) of(ctx context.Context, client uuid.UUID) (IdentityVersion, error) {
	r.mu.Lock()
	read := r.gathering
	if read == nil || len(read.clients) >= maxVersionBatch {
		read = &versionRead{clients: map[uuid.UUID]struct{}{}, done: make(chan struct{})}
		go r.run(context.WithoutCancel(ctx), read, r.gathering, r.last)
		r.gathering = read
	}
	read.clients[client] = struct{}{}
	r.mu.Unlock()
	select {
	case <-read.done:
	case <-ctx.Done():
		return IdentityVersion{}, ctx.Err()
	}
	if read.err != nil {
		return IdentityVersion{}, read.err
	}
	return read.got[client], nil
}

// run starts read once the reads before it have ended: full, a read still
// gathering that it takes over from, or else the last read started.
func (r *versionReads) run(ctx context.Context, read, full, last *versionRead) {
	before := last
	if full != nil {
		before = full
	}
	if before != nil {
		<-before.done
	}
	r.mu.Lock()
	if r.gathering == read {
		r.gathering = nil
	}
	r.last = read
	clients := slices.Collect(maps.Keys(read.clients))
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, versionReadTimeout)
	defer cancel()
	read.got, read.err = r.store.IdentityVersions(ctx, clients)
	close(read.done)
}
