package api

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/models"
)

// Catalog is the product store as the HTTP layer uses it.
type Catalog interface {
	CreateProduct(ctx context.Context, p *models.Product) error
	Products(ctx context.Context, f models.ProductFilter) ([]models.Product, error)
	ProductByID(ctx context.Context, id uuid.UUID) (*models.Product, error)
	UpdateProduct(ctx context.Context, id uuid.UUID, ch models.ProductChanges, now time.Time) error
	AddPrice(ctx context.Context, p *models.Price) error
	PriceByID(ctx context.Context, id uuid.UUID) (*models.Price, error)
	SetPriceActive(ctx context.Context, id uuid.UUID, active bool, now time.Time) error
}

// priceInput is a new price as clients send it.
type priceInput struct {
	Amount        int64     `json:"amount"`
	Currency      string    `json:"currency"`
	Type          string    `json:"type"`
	Interval      string    `json:"interval"`
	IntervalCount *int      `json:"intervalCount"`
	TrialDays     int       `json:"trialDays"`
	Dunning       *[]string `json:"dunning"`
}

// price validates the input with billing's rules; field is the JSON path
// of the input, for error messages.
func (in priceInput) price(field string) (*models.Price, error) {
	p := billing.Price{Amount: billing.Money{Amount: in.Amount, Currency: billing.Currency(strings.ToUpper(in.Currency))},
		Type: billing.PriceType(in.Type), TrialDays: in.TrialDays}
	if in.Interval != "" || in.IntervalCount != nil {
		p.Recurrence = &billing.Recurrence{Interval: billing.Interval(in.Interval), Count: 1}
		if in.IntervalCount != nil {
			p.Recurrence.Count = *in.IntervalCount
		}
	}
	if in.Dunning != nil {
		d, err := billing.ParseDunning(*in.Dunning)
		if err != nil {
			return nil, Invalid(field+"dunning", err.Error(), nil)
		}
		p.Dunning = d
	}
	var fe *billing.FieldError
	if err := p.Validate(); errors.As(err, &fe) {
		return nil, Invalid(field+fe.Field, fe.Message, nil)
	} else if err != nil {
		return nil, Invalid(field+"amount", err.Error(), nil)
	}
	stored := &models.Price{Amount: p.Amount.Amount, Currency: string(p.Amount.Currency), Type: string(p.Type), TrialDays: p.TrialDays, Active: true}
	if p.Recurrence != nil {
		interval, count := string(p.Recurrence.Interval), p.Recurrence.Count
		stored.Interval, stored.IntervalCount = &interval, &count
	}
	if p.Dunning != nil {
		b, _ := json.Marshal(p.Dunning.Strings())
		s := string(b)
		stored.Dunning = &s
	}
	return stored, nil
}

// priceView is a price as the API shows it.
type priceView struct {
	ID            uuid.UUID `json:"id"`
	ProductID     uuid.UUID `json:"productId"`
	Amount        int64     `json:"amount"`
	Currency      string    `json:"currency"`
	Type          string    `json:"type"`
	Interval      *string   `json:"interval"`
	IntervalCount *int      `json:"intervalCount"`
	TrialDays     int       `json:"trialDays"`
	Dunning       []string  `json:"dunning"`
	Active        bool      `json:"active"`
	CreatedAt     time.Time `json:"createdAt"`
}

func viewPrice(p *models.Price) priceView {
	v := priceView{ID: p.ID, ProductID: p.ProductID, Amount: p.Amount, Currency: p.Currency, Type: p.Type, Interval: p.Interval,
		IntervalCount: p.IntervalCount, TrialDays: p.TrialDays, Active: p.Active, CreatedAt: p.CreatedAt.UTC()}
	v.Dunning = billing.DefaultDunning.Strings()
	if p.Dunning != nil {
		_ = json.Unmarshal([]byte(*p.Dunning), &v.Dunning)
	}
	return v
}

// productView is a product with its prices.
type productView struct {
	ID          uuid.UUID   `json:"id"`
	TenantID    uuid.UUID   `json:"tenantId"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Active      bool        `json:"active"`
	ArchivedAt  *time.Time  `json:"archivedAt"`
	Prices      []priceView `json:"prices"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
}

