#!/usr/bin/env bash
# hack/ci-fresh.sh [DIR]: measures .ci/run as on a fresh CI machine: a clone of
# this repository's HEAD in DIR/repo (default /tmp/ci-fresh; emptied first),
# empty GOCACHE, GOMODCACHE, e2e and dist caches, golangci-lint cache and HOME,
# no ./bin, and no kubectl on PATH (a copy of /usr/bin's links without it).
# Runs under /usr/bin/time -v; writes DIR/ci.log (the run and its stage table)
# and DIR/load.log (the load average every minute: other work on the machine
# makes the wall seconds longer, the stage table's CPU seconds do not change).
# The apt packages (graphviz, Chromium) stay installed if they are: removing
# them would break whoever else uses the machine; .ci/run installs them when
# missing, beside make demo.
#
# Do not change the clone while it runs: a stage compiling a tree that moves
# under it fails (and its figures mean nothing).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/tmp/ci-fresh}
rm -rf "$dir"
mkdir -p "$dir"/{home,tmp,usrbin}
git clone -q "$src" "$dir/repo"
# ../shared (the real-installer corpus some tests read) as in the source tree.
if [[ -e $src/../shared ]]; then ln -s "$(cd "$src/../shared" && pwd)" "$dir/shared"; fi
for f in /usr/bin/*; do
  [[ $(basename "$f") == kubectl ]] || ln -s "$f" "$dir/usrbin/"
done
# What .ci/run installs with apt-get when missing: links made now, dangling
# until then, so that the run finds them once installed, as CI does in /usr/bin.
for f in dot chromium chromedriver; do
  [[ -e $dir/usrbin/$f ]] || ln -s "/usr/bin/$f" "$dir/usrbin/$f"
done
echo "ci-fresh: $(git -C "$dir/repo" log --oneline -1) in $dir/repo; log $dir/ci.log"
(while sleep 60; do echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)"; done) >"$dir/load.log" 2>&1 &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT
rc=0
(cd "$dir/repo" && env -i \
  HOME="$dir/home" TMPDIR="$dir/tmp" LANG=C.UTF-8 \
  PATH="$dir/usrbin:/usr/local/go/bin:/usr/sbin:/sbin" \
  GOCACHE="$dir/gocache" GOMODCACHE="$dir/gomod" GOLANGCI_LINT_CACHE="$dir/lintcache" \
  AUTH_PATHS_E2E_CACHE="$dir/e2e" AUTH_PATHS_DIST_CACHE="$dir/dist" \
  /usr/bin/time -v ./.ci/run) >"$dir/ci.log" 2>&1 || rc=$?
echo "ci-fresh: exit $rc; stage table:"
sed -n '/^ci: stages/,/^ci: load/p' "$dir/ci.log"
grep -E 'Elapsed|User time|System time' "$dir/ci.log" || true
exit "$rc"
