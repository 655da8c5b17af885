#!/bin/bash
# tests/pg/failover.sh - `make test-failover` (docs/failover.md): a primary
# (a) and a synchronous streaming standby (b) made here (initdb,
# pg_basebackup -R, synchronous_standby_names naming the standby, so a
# commit is acknowledged only once it is on both), `./yizhan serve` given
# both hosts with target_session_attrs=read-write, and webhook load from a
# few clients that post messages with unique ids and retry every answer but
# 200, as platforms do. Two rounds, Yizhan running through both:
#
#  1. failover: a is stopped (immediate: a crash; its port refuses) in the
#     middle of the load, and b is promoted DOWN1_S later with pg_ctl
#     promote. Then a is rebuilt as b's synchronous standby with pg_rewind
#     (the runbook's last step).
#  2. failback: b is stopped the same way, and its address is taken by a
#     listener that accepts connections and never answers (a hung host:
#     without libpq's connect_timeout a reconnection waits on it for ever);
#     a is promoted DOWN2_S later.
#  Between them, with b the primary and a (rebuilt) its synchronous
#  standby: a is stopped for DOWN3_S and started again (standby_round
#  below: nothing may be acknowledged while it is down).
#
# pg_auto_failover is not used: it needs a monitor node and decides in tens
# of seconds (docs/failover.md says why and how to run it in production).
#
# Checks of each round: every answer before the stop is 200; Yizhan
# reconnects by itself after the promotion; every answer that is not 200 is
# a 500 given while no primary was reachable (up to GRACE ms after the
# promotion: one wait between reconnection tries, and in round 2 the hung
# host's connect_timeout); every message ever answered 200 is in the new
# primary's inbound table exactly once, and nothing else is. Prints the
# counts and times. Last line "N passed, N failed". YIZHAN names another
# binary to test (an older build, to see the checks fail).
set -euo pipefail
cd "$(dirname "$0")/../.."
WHO=test-failover
. tests/pg/cluster.sh

CLIENTS=${FAILOVER_CLIENTS:-4}
BEFORE_S=${FAILOVER_BEFORE_S:-3} # load before the primary stops
DOWN1_S=${FAILOVER_DOWN1_S:-8}   # round 1: no primary at all
DOWN2_S=${FAILOVER_DOWN2_S:-3}   # round 2
DOWN3_S=${FAILOVER_DOWN3_S:-16}   # the synchronous standby down
STMT_TIMEOUT_S=${FAILOVER_STATEMENT_TIMEOUT:-2} # [store] statement_timeout
SLOWEST_MS=7000                  # no answer slower while the standby is down: 3 timeouts and 1 s of slack (4.2 s seen; 7.9 s with the turn shared)
AFTER_S=${FAILOVER_AFTER_S:-4}   # load after the first 200 on the new primary
GIVE_UP_S=60                     # a client stops retrying (a failure)
# Past the promotion, 500s may start for this long: the reconnection try
# under way, then one wait between tries (at most 2 s); in round 2 each try
# also spends connect_timeout (3 s by default in Yizhan) on the hung host.
GRACE1_MS=${FAILOVER_GRACE1_MS:-4000}
GRACE2_MS=${FAILOVER_GRACE2_MS:-6000}

YPID= HOLE=
CLIENT_PIDS=()
cleanup() {
    local p
    for p in "${CLIENT_PIDS[@]}" $YPID $HOLE; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${CLIENT_PIDS[@]}" $YPID $HOLE; do
        wait "$p" 2>/dev/null || true
    done
    pg_cleanup
}
trap cleanup EXIT

passed=0 failed=0
check() { # check NAME STATUS [DETAIL]: STATUS 0 passes
    if [ "$2" = 0 ]; then
        echo "ok   $1"
        passed=$((passed + 1))
    else
        echo "FAIL $1${3:+: $3}"
        failed=$((failed + 1))
    fi
}
now_ms() {
    local t=${EPOCHREALTIME/./}
    echo $((t / 1000))
}

