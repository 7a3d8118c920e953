#!/usr/bin/env bash
# Renders the HTML review report in headless Chromium (JavaScript cannot run:
# the report's Content-Security-Policy forbids scripts) and checks the
# screenshot. Installs chromium (and graphviz for the inline SVG) with apt
# when missing. CI: set CI_REQUIRE_CHROMIUM=1 so a missing browser fails.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
if ((${#need[@]})); then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core
fi

export CI_REQUIRE_CHROMIUM=1
status=0
out=$(go test ./pkg/review/ -run 'TestReportHTML' -count=1 -v 2>&1) || status=$?
# Chromium logs D-Bus errors in containers; they are noise.
grep -v 'dbus' <<<"$out"
exit "$status"
