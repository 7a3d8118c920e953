#!/usr/bin/env bash
# hack/stage.sh NAME COMMAND [ARG...]: runs COMMAND as the CI stage NAME. With
# $CI_STAGE_LOG set (by .ci/run) it appends "NAME SECONDS EXIT" to that file,
# failed or not, for the stage table .ci/run prints at its end; without it, it
# only runs COMMAND. Exits with COMMAND's status.
set -uo pipefail
name=$1
shift
if [[ -z ${CI_STAGE_LOG:-} ]]; then
  exec "$@"
fi
start=$(date +%s)
"$@"
rc=$?
echo "$name $(($(date +%s) - start)) $rc" >>"$CI_STAGE_LOG"
exit "$rc"
