#!/usr/bin/env bash
# tests/fuzz/run.sh DIR SECONDS [--quick]: runs every libFuzzer harness built in DIR
# (DIR/fuzz_*, from `make fuzz-build`) for SECONDS each, from its seed corpus in
# tests/fuzz/corpus/<harness>/ (read only: new inputs go to a working corpus outside
# the tree: DIR/corpus/<harness>/, kept between runs, or with --quick a temporary
# directory removed after). A crash, leak, timeout (10 s per input) or broken
# invariant leaves its input in DIR/crashes/<harness>/ and fails the run.
# Prints a table of executions and coverage per harness; with --quick (tests/run_all.sh)
# also the suite's tally line "fuzz: N passed, N failed" (a harness is one check).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: run.sh DIR SECONDS [--quick]}
secs=${2:-60}
quick=${3:-}
case $dir in /*) ;; *) dir=$top/$dir;; esac
cd "$top"    # fuzz_batch reads ./templates

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

harnesses=$(cd "$dir" 2>/dev/null && ls fuzz_* 2>/dev/null | grep -vE '\.(o|a)$' || true)
if [ -z "$harnesses" ]; then
    echo "FAIL fuzz: no harnesses in $dir (make fuzz-build)"
    [ "$quick" = --quick ] && echo "fuzz: 0 passed, 1 failed"
    exit 1
fi

tmp=
if [ "$quick" = --quick ]; then
    tmp=$(mktemp -d /tmp/bs-fuzz-XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$dir/logs"
passed=0 failed=0 rows=()
for bin in $harnesses; do
    h=${bin#fuzz_}
    seeds=tests/fuzz/corpus/$h
    if [ -n "$tmp" ]; then work=$tmp/$h; else work=$dir/corpus/$h; fi
    crashes=$dir/crashes/$h
    log=$dir/logs/$h.log
    mkdir -p "$work" "$crashes"
    "$dir/$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$crashes/" "$work" "$seeds" >"$log" 2>&1
    rc=$?
    execs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1)
    rate=$(grep -oE '^stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(printf '%s' "$last" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+')
    ft=$(printf '%s' "$last" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+')
    corp=$(printf '%s' "$last" | grep -oE 'corp: [0-9]+' | grep -oE '[0-9]+')
    if [ "$rc" -eq 0 ] && ! grep -qE '^==[0-9]+==ERROR|runtime error:|invariant broken' "$log"; then
        result=ok
        passed=$((passed + 1))
    else
        result="CRASH (exit $rc)"
        failed=$((failed + 1))
        echo "FAIL fuzz_$h: exit $rc; input(s) in $crashes/ (replay: $dir/$bin FILE), log $log:"
        grep -E 'ERROR|runtime error|invariant broken|SUMMARY|^ +#[0-9]+ |Test unit written|Base64' "$log" | head -n 40
    fi
    rows+=("$(printf '%-16s %12s %9s %7s %7s %6s  %s' "$h" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done

echo
printf '%-16s %12s %9s %7s %7s %6s  %s\n' harness executions exec/s cov ft corpus result
for r in "${rows[@]}"; do printf '%s\n' "$r"; done
echo "(${secs} s each; cov: edges covered, ft: features; logs in $dir/logs/)"
[ "$quick" = --quick ] && echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
