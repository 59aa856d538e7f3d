// Package layers holds no code: its test keeps the import rules between
// billgate's rooms (docs/architecture.md).
package layers