# wait_sync PORT NAME: until the cluster on PORT has NAME as its
# synchronous standby, streaming; checked.
wait_sync() {
    local state=
    for _ in $(seq 100); do
        state=$(pg_psql "$1" postgres -At -c \
            "SELECT state || '/' || sync_state FROM pg_stat_replication WHERE application_name='$2'")
        [ "$state" = streaming/sync ] && break
        sleep 0.1
    done
    check "$2 streams as the synchronous standby ($state)" "$([ "$state" = streaming/sync ]; echo $?)"
}

# -- the two clusters ------------------------------------------------------
A=$DIR/a B=$DIR/b
pg_initdb "$A"
# fsync off: the test stops processes, not the machine. full_page_writes
# stays on, wal_log_hints is on and WAL is kept: pg_rewind needs them. In
# the file, not on the command line: pg_basebackup copies it to the
# standby, and pg_rewind's own run of the server reads it.
printf 'fsync = off\nwal_log_hints = on\nwal_keep_size = 256MB\n' >>"$A/postgresql.conf"
# cluster_name is the application_name a standby streams under.
pg_start "$A" "-c cluster_name=a"
PA=$PORT
pg_psql "$PA" postgres -c "ALTER SYSTEM SET synchronous_standby_names = 'b'" -c 'CREATE DATABASE yizhan'
pg_as "$PGBIN/pg_ctl" -D "$A" reload >/dev/null
pg_as "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PA" -U postgres -D "$B" -R -X stream \
    -c fast >"$DIR/basebackup.log" 2>&1 || { cat "$DIR/basebackup.log"; exit 1; }
# b copied a's postgresql.auto.conf: once promoted it must not wait for a
# standby it does not have yet.
pg_as sed -i '/synchronous_standby_names/d' "$B/postgresql.auto.conf"
pg_start "$B" "-c cluster_name=b"
PB=$PORT
wait_sync "$PA" b

# -- Yizhan on both hosts --------------------------------------------------
CONNINFO="host=127.0.0.1,127.0.0.1 port=$PA,$PB user=postgres dbname=yizhan"
CONNINFO+=" target_session_attrs=read-write"
"${YIZHAN:-./yizhan}" serve --set listen=127.0.0.1:0 --set "database=$DIR/y.db" \
    --set "media_dir=$DIR/media" --set privacy.notice=false \
    --set store.engine=postgres --set "store.conninfo=$CONNINFO" \
    --set store.statement_timeout="$STMT_TIMEOUT_S" 2>"$DIR/serve.log" &
YPID=$!
YPORT=
for _ in $(seq 200); do
    YPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DIR/serve.log" | head -1)
    [ -n "$YPORT" ] && break
    sleep 0.05
done
[ -n "$YPORT" ] || { cat "$DIR/serve.log"; echo "$WHO: yizhan did not start"; exit 1; }

# -- the clients -----------------------------------------------------------
# Each client posts messages with unique ids, one after the other, and
# posts each again until it is answered 200 (0.1 s apart), like a
# platform's retries, only faster (the throttle's burst of 30 is spent in
# 3 s of retries unless a 500 gives its token back). A line per answer into $DIR/ROUND-client-C.log:
# start_ms end_ms id status.
client() {
    local round=$1 c=$2 i=0 id code t0 t1 body deadline
    while [ ! -e "$DIR/stop" ]; do
        i=$((i + 1))
        id="fo-$round-$c-$i"
        # from: a worker per message (one sender would meet [throttle])
        body="{\"id\":\"$id\",\"from\":\"$id\",\"text\":\"积分\"}"
        deadline=$(($(now_ms) + GIVE_UP_S * 1000))
        while :; do
            t0=$(now_ms)
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 \
                -H 'Content-Type: application/json' --data-binary "$body" \
                "http://127.0.0.1:$YPORT/webhook/generic") || true
            t1=$(now_ms)
            echo "$t0 $t1 $id $code" >>"$DIR/$round-client-$c.log"
            [ "$code" = 200 ] && break
            [ "$t1" -gt "$deadline" ] && { echo "$t0 $t1 $id gave-up" >>"$DIR/$round-client-$c.log"; break; }
            sleep 0.1
        done
    done
}

