#!/bin/bash
# fuzz/run.sh SECONDS JOBS TARGET... - run each libFuzzer target for SECONDS,
# JOBS of them side by side (one a core: a target is one process), seeded
# from fuzz/corpus/<t>/, new inputs to fuzz/work/<t>/, crashes to
# fuzz/crashes/<t>-*. Prints each target's runs and peak RSS in the order
# given, the last 60 lines of a failing target's log, and last
# "N passed, N failed"; exits non-zero when a target found a crash.
set -u
secs=$1 jobs=$2
shift 2
mkdir -p fuzz/crashes
one() {
    local t=$1
    mkdir -p "fuzz/work/$t" "fuzz/corpus/$t"
    fuzz/bin/"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="fuzz/crashes/$t-" \
        "fuzz/work/$t" "fuzz/corpus/$t" > "fuzz/work/$t.log" 2>&1
    echo $? > "fuzz/work/$t.rc"
}
running=0
for t in "$@"; do
    rm -f "fuzz/work/$t.rc"
    one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
passed=0 failed=0
for t in "$@"; do
    echo "== fuzz $t ($secs s)"
    if [ "$(cat "fuzz/work/$t.rc" 2>/dev/null)" = 0 ]; then
        awk '/stat::number_of_executed_units/ {n=$2} /stat::peak_rss_mb/ {m=$2}
             END {printf "   %d runs, peak RSS %d MB, no crash\n", n, m}' "fuzz/work/$t.log"
        passed=$((passed + 1))
    else
        tail -60 "fuzz/work/$t.log"
        echo "fuzz $t: FAILED, input in fuzz/crashes/"
        failed=$((failed + 1))
    fi
done
echo "fuzz: $# targets, $failed with a crash"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
