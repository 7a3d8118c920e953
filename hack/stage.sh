#!/usr/bin/env bash
# hack/stage.sh NAME COMMAND [ARG...]: runs COMMAND as the CI stage NAME. With
# $CI_STAGE_LOG set (by .ci/run) it appends "NAME SECONDS EXIT CPU_SECONDS" to
# that file, failed or not, for the stage table .ci/run prints at its end;
# without it, it only runs COMMAND. Exits with COMMAND's status. CPU seconds
# (user+system of COMMAND and everything it waited for) are what the stage
# costs whatever else the machine runs; wall seconds depend on the load.
set -uo pipefail
name=$1
shift
if [[ -z ${CI_STAGE_LOG:-} ]]; then
  exec "$@"
fi
start=$(date +%s)
"$@"
rc=$?
# `times` must run in this shell (a subshell has no children's times).
tf=$(mktemp)
times >"$tf"
cpu=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] } printf "%d", n + 0.5 }' "$tf")
rm -f "$tf"
echo "$name $(($(date +%s) - start)) $rc $cpu" >>"$CI_STAGE_LOG"
exit "$rc"
