package sandbox_test

import (
	"testing"

	"github.com/billgate/billgate/gateways/sandbox"
	"github.com/billgate/billgate/gateways/sandbox/sandboxtest"
)

func TestMemoryLedgerVoidAndRefund(t *testing.T) {
	sandboxtest.VoidAndRefund(t, sandbox.NewMemoryLedger())
}
