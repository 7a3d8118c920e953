#!/usr/bin/env bash
# End-to-end tests against a real control plane (etcd, kube-apiserver,
# kube-controller-manager, kubectl) built from Go modules by the tests
# themselves and cached in ${AUTH_PATHS_E2E_CACHE:-$HOME/.cache/auth-paths-e2e}.
# The first run builds for several minutes; later runs reuse the binaries.
#
# Environment:
#   AUTH_PATHS_E2E_CACHE     binary cache directory
#   AUTH_PATHS_E2E_SEED      seed of the random RBAC world (random when unset; printed)
#   AUTH_PATHS_E2E_REQUESTS  distinct who-can requests (default 600)
#   AUTH_PATHS_E2E_DIFF_SECONDS  the differential compare phase's budget (default
#                            180; past it no new request starts once each mode
#                            made 10,000 checks; 0: all requests)
#   AUTH_PATHS_E2E_KEEP      set to keep the cluster directory (logs, data)
#   E2E_TIMEOUT              go test timeout (default 60m)
# Extra arguments go to `go test` (e.g. -run TestWhoCan -v).
set -euo pipefail
cd "$(dirname "$0")/../test/e2e"
start=$(date +%s)
echo "e2e: go test ./... in $(pwd) (cache ${AUTH_PATHS_E2E_CACHE:-$HOME/.cache/auth-paths-e2e})"
rc=0
GOWORK=off go test ./... -count=1 -timeout "${E2E_TIMEOUT:-60m}" "$@" || rc=$?
echo "e2e: finished in $(( $(date +%s) - start ))s (exit $rc)"
exit $rc