func viewProduct(p *models.Product) productView {
	v := productView{ID: p.ID, TenantID: p.TenantID, Name: p.Name, Description: p.Description, Active: p.Active,
		ArchivedAt: utc(p.ArchivedAt), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Prices: []priceView{}}
	for i := range p.Prices {
		v.Prices = append(v.Prices, viewPrice(&p.Prices[i]))
	}
	return v
}

func validProductName(name string) error {
	if n := len([]rune(name)); n < 1 || n > 200 || hasControlChar(name) {
		return Invalid("name", "name must be 1-200 printable characters", nil)
	}
	return nil
}

// tenantOf is the tenant whose catalog the caller works on: a business its
// own, a customer its business's, an admin the one it names.
func tenantOf(c *gin.Context, named *uuid.UUID) (uuid.UUID, error) {
	p := principal(c)
	switch {
	case p.Client.TenantID != nil:
		return *p.Client.TenantID, nil
	case p.Level >= models.LevelAdmin && named != nil:
		return *named, nil
	case p.Level >= models.LevelAdmin:
		return uuid.Nil, Invalid("tenantId", "an admin names the tenant: tenantId", nil)
	default:
		return p.Client.ID, nil
	}
}

// createProduct is POST /v1/products: a business adds to its own catalog,
// an admin to the tenant it names.
func (h *handlers) createProduct(c *gin.Context) {
	var req struct {
		Name        string       `json:"name"`
		Description string       `json:"description"`
		TenantID    *uuid.UUID   `json:"tenantId"`
		Prices      []priceInput `json:"prices"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if principal(c).Level < models.LevelAdmin && req.TenantID != nil {
		fail(c, &Problem{Status: http.StatusUnauthorized, Detail: Error{Code: "PERMISSION_DENIED", Message: "PERMISSION DENIED", Field: "tenantId"}})
		return
	}
	tenant, err := tenantOf(c, req.TenantID)
	if err != nil {
		fail(c, err)
		return
	}
	if err := validProductName(req.Name); err != nil {
		fail(c, err)
		return
	}
	if len(req.Description) > 2000 || hasControlChar(strings.ReplaceAll(req.Description, "\n", "")) {
		fail(c, Invalid("description", "description must be at most 2000 printable characters", nil))
		return
	}
	p := &models.Product{TenantID: tenant, Name: req.Name, Description: req.Description, Active: true}
	for i, in := range req.Prices {
		price, err := in.price("prices[" + strconv.Itoa(i) + "].")
		if err != nil {
			fail(c, err)
			return
		}
		p.Prices = append(p.Prices, *price)
	}
	if err := h.Catalog.CreateProduct(c.Request.Context(), p); err != nil {
		if errors.Is(err, models.ErrInUse) { // the named tenant does not exist
			err = Invalid("tenantId", "no such tenant", tenant.String())
		}
		fail(c, err)
		return
	}
	h.respondProduct(c, http.StatusCreated, p.ID)
}

func (h *handlers) respondProduct(c *gin.Context, status int, id uuid.UUID) {
	p, err := h.Catalog.ProductByID(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, status, viewProduct(p))
}

// visibleProduct loads a product in the caller's catalog: a business its
// own, a customer its business's active products, an admin any.
func (h *handlers) visibleProduct(c *gin.Context, id string) (*models.Product, error) {
	pid, err := uuid.Parse(id)
	if err != nil {
		return nil, errNotFound
	}
	p, err := h.Catalog.ProductByID(c.Request.Context(), pid)
	if err != nil {
		return nil, err
	}
	caller := principal(c)
	switch {
	case caller.Level >= models.LevelAdmin:
		return p, nil
	case caller.Client.TenantID != nil && *caller.Client.TenantID == p.TenantID && p.Active:
		p.Prices = activePrices(p.Prices)
		return p, nil
	case caller.Client.TenantID == nil && caller.Client.ID == p.TenantID:
		return p, nil
	}
	return nil, errNotFound
}

func activePrices(prices []models.Price) []models.Price {
	var out []models.Price
	for _, p := range prices {
		if p.Active {
			out = append(out, p)
		}
	}
	return out
}

func (h *handlers) getProduct(c *gin.Context) {
	p, err := h.visibleProduct(c, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, viewProduct(p))
}

// listProducts is GET /v1/products: a business sees its catalog, a
// customer its business's active products, an admin every catalog.
func (h *handlers) listProducts(c *gin.Context) {
	f := models.ProductFilter{Limit: defaultPageSize}
	if err := pageParams(c, &f.Limit, &f.After); err != nil {
		fail(c, err)
		return
	}
	caller := principal(c)
	switch {
	case caller.Level >= models.LevelAdmin:
		if s := c.Query("tenantId"); s != "" {
			id, err := uuid.Parse(s)
			if err != nil {
				fail(c, Invalid("tenantId", "tenantId must be a UUID", s))
				return
			}
			f.TenantID = &id
		}
	case caller.Client.TenantID != nil:
		f.TenantID, f.ActiveOnly = caller.Client.TenantID, true
	default:
		f.TenantID = &caller.Client.ID
	}
	if c.Query("active") == "true" {
		f.ActiveOnly = true
	}
	respondPage(c, f.Limit, func(limit int) ([]models.Product, error) {
		f.Limit = limit
		return h.Catalog.Products(c.Request.Context(), f)
	}, func(p models.Product) uuid.UUID { return p.ID }, viewProduct)
}

// ownedProduct loads a product the caller may change: its own catalog's,
// or any for an admin. Customers never reach here (policy).
func (h *handlers) ownedProduct(c *gin.Context, id string) (*models.Product, error) {
	p, err := h.visibleProduct(c, id)
	if err != nil {
		return nil, err
	}
	if caller := principal(c); caller.Level < models.LevelAdmin && caller.Client.ID != p.TenantID {
		return nil, errNotFound
	}
	return p, nil
}

// updateProduct is PATCH /v1/products/{id}: name, description, active
// (false archives it: no new sales; existing subscriptions go on).
func (h *handlers) updateProduct(c *gin.Context) {
	var req struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Active      *bool   `json:"active"`
	}
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p, err := h.ownedProduct(c, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if req.Name != nil {
		if err := validProductName(*req.Name); err != nil {
			fail(c, err)
			return
		}
	}
	ch := models.ProductChanges{Name: req.Name, Description: req.Description, Active: req.Active}
	if err := h.Catalog.UpdateProduct(c.Request.Context(), p.ID, ch, time.Now().UTC()); err != nil {
		fail(c, err)
		return
	}
	h.respondProduct(c, http.StatusOK, p.ID)
}

// addPrice is POST /v1/products/{id}/prices.
func (h *handlers) addPrice(c *gin.Context) {
	var in priceInput
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	p, err := h.ownedProduct(c, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	price, err := in.price("")
	if err != nil {
		fail(c, err)
		return
	}
	price.ProductID, price.TenantID = p.ID, p.TenantID
	if err := h.Catalog.AddPrice(c.Request.Context(), price); err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusCreated, viewPrice(price))
}

// priceOf loads a price through its product's visibility.
func (h *handlers) priceOf(c *gin.Context, owned bool) (*models.Price, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return nil, errNotFound
	}
	price, err := h.Catalog.PriceByID(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	load := h.visibleProduct
	if owned {
		load = h.ownedProduct
	}
	if _, err := load(c, price.ProductID.String()); err != nil {
		return nil, err
	}
	if !price.Active && principal(c).Client.TenantID != nil {
		return nil, errNotFound // customers see active prices only
	}
	return price, nil
}

func (h *handlers) getPrice(c *gin.Context) {
	price, err := h.priceOf(c, false)
	if err != nil {
		fail(c, err)
		return
	}
	respond(c, http.StatusOK, viewPrice(price))
}

// updatePrice is PATCH /v1/prices/{id}: only `active` changes; a price is
// otherwise immutable, since subscriptions were sold at it.
func (h *handlers) updatePrice(c *gin.Context) {
	var req map[string]json.RawMessage
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	for _, field := range slices.Sorted(maps.Keys(req)) {
		if field != "active" {
			fail(c, Invalid(field, "a price is immutable apart from active: create a new price instead", nil))
			return
		}
	}
	var active bool
	if err := json.Unmarshal(req["active"], &active); err != nil || req["active"] == nil {
		fail(c, Invalid("active", "active must be true or false", nil))
		return
	}
	price, err := h.priceOf(c, true)
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.Catalog.SetPriceActive(c.Request.Context(), price.ID, active, time.Now().UTC()); err != nil {
		fail(c, err)
		return
	}
	price.Active = active
	respond(c, http.StatusOK, viewPrice(price))
}
