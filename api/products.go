package api

import (
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

// createProduct is POST /v1/products: a business adds to its own catalog,
// an admin to the tenant it names.
func (h *handlers) createProduct(c *gin.Context) error {
	var req struct {
		Name        string       `json:"name"`
		Description string       `json:"description"`
		TenantID    *uuid.UUID   `json:"tenantId"`
		Prices      []priceInput `json:"prices"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := validProductName(req.Name); err != nil {
		return err
	}
	if len(req.Description) > 2000 || hasControlChar(strings.ReplaceAll(req.Description, "\n", "")) {
		return Invalid("description", "description must be at most 2000 printable characters", nil)
	}
	p := &models.Product{Name: req.Name, Description: req.Description}
	for i, in := range req.Prices {
		price, err := in.price("prices[" + strconv.Itoa(i) + "].")
		if err != nil {
			return err
		}
		p.Prices = append(p.Prices, *price)
	}
	p, err := h.Catalog.Create(c.Request.Context(), caller(c), req.TenantID, p)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, viewProduct(p))
	return nil
}

func (h *handlers) getProduct(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.Catalog.Product(c.Request.Context(), caller(c), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewProduct(p))
	return nil
}

// listProducts is GET /v1/products: the catalog the caller sees; an admin
// may name a tenant's.
func (h *handlers) listProducts(c *gin.Context) error {
	limit, after := defaultPageSize, uuid.Nil
	if err := pageParams(c, &limit, &after); err != nil {
		return err
	}
	tenant, err := idQuery(c, "tenantId") // an admin's choice; others see their own
	if err != nil {
		return err
	}
	activeOnly := c.Query("active") == "true"
	return respondPage(c, limit, func(limit int) ([]models.Product, error) {
		return h.Catalog.Products(c.Request.Context(), caller(c), tenant, activeOnly, after, limit)
	}, func(p models.Product) uuid.UUID { return p.ID }, viewProduct)
}

// updateProduct is PATCH /v1/products/{id}: name, description, active.
func (h *handlers) updateProduct(c *gin.Context) error {
	var req struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
		Active      *bool   `json:"active"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if req.Name != nil {
		if err := validProductName(*req.Name); err != nil {
			return err
		}
	}
	p, err := h.Catalog.Update(c.Request.Context(), caller(c), id, models.ProductChanges{Name: req.Name, Description: req.Description, Active: req.Active})
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewProduct(p))
	return nil
}

func (h *handlers) addPrice(c *gin.Context) error {
	var in priceInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	price, err := in.price("")
	if err != nil {
		return err
	}
	if err := h.Catalog.AddPrice(c.Request.Context(), caller(c), id, price); err != nil {
		return err
	}
	respond(c, http.StatusCreated, viewPrice(price))
	return nil
}

func (h *handlers) getPrice(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	price, err := h.Catalog.Price(c.Request.Context(), caller(c), id)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewPrice(price))
	return nil
}

// updatePrice is PATCH /v1/prices/{id}: only `active` changes; a price is
// otherwise immutable.
func (h *handlers) updatePrice(c *gin.Context) error {
	var req map[string]json.RawMessage
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	for _, field := range slices.Sorted(maps.Keys(req)) {
		if field != "active" {
			return Invalid(field, "a price is immutable apart from active: create a new price instead", nil)
		}
	}
	var active bool
	if err := json.Unmarshal(req["active"], &active); err != nil || req["active"] == nil {
		return Invalid("active", "active must be true or false", nil)
	}
	id, err := pathID(c)
	if err != nil {
		return err
	}
	price, err := h.Catalog.SetPriceActive(c.Request.Context(), caller(c), id, active)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, viewPrice(price))
	return nil
}
