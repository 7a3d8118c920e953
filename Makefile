# kubectl auth-paths — build, test, lint. Tools are pinned Go modules, built locally into ./bin.
SHELL := /usr/bin/env bash
GO ?= go
BIN := $(CURDIR)/bin
BINARY := kubectl-auth_paths
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X github.com/auth-paths/kubectl-auth-paths/pkg/version.Version=$(VERSION) \
	-X github.com/auth-paths/kubectl-auth-paths/pkg/version.Commit=$(COMMIT) \
	-X github.com/auth-paths/kubectl-auth-paths/pkg/version.Date=$(DATE)

# Pinned tool versions.
GOLANGCI_LINT_VERSION := v2.15.0

# Every stage of `make test` runs through hack/stage.sh, which records its
# seconds for .ci/run's stage table when CI_STAGE_LOG is set (a no-op otherwise).
STAGE := $(CURDIR)/hack/stage.sh

.PHONY: all build demo test unit lint lint-tool fmt vet html e2e dist dist-all bench clean tools
all: build

build:
	$(STAGE) build env CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/$(BINARY) ./cmd/kubectl-auth_paths

## demo: the main job on the bundled demo dump, no cluster needed.
demo: build
	$(STAGE) demo $(BIN)/$(BINARY) -f testdata/demo/cluster.yaml

## test: everything CI runs — format, vet, lint, unit tests, the real-apiserver e2e tests.
test: fmt vet lint unit html e2e dist

unit:
	$(STAGE) unit $(GO) test -count=1 ./...

fmt:
	@$(STAGE) fmt bash -c 'out=$$(gofmt -l $$(git ls-files "*.go")); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi'

vet:
	$(STAGE) vet $(GO) vet ./...

# The pinned golangci-lint, built once into ./bin. Under a lock on ./bin, so
# that the CI prefetch (hack/prefetch.sh) and `make lint` never build it twice:
# whichever comes second waits and finds it built.
GOLANGCI_LINT := $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
lint-tool:
	@mkdir -p $(BIN)
	@$(STAGE) lint-tool flock $(BIN)/.golangci-lint.lock bash -c 'test -x $(GOLANGCI_LINT) || { \
	  set -ex; rm -rf $(BIN)/.golangci-lint; \
	  GOBIN=$(BIN)/.golangci-lint CGO_ENABLED=0 $(GO) install -trimpath github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION); \
	  mv $(BIN)/.golangci-lint/golangci-lint $(GOLANGCI_LINT); rmdir $(BIN)/.golangci-lint; }'

# --allow-serial-runners: a second golangci-lint on the machine (another
# checkout) makes this one wait for it instead of failing.
lint: lint-tool
	$(STAGE) lint $(GOLANGCI_LINT) run --allow-serial-runners ./...

## html: the HTML review report rendered in headless Chromium (screenshot checked).
html:
	$(STAGE) html hack/review-html-test.sh

## e2e: tests against a real kube-apiserver, etcd and controller manager built from Go modules.
e2e:
	$(STAGE) e2e hack/e2e.sh

## dist: goreleaser check, a snapshot for this machine's target, krew manifest
## validation and a real krew install (what CI runs).
dist:
	$(STAGE) dist hack/dist-test.sh

## dist-all: as dist, with the snapshot of all six release targets and a krew
## install of every platform (run before each release; docs/ci.md).
dist-all:
	AUTH_PATHS_DIST_TARGETS=all hack/dist-test.sh

## bench: whole-binary benchmarks against the decode floor (not part of test).
bench:
	@if [ -x hack/bench.sh ]; then hack/bench.sh; else echo "bench: hack/bench.sh not present yet"; fi

clean:
	rm -rf $(BIN) dist