# clients_start ROUND: CLIENTS clients post until $DIR/stop exists.
clients_start() {
    local c
    rm -f "$DIR/stop"
    for c in $(seq "$CLIENTS"); do
        client "$1" "$c" &
        CLIENT_PIDS+=($!)
    done
}

# clients_stop ROUND T_UP: the load goes on until AFTER_S past the first
# 200 asked at or after T_UP (FIRST_AFTER: its end, empty if none came
# within GIVE_UP_S), then the clients finish their message and stop.
clients_stop() {
    local p
    FIRST_AFTER=
    for _ in $(seq $((GIVE_UP_S * 10))); do
        # awk reads the logs itself: `cat | awk '{...; exit}'` killed cat
        # with SIGPIPE once the logs outgrew a pipe's buffer, and pipefail
        # with set -e ended the whole test there (exit 141)
        FIRST_AFTER=$(awk -v up="$2" '$1 >= up && $4 == 200 { print $2; exit }' \
            "$DIR/$1"-client-*.log)
        [ -n "$FIRST_AFTER" ] && break
        sleep 0.1
    done
    [ -n "$FIRST_AFTER" ] && sleep "$AFTER_S"
    touch "$DIR/stop"
    for p in "${CLIENT_PIDS[@]}"; do
        wait "$p" || true
    done
    CLIENT_PIDS=()
}

