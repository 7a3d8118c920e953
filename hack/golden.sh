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
# GOLDEN_BIN and GOLDEN_GENBIN use binaries built elsewhere (e.g. of an older commit).
if [ -n "${GOLDEN_BIN:-}" ]; then cp "$GOLDEN_BIN" "$work/bin"; else $GO build -o "$work/bin" ./cmd/kubectl-auth_paths; fi
if [ -n "${GOLDEN_GENBIN:-}" ]; then cp "$GOLDEN_GENBIN" "$work/gen"; else $GO build -o "$work/gen" ./hack/gen; fi

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

# one FILE records every command's stdout, stderr and exit status for one input.
one() {
	local f=$1 id i=0 s subjects
	id=$(echo "$f" | sed 's|.*testdata/||; s|.*/gen-|gen-|; s|-[0-9a-f]\{10\}\.json$||; s|/|_|g')
	run() {
		local name=$1 rc=0
		shift
		"$work/bin" "$@" >"$out/$id.$name.out" 2>"$out/$id.$name.err" || rc=$?
		echo "$rc" >"$out/$id.$name.rc"
	}
	run scan scan -f "$f" -o json
	run scan-expand scan -f "$f" -o json --expand-groups
	run chokepoints chokepoints -f "$f" -o json
	run report report -f "$f" -o md
	sed -i '/^Generated [0-9T:-]*Z by /d' "$out/$id.report.out"
	run graph graph -f "$f"
	run graph-all graph -f "$f" --all
	subjects=$(jq -r '.paths[:'"${GOLDEN_SUBJECTS:-2}"'][] | .subject | if .namespace then "\(.kind):\(.namespace):\(.name)" else "\(.kind):\(.name)" end' "$out/$id.scan-expand.out" 2>/dev/null || true)
	for s in $subjects; do
		run "from$i" from "$s" -f "$f" -o json
		run "explain$i" explain "$s" -f "$f" -o json
		i=$((i + 1))
	done
	echo "golden: $id" >&2
}
export -f one
export work out
printf '%s\n' "${inputs[@]}" | xargs -P "${GOLDEN_JOBS:-3}" -I{} bash -c 'one "$@"' _ {}

if [ "$mode" = check ]; then
	if diff -r "$dir" "$out" >"$work/diff"; then
		echo "golden: identical to $dir" >&2
	else
		head -50 "$work/diff" >&2
		echo "golden: differences from $dir ($(grep -c '^diff' "$work/diff" || true) files)" >&2
		exit 1
	fi
fi
