# acme_exporter. `make test` installs the test bed (Debian packages and
# pinned Go tools) and runs every test; `make run` builds and runs the
# exporter with discovery. promu is not on the module proxy, so `make build`
# uses go build with the same version ldflags as .promu.yml.

GO        ?= go
GOBIN     ?= $(shell $(GO) env GOPATH)/bin
BIN       := acme_exporter
PKG       := github.com/prometheus/common/version
VERSION   := $(shell cat VERSION)
REVISION  := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH    := $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X $(PKG).Version=$(VERSION) -X $(PKG).Revision=$(REVISION) \
             -X $(PKG).Branch=$(BRANCH) -X $(PKG).BuildUser=$(shell id -un)@$(shell hostname) \
             -X $(PKG).BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)
GOLANGCI  ?= $(GOBIN)/golangci-lint
RUN_ARGS  ?=
# The image examples/kubernetes/ runs (a test keeps the two in step).
DOCKER_IMAGE ?= ghcr.io/acme-exporter/acme_exporter
DOCKER_TAG   ?= v$(VERSION)

.PHONY: all build run test testbed unit lint style vet race fuzz-smoke fuzz-long bench docs docs-check docker tarball

all: build test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/acme_exporter

# One command to run: builds and starts the exporter with zero-config
# discovery of the ACME clients on this host.
run: build
	./$(BIN) $(RUN_ARGS)

# A release tarball as promu lays it out (.promu.yml): the binary with the
# LICENSE, the README, the example config and the systemd unit.
TARBALL := $(BIN)-$(VERSION).$(shell $(GO) env GOOS)-$(shell $(GO) env GOARCH)
tarball: build
	rm -rf $(TARBALL) && mkdir $(TARBALL)
	cp $(BIN) LICENSE README.md examples/acme_exporter.yml examples/acme_exporter.service $(TARBALL)/
	tar czf $(TARBALL).tar.gz $(TARBALL) && rm -rf $(TARBALL)

# The container image, from the Dockerfile (needs a Docker engine).
docker:
	docker build -t $(DOCKER_IMAGE):$(DOCKER_TAG) .

testbed:
	./scripts/install-testbed.sh

# One command to test everything (CI runs this through .ci/run). Binaries
# the tests start never use internet defaults (NTP pool, Let's Encrypt).
test race unit fuzz-smoke: export ACME_EXPORTER_OFFLINE=1
test: testbed style vet lint docs-check mixin-check race fuzz-smoke
	@echo "all tests passed"

style:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint:
	$(GOLANGCI) run ./...

unit:
	$(GO) test ./...

race:
	$(GO) test -race -count=1 -timeout 30m ./...

# Each fuzz target for a few seconds: catches regressions on the seeds and
# a little beyond. Longer runs: make fuzz FUZZTIME=5m.
FUZZTIME ?= 10s
fuzz-smoke:
	./scripts/fuzz.sh $(FUZZTIME)

# Every fuzz target for FUZZLONG (default 5m) with one worker, at nice 19,
# FUZZLANES targets at a time; not part of make test. Per-target logs and
# summary.tsv (executions, new corpus entries, result) land in FUZZOUT.
FUZZLONG  ?= 5m
FUZZLANES ?= 1
FUZZOUT   ?= fuzz-long.out
fuzz-long: export ACME_EXPORTER_OFFLINE=1
fuzz-long:
	./scripts/fuzz-long.sh $(FUZZLONG) $(FUZZLANES) $(FUZZOUT)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

docs:
	$(GO) run ./tools/metricsdoc > docs/metrics.md
	python3 scripts/gen-example-config.py > examples/acme_exporter.yml

docs-check:
	@$(GO) run ./tools/metricsdoc | diff -u docs/metrics.md - || (echo "docs/metrics.md is stale: run make docs"; exit 1)
	@python3 scripts/gen-example-config.py | diff -u examples/acme_exporter.yml - || (echo "examples/acme_exporter.yml is stale: run make docs"; exit 1)

include mixin.mk
