#!/usr/bin/env bash
# Records what every output command prints for every testdata input (and for
# generated clusters), so that a refactor can be checked to leave the output
# byte-identical:
#
#   hack/golden.sh record /tmp/before          # on the old commit
#   hack/golden.sh record /tmp/after           # on the new one
#   diff -r /tmp/before /tmp/after
#
#   hack/golden.sh check /tmp/before            # record into a temporary directory and diff
#
# Per input: scan, scan --expand-groups, chokepoints, report (Markdown, the
# generation time line removed), graph and graph --all (DOT) and, for up to
# three subjects of the scan's paths, from and explain (-o json where the
# command has it). GOLDEN_GEN="1000:hostile 300:default" (default "200:hostile 100:default") adds generated
# clusters (namespaces:shape); GOLDEN_INPUTS replaces the testdata inputs.
set -euo pipefail

cd "$(dirname "$0")/.."
mode=${1:?usage: hack/golden.sh record|check DIR}
dir=${2:?usage: hack/golden.sh record|check DIR}
GO=${GO:-go}
GEN=${GOLDEN_GEN:-"200:hostile 100:default"}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 $GO build -o "$work/bin" ./cmd/kubectl-auth_paths
CGO_ENABLED=0 $GO build -o "$work/gen" ./hack/gen

out=$dir
if [ "$mode" = check ]; then
	out=$work/out
elif [ "$mode" != record ]; then
	echo "golden: mode must be record or check" >&2
	exit 2
fi
mkdir -p "$out"

inputs=()
if [ -n "${GOLDEN_INPUTS:-}" ]; then
	read -r -a inputs <<<"$GOLDEN_INPUTS"
else
	while IFS= read -r f; do inputs+=("$f"); done < <(git ls-files 'testdata/*input.yaml' 'testdata/demo/*.yaml' 'testdata/review/cluster*.yaml' | sort)
fi
# Generated clusters are cached next to the output (same flags, same bytes).
cache=${GOLDEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-auth-paths-golden}
mkdir -p "$cache"
for spec in $GEN; do
	n=${spec%%:*} shape=${spec#*:}
	f="$cache/gen-n$n-$shape-$(cat hack/gen/*.go hack/gen/*/*.go | sha256sum | cut -c1-10).json"
	[ -s "$f" ] || "$work/gen" -namespaces "$n" -shape "$shape" >"$f"
	inputs+=("$f")
done

# run NAME ARGS... records stdout, stderr and the exit status of one command.
run() {
	local name=$1
	shift
	local rc=0
	"$work/bin" "$@" >"$out/$name.out" 2>"$out/$name.err" || rc=$?
	echo "$rc" >"$out/$name.rc"
}

for f in "${inputs[@]}"; do
	id=$(echo "$f" | sed 's|.*testdata/||; s|.*/gen-|gen-|; s|-[0-9a-f]\{10\}\.json$||; s|/|_|g')
	echo "golden: $id" >&2
	run "$id.scan" scan -f "$f" -o json
	run "$id.scan-expand" scan -f "$f" -o json --expand-groups
	run "$id.chokepoints" chokepoints -f "$f" -o json
	run "$id.report" report -f "$f" --format md
	sed -i '/^Generated [0-9T:-]*Z by /d' "$out/$id.report.out"
	run "$id.graph" graph -f "$f"
	run "$id.graph-all" graph -f "$f" --all
	subjects=$(jq -r '.paths[:3][] | .subject | if .namespace then "\(.kind):\(.namespace):\(.name)" else "\(.kind):\(.name)" end' "$out/$id.scan-expand.out" 2>/dev/null || true)
	i=0
	for s in $subjects; do
		run "$id.from$i" from "$s" -f "$f" -o json
		run "$id.explain$i" explain "$s" -f "$f" -o json
		i=$((i + 1))
	done
done

if [ "$mode" = check ]; then
	if diff -r "$dir" "$out" >"$work/diff"; then
		echo "golden: identical to $dir" >&2
	else
		head -50 "$work/diff" >&2
		echo "golden: differences from $dir ($(grep -c '^diff' "$work/diff" || true) files)" >&2
		exit 1
	fi
fi
