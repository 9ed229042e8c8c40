#!/usr/bin/env bash
# The whole test suite, as CI runs it on a clean checkout: installs and starts what the tests
# need when it is missing (docker.io and dockerd, the test images, code-server, chromium), then
# runs every stage and ends with one line "N passed, N failed" over all mocha tests.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log_dir=${DOCKER_LEVELS_TEST_LOGS:-test-results}
mkdir -p "$log_dir"
passed=0
failed=0
failed_stages=()

stage() {
	local name=$1
	shift
	echo "=== $name"
	local out="$log_dir/$name.log"
	"$@" 2>&1 | tee "$out"
	local rc=${PIPESTATUS[0]}
	local p f
	p=$(grep -Eo '^ *[0-9]+ passing' "$out" | tail -1 | grep -Eo '[0-9]+' || true)
	f=$(grep -Eo '^ *[0-9]+ failing' "$out" | tail -1 | grep -Eo '[0-9]+' || true)
	# Not mocha: the UI test ends with its own line "N passed, N failed".
	if [ -z "$p$f" ] && line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1) && [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*, }
		f=${f%% failed}
	fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ]; then
		failed_stages+=("$name")
		# A stage that failed before any test ran still counts as a failure.
		[ -n "$f" ] && [ "$f" -gt 0 ] || failed=$((failed + 1))
	fi
}

[ -d node_modules ] || npm ci
# One nested bed for every stage; removed at the end unless the caller keeps it.
keep_bed=${DOCKER_LEVELS_KEEP_BED:-0}
export DOCKER_LEVELS_KEEP_BED=1
[ "$keep_bed" = 1 ] || trap 'bash test/testbed/down.sh >/dev/null 2>&1 || true' EXIT
stage setup bash test/testbed/setup.sh
stage bed bash test/testbed/up.sh
stage check-types npm run --silent check-types
stage lint npm run --silent lint
stage build npm run --silent build
stage unit npx mocha --config test/.mocharc.unit.json
stage integration npx mocha --config test/.mocharc.integration.json
if [ -f test/vscode/runTests.ts ]; then
	stage vscode-install bash test/vscode/testenv/install.sh
	stage vscode npx tsx test/vscode/runTests.ts
fi
[ ! -f test/ui/levels.ui.ts ] || stage ui npx tsx test/ui/levels.ui.ts

echo
[ ${#failed_stages[@]} -eq 0 ] || echo "failed stages: ${failed_stages[*]}"
echo "$passed passed, $failed failed"
[ ${#failed_stages[@]} -eq 0 ]
