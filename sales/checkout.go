package sales

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/billgate/billgate/billing"
	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/models"
	"github.com/billgate/billgate/tenancy"
	"github.com/billgate/billgate/workflows/contract"
)

// Order is a sale as asked: who buys what and how many, how they pay, and
// on which test clock.
type Order struct {
	CustomerID  *string // as given; nil: the caller, when it is a customer
	PriceID     uuid.UUID
	Quantity    *int64 // nil is 1
	Payment     Payment
	TestClockID *uuid.UUID
}

// Payment is how a customer pays: a saved payment method of its own, or a
// gateway and token given inline. Exactly one is set.
type Payment struct {
	MethodID *uuid.UUID
	Inline   *contract.PaymentMethod // Gateway and Token
}

// checkout is a sale resolved and checked.
type checkout struct {
	customer    customer
	price       *models.Price
	productName string
	quantity    int64
	total       billing.Money // the price times the quantity
	method      contract.PaymentMethod
	clock       *contract.TestClock // nil: real time
}

// checkout checks an order: a quantity, a customer the caller may sell to
// (itself for a customer), an active price of that customer's tenant of the
// type wanted, one way to pay, and a test clock if named. Other tenants'
// objects are "no such", never revealed.
func (s *Service) checkout(ctx context.Context, caller tenancy.Caller, o Order, want billing.PriceType) (*checkout, error) {
	quantity := int64(1)
	if o.Quantity != nil {
		quantity = *o.Quantity
	}
	if quantity < 1 || quantity > MaxQuantity {
		return nil, fault.Invalid("quantity", "quantity must be 1-"+strconv.Itoa(MaxQuantity), quantity)
	}
	customer, err := s.buyer(ctx, caller, o.CustomerID)
	if err != nil {
		return nil, err
	}
	out := &checkout{customer: customer, quantity: quantity}
	out.price, out.productName, err = s.salePrice(ctx, o.PriceID, customer.TenantID, want)
	if err != nil {
		return nil, err
	}
	if out.method, err = s.paymentMethod(ctx, o.Payment, customer, billing.Currency(out.price.Currency)); err != nil {
		return nil, err
	}
	if o.TestClockID != nil && caller.Level < models.LevelBusiness {
		return nil, fault.Denied("testClockId") // a customer's own sale runs on real time
	}
	if out.clock, err = s.Clocks.ForSale(ctx, o.TestClockID, customer.TenantID, out.method.Gateway); err != nil {
		return nil, err
	}
	if out.clock != nil {
		if err := s.testModeOnly(ctx, out.method, "testClockId"); err != nil {
			return nil, err
		}
	}
	if out.total, err = amountOf(out.price).MulInt(quantity); err != nil {
		return nil, fault.Invalid("quantity", "the price times the quantity is too large", quantity)
	}
	return out, nil
}

// customer is the customer account a sale is for, and its business.
type customer struct{ ID, TenantID uuid.UUID }

// buyer is the customer a sale is for: the caller itself when it is a
// customer, else the customer it names (of its own tenant, for a business).
func (s *Service) buyer(ctx context.Context, caller tenancy.Caller, named *string) (customer, error) {
	if caller.IsCustomer() {
		if named != nil && *named != caller.ID.String() {
			return customer{}, fault.Invalid("customerId", "a customer buys for itself", *named)
		}
		return customer{ID: caller.ID, TenantID: *caller.TenantID}, nil
	}
	id, err := fault.ParseID("customerId", named)
	if err != nil {
		return customer{}, err
	}
	c, err := s.Accounts.ClientByID(ctx, id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return customer{}, fault.Invalid("customerId", "no such customer", id.String())
	case err != nil:
		return customer{}, err
	case c.TenantID == nil || !caller.Scope().Allows(*c.TenantID, c.ID):
		return customer{}, fault.Invalid("customerId", "no such customer", id.String())
	case c.Disabled:
		return customer{}, fault.Invalid("customerId", "the customer is disabled", id.String())
	}
	return customer{ID: c.ID, TenantID: *c.TenantID}, nil
}

