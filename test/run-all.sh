#!/usr/bin/env bash
# The whole test suite, as CI runs it on a clean checkout: installs and starts what the tests
# need when it is missing (docker.io and dockerd, the test images, code-server, chromium), then
# runs every stage and ends with one honest line "N passed, N failed, N skipped" over all
# tests (skipped = pending + planned but not run). test-results/summary.json holds the counts
# per stage, the stage's seconds and exit code, and the commit tested.
#
# Every stage has a time limit, and the whole run a budget (DOCKER_LEVELS_RUN_BUDGET_S,
# default 3600 s). The run fails when a stage fails or is missing, when a test stage reports
# no counts, or when fewer tests ran than were planned.
#
# Local only (refused under CI=true):
#   DOCKER_LEVELS_STAGES="unit integration"  runs only those stages
#   DOCKER_LEVELS_TEST_GREP=…                filters tests by title (printed)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log_dir=${DOCKER_LEVELS_TEST_LOGS:-test-results}
mkdir -p "$log_dir"
stages_file="$log_dir/stages.jsonl"
: >"$stages_file"
run_budget=${DOCKER_LEVELS_RUN_BUDGET_S:-3600}
all_stages=(setup bed check-types lint build unit integration vscode-install vscode ui)
selected=${DOCKER_LEVELS_STAGES:-}
ci=${CI:-false}
refused=0

if [ -n "${DOCKER_LEVELS_TEST_GREP:-}" ]; then
	echo "DOCKER_LEVELS_TEST_GREP in force: only tests matching '$DOCKER_LEVELS_TEST_GREP' run"
	[ "$ci" != true ] || { echo "refused under CI=true: a grep hides tests"; refused=1; }
fi
if [ -n "$selected" ]; then
	echo "reduced run: only stages $selected"
	[ "$ci" != true ] || { echo "refused under CI=true: DOCKER_LEVELS_STAGES skips stages"; refused=1; }
fi
[ "$refused" = 0 ] || exit 2
expected=("${all_stages[@]}")
if [ -n "$selected" ]; then
	read -r -a expected <<<"$selected"
	for s in "${expected[@]}"; do
		[[ " ${all_stages[*]} " == *" $s "* ]] || { echo "DOCKER_LEVELS_STAGES: no stage '$s' (stages: ${all_stages[*]})"; exit 2; }
	done
fi

wanted() {
	local s
	for s in "${expected[@]}"; do [ "$s" = "$1" ] && return 0; done
	return 1
}

# stage NAME BUDGET_S [--counts] COMMAND…: runs COMMAND under `timeout`, limited to the
# stage's budget and to what is left of the run's; with --counts the command is a test stage
# and must write its counts to $DOCKER_LEVELS_TEST_COUNTS.
stage() {
	local name=$1 budget=$2
	shift 2
	wanted "$name" || return 0
	local counts_json=""
	if [ "${1:-}" = --counts ]; then
		counts_json=",\"countsFile\":\"$log_dir/$name.counts.json\""
		rm -f "$log_dir/$name.counts.json"
		shift
	fi
	local left=$((run_budget - SECONDS))
	[ "$left" -lt "$budget" ] && budget=$left
	echo "=== $name (limit ${budget} s)"
	local rc=124 started=$SECONDS
	if [ "$budget" -gt 0 ]; then
		DOCKER_LEVELS_TEST_COUNTS="$log_dir/$name.counts.json" \
			timeout --kill-after=30 "$budget" "$@" 2>&1 | tee "$log_dir/$name.log"
		rc=${PIPESTATUS[0]}
	else
		echo "run budget of ${run_budget} s used up: $name not started"
	fi
	local secs=$((SECONDS - started))
	echo "=== $name: exit $rc after ${secs} s"
	printf '{"name":"%s","seconds":%d,"exitCode":%d%s}\n' "$name" "$secs" "$rc" "$counts_json" >>"$stages_file"
}

# Mocha without --exit: a leaked handle is named by openHandles.ts, not waited out.
mocha=(npx mocha --require tsx/cjs --require test/support/openHandles.ts --reporter test/support/countingReporter.ts)

[ -d node_modules ] || npm ci
# One nested bed for every stage; removed at the end unless the caller keeps it.
keep_bed=${DOCKER_LEVELS_KEEP_BED:-0}
export DOCKER_LEVELS_KEEP_BED=1
[ "$keep_bed" = 1 ] || trap 'bash test/testbed/down.sh >/dev/null 2>&1 || true' EXIT
stage setup 1200 bash test/testbed/setup.sh
stage bed 900 bash test/testbed/up.sh
stage check-types 300 npm run --silent check-types
stage lint 300 npm run --silent lint
stage build 300 npm run --silent build
stage unit 180 --counts "${mocha[@]}" --config test/.mocharc.unit.json
stage integration 1500 --counts "${mocha[@]}" --config test/.mocharc.integration.json
stage vscode-install 900 bash test/vscode/testenv/install.sh
stage vscode 1200 --counts npx tsx test/vscode/runTests.ts
stage ui 1200 --counts npx tsx test/ui/levels.ui.ts

npx tsx test/support/stageSummary.ts "$stages_file" "$log_dir/summary.json" "${expected[@]}"
