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

.PHONY: all build demo test unit lint fmt vet html e2e dist bench clean tools
all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/$(BINARY) ./cmd/kubectl-auth_paths

## demo: the main job on the bundled demo dump, no cluster needed.
demo: build
	$(BIN)/$(BINARY) -f testdata/demo/cluster.yaml

## test: everything CI runs — format, vet, lint, unit tests, the real-apiserver e2e tests.
test: fmt vet lint unit html e2e dist

unit:
	$(GO) test -count=1 ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

$(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION):
	GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(BIN)/golangci-lint $@

lint: $(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
	$(BIN)/golangci-lint-$(GOLANGCI_LINT_VERSION) run ./...

## html: the HTML review report rendered in headless Chromium (screenshot checked).
html:
	hack/review-html-test.sh

## e2e: tests against a real kube-apiserver, etcd and controller manager built from Go modules.
e2e:
	@if [ -x hack/e2e.sh ]; then hack/e2e.sh; else echo "e2e: hack/e2e.sh not present yet"; fi

## dist: goreleaser check and snapshot, krew manifest validation and a real krew install.
dist:
	@if [ -x hack/dist-test.sh ]; then hack/dist-test.sh; else echo "dist: hack/dist-test.sh not present yet"; fi

## bench: whole-binary benchmarks against the decode floor (not part of test).
bench:
	@if [ -x hack/bench.sh ]; then hack/bench.sh; else echo "bench: hack/bench.sh not present yet"; fi

clean:
	rm -rf $(BIN) dist
