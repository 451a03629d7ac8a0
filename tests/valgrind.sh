#!/usr/bin/env bash
# make test-valgrind: the black-box suites with the server under valgrind memcheck.
# The verdict is valgrind's: no memory errors and no definitely lost blocks in any
# server process. The suites' own results are printed too; under valgrind's 20-50x
# slowdown a test that waits on many concurrent requests may time out (504), which
# is valgrind's speed, not a memory error, so those do not decide the verdict.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
logs=$top/$build/valgrind
rm -rf "$logs"
mkdir -p "$logs"
export BATCHSTATUS_WRAPPER="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --num-callers=30 --log-file=$logs/memcheck.%p.log"
export BATCHSTATUS_BIN=$top/$build/batchstatus BLACKBOX_RUN_ROOT=$build/valgrind-run
cd "$top"
for t in test_blackbox test_tokens; do
    python3 "tests/blackbox/$t.py" 2>&1 | grep -E '^FAIL|passed, [0-9]+ failed' | sed "s/^/$t: /"
done
n=0 bad=0
for f in "$logs"/memcheck.*.log; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    errors=$(grep -oE 'ERROR SUMMARY: [0-9]+' "$f" | grep -oE '[0-9]+$' | tail -n 1)
    lost=$(grep -oE 'definitely lost: [0-9,]+ bytes' "$f" | grep -oE '[0-9,]+' | head -n 1 | tr -d ,)
    if [ "${errors:-x}" != 0 ] || [ "${lost:-0}" != 0 ]; then
        echo "FAIL $(basename "$f"): ${errors:-no} errors, ${lost:-0} bytes definitely lost"
        grep -E '^==[0-9]+== (Invalid|Conditional|Use of|.*definitely lost)' "$f" | head -n 5
        bad=$((bad + 1))
    else
        echo "ok   $(basename "$f"): 0 errors, 0 bytes definitely lost"
    fi
done
[ "$n" -gt 0 ] || { echo "FAIL no server ran under valgrind"; bad=$((bad + 1)); }
echo "valgrind: $((n - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
