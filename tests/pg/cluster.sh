# tests/pg/cluster.sh - sourced by tests/pg/run.sh and tests/pg/failover.sh:
# PostgreSQL clusters made by the test itself in one temporary directory
# ($DIR), each on a free port of 127.0.0.1 with its unix socket in $DIR.
# PostgreSQL refuses to run as root: as root, the server and its tools run as
# the `postgres` user (pg_as), which Debian's postgresql-15 package creates.
# pg_cleanup stops every cluster pg_start started and removes $DIR; the
# sourcing script calls it from its EXIT trap. $WHO names the script in
# messages. PG_KEEP=1 keeps $DIR for a look after a failure.
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "$WHO: no PostgreSQL server binaries (make deps)"; exit 1; }

AS=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 ||
        { echo "$WHO: running as root and there is no postgres user (make deps)"; exit 1; }
    AS=(runuser -u postgres --)
fi
DIR=$(mktemp -d /tmp/yizhan-pg.XXXXXX)
chmod 755 "$DIR"
[ ${#AS[@]} -eq 0 ] || chown postgres "$DIR"
STARTED=()

pg_as() {
    "${AS[@]}" "$@"
}

pg_cleanup() {
    local d
    for d in "${STARTED[@]}"; do
        pg_as "$PGBIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
    done
    if [ -n "${PG_KEEP:-}" ]; then
        echo "$WHO: kept $DIR (PG_KEEP)"
    else
        rm -rf "$DIR"
    fi
}

# pg_initdb DATA: a new cluster in DATA, trusting local and 127.0.0.1
# connections (replication ones too: initdb's default pg_hba.conf).
pg_initdb() {
    pg_as "$PGBIN/initdb" -D "$1" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$1.initdb.log" 2>&1 || { cat "$1.initdb.log"; exit 1; }
}

# pg_start DATA [SETTINGS] [PORT]: start the cluster in DATA on PORT or a
# free port, which is left in PORT. SETTINGS are more postgres options
# ("-c name=value ..."). A free port is a random one below Linux's
# ephemeral range (32768 and up, where a port in use by an outgoing
# connection still answers nothing) that nothing answers on; another if the
# server cannot bind it after all.
pg_start() {
    local attempt
    for attempt in 1 2 3 4 5; do
        PORT=${3:-$((20000 + RANDOM % 12000))}
        [ -z "${3:-}" ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && continue
        STARTED+=("$1")
        pg_as "$PGBIN/pg_ctl" -D "$1" -l "$1.log" -w \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR ${2:-}" start >/dev/null && return 0
        unset 'STARTED[-1]'
        [ -n "${3:-}" ] && break
    done
    cat "$1.log"
    echo "$WHO: cannot start the cluster in $1"
    exit 1
}

# pg_psql PORT DB ARGS...: psql as postgres through the unix socket.
pg_psql() {
    local port=$1 db=$2
    shift 2
    pg_as "$PGBIN/psql" -q -X -v ON_ERROR_STOP=1 -h "$DIR" -p "$port" -U postgres -d "$db" "$@"
}