// salePrice loads a price the tenant sells now, of the type wanted, and its
// product's name.
func (s *Service) salePrice(ctx context.Context, id, tenant uuid.UUID, want billing.PriceType) (*models.Price, string, error) {
	price, err := s.Catalog.PriceByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && price.TenantID != tenant) {
		return nil, "", fault.Invalid("priceId", "no such price", id.String())
	}
	if err != nil {
		return nil, "", err
	}
	if !price.Active {
		return nil, "", fault.Invalid("priceId", "the price is no longer sold", id.String())
	}
	if billing.PriceType(price.Type) != want {
		if want == billing.RecurringPrice {
			return nil, "", fault.Invalid("priceId", "a one-time price is bought with POST /v1/purchases", id.String())
		}
		return nil, "", fault.Invalid("priceId", "a recurring price is subscribed to with POST /v1/subscriptions", id.String())
	}
	product, err := s.Catalog.ProductByID(ctx, price.ProductID)
	if err != nil {
		return nil, "", err
	}
	if !product.Active {
		return nil, "", fault.Invalid("priceId", "the price's product is archived", id.String())
	}
	return price, product.Name, nil
}

// paymentMethod resolves how cust pays in currency: a saved method of its
// own, or one given inline, on a configured gateway or through an account
// its business connected, which must take the currency.
func (s *Service) paymentMethod(ctx context.Context, p Payment, cust customer, currency billing.Currency) (contract.PaymentMethod, error) {
	switch {
	case p.MethodID != nil && p.Inline != nil:
		return contract.PaymentMethod{}, fault.Invalid("paymentMethod", "give paymentMethodId or paymentMethod, not both", nil)
	case p.MethodID != nil:
		pm, err := s.Billing.PaymentMethodByID(ctx, *p.MethodID)
		if errors.Is(err, models.ErrNotFound) || (err == nil && pm.CustomerID != cust.ID) {
			return contract.PaymentMethod{}, fault.Invalid("paymentMethodId", "no such payment method for this customer", p.MethodID.String())
		}
		if err != nil {
			return contract.PaymentMethod{}, err
		}
		if pm.GatewayAccountID == nil {
			return contract.PaymentMethod{PaymentMethodID: pm.ID, Gateway: pm.Gateway, Token: pm.Token}, nil
		}
		a, err := s.Connections.GatewayAccountByID(ctx, *pm.GatewayAccountID)
		if err != nil {
			return contract.PaymentMethod{}, err
		}
		return through(a, pm.ID, pm.Token, currency)
	case p.Inline != nil && slices.Contains(s.Gateways, p.Inline.Gateway):
		return *p.Inline, nil
	case p.Inline != nil:
		a, err := s.connectedAccount(ctx, cust.TenantID, p.Inline.Gateway, nil, "paymentMethod.gateway")
		if err != nil {
			return contract.PaymentMethod{}, err
		}
		return through(a, uuid.Nil, p.Inline.Token, currency)
	}
	return contract.PaymentMethod{}, fault.Invalid("paymentMethodId", "paymentMethodId or paymentMethod is required", nil)
}

// amountOf is a price's amount.
func amountOf(p *models.Price) billing.Money {
	return billing.Money{Amount: p.Amount, Currency: billing.Currency(p.Currency)}
}

// dunningOf is a price's dunning schedule, the default unless it has one.
func dunningOf(p *models.Price) billing.DunningSchedule {
	if p.Dunning == nil {
		return billing.DefaultDunning
	}
	var d billing.DunningSchedule
	if err := d.UnmarshalJSON([]byte(*p.Dunning)); err != nil || d.Validate() != nil {
		return billing.DefaultDunning // made before today's rules (MinDunningDelay)
	}
	return d
}

// planOf is the plan a recurring price makes.
func planOf(p *models.Price) contract.Plan {
	return contract.Plan{
		PriceID: p.ID, Amount: amountOf(p), TrialDays: p.TrialDays, Dunning: dunningOf(p),
		Recurrence: billing.Recurrence{Interval: billing.Interval(*p.Interval), Count: *p.IntervalCount},
	}
}
