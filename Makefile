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

# The end-to-end tests that also run against the production topology (make
# test-topology): every file whose tests drive billgate over HTTP alone.
# Skipped there: the three that stop and start workers inside the test.
TOPOLOGY_FILES := billing test_clock test_clock_state payment money idempotency auth token schemes \
  events_stream webhook_deliveries webhook_endpoints void events catalog clients roles reports audit \
  payloads links security_accounts security_billing security_requests reconcile attack
TOPOLOGY_SKIP := TestTestClockRefusesASaleWhileAdvancing|TestTestClockInterruptedAdvanceResumes|TestFinding2AStartedSubscriptionIsNeverNothingChanged
TOPOLOGY_RUN = ^($(shell grep -ho '^func Test[A-Za-z0-9_]*' $(TOPOLOGY_FILES:%=e2e/%_test.go) | cut -c6- | paste -sd'|'))$$
# make test's short chaos run and fuzzing; make chaos and make fuzz run the long ones.
CHAOS_SHORT := -subscriptions 30 -purchases 15 -clients 8 -rounds 1 -down 3s -between 3s
FUZZTIME    ?= 60s

.PHONY: dev build test test-topology lint bench generate migrate tools deps debian-packages clean topology chaos load fuzz

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
## Then the end-to-end tests on the production topology, a short chaos run and
## every fuzz target for 3 s (docs/operations.md, "Proof under fire").
test: $(TOOLS)/stripe-mock $(HTTPSIG_MODULES)
	$(GO) test -vet=off -parallel 4 $(TESTFLAGS) $(SERVER_PKGS:%=./%) & server=$$!; \
	  CGO_ENABLED=1 nice -n 5 $(GO) test -race -tags=$(RACE_TAGS) -gcflags='$(RACE_GCFLAGS)' -vet=off $(TESTFLAGS) $(RACE_PKGS); race=$$?; \
	  wait $$server && [ $$race = 0 ]
	$(MAKE) --no-print-directory test-topology
	$(GO) run ./cmd/topology chaos $(CHAOS_SHORT) -seed 1
	FUZZTIME=3s FUZZ_KEEP=0 scripts/fuzz

## test-topology: the end-to-end tests above, each on a billgate of its own
## run as the production topology's processes (docs/operations.md)
test-topology:
	BILLGATE_E2E_TOPOLOGY=1 $(GO) test -vet=off -parallel 4 $(TESTFLAGS) -run '$(TOPOLOGY_RUN)' -skip '$(TOPOLOGY_SKIP)' ./e2e/

## topology: billgate's production topology on this machine, each part its
## own process: Postgres, Temporal on it, migrate, two API replicas behind a
## round-robin proxy on :8080, a worker per task queue (docs/operations.md)
topology:
	$(GO) run ./cmd/topology $(TOPOLOGY_FLAGS)

## chaos: 200 subscriptions and 100 purchases through the topology while each
## process is killed (-9) twice; checks nothing was charged twice or lost
chaos:
	$(GO) run ./cmd/topology chaos $(CHAOS_FLAGS)

## load: 1,000 subscriptions by 64 clients, then a login flood, on billgate dev
## and on the topology, with the latency of authenticated reads
load:
	$(GO) run ./cmd/topology load $(LOAD_FLAGS)

## fuzz: every fuzz target for FUZZTIME (60s) each; found inputs are kept in
## the package's testdata/fuzz
fuzz:
	scripts/fuzz

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
