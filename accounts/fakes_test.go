package accounts

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
)

// fakeStore keeps accounts in memory; roles a client may hold are those
// of knownRoles.
type fakeStore struct {
	clients map[uuid.UUID]*models.Client
	roles   map[uuid.UUID][]string
	updates []models.ClientChanges
	deleted []uuid.UUID
	hashes  map[uuid.UUID]string
}

var knownRoles = []string{"admin", "business", "customer"}

func newFakeStore(clients ...*models.Client) *fakeStore {
	s := &fakeStore{clients: map[uuid.UUID]*models.Client{}, roles: map[uuid.UUID][]string{}, hashes: map[uuid.UUID]string{}}
	for _, c := range clients {
		s.clients[c.ID] = c
	}
	return s
}

func (s *fakeStore) CreateClient(_ context.Context, c *models.Client, roles ...string) error {
	c.ID = uuid.New()
	s.clients[c.ID] = c
	s.roles[c.ID] = roles
	return nil
}

func (s *fakeStore) ClientByID(_ context.Context, id uuid.UUID) (*models.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, models.ErrNotFound
	}
	cp := *c
	return &cp, nil
}

// ListClients answers the filter it was given, so tests can read it.
func (s *fakeStore) ListClients(_ context.Context, f models.ClientFilter) ([]models.Client, error) {
	var out []models.Client
	for _, c := range s.clients {
		if f.TenantID != nil && (c.TenantID == nil || *c.TenantID != *f.TenantID) {
			continue
		}
		out = append(out, *c)
	}
	return out, nil
}

func (s *fakeStore) UpdateClient(_ context.Context, id uuid.UUID, ch models.ClientChanges, _ time.Time) (*models.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, models.ErrNotFound
	}
	s.updates = append(s.updates, ch)
	if ch.Disabled != nil {
		c.Disabled = *ch.Disabled
	}
	if ch.Email != nil {
		c.Email = *ch.Email
	}
	if ch.DisplayName != nil {
		c.DisplayName = *ch.DisplayName
	}
	if ch.Birthdate != nil {
		c.Birthdate = *ch.Birthdate
	}
	if ch.PayloadContext != nil {
		c.PayloadContext = *ch.PayloadContext
	}
	cp := *c
	return &cp, nil
}

func (s *fakeStore) DeleteClient(_ context.Context, id uuid.UUID) error {
	s.deleted = append(s.deleted, id)
	delete(s.clients, id)
	return nil
}

func (s *fakeStore) RolesOf(_ context.Context, ids []uuid.UUID) (map[uuid.UUID][]string, error) {
	out := map[uuid.UUID][]string{}
	for _, id := range ids {
		if r, ok := s.roles[id]; ok {
			out[id] = r
		}
	}
	return out, nil
}

func (s *fakeStore) SetRoles(_ context.Context, id uuid.UUID, roles []string) error {
	for _, r := range roles {
		if !slices.Contains(knownRoles, r) {
			return models.ErrNotFound
		}
	}
	s.roles[id] = roles
	return nil
}

func (s *fakeStore) SetPassword(_ context.Context, id uuid.UUID, hash string, _ time.Time) error {
	s.hashes[id] = hash
	return nil
}

// fakeSessions records whose sessions were revoked.
type fakeSessions struct{ revokedAll, revokedOne []uuid.UUID }

func (f *fakeSessions) ClientSessions(context.Context, uuid.UUID, time.Time) ([]models.Session, error) {
	return nil, nil
}

func (f *fakeSessions) RevokeSession(_ context.Context, clientID, _ uuid.UUID, _ time.Time) error {
	f.revokedOne = append(f.revokedOne, clientID)
	return nil
}

func (f *fakeSessions) RevokeClientSessions(_ context.Context, clientID, keep uuid.UUID, _ time.Time) (int64, error) {
	if keep != uuid.Nil {
		panic("an admin's revocation keeps no session")
	}
	f.revokedAll = append(f.revokedAll, clientID)
	return 2, nil
}

type fakeHasher struct{}

func (fakeHasher) Hash(pw string) (string, error) { return "hashed:" + pw, nil }

// fakeTrail keeps the events recorded and answers the filter it was given.
type fakeTrail struct {
	events []models.AuditEvent
	asked  []models.AuditFilter
}

func (f *fakeTrail) RecordAudit(_ context.Context, e *models.AuditEvent) error {
	f.events = append(f.events, *e)
	return nil
}

func (f *fakeTrail) AuditEvents(_ context.Context, filter models.AuditFilter) ([]models.AuditEvent, error) {
	f.asked = append(f.asked, filter)
	return nil, nil
}

func (f *fakeTrail) actions() []string {
	var out []string
	for _, e := range f.events {
		out = append(out, e.Action)
	}
	return out
}

var testNow = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// world is a service over fakes holding an admin, two businesses and a
// customer of the first.
type world struct {
	svc                     *Service
	store                   *fakeStore
	sessions                *fakeSessions
	trail                   *fakeTrail
	admin, shop, other, bob *models.Client
}

func newWorld() *world {
	w := &world{
		admin: &models.Client{ID: uuid.New(), Login: "root"},
		shop:  &models.Client{ID: uuid.New(), Login: "shop"},
		other: &models.Client{ID: uuid.New(), Login: "other"},
	}
	w.bob = &models.Client{ID: uuid.New(), TenantID: &w.shop.ID, Login: "bob"}
	w.store = newFakeStore(w.admin, w.shop, w.other, w.bob)
	w.sessions, w.trail = &fakeSessions{}, &fakeTrail{}
	w.svc = &Service{Store: w.store, Sessions: w.sessions, Hasher: fakeHasher{}, Trail: w.trail, Now: func() time.Time { return testNow }, Log: slog.New(slog.DiscardHandler)}
	return w
}

func (w *world) as(c *models.Client) Actor {
	level := map[*models.Client]int{w.admin: models.LevelAdmin, w.shop: models.LevelBusiness, w.other: models.LevelBusiness, w.bob: models.LevelCustomer}[c]
	return Actor{Caller: tenancy.Caller{ID: c.ID, TenantID: c.TenantID, Level: level}, IP: "192.0.2.7"}
}
