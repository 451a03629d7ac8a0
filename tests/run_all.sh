#!/usr/bin/env bash
# Runs every test against one build (build/ or build/asan/): the unit test programs,
# a 3-second run of each fuzzer (tests/fuzz), then the black-box suites through nginx +
# the server + the fake Partner Center, then the browser suite (tests/browser: its own
# stacks, driven in headless Chromium).
# The last line is the total: "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build;; esac
passed=0 failed=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Adds the counts of a "name: N passed, N failed" line; a program without one failed.
tally() {
    local name=$1 rc=$2 out=$3 line p f
    line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $name: exited $rc without a summary"
        failed=$((failed + 1))
        return
    fi
    read -r p f < <(printf '%s' "$line" | grep -oE '[0-9]+ passed, [0-9]+ failed' |
        tail -n 1 | sed -E 's/([0-9]+) passed, ([0-9]+) failed/\1 \2/')
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $name: exited $rc"
        failed=$((failed + 1))
    fi
}

cd "$top"
for t in "$build"/tests/test_*; do
    case $t in *.o) continue;; esac
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -E '^(FAIL|==|.*runtime error|.*Sanitizer)' || true
    printf '%s\n' "$out" | tail -n 1
    tally "$(basename "$t")" "$rc" "$out"
done

# The fuzzers (tests/fuzz/, built by `make fuzz-build`, a prerequisite of `make test`): each
# harness for 3 s from a temporary copy of its seed corpus; one check per harness, failed on
# a crash, leak, hang or broken invariant (its input is kept in <fuzz dir>/crashes/<harness>/).
# A build without its own fuzz/ (build/asan) uses build/fuzz/, built when missing.
fuzzdir=$build/fuzz
[ -d "$fuzzdir" ] || fuzzdir=$top/build/fuzz
if ! ls "$fuzzdir"/fuzz_* >/dev/null 2>&1; then
    make -C "$top" --no-print-directory -s fuzz-build >/dev/null 2>&1 || true
fi
out=$(tests/fuzz/run.sh "$fuzzdir" 3 --quick 2>&1); rc=$?
printf '%s\n' "$out" | grep -E '^(FAIL|==|.*runtime error|.*Sanitizer|.*invariant)' || true
printf '%s\n' "$out" | tail -n 1
tally fuzz "$rc" "$out"

for t in tests/blackbox/test_*.py; do
    name=$(basename "$t" .py)
    out=$(BATCHSTATUS_BIN="$build/batchstatus" BLACKBOX_RUN_ROOT="$build/test-run" \
        python3 "$t" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -vE '^ok ' || true
    tally "$name" "$rc" "$out"
done
# The browser suite: headless Chromium (Debian's) through playwright-core, after the
# black-box suites. Missing node or Chromium is a failure, not a skip: `make test` installs them.
if command -v node >/dev/null 2>&1; then
    out=$(BATCHSTATUS_BIN="$build/batchstatus" BLACKBOX_RUN_ROOT="$build/test-run" \
        node tests/browser/test_browser.mjs 2>&1); rc=$?
    printf '%s\n' "$out" | grep -vE '^ok ' || true
    tally browser "$rc" "$out"
else
    echo "FAIL browser: node is not installed (make test installs Debian's nodejs)"
    failed=$((failed + 1))
fi
# A sanitizer report in the server's logs fails the run, whatever the tests said.
if grep -rlE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$build/test-run" 2>/dev/null; then
    echo "FAIL sanitizer reports in the server logs above"
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
