#!/bin/bash
# tests/lanes.sh N CMD... - run the test commands CMD (each a shell line) as
# N lanes side by side: lane k runs every command in order with
# YIZHAN_SHARD=k/N, so each runner (tests/run, tests/it/itest) takes every
# N-th case from its k-th (tests/t.h t_in_shard) and the lanes together run
# every case once. make valgrind uses two lanes, one a core: memcheck runs a
# process on one core, and the suite under it is CPU-bound (~50 min in one
# lane). Each lane's output is kept apart and printed lane after lane; the
# last line sums the runners' "N passed, N failed" lines. Exits non-zero
# when any command of any lane did.
set -u
n=$1
shift
[ "$n" -ge 1 ] 2>/dev/null || { echo "usage: tests/lanes.sh N CMD..." >&2; exit 2; }
dir=$(mktemp -d /tmp/yizhan-lanes-XXXXXX)
trap 'rm -rf "$dir"' EXIT
for ((k = 0; k < n; k++)); do
    (
        rc=0
        for cmd in "$@"; do
            echo "== lane $k/$n: $cmd"
            YIZHAN_SHARD="$k/$n" bash -c "$cmd" || rc=1
        done
        echo "$rc" > "$dir/rc.$k"
    ) > "$dir/out.$k" 2>&1 &
done
wait
status=0 passed=0 failed=0
for ((k = 0; k < n; k++)); do
    cat "$dir/out.$k"
    [ "$(cat "$dir/rc.$k" 2>/dev/null)" = 0 ] || status=1
    while read -r p _ f _; do
        passed=$((passed + p)) failed=$((failed + f))
    done < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$dir/out.$k")
done
[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1 # a runner that died before its last line
echo "$passed passed, $failed failed"
exit "$status"
