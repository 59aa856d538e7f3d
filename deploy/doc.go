// Package deploy holds billgate's Dockerfile, Kubernetes manifests and Temporal dynamic config, and the tests that check them.
package deploy
