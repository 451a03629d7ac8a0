#!/usr/bin/env bash
# make test-tsan: the black-box suites that run requests concurrently (test_blackbox,
# test_tokens) against a ThreadSanitizer build of the server. Passes when both suites
# pass and no server log holds a ThreadSanitizer report.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build/tsan}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0 second_deadlock_stack=1}
export BATCHSTATUS_BIN=$top/$build/batchstatus BLACKBOX_RUN_ROOT=$build/test-run
cd "$top"
rm -rf "$build/test-run"
failed=0 passed=0
for t in test_blackbox test_tokens; do
    out=$(python3 "tests/blackbox/$t.py" 2>&1)
    printf '%s\n' "$out" | grep -E '^FAIL|passed, [0-9]+ failed' | sed "s/^/$t: /"
    line=$(printf '%s\n' "$out" | grep -oE '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    passed=$((passed + ${line%% *}))
    f=${line#*, }; failed=$((failed + ${f%% *}))
done
reports=$(grep -rh 'WARNING: ThreadSanitizer' "$build/test-run" 2>/dev/null | sort | uniq -c)
if [ -n "$reports" ]; then
    printf 'FAIL ThreadSanitizer reports in the server logs:\n%s\n' "$reports"
    grep -rl 'WARNING: ThreadSanitizer' "$build/test-run" | head -n 3
    failed=$((failed + 1))
else
    echo "ok   no ThreadSanitizer report in any server log"
    passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
