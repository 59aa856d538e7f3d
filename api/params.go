package api

import (
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/billgate/billgate/fault"
)

// listFilter reads the filters every billing list takes: tenantId (admins),
// customerId, status, and the page, narrowed to what the caller sees.
type listFilter struct {
	tenant, customer *uuid.UUID
	statuses         []string
	after            uuid.UUID
	limit            int
}

func readListFilter(c *gin.Context, statuses []string) (listFilter, error) {
	scope := caller(c).Scope()
	f := listFilter{tenant: scope.Tenant, customer: scope.Customer, limit: defaultPageSize}
	if err := pageParams(c, &f.limit, &f.after); err != nil {
		return f, err
	}
	if scope.Everything() {
		id, err := idQuery(c, "tenantId")
		if err != nil {
			return f, err
		}
		f.tenant = id
	}
	if scope.Customer == nil {
		id, err := idQuery(c, "customerId")
		if err != nil {
			return f, err
		}
		f.customer = id
	}
	if s := c.Query("status"); s != "" {
		for _, status := range strings.Split(s, ",") {
			if !slices.Contains(statuses, status) {
				return f, Invalid("status", "status must be one or more of "+strings.Join(statuses, ", "), s)
			}
			f.statuses = append(f.statuses, status)
		}
	}
	return f, nil
}

// idQuery reads an optional UUID query parameter; empty is none.
func idQuery(c *gin.Context, name string) (*uuid.UUID, error) {
	s := c.Query(name)
	if s == "" {
		return nil, nil
	}
	return optionalID(name, &s)
}

// optionalID reads a UUID a request may leave out (nil); given, it is
// parsed as fault.ParseID does.
func optionalID(field string, s *string) (*uuid.UUID, error) {
	if s == nil {
		return nil, nil
	}
	id, err := fault.ParseID(field, s)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// pathID reads the {id} of the path; anything else is not found.
func pathID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, errNotFound
	}
	return id, nil
}
