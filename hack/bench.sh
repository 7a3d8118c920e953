#!/usr/bin/env bash
# Whole-binary benchmarks on generated clusters (make bench).
#
# For each size it generates (once, cached outside the repository) a cluster
# with hack/gen, then measures wall time and peak RSS of:
#   floor    hack/floor FILE: encoding/json into the typed k8s.io/api objects
#   scan     kubectl-auth_paths scan -f FILE -o json
#   from     kubectl-auth_paths from SUBJECT -f FILE -o json
#   who-can  kubectl-auth_paths who-can get secrets -A -f FILE -o json
#   explain  kubectl-auth_paths explain SUBJECT -f FILE -o json
# (with BENCH_REVIEW=1 also report and chokepoints, which re-analyse the input
# once per candidate binding) on the default shape and, for BENCH_HOSTILE
# sizes, on hack/gen's hostile shape (BENCH_WIDE: its wide shape), and prints a table with the ratios to the floor (and of from/who-can to scan).
#
# Environment:
#   BENCH_SIZES   namespaces per run (default "1000 5000 20000")
#   BENCH_HOSTILE namespaces of the hostile-shape runs (default "1000"; "" for none)
#   BENCH_WIDE    namespaces of the wide-shape runs (default ""; e.g. "5000")
#   BENCH_GROUPWIDE namespaces of the groupwide-shape runs (default ""; e.g. "300 1000":
#                 superlinear today, see docs/performance.md)
#   BENCH_POLICIES namespaces of the policies-shape runs (default ""; e.g. "300 1000")
#   BENCH_AUTHEDIT namespaces of the authedit-shape runs (default ""; e.g. "300 1000":
#                 superlinear today, see docs/performance.md)
#   BENCH_OPERATORS namespaces of the operators-shape runs (default ""; e.g. "1000 3000")
#   BENCH_AGGREGATED namespaces of the aggregated-shape runs (default ""; e.g. "1000 3000")
#   BENCH_FANIN   namespaces of the fanin-shape runs (default ""; e.g. "1000 3000")
#   BENCH_MONOLITH namespaces of the monolith-shape runs (default ""; e.g. "1000 3000")
#   BENCH_LEGACYTOKENS namespaces of the legacytokens-shape runs (default ""; e.g. "1000 3000")
#   BENCH_HARDENED namespaces of the hardened-shape runs (default ""; e.g. "1000 3000")
#   BENCH_REVIEW  1 to measure report and chokepoints too (default 0)
#   BENCH_KUBERNETES_VERSION --kubernetes-version of every command but who-can
#                 (default "": unknown; e.g. v1.35, where get alone no longer execs)
#   BENCH_MEMCAP  address-space cap of each command in bytes (default 8000000000)
#   BENCH_SEED    generator seed (default 1)
#   BENCH_RUNS    runs per command, the fastest is kept (default 1)
#   BENCH_CACHE   cache directory (default ${XDG_CACHE_HOME:-~/.cache}/kubectl-auth-paths-bench)
#   BENCH_SUBJECT subject of `from` (default User:iam-bot@example.com)
#   BENCH_DOCS    1 to write the results into docs/performance.md (default 1)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SIZES=${BENCH_SIZES:-"1000 5000 20000"}
HOSTILE=${BENCH_HOSTILE-"1000"}
WIDE=${BENCH_WIDE-""}
GROUPWIDE=${BENCH_GROUPWIDE-""}
POLICIES=${BENCH_POLICIES-""}
AUTHEDIT=${BENCH_AUTHEDIT-""}
OPERATORS=${BENCH_OPERATORS-""}
AGGREGATED=${BENCH_AGGREGATED-""}
FANIN=${BENCH_FANIN-""}
MONOLITH=${BENCH_MONOLITH-""}
LEGACYTOKENS=${BENCH_LEGACYTOKENS-""}
HARDENED=${BENCH_HARDENED-""}
REVIEW=${BENCH_REVIEW:-0}
VER=()
if [ -n "${BENCH_KUBERNETES_VERSION:-}" ]; then VER=(--kubernetes-version "$BENCH_KUBERNETES_VERSION"); fi
# Every command runs under an address-space cap (prlimit --as), so that a
# runaway run fails instead of taking the machine's memory.
CAP=()
if command -v prlimit >/dev/null; then CAP=(prlimit --as="${BENCH_MEMCAP:-8000000000}"); fi
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-1}
CACHE=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-auth-paths-bench}
SUBJECT=${BENCH_SUBJECT:-User:iam-bot@example.com}
DOCS=${BENCH_DOCS:-1}
GO=${GO:-go}

