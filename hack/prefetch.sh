#!/usr/bin/env bash
# hack/prefetch.sh: what the CI stages will need, fetched and built ahead of
# them; .ci/run starts it in the background before `make demo`, so that module
# downloads (network) and tool builds fill the time the earlier stages leave
# a core idle (test runs, links, apt-get, Chromium). In the order the stages
# need them:
#
#   1. the Go modules of all four modules (the product, test/e2e, hack/tools,
#      hack/tools/kubectl is not needed: dist reuses the e2e cache's kubectl);
#   2. golangci-lint (make lint's pinned build);
#   3. the e2e control plane (test/e2e/cmd/e2e-binaries, the tests' own
#      cluster.EnsureBinaries);
#   4. goreleaser, krew and validate-krew-manifest (hack/dist-test.sh --tools-only).
#
# Every build here is the one the stage itself would run, under the same lock
# (flock on the e2e cache key, on ./bin), so a stage that gets there first
# builds and the other waits and reuses; nothing is built twice and no stage
# depends on this script having run. A failure here is printed and left to the
# stage that needs the thing, which then reports it in its own words.
set -uo pipefail
cd "$(dirname "$0")/.."
# The stage table is the stages' own (hack/stage.sh), not this script's.
unset CI_STAGE_LOG
GO=${GO:-go}
T0=$(date +%s)
cpu() { # user+system seconds of this script's finished steps (times: this shell only)
  local tf n
  # (into CPU: in a $(...) subshell, times would not see this shell's children)
  tf=$(mktemp)
  times >"$tf"
  n=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } printf "%d", n + 0.5 }' "$tf")
  rm -f "$tf"
  CPU=$n
}
step() {
  local name=$1 start rc
  shift
  start=$(date +%s)
  echo "prefetch: $name ..."
  "$@"
  rc=$?
  cpu
  echo "prefetch: $name: exit $rc after $(($(date +%s) - start))s (at +$(($(date +%s) - T0))s; CPU so far ${CPU}s)"
}
step "go mod download (product)" "$GO" mod download
step "go mod download (test/e2e)" env GOWORK=off "$GO" -C test/e2e mod download
step "go mod download (hack/tools)" env GOWORK=off "$GO" -C hack/tools mod download
step "golangci-lint" make --no-print-directory lint-tool
step "e2e control plane" env GOWORK=off CGO_ENABLED=0 "$GO" -C test/e2e run ./cmd/e2e-binaries
step "dist tools" hack/dist-test.sh --tools-only
echo "prefetch: done in $(($(date +%s) - T0))s"
