package sales

import (
	"context"
	"errors"

	"go.temporal.io/api/serviceerror"

	"github.com/billgate/billgate/fault"
	"github.com/billgate/billgate/workflows/contract"
)

// refusal is what an error from Temporal means to the caller: a change the
// workflow's validator refused is illegal with its reason, a finished
// workflow takes no change, and anything else means Temporal is out of
// reach.
func refusal(err error, what string) error {
	var notFound *serviceerror.NotFound
	switch reason, illegal := contract.IsIllegalChange(err); {
	case errors.Is(err, fault.ErrOutcomeUnknown):
		return err
	case illegal:
		return fault.IllegalChange(reason)
	case errors.As(err, &notFound):
		return fault.IllegalChange("the " + what + " has ended")
	}
	return fault.ErrUnavailable
}

// query asks a workflow's query with args, bounded by workflowTimeout.
func (s *Service) query(ctx context.Context, workflowID, query string, out any, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, workflowTimeout)
	defer cancel()
	v, err := s.Workflows.QueryWorkflow(ctx, workflowID, "", query, args...)
	if err != nil {
		return err
	}
	return v.Get(out)
}