# check_stored ROUND PORT: every message answered 200 in any round so far
# is in the inbound table of the primary on PORT once, and nothing else.
check_stored() {
    local r=$1 missing extra doubled
    pg_psql "$2" yizhan -At -F ' ' \
        -c "SELECT ext_id, count(*) FROM inbound WHERE channel='generic' GROUP BY ext_id" \
        >"$DIR/stored"
    cat "$DIR"/*-answers | awk '$4 == 200 { print $3 }' | sort >"$DIR/acked"
    awk '{ print $1 }' "$DIR/stored" | sort >"$DIR/stored.ids"
    missing=$(comm -23 "$DIR/acked" "$DIR/stored.ids" | wc -l)
    extra=$(comm -13 "$DIR/acked" "$DIR/stored.ids" | wc -l)
    doubled=$(awk '$2 != 1' "$DIR/stored" | wc -l)
    echo "$r: on the primary: $(wc -l <"$DIR/stored") messages; answered 200 so far: $(wc -l <"$DIR/acked")"
    check "$r: every message answered 200 is on the primary" "$([ "$missing" = 0 ]; echo $?)" \
        "$missing missing, e.g. $(comm -23 "$DIR/acked" "$DIR/stored.ids" | head -3 | tr '\n' ' ')"
    check "$r: each of them once, and nothing that was never answered 200" \
        "$([ "$doubled" = 0 ] && [ "$extra" = 0 ]; echo $?)" "$doubled doubled, $extra extra"
}

# round NAME OLD_DATA OLD_PORT NEW_DATA NEW_PORT DOWN_S GRACE_MS HUNG:
# clients post; OLD crashes (and, HUNG=1, a listener that never answers
# takes its port); NEW is promoted DOWN_S later; then the checks.
round() {
    local r=$1 old=$2 oldport=$3 new=$4 newport=$5 down=$6 grace=$7 hung=$8
    clients_start "$r"
    sleep "$BEFORE_S"
    local t_down t_up
    t_down=$(now_ms)
    pg_as "$PGBIN/pg_ctl" -D "$old" -m immediate -w stop >/dev/null
    if [ "$hung" = 1 ]; then
        perl -MIO::Socket::INET -e '
            my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
                                          Listen => 64, ReuseAddr => 1) or die "listen: $!";
            my @held; while (my $c = $l->accept) { push @held, $c }' "$oldport" &
        HOLE=$!
    fi
    sleep "$down"
    pg_as "$PGBIN/pg_ctl" -D "$new" -w promote >/dev/null
    t_up=$(now_ms)

    clients_stop "$r" "$t_up"
    local first_after=$FIRST_AFTER
    if [ -n "$HOLE" ]; then
        kill "$HOLE"
        wait "$HOLE" 2>/dev/null || true
        HOLE=
    fi

    local ans=$DIR/$r-answers n200 n500 nother first500 last500 early late
    cat "$DIR/$r"-client-*.log >"$ans"
    n200=$(awk '$4 == 200' "$ans" | wc -l)
    n500=$(awk '$4 == 500' "$ans" | wc -l)
    nother=$(awk '$4 != 200 && $4 != 500' "$ans" | wc -l)
    first500=$(awk '$4 == 500 && (m == 0 || $2 < m) { m = $2 } END { printf "%.0f", m }' "$ans")
    last500=$(awk '$4 == 500 && $2 > m { m = $2 } END { printf "%.0f", m }' "$ans")
    echo "$r: answers: $n200 x 200, $n500 x 500, $nother other"
    echo "$r: no primary for $((t_up - t_down)) ms (stopped at +0, promoted at +$((t_up - t_down)) ms)"
    [ "$n500" -gt 0 ] && echo "$r: 500s answered from +$((first500 - t_down)) ms to +$((last500 - t_down)) ms"
    [ -n "$first_after" ] &&
        echo "$r: first 200 from the new primary at +$((first_after - t_down)) ms" \
            "($((first_after - t_up)) ms after the promotion)"

    early=$(awk -v down="$t_down" '$2 < down && $4 != 200' "$ans" | wc -l)
    check "$r: every answer before the primary stopped is 200" "$([ "$early" = 0 ]; echo $?)" \
        "$early were not"
    check "$r: Yizhan reconnects to the promoted standby by itself" \
        "$([ -n "$first_after" ]; echo $?)" "no 200 within $GIVE_UP_S s of the promotion"
    check "$r: every answer that is not 200 is a 500 (no timeout, no other status)" \
        "$([ "$nother" = 0 ]; echo $?)" "$(awk '$4 != 200 && $4 != 500' "$ans" | head -3 | tr '\n' ';')"
    late=$(awk -v up="$t_up" -v g="$grace" '$4 == 500 && $1 > up + g' "$ans" | wc -l)
    check "$r: 500 only while no primary is reachable (none asked later than $grace ms after the promotion)" \
        "$([ "$late" = 0 ]; echo $?)" "$late were"

    # Every round's acknowledged messages, on the primary of now.
    check_stored "$r" "$newport"
}

round failover "$A" "$PA" "$B" "$PB" "$DOWN1_S" "$GRACE1_MS" 0

# -- the old primary as the new standby (docs/failover.md) -----------------
# pg_rewind takes the old primary back to where the histories split (it
# needs wal_log_hints or checksums, and the WAL since the last common
# checkpoint), then it follows the new primary, which waits for it again.
# The CHECKPOINT puts the new timeline into the new primary's control file,
# where pg_rewind reads it.
pg_psql "$PB" postgres -c CHECKPOINT
if pg_as "$PGBIN/pg_rewind" -D "$A" -R \
    --source-server="host=$DIR port=$PB user=postgres dbname=postgres" >"$DIR/rewind.log" 2>&1; then
    pg_as sed -i '/synchronous_standby_names/d' "$A/postgresql.auto.conf"
    pg_start "$A" "-c cluster_name=a" "$PA"
    pg_psql "$PB" postgres -c "ALTER SYSTEM SET synchronous_standby_names = 'a'"
    pg_as "$PGBIN/pg_ctl" -D "$B" reload >/dev/null
    wait_sync "$PB" a
else
    check "pg_rewind of the old primary" 1 "$(grep error "$DIR/rewind.log" | tr '\n' ' ')"
fi

# -- the synchronous standby down (docs/failover.md, "The price of sync") ---
# b is the primary, a its synchronous standby. a is stopped under load and
# started again DOWN3_S later. Every COMMIT on b waits for a standby that
# is not there: Yizhan gives it up after [store] statement_timeout and
# answers 500; the abandoned backend keeps the person's row lock, so a
# retry waits behind it and gets 500 too. Checks: nothing is answered 200
# while a is down (an acknowledged message is on both machines); every
# answer is 200 or a 500 (no hang); 200 again once a streams; every message
# answered 200 stored once.
standby_round() {
    local r=standby
    clients_start "$r"
    sleep "$BEFORE_S"
    local t_stop t_down t_up waiting first_after
    t_stop=$(now_ms)
    pg_as "$PGBIN/pg_ctl" -D "$A" -m immediate -w stop >/dev/null
    t_down=$(now_ms)
    sleep "$DOWN3_S"
    waiting=$(pg_psql "$PB" postgres -At -c \
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")
    t_up=$(now_ms)
    pg_start "$A" "-c cluster_name=a" "$PA"
    wait_sync "$PB" a
    clients_stop "$r" "$t_up"
    first_after=$FIRST_AFTER

    local ans=$DIR/$r-answers n200 n500 nother early during slowest
    cat "$DIR/$r"-client-*.log >"$ans"
    n200=$(awk '$4 == 200' "$ans" | wc -l)
    n500=$(awk '$4 == 500' "$ans" | wc -l)
    nother=$(awk '$4 != 200 && $4 != 500' "$ans" | wc -l)
    echo "$r: answers: $n200 x 200, $n500 x 500, $nother other"
    echo "$r: standby down for $((t_up - t_down)) ms; $waiting backends waiting for it (SyncRep) at the end"
    [ -n "$first_after" ] &&
        echo "$r: first 200 at +$((first_after - t_up)) ms after the standby was started again"
    slowest=$(awk '$2 - $1 > m { m = $2 - $1 } END { printf "%.0f", m }' "$ans")
    echo "$r: the slowest answer took $slowest ms"
    early=$(awk -v s="$t_stop" '$2 < s && $4 != 200' "$ans" | wc -l)
    check "$r: every answer before the standby stopped is 200" "$([ "$early" = 0 ]; echo $?)" \
        "$early were not"
    # asked once the standby was down, answered before it was started again
    during=$(awk -v d="$t_down" -v u="$t_up" '$1 > d && $2 < u && $4 == 200' "$ans" | wc -l)
    check "$r: nothing answered 200 while the synchronous standby was down" \
        "$([ "$during" = 0 ]; echo $?)" "$during were"
    check "$r: every answer that is not 200 is a 500 (the COMMIT given up, no hang)" \
        "$([ "$nother" = 0 ]; echo $?)" "$(awk '$4 != 200 && $4 != 500' "$ans" | head -3 | tr '\n' ';')"
    # a request waits for the batch before its own, each given up after
    # its timeout: seen about two timeouts (4.1-4.2 s). While the writer and
    # the sender took one process-wide write turn (before 2026-12-05, its
    # skip on PostgreSQL: bot/store.c take_turn) a batch also waited for
    # the sender's transactions, each waiting out its own timeout for the
    # send_rate rows an abandoned sender backend holds: about four (7.9 s),
    # which fails here. Without the timeout an answer waits for the standby
    # (DOWN3_S).
    check "$r: no answer took longer than $SLOWEST_MS ms (statement_timeout ${STMT_TIMEOUT_S} s)" \
        "$([ "$slowest" -le "$SLOWEST_MS" ]; echo $?)" "$slowest ms"
    check "$r: answers 200 again once the standby is back" "$([ -n "$first_after" ]; echo $?)" \
        "no 200 within $GIVE_UP_S s"
    check_stored "$r" "$PB"
}

if [ "$(pg_psql "$PB" postgres -At -c "SELECT sync_state FROM pg_stat_replication WHERE application_name='a'")" = sync ]; then
    standby_round
fi

round failback "$B" "$PB" "$A" "$PA" "$DOWN2_S" "$GRACE2_MS" 1

check "the log says it reconnected" \
    "$(grep -q "store: reconnected to PostgreSQL" "$DIR/serve.log"; echo $?)"
kill "$YPID"
wait "$YPID" || true
YPID=

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
