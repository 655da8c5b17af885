#!/bin/bash
# tests/pg/run.sh - `make test-pg`: a private PostgreSQL cluster for the
# test (initdb in a temporary directory, a free port on 127.0.0.1, the unix
# socket in the same directory, fsync off), an empty database in which
# tests/pg/pgprep has the store create its schema (and another it upgrades
# from PostgreSQL's first schema), then the
# integration suite (tests/it/itest, arguments pick tests as there) with
# YIZHAN_TEST_PG set: each server runs with [store] engine = postgres in a
# database of its own. The last line sums both runners'. The cluster is
# stopped and the directory removed on every exit path (trap EXIT).
# PostgreSQL refuses to run as root: as root, the server and its tools run as
# the `postgres` user, which Debian's postgresql-15 package creates.
set -euo pipefail
cd "$(dirname "$0")/../.."
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "test-pg: no PostgreSQL server binaries (make deps)"; exit 1; }

AS=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 ||
        { echo "test-pg: running as root and there is no postgres user (make deps)"; exit 1; }
    AS=(runuser -u postgres --)
fi
DIR=$(mktemp -d /tmp/yizhan-pg.XXXXXX)
chmod 755 "$DIR"
[ ${#AS[@]} -eq 0 ] || chown postgres "$DIR"
started=0
cleanup() {
    if [ $started = 1 ]; then
        "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log"; exit 1; }

# A free port below Linux's ephemeral range (32768 and up, where a port in
# use by an outgoing connection still answers nothing): a random one that
# nothing answers on; another if the server cannot bind it after all.
for attempt in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && continue
    started=1
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c full_page_writes=off" \
        start >/dev/null && break
    started=0
    [ $attempt = 5 ] && { cat "$DIR/server.log"; exit 1; }
done
[ $started = 1 ] || { echo "test-pg: no free port"; exit 1; }
"${AS[@]}" "$PGBIN/psql" -q -X -h "$DIR" -p "$PORT" -U postgres -d postgres \
    -c 'CREATE DATABASE yizhan' >/dev/null

# Both runners always run; each one's last line is "N passed, N failed".
tests/pg/pgprep "host=127.0.0.1 port=$PORT user=postgres dbname=yizhan" | tee "$DIR/pgprep.out" || true
# Into a file, shown as it grows: a process a test left behind keeps its
# stdout open, which would hold a pipe (and this script) open for ever.
: >"$DIR/itest.out" # there before tail opens it (the runner's redirect may come later)
YIZHAN_TEST_PG="host=127.0.0.1 port=$PORT user=postgres dbname=postgres" tests/it/itest "$@" \
    >"$DIR/itest.out" 2>&1 &
itest=$!
tail -n +1 -f --pid=$itest "$DIR/itest.out"
wait $itest || true
tail -n 1 -q "$DIR/pgprep.out" "$DIR/itest.out" |
    awk '{ p += $1; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit (f > 0 || NR < 2) }'
