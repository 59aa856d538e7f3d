// Package outbound signs and authenticates billgate's outbound webhook
// deliveries. Every delivery is signed the Standard Webhooks way
// (SignHeaders, with secrets from NewSecret and ParseSecret); an endpoint
// may also ask for one of PortaBilling's four ESPF authentication schemes,
// which an Auth describes and Auth.Authorize applies. The package only
// builds headers: it sends nothing and stores nothing.
package outbound
