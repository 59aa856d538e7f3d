# billgate: `make dev` runs everything in one process, `make test` runs the suite.

GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X main.version=$(VERSION)
BIN         := bin
TOOLS       := $(CURDIR)/$(BIN)/tools
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0
# The Stripe API emulator the Stripe adapter's tests talk to (docs/gateways.md).
STRIPEMOCK  := github.com/stripe/stripe-mock@v0.203.0
# npm http-signature, the reference implementation the outbound package's
# Signature scheme is verified with; the hidden lockfile npm ci writes into
# node_modules marks an install.
HTTPSIG     := outbound/testdata/httpsig
HTTPSIG_MODULES := $(HTTPSIG)/node_modules/.package-lock.json
# Two cores: each go test runs two test binaries at a time, each free to use both.
TESTFLAGS   ?= -count=1 -p 2 -timeout 40m
# Every go command here (and the go build e2e runs) builds alike, so that
# lint, test and build share one build cache: without cgo, as shipped, and
# without gin's msgpack codec, which billgate never speaks (docs/testing.md).
export CGO_ENABLED := 0
export GOFLAGS := $(strip $(GOFLAGS) -tags=nomsgpack)
# The race detector needs cgo, and mattn's SQLite driver (linked by
# gorm.io/driver/sqlite, unused: billgate opens modernc's) then compiles all
# of SQLite's C, minutes on two cores, unless the system's libsqlite3 is
# there to link instead (make deps installs it).
comma       := ,
RACE_TAGS   := nomsgpack$(if $(wildcard /usr/include/sqlite3.h),$(comma)libsqlite3)
# The race detector watches billgate and its Go dependencies, not modernc's
# SQLite and libc, Go transpiled from C: instrumented, they made the store
# tests on SQLite a third slower (models: 44 s of CPU against 32).
RACE_GCFLAGS := modernc.org/...=-race=false
# The packages that link the Temporal server: e2e, the one test binary that
# does, and what only e2e tests. make test runs them without the race
# detector, which would build the server a second time (docs/testing.md);
# e2e's TestServerLinks keeps this list true. Every other package runs with it.
SERVER_PKGS := cmd/billgate e2e internal/devserver internal/testenv
MODULE       = $(shell $(GO) list -m)
RACE_PKGS    = $(filter-out $(SERVER_PKGS:%=$(MODULE)/%),$(shell $(GO) list ./...))
DEV_FLAGS   ?=

.PHONY: dev build test lint bench generate migrate tools deps debian-packages clean

## dev: build and run billgate with embedded Temporal, its UI and SQLite (no dependencies)
dev: build
	$(BIN)/billgate dev $(DEV_FLAGS)

## build: the static billgate binary, as shipped in the image
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/billgate ./cmd/billgate

## test: the whole suite: the packages that link the Temporal server without
## the race detector, and meanwhile, at a lower priority, every other one with
## it; e2e's tests, which mostly wait on workflows, 4 at a time (docs/testing.md). Store and e2e tests
## also run on Postgres when TEST_DATABASE_URL is set. go vet is make lint's.
test: $(TOOLS)/stripe-mock $(HTTPSIG_MODULES)
	$(GO) test -vet=off -parallel 4 $(TESTFLAGS) $(SERVER_PKGS:%=./%) & server=$$!; \
	  CGO_ENABLED=1 nice -n 5 $(GO) test -race -tags=$(RACE_TAGS) -gcflags='$(RACE_GCFLAGS)' -vet=off $(TESTFLAGS) $(RACE_PKGS); race=$$?; \
	  wait $$server && exit $$race

## lint: formatting, vet, staticcheck, workflowcheck, and the compose file
lint: tools
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/staticcheck ./...
	$(TOOLS)/workflowcheck ./workflows/...
	@if command -v docker-compose >/dev/null; then docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml: valid"; \
	  else echo "docker-compose not installed (make deps); compose file not validated"; exit 1; fi

## deps: what lint and test use: the Debian packages (as root), docker-compose
## to validate the compose file, libsqlite3-dev for a faster race build,
## chromium for the console's browser tests, curl and jq for the README's
## quickstart (and e2e's TestQuickstart, which runs it), node and npm unless
## there; then npm http-signature for the outbound package's tests
deps: debian-packages $(HTTPSIG_MODULES)

debian-packages:
	@missing=$$(for p in docker-compose libsqlite3-dev chromium curl jq; do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	  if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; fi

tools: $(TOOLS)/staticcheck $(TOOLS)/workflowcheck
$(TOOLS)/stripe-mock:
	GOBIN=$(TOOLS) $(GO) install $(STRIPEMOCK)
$(HTTPSIG_MODULES): $(HTTPSIG)/package.json $(HTTPSIG)/package-lock.json
	npm ci --prefix $(HTTPSIG) --no-audit --no-fund
$(TOOLS)/staticcheck:
	GOBIN=$(TOOLS) $(GO) install $(STATICCHECK)
$(TOOLS)/workflowcheck:
	GOBIN=$(TOOLS) $(GO) install $(WORKFLOWCHECK)

## bench: Go benchmarks, reported next to a baseline measured in the same run;
## BenchmarkSubscriptions and BenchmarkWebhookDeliveries run 5 s a sub-benchmark,
## so that their throughputs are many rounds of workflows (docs/benchmarks.md)
bench:
	$(GO) test -run '^$$' -bench . -skip '^(BenchmarkSubscriptions|BenchmarkWebhookDeliveries)$$' -benchmem -count=1 ./...
	$(GO) test -run '^$$' -bench '^(BenchmarkSubscriptions|BenchmarkWebhookDeliveries)$$' -benchtime 5s -benchmem -count=1 -timeout 60m ./e2e/

## generate: regenerate derived files (none yet: the OpenAPI document is the source)
generate:
	$(GO) generate ./...

## migrate: apply migrations to BILLGATE_DB
migrate: build
	$(BIN)/billgate migrate

clean:
	rm -rf $(BIN)
