// Package billing is billgate's pure billing domain: money in integer minor
// units of ISO 4217 currencies, calendar billing periods, proration, invoice
// lines and their settlement, dunning schedules and price validation.
//
// Nothing here does I/O, reads the clock or keeps global mutable state: every
// function is deterministic in its arguments, so workflows may call it freely.
// All instants are handled in UTC. docs/billing.md explains the rules.
package billing
