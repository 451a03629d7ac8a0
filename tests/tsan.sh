#!/usr/bin/env bash
# make test-tsan: the unit tests of the threaded modules (the CPU pool, the I/O loop, the follower,
# tokens, the cache, the fetch, the core, the handler through the core) and the black-box
# suites that run requests concurrently (test_blackbox, test_tokens, test_server, test_notify) against
# a ThreadSanitizer build. Passes when all pass and no output or server log holds a
# ThreadSanitizer report.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build/tsan}
# Reports go to files too: test_server.py runs servers with their stderr discarded.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0 second_deadlock_stack=1 log_path=$top/$build/test-run/tsan-reports/report}
export BATCHSTATUS_BIN=$top/$build/batchstatus BLACKBOX_RUN_ROOT=$build/test-run
cd "$top"
rm -rf "$build/test-run"
mkdir -p "$build/test-run/tsan-reports"
failed=0 passed=0
for t in cpu pc_http token cache fetch core handler follow; do
    out=$("$top/$build/tests/test_$t" 2>&1)
    if printf '%s\n' "$out" | grep -q 'WARNING: ThreadSanitizer'; then
        echo "FAIL test_$t: ThreadSanitizer reports:"
        printf '%s\n' "$out" | grep -A12 'WARNING: ThreadSanitizer' | head -n 30
        failed=$((failed + 1))
    fi
    line=$(printf '%s\n' "$out" | grep -oE '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    [ -n "$line" ] || { echo "FAIL test_$t: no summary"; failed=$((failed + 1)); continue; }
    printf 'test_%s: %s\n' "$t" "$line"
    passed=$((passed + ${line%% *}))
    f=${line#*, }; failed=$((failed + ${f%% *}))
done
for t in test_blackbox test_tokens test_server test_notify; do
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
