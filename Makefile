# fazproxy — common tasks. `make help` lists them.
#
#   make run    DynamoDB Local + demo data + fazproxy on 127.0.0.1:5432
#   make test   everything CI runs: deps, unit (-race), integration, short fuzz

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO            ?= go
BIN           := bin/fazproxy
DYNAMODB_PORT ?= 8000
DEMO_CONFIG   ?= examples/demo.faz.yaml
# staticcheck, pinned (fetched through the Go module proxy on first use)
STATICCHECK   ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Integration suite limit; the whole of `make test` should stay well under 20 min.
INTEGRATION_TIMEOUT ?= 15m
FUZZTIME      ?= 10s

# pg_query_go (the PostgreSQL grammar) needs cgo: fail at build time, not later.
export CGO_ENABLED := 1

UNIT_PKGS = $$($(GO) list ./... | grep -v -e '/integration')

.PHONY: help run demo build deps test unit integration fuzz bench lint fmt vet staticcheck \
	dynamodb-start dynamodb-stop dynamodb-status check-config clean

help: ## list targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

deps: ## install what builds and tests need (idempotent, fast when present)
	@scripts/install-deps

build: ## build bin/fazproxy
	$(GO) build -o $(BIN) ./cmd/fazproxy

dynamodb-start: ## start DynamoDB Local on 127.0.0.1:$(DYNAMODB_PORT) (in memory)
	@DYNAMODB_PORT=$(DYNAMODB_PORT) scripts/dynamodb-local start

dynamodb-stop: ## stop the DynamoDB Local started by dynamodb-start
	@DYNAMODB_PORT=$(DYNAMODB_PORT) scripts/dynamodb-local stop

dynamodb-status:
	@DYNAMODB_PORT=$(DYNAMODB_PORT) scripts/dynamodb-local status

demo: deps dynamodb-start build ## (re)load the demo tables into DynamoDB Local
	$(BIN) demo load --endpoint http://127.0.0.1:$(DYNAMODB_PORT) --region us-east-1

run: demo ## DynamoDB Local + demo data + fazproxy serving on 127.0.0.1:5432
	@echo
	@echo "fazproxy is starting on 127.0.0.1:5432 (Ctrl-C stops it; DynamoDB Local keeps running: make dynamodb-stop)"
	@echo "Connect with:"
	@echo
	@echo "    psql -h 127.0.0.1 -p 5432 -U demo demo"
	@echo
	FAZ_DATABASES_DEMO_EXTRA_ENDPOINT_URL=http://127.0.0.1:$(DYNAMODB_PORT) exec $(BIN) serve --config $(DEMO_CONFIG)

check-config: build ## validate examples/demo.faz.yaml and reach its DynamoDB
	FAZ_DATABASES_DEMO_EXTRA_ENDPOINT_URL=http://127.0.0.1:$(DYNAMODB_PORT) $(BIN) check --config $(DEMO_CONFIG)

test: ## deps + unit + integration + short fuzz (what .ci/run runs)
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory fuzz
	@echo "make test: all passed"

unit: ## unit and golden tests with the race detector (no external services)
	$(GO) test -race -count=1 $(UNIT_PKGS)

integration: build ## integration tests: real DynamoDB Local, reference PostgreSQL, the built binary
	FAZ_TEST_BINARY=$(CURDIR)/$(BIN) $(GO) test -count=1 -p 1 -timeout $(INTEGRATION_TIMEOUT) ./integration/...

fuzz: ## every fuzz target for FUZZTIME (default 10s) each
	@FUZZTIME=$(FUZZTIME) GO=$(GO) scripts/fuzz-short

bench: build ## benchmarks (bench/): ratios against hand-written SDK calls, peak RSS
	FAZ_TEST_BINARY=$(CURDIR)/$(BIN) $(GO) test -count=1 -run '^$$' -bench . -benchmem -timeout 30m ./bench/...

lint: fmt vet staticcheck ## gofmt, go vet, staticcheck

fmt:
	@out=$$(find . -name '*.go' -not -path '*/node_modules/*' -not -path '*/.work/*' -not -path '*/testdata/*' -print0 | xargs -0 gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

clean: ## remove build outputs (not the DynamoDB Local cache)
	rm -rf bin integration/.work
