#!/usr/bin/env bash
# dist-test (make dist): the release, end to end, without publishing.
#
#   1. builds the pinned tools from Go modules into ./bin, keyed by version
#      (goreleaser, krew, validate-krew-manifest: hack/tools/go.mod), and finds
#      or builds a kubectl (hack/tools/kubectl/go.mod);
#   2. goreleaser check of .goreleaser.yaml, then goreleaser release --snapshot,
#      and checks the archives, their layout and checksums.txt;
#   3. renders the krew manifest for the snapshot (hack/krew-manifest.sh) and
#      validates it with validate-krew-manifest: structurally with the release
#      URLs, and (all targets only) with a full install of every platform from a
#      loopback copy of the release; also the committed krew/auth-paths.yaml;
#   4. a real `kubectl krew install --manifest --archive` of this machine's
#      archive into a temporary KREW_ROOT, then `kubectl auth-paths version`
#      (and -o json) through kubectl's plugin discovery, and
#      `kubectl auth-paths <TAB>` through the shipped completion hook.
#
# Targets: `make dist` (CI) builds the snapshot for this machine's GOOS/GOARCH
# only: the release pipeline with .goreleaser.yaml's every setting but its
# goos/goarch lists, reusing the `make build` compile cache, so it costs a link
# instead of five cross-compiles of the Kubernetes client libraries (~15 min on
# 2 cores). The manifest then carries zero sha256s for the five archives not
# built. `make dist-all` (AUTH_PATHS_DIST_TARGETS=all; also run before every
# release, docs/ci.md) builds all six, checks every archive and has krew install
# every platform.
#
# --tools-only: step 1's tool build only (hack/prefetch.sh).
#
# Idempotent; reruns reuse ./bin and the Go build cache. Environment:
#   AUTH_PATHS_DIST_TARGETS host (default) or all
#   KUBECTL                 kubectl to use (else PATH, else the e2e cache, else built)
#   AUTH_PATHS_E2E_CACHE    the e2e tests' binary cache (default ~/.cache/auth-paths-e2e)
#   AUTH_PATHS_DIST_CACHE   where a kubectl built here is kept (default ~/.cache/auth-paths-dist)
#   AUTH_PATHS_DIST_NICE    niceness of the builds (default 0; raise it on a shared machine)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin
GO=${GO:-go}
T0=$(date +%s)
TOOLS_ONLY=0
case ${1:-} in
--tools-only) TOOLS_ONLY=1 ;;
"") ;;
*)
  echo "usage: $0 [--tools-only]" >&2
  exit 2
  ;;
esac
NICE=(nice -n "${AUTH_PATHS_DIST_NICE:-0}")
export KREW_NO_UPGRADE_CHECK=1

