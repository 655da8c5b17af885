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
# The cluster's helpers (and running as root) are in tests/pg/cluster.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHO=test-pg
. tests/pg/cluster.sh
trap pg_cleanup EXIT

pg_initdb "$DIR/data"
pg_start "$DIR/data" "-c fsync=off -c full_page_writes=off"
pg_psql "$PORT" postgres -c 'CREATE DATABASE yizhan' >/dev/null
# the schema: pgprep has the store create it in the empty database (bot/store.c pg_migrate)

# Both runners always run; each one's last line is "N passed, N failed".
tests/pg/pgprep "host=127.0.0.1 port=$PORT user=postgres dbname=yizhan" | tee "$DIR/pgprep.out" || true
# Into a file, shown as it grows: a process a test left behind keeps its
# stdout open, which would hold a pipe (and this script) open for ever.
: >"$DIR/itest.out" # made before tail looks: the runner may not have opened it yet
# In TEST_LANES lanes like make test (tests/lanes.sh): every server has a
# database of its own, named after its directory.
YIZHAN_TEST_PG="host=127.0.0.1 port=$PORT user=postgres dbname=postgres" \
    tests/lanes.sh "${TEST_LANES:-2}" "tests/it/itest $*" >"$DIR/itest.out" 2>&1 &
itest=$!
tail -n +1 -f --pid=$itest "$DIR/itest.out"
wait $itest || true
tail -n 1 -q "$DIR/pgprep.out" "$DIR/itest.out" |
    awk '{ p += $1; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit (f > 0 || NR < 2) }'
