# billgate: `make dev` runs everything in one process, `make test` runs the suite.

GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X main.version=$(VERSION)
BIN         := bin
TOOLS       := $(CURDIR)/$(BIN)/tools
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0
# Two cores: each go test runs two test binaries at a time, each free to use both.
TESTFLAGS   ?= -count=1 -p 2 -timeout 40m
# The packages that link the Temporal server: e2e, the one test binary that
# does, and what only e2e tests. make test runs them without the race
# detector, which would build the server a second time (docs/testing.md);
# e2e's TestServerLinks keeps this list true. Every other package runs with it.
SERVER_PKGS := cmd/billgate e2e internal/devserver internal/testenv
MODULE       = $(shell $(GO) list -m)
RACE_PKGS    = $(filter-out $(SERVER_PKGS:%=$(MODULE)/%),$(shell $(GO) list ./...))
DEV_FLAGS   ?=

.PHONY: dev build test lint bench generate migrate tools clean

## dev: build and run billgate with embedded Temporal, its UI and SQLite (no dependencies)
dev: build
	$(BIN)/billgate dev $(DEV_FLAGS)

## build: the static billgate binary, as shipped in the image
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/billgate ./cmd/billgate

## test: go vet, then the whole suite: the packages that link the Temporal server
## without the race detector, and meanwhile every other one with it; e2e's tests,
## which mostly wait on workflows, 4 at a time (docs/testing.md). Store and e2e
## tests also run on Postgres when TEST_DATABASE_URL is set.
test:
	$(GO) vet ./...
	$(GO) test -vet=off -parallel 4 $(TESTFLAGS) $(SERVER_PKGS:%=./%) & server=$$!; \
	  $(GO) test -race -vet=off $(TESTFLAGS) $(RACE_PKGS); race=$$?; \
	  wait $$server && exit $$race

## lint: formatting, vet, staticcheck, workflowcheck, and the compose file
lint: tools
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(TOOLS)/staticcheck ./...
	$(TOOLS)/workflowcheck ./workflows/...
	@if command -v docker-compose >/dev/null; then docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml: valid"; \
	  else echo "docker-compose not installed (apt-get install docker-compose); compose file not validated"; exit 1; fi

tools: $(TOOLS)/staticcheck $(TOOLS)/workflowcheck
$(TOOLS)/staticcheck:
	GOBIN=$(TOOLS) $(GO) install $(STATICCHECK)
$(TOOLS)/workflowcheck:
	GOBIN=$(TOOLS) $(GO) install $(WORKFLOWCHECK)

## bench: Go benchmarks, reported next to a baseline measured in the same run;
## BenchmarkSubscriptions runs 5 s a sub-benchmark, so that its throughputs are
## many rounds of workflows (docs/benchmarks.md)
bench:
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkSubscriptions$$' -benchmem -count=1 ./...
	$(GO) test -run '^$$' -bench '^BenchmarkSubscriptions$$' -benchtime 5s -benchmem -count=1 -timeout 60m ./e2e/

## generate: regenerate derived files (none yet: the OpenAPI document is the source)
generate:
	$(GO) generate ./...

## migrate: apply migrations to BILLGATE_DB
migrate: build
	$(BIN)/billgate migrate

clean:
	rm -rf $(BIN)