# /usr/bin/time -v gives the peak RSS.
if [ ! -x /usr/bin/time ]; then
	echo "bench: installing GNU time (Debian package time)" >&2
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get install -y time >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y time >/dev/null; }
fi

mkdir -p "$CACHE"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "bench: building" >&2
CGO_ENABLED=0 $GO build -trimpath -o "$WORK/kubectl-auth_paths" ./cmd/kubectl-auth_paths
CGO_ENABLED=0 $GO build -trimpath -o "$WORK/floor" ./hack/floor
CGO_ENABLED=0 $GO build -trimpath -o "$WORK/gen" ./hack/gen

# The cache key includes the generator's source, so a changed generator regenerates.
GENHASH=$(cat hack/gen/*.go hack/gen/*/*.go | sha256sum | cut -c1-10)

dump() {
	local n=$1 shape=$2 f="$CACHE/cluster-n$1-$2-s$SEED-$GENHASH.json"
	if [ ! -s "$f" ]; then
		echo "bench: generating $n namespaces ($shape) into $f" >&2
		"$WORK/gen" -namespaces "$n" -seed "$SEED" -shape "$shape" >"$f.tmp"
		mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# measure NAME CMD... prints "wall_seconds maxrss_kb cpu_seconds" of the fastest of
# $RUNS runs. CPU time (user+system) is printed too: on a shared machine it is the
# steadier figure.
measure() {
	local best_t="" best_m="" best_c="" t m u s i
	for ((i = 0; i < RUNS; i++)); do
		if ! "${CAP[@]}" /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err"; then
			# scan/from/who-can exit 3 only for partial live input; anything else is a failure.
			echo "bench: failed: $*" >&2
			tail -5 "$WORK/err" >&2
			return 1
		fi
		read -r t m u s <"$WORK/time"
		if [ -z "$best_t" ] || awk -v a="$t" -v b="$best_t" 'BEGIN{exit !(a<b)}'; then
			best_t=$t best_m=$m best_c=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
		fi
	done
	echo "$best_t $best_m $best_c"
}

BIN="$WORK/kubectl-auth_paths"
TABLE="$WORK/table.md"
{
	echo "| namespaces | shape | objects | file MB | command | wall s | CPU s | peak RSS MiB | wall / floor | CPU / floor | RSS / floor | wall / scan |"
	echo "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$TABLE"
declare -A SCAN_T SCAN_C
runs=""
for n in $SIZES; do runs="$runs $n:default"; done
for n in $HOSTILE; do runs="$runs $n:hostile"; done
for n in $WIDE; do runs="$runs $n:wide"; done
for n in $GROUPWIDE; do runs="$runs $n:groupwide"; done
for n in $POLICIES; do runs="$runs $n:policies"; done
for n in $AUTHEDIT; do runs="$runs $n:authedit"; done
for n in $OPERATORS; do runs="$runs $n:operators"; done
for n in $AGGREGATED; do runs="$runs $n:aggregated"; done
for n in $FANIN; do runs="$runs $n:fanin"; done
for n in $MONOLITH; do runs="$runs $n:monolith"; done
for n in $LEGACYTOKENS; do runs="$runs $n:legacytokens"; done
for n in $HARDENED; do runs="$runs $n:hardened"; done
for run in $runs; do
	n=${run%%:*} shape=${run#*:}
	f=$(dump "$n" "$shape")
	mb=$(($(stat -c %s "$f") / 1000000))
	echo "bench: $n namespaces, $shape ($mb MB)" >&2
	read -r ft fm fc < <(measure "$WORK/floor" "$f")
	objects=$(awk '{print $1}' "$WORK/out")
	read -r st sm sc < <(measure "$BIN" scan -f "$f" -o json "${VER[@]}")
	[ "$shape" != default ] || SCAN_T[$n]=$st SCAN_C[$n]=$sc
	read -r rt rm rc < <(measure "$BIN" from "$SUBJECT" -f "$f" -o json "${VER[@]}")
	read -r wt wm wc < <(measure "$BIN" who-can get secrets -A -f "$f" -o json)
	read -r et em ec < <(measure "$BIN" explain "$SUBJECT" -f "$f" -o json "${VER[@]}")
	if [ "$REVIEW" = 1 ]; then
		read -r pt pm pc < <(measure "$BIN" report -f "$f" -o md "${VER[@]}")
		read -r ct cm cc < <(measure "$BIN" chokepoints -f "$f" -o json "${VER[@]}")
	fi
	row() {
		awk -v n="$n" -v shape="$shape" -v o="$objects" -v mb="$mb" -v c="$1" -v t="$2" -v m="$3" -v cpu="$4" -v ft="$ft" -v fm="$fm" -v fc="$fc" -v st="$st" 'BEGIN{
			printf "| %d | %s | %d | %d | %s | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %s |\n", n, shape, o, mb, c, t, cpu, m/1024, t/ft, cpu/fc, m/fm, (c ~ /^(from|who-can|explain|report|chokepoints)/ ? sprintf("%.2f", t/st) : "")}'
	}
	{
		row "floor" "$ft" "$fm" "$fc"
		row "scan -o json" "$st" "$sm" "$sc"
		row "from $SUBJECT" "$rt" "$rm" "$rc"
		row "who-can get secrets -A" "$wt" "$wm" "$wc"
		row "explain $SUBJECT" "$et" "$em" "$ec"
		if [ "$REVIEW" = 1 ]; then
			row "report" "$pt" "$pm" "$pc"
			row "chokepoints" "$ct" "$cm" "$cc"
		fi
	} >>"$TABLE"
done

sizes=($SIZES)
SCALING=""
if [ -n "${SCAN_T[5000]:-}" ] && [ -n "${SCAN_T[20000]:-}" ]; then
	SCALING=$(awk -v a="${SCAN_T[20000]}" -v b="${SCAN_T[5000]}" -v ca="${SCAN_C[20000]}" -v cb="${SCAN_C[5000]}" 'BEGIN{printf "scan time(20k)/time(5k) = %.2f wall, %.2f CPU", a/b, ca/cb}')
fi

DATE=$(date -u +%Y-%m-%dT%H:%MZ)
CPU=$(awk -F: '/model name/{gsub(/^ +/,"",$2); print $2; exit}' /proc/cpuinfo)
MACHINE="$(nproc) CPUs ($CPU), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), $($GO version | awk '{print $3}'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
{
	echo "Measured $DATE on $MACHINE."
	echo "Commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)'); generator seed $SEED; best of $RUNS run(s)."
	echo
	cat "$TABLE"
	echo
	[ -z "$SCALING" ] || echo "$SCALING"
	echo
	echo "Command lines (FILE = \`go run ./hack/gen -namespaces N -seed $SEED -shape SHAPE\`):"
	echo
	echo '```'
	echo "floor FILE                       # go build ./hack/floor"
	echo "kubectl-auth_paths scan -f FILE -o json"
	echo "kubectl-auth_paths from $SUBJECT -f FILE -o json"
	echo "kubectl-auth_paths who-can get secrets -A -f FILE -o json"
	echo "kubectl-auth_paths explain $SUBJECT -f FILE -o json"
	[ "$REVIEW" != 1 ] || echo "kubectl-auth_paths report -f FILE -o md; kubectl-auth_paths chokepoints -f FILE -o json"
	[ ${#VER[@]} = 0 ] || echo "# every command but who-can with ${VER[*]}"
	echo '```'
} >"$WORK/results.md"
cat "$WORK/results.md"

if [ "$DOCS" = 1 ] && [ -f docs/performance.md ] && grep -q '<!-- bench:begin -->' docs/performance.md; then
	awk -v res="$WORK/results.md" '
		/<!-- bench:begin -->/ {print; while ((getline l < res) > 0) print l; skip=1; next}
		/<!-- bench:end -->/ {skip=0}
		!skip {print}' docs/performance.md >"$WORK/perf.md"
	cp "$WORK/perf.md" docs/performance.md
	echo "bench: results written to docs/performance.md" >&2
fi
