package contract

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/google/uuid"
)

// DerivedID derives the n-th ID a workflow mints (payments, invoices) as a
// UUIDv7: the millisecond timestamp of t, and random bits drawn from a hash
// of the workflow's own ID and n. Replay computes the same IDs without a
// SideEffect marker in the history, and the IDs sort by time like every
// other ID billgate lists.
func DerivedID(t time.Time, owner uuid.UUID, n int64) uuid.UUID {
	var seed [24]byte
	copy(seed[:16], owner[:])
	binary.BigEndian.PutUint64(seed[16:], uint64(n))
	sum := sha256.Sum256(seed[:])
	var id uuid.UUID
	ms := uint64(t.UnixMilli())
	id[0], id[1], id[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	id[3], id[4], id[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	copy(id[6:], sum[:10])
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}

// PurchaseInvoiceID is the invoice of the purchase paid by paymentID. The
// API derives it rather than mint it, so that a retried purchase, which
// reuses its payment ID, names the same invoice.
func PurchaseInvoiceID(paymentID uuid.UUID) uuid.UUID {
	sec, nsec := paymentID.Time().UnixTime()
	return DerivedID(time.Unix(sec, nsec), paymentID, 0)
}

// Remint tells whether a and b are one mint of a workflow under two times:
// the same owner and sequence, so the same random bits. A workflow task
// retried after its worker died mints again under another workflow.Now,
// and what its first try wrote carries the other.
func Remint(a, b uuid.UUID) bool { return a != b && bytes.Equal(a[6:], b[6:]) }