CHECKED=()
say() { echo "dist: $*"; }
ok() {
  CHECKED+=("$*")
  echo "dist: ok: $*"
}
die() {
  echo "dist: FAIL: $*" >&2
  exit 1
}
elapsed() { echo "$(($(date +%s) - T0))s"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/auth-paths-dist.XXXXXX")
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

sha256() { # FILE -> hex digest
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  else
    shasum -a 256 "$1" | awk '{print $1}'
  fi
}

# ---------------------------------------------------------------- 1. tools
pin() { # MODULE GO_MOD -> the version required there
  local v
  v=$(awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$2")
  [[ -n $v ]] || die "no version of $1 in $2"
  echo "$v"
}
GORELEASER_VERSION=$(pin github.com/goreleaser/goreleaser/v2 hack/tools/go.mod)
KREW_VERSION=$(pin sigs.k8s.io/krew hack/tools/go.mod)
KUBERNETES_VERSION=$(pin k8s.io/kubernetes hack/tools/kubectl/go.mod)

TARGETS=${AUTH_PATHS_DIST_TARGETS:-host}
[[ $TARGETS == host || $TARGETS == all ]] || die "AUTH_PATHS_DIST_TARGETS=$TARGETS: want host or all"

# The three tools are built by one go build (the go command then compiles their
# shared dependencies once and keeps both cores busy), under a lock on ./bin so
# that the CI prefetch (hack/prefetch.sh) and this script never build them twice.
GORELEASER=$BIN/goreleaser-$GORELEASER_VERSION
KREW=$BIN/krew-$KREW_VERSION
VALIDATE=$BIN/validate-krew-manifest-$KREW_VERSION
mkdir -p "$BIN"
exec 9>"$BIN/.dist-tools.lock"
flock 9
if [[ ! -x $GORELEASER || ! -x $KREW || ! -x $VALIDATE ]]; then
  say "building goreleaser $GORELEASER_VERSION, krew $KREW_VERSION and validate-krew-manifest from hack/tools/go.mod (once; cached in bin/)" >&2
  rm -rf "$BIN/.dist-tools"
  (cd hack/tools && CGO_ENABLED=0 "${NICE[@]}" "$GO" build -trimpath -o "$BIN/.dist-tools/" \
    github.com/goreleaser/goreleaser/v2 sigs.k8s.io/krew/cmd/krew sigs.k8s.io/krew/cmd/validate-krew-manifest) >&2
  mv "$BIN/.dist-tools/goreleaser" "$GORELEASER"
  mv "$BIN/.dist-tools/krew" "$KREW"
  mv "$BIN/.dist-tools/validate-krew-manifest" "$VALIDATE"
  rmdir "$BIN/.dist-tools"
fi
flock -u 9
exec 9>&-
"$GO" version -m "$GORELEASER" | grep -q "github.com/goreleaser/goreleaser/v2[[:space:]]*$GORELEASER_VERSION" || die "$GORELEASER is not goreleaser $GORELEASER_VERSION"
ok "tools from source: goreleaser $GORELEASER_VERSION, krew $KREW_VERSION (krew, validate-krew-manifest) [$(elapsed)]"
((TOOLS_ONLY)) && exit 0

kubectl_works() { [[ -x $1 ]] && "$1" version --client >/dev/null 2>&1; }
find_kubectl() {
  if [[ -n ${KUBECTL:-} ]]; then
    kubectl_works "$KUBECTL" || die "KUBECTL=$KUBECTL does not run"
    echo "$KUBECTL"
    return
  fi
  local k
  if k=$(command -v kubectl) && kubectl_works "$k"; then
    echo "$k"
    return
  fi
  # The e2e tests (test/e2e) build one from k8s.io/kubernetes into their cache.
  local e2e=${AUTH_PATHS_E2E_CACHE:-$HOME/.cache/auth-paths-e2e}
  for k in "$e2e"/"$KUBERNETES_VERSION"-*/kubectl "$e2e"/*/kubectl; do
    if kubectl_works "$k"; then
      echo "$k"
      return
    fi
  done
  # Else build it here, outside the repository.
  local cache=${AUTH_PATHS_DIST_CACHE:-$HOME/.cache/auth-paths-dist}
  k=$cache/kubectl-$KUBERNETES_VERSION
  if ! kubectl_works "$k"; then
    say "building kubectl $KUBERNETES_VERSION from k8s.io/kubernetes (once; cached as $k)" >&2
    mkdir -p "$cache"
    local minor ld=-s\ -w
    minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
    for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
      ld+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    done
    (cd hack/tools/kubectl && CGO_ENABLED=0 "${NICE[@]}" "$GO" build -trimpath -ldflags "$ld" -o "$k.tmp" k8s.io/kubernetes/cmd/kubectl) >&2
    mv "$k.tmp" "$k"
  fi
  echo "$k"
}
KUBECTL=$(find_kubectl)
KUBECTL_VERSION=$("$KUBECTL" version --client 2>/dev/null | awk '/Client Version/ {print $3}')
ok "kubectl $KUBECTL_VERSION: $KUBECTL [$(elapsed)]"

# kubectl, kubectl-krew (kubectl's plugin discovery finds krew) first on PATH.
TOOLS=$TMP/tools
mkdir -p "$TOOLS"
ln -s "$KUBECTL" "$TOOLS/kubectl"
ln -s "$KREW" "$TOOLS/kubectl-krew"
export PATH="$TOOLS:$PATH"
# No test may read the developer's clusters.
export KUBECONFIG=$TMP/kubeconfig
: >"$KUBECONFIG"

# ---------------------------------------------------------------- 2. goreleaser
"$GORELEASER" check >"$TMP/check.log" 2>&1 || {
  cat "$TMP/check.log" >&2
  die "goreleaser check"
}
ok "goreleaser check: .goreleaser.yaml is valid, no deprecated properties"

# goreleaser reads the commit only when `git ls-remote --get-url` works; a
# clone without a remote (a local checkout) gets an origin for its git calls
# through the environment, without touching the repository's config.
if ! git ls-remote --get-url >/dev/null 2>&1; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/auth-paths/kubectl-auth-paths.git
fi
GOOS_HERE=$("$GO" env GOOS)
GOARCH_HERE=$("$GO" env GOARCH)
CONFIG=.goreleaser.yaml
if [[ $TARGETS == host ]]; then
  # .goreleaser.yaml with only its target lists narrowed to this machine.
  CONFIG=$TMP/goreleaser-host.yaml
  sed -E -e "s/^(    goos: )\[linux, darwin, windows\]\$/\1[$GOOS_HERE]/" \
    -e "s/^(    goarch: )\[amd64, arm64\]\$/\1[$GOARCH_HERE]/" .goreleaser.yaml >"$CONFIG"
  [[ $(diff .goreleaser.yaml "$CONFIG" | grep -c '^>') == 2 ]] ||
    die "could not narrow .goreleaser.yaml's goos/goarch lines to $GOOS_HERE/$GOARCH_HERE (did their form change?)"
fi
say "goreleaser release --snapshot --clean --skip=publish ($TARGETS targets: $CONFIG) ..."
if ! "${NICE[@]}" "$GORELEASER" release --config "$CONFIG" --snapshot --clean --skip=publish --parallelism 2 --timeout 60m >"$TMP/release.log" 2>&1; then
  tail -50 "$TMP/release.log" >&2
  die "goreleaser release --snapshot"
fi
VERSION=v$(grep -o '"version":"[^"]*"' dist/metadata.json | head -1 | cut -d'"' -f4)
[[ $VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+-SNAPSHOT-[0-9a-f]+$ ]] || die "unexpected snapshot version $VERSION"
ok "goreleaser snapshot $VERSION built [$(elapsed)]"

[[ -f dist/checksums.txt ]] || die "dist/checksums.txt missing"
n=0
for os in linux darwin windows; do
  for arch in amd64 arm64; do
    [[ $TARGETS == all || ($os == "$GOOS_HERE" && $arch == "$GOARCH_HERE") ]] || continue
    ext=tar.gz bin=kubectl-auth_paths
    [[ $os == windows ]] && ext=zip bin=kubectl-auth_paths.exe
    a=kubectl-auth_paths_${os}_${arch}.$ext
    [[ -s dist/$a ]] || die "missing archive dist/$a"
    want=$(awk -v n="$a" '$2 == n {print $1}' dist/checksums.txt)
    [[ -n $want ]] || die "$a is not in checksums.txt"
    [[ $(sha256 "dist/$a") == "$want" ]] || die "sha256 of $a does not match checksums.txt"
    if [[ $ext == tar.gz ]]; then
      list=$(tar -tzf "dist/$a" | LC_ALL=C sort | tr '\n' ' ')
      [[ $list == "LICENSE $bin kubectl_complete-auth_paths " ]] || die "$a holds [$list], want LICENSE, $bin, kubectl_complete-auth_paths at its root"
    fi
    n=$((n + 1))
  done
done
want=6
[[ $TARGETS == host ]] && want=1
[[ $n == "$want" ]] || die "want $want archives, checked $n"
ok "$n archive(s) (tar.gz; zip for windows) with checksums.txt entries that match; tar.gz roots hold exactly kubectl-auth_paths, LICENSE, kubectl_complete-auth_paths (zip layouts are checked by the krew installs of make dist-all)"

# The snapshot binary for this machine reports the snapshot version.
here=$(find dist -type f -path "*_${GOOS_HERE}_${GOARCH_HERE}*/kubectl-auth_paths" | head -1)
[[ -n $here ]] || die "no dist binary for $GOOS_HERE/$GOARCH_HERE"
"$here" version | grep -qF "kubectl auth-paths $VERSION " || die "$here version: $("$here" version)"
ok "dist binary $here: version $VERSION (ldflags)"

# ---------------------------------------------------------------- 3. krew manifest
mkdir -p dist/krew
MANIFEST=dist/krew/auth-paths.yaml
# With one target the other five archives' sha256s are zeros (as in the committed manifest).
KREW_MANIFEST_ZERO_MISSING=$([[ $TARGETS == host ]] && echo 1 || echo 0) hack/krew-manifest.sh dist "$VERSION" >"$MANIFEST"
grep -q 'file://' "$MANIFEST" && die "$MANIFEST has file:// uris"
[[ $(grep -c '^    uri: https://github.com/auth-paths/kubectl-auth-paths/releases/download/'"$VERSION"'/' "$MANIFEST") == 6 ]] ||
  die "$MANIFEST: want 6 release uris"
"$VALIDATE" -manifest "$MANIFEST" -skip-install >"$TMP/validate.log" 2>&1 || {
  cat "$TMP/validate.log" >&2
  die "validate-krew-manifest $MANIFEST"
}
ok "validate-krew-manifest -skip-install $MANIFEST (release uris, snapshot sha256s): structure, name = file stem, every selector used, none overlapping"

# The committed manifest: valid, and what the script renders (but for version and sha256s).
"$VALIDATE" -manifest krew/auth-paths.yaml -skip-install >"$TMP/validate-committed.log" 2>&1 || {
  cat "$TMP/validate-committed.log" >&2
  die "validate-krew-manifest krew/auth-paths.yaml"
}
committed_version=$(awk '$1 == "version:" {print $2; exit}' krew/auth-paths.yaml)
normalize() { sed -E -e 's/[0-9a-f]{64}/SHA256/' -e "s/$2/VERSION/g" -e '/^# The sha256 values are zeros/d' "$1"; }
if ! diff <(normalize krew/auth-paths.yaml "$committed_version") <(normalize "$MANIFEST" "$VERSION") >"$TMP/manifest.diff"; then
  cat "$TMP/manifest.diff" >&2
  die "krew/auth-paths.yaml is not what hack/krew-manifest.sh renders; rerun: hack/krew-manifest.sh - $committed_version > krew/auth-paths.yaml"
fi
ok "krew/auth-paths.yaml ($committed_version) is valid and matches hack/krew-manifest.sh"

# Full validation: every platform installed by krew, downloading from a
# loopback copy of the release (validate-krew-manifest also checks LICENSE).
# Only with all six archives; with one, the real install below checks it.
if [[ $TARGETS == all ]]; then
  "$GO" build -C hack/tools -o "$TMP/fileserver" ./fileserver
  "$TMP/fileserver" -dir dist -url-file "$TMP/url" -timeout 20m &
  SERVER_PID=$!
  for _ in $(seq 100); do
    [[ -s $TMP/url ]] && break
    sleep 0.1
  done
  [[ -s $TMP/url ]] || die "fileserver did not start"
  mkdir -p "$TMP/loopback"
  hack/krew-manifest.sh dist "$VERSION" "$(cat "$TMP/url")" >"$TMP/loopback/auth-paths.yaml"
  "$VALIDATE" -manifest "$TMP/loopback/auth-paths.yaml" >"$TMP/validate-install.log" 2>&1 || {
    cat "$TMP/validate-install.log" >&2
    die "validate-krew-manifest with installs"
  }
  grep -q 'all 6 spec.platforms installed fine' "$TMP/validate-install.log" || die "validate-krew-manifest did not install 6 platforms"
  kill "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  ok "validate-krew-manifest (no -skip-install): krew downloaded, checked and installed all 6 platforms (linux, darwin, windows x amd64, arm64), LICENSE present [$(elapsed)]"
else
  say "one target: the krew install of every platform is make dist-all's (AUTH_PATHS_DIST_TARGETS=all)"
fi

# ---------------------------------------------------------------- 4. a real install
export KREW_ROOT=$TMP/krew
archive=dist/kubectl-auth_paths_${GOOS_HERE}_${GOARCH_HERE}.tar.gz
[[ $GOOS_HERE == windows ]] && archive=${archive%.tar.gz}.zip
kubectl krew install --manifest="$MANIFEST" --archive="$archive" >"$TMP/install.log" 2>&1 || {
  cat "$TMP/install.log" >&2
  die "kubectl krew install"
}
ok "kubectl krew install --manifest=$MANIFEST --archive=$archive (KREW_ROOT=$KREW_ROOT)"

export PATH="$KREW_ROOT/bin:$PATH"
[[ $(command -v kubectl-auth_paths) == "$KREW_ROOT/bin/kubectl-auth_paths" ]] || die "kubectl-auth_paths on PATH is not krew's"
out=$(kubectl auth-paths version)
[[ $out == "kubectl auth-paths $VERSION "* ]] || die "kubectl auth-paths version: $out"
ok "kubectl auth-paths version (kubectl plugin discovery): $out"
out=$(kubectl auth-paths version -o json)
echo "$out" | grep -q "\"version\": \"$VERSION\"" || die "kubectl auth-paths version -o json: $out"
echo "$out" | grep -q "\"platform\": \"$GOOS_HERE/$GOARCH_HERE\"" || die "kubectl auth-paths version -o json: $out"
ok "kubectl auth-paths version -o json: $(echo "$out" | tr -d '\n ' )"
# (plugin list exits non-zero for warnings about other plugins on PATH)
{ kubectl plugin list 2>/dev/null || true; } | grep -q "^$KREW_ROOT/bin/kubectl-auth_paths\$" || die "kubectl plugin list does not show auth-paths"
ok "kubectl plugin list shows $KREW_ROOT/bin/kubectl-auth_paths"

# Completion through kubectl, with the hook linked as the manifest's caveats say.
hook=$KREW_ROOT/store/auth-paths/$VERSION/kubectl_complete-auth_paths
[[ -x $hook ]] || die "krew did not unpack $hook"
ln -sf "$hook" "$KREW_ROOT/bin/"
minor=$(kubectl version --client -o json 2>/dev/null | grep -o '"minor": *"[0-9]*' | grep -o '[0-9]*$' || echo 0)
if ((minor >= 26)); then
  got=$(kubectl __complete auth-paths "" 2>/dev/null | grep -v '^:' | cut -f1 | tr '\n' ' ')
  for w in who-can version completion; do
    [[ " $got " == *" $w "* ]] || die "kubectl __complete auth-paths '': $w missing from [$got]"
  done
  got=$(kubectl __complete auth-paths who-can get sec 2>/dev/null | grep -v '^:' | cut -f1 | tr '\n' ' ')
  [[ $got == "secrets " ]] || die "kubectl __complete auth-paths who-can get sec: [$got]"
  ok "kubectl auth-paths <TAB> through the installed kubectl_complete-auth_paths: [who-can version completion ...], who-can get sec<TAB> -> secrets"
  KUBECTL=$KUBECTL "$GO" test -count=1 -run '^TestKubectlPluginCompletion$' -v ./pkg/cmd/ >"$TMP/gotest.log" 2>&1 || {
    cat "$TMP/gotest.log" >&2
    die "go test -run TestKubectlPluginCompletion"
  }
  grep -q -- '--- PASS: TestKubectlPluginCompletion' "$TMP/gotest.log" || {
    cat "$TMP/gotest.log" >&2
    die "TestKubectlPluginCompletion did not run"
  }
  ok "go test -run TestKubectlPluginCompletion ./pkg/cmd with KUBECTL=$KUBECTL: PASS"
else
  say "kubectl $KUBECTL_VERSION predates plugin completion (1.26): completion through kubectl not checked"
fi

echo
echo "dist: checked:"
for c in "${CHECKED[@]}"; do echo "  - $c"; done
echo "dist: all passed in $(elapsed)"
