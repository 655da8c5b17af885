# tests/lib.sh - what the shell test runners share (tests/kannel/run.sh,
# tests/deploy/nginx.sh): sourced after setting TMP (a scratch directory,
# removed at the end) and PIDS=() (processes to stop, by PID). ok/bad count
# checks; the run ends with "N passed, N failed" and exit status 1 on a
# failure, showing the last lines of $TMP/*.log and $TMP/logs/*.log.
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }
die() {
    bad "$1"
    exit 1
}

# Stop what we started, by PID, whatever happened; show the logs on failure.
cleanup() {
    local pid f
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [ "$FAIL" -ne 0 ]; then
        for f in "$TMP"/*.log "$TMP"/logs/*.log; do
            [ -f "$f" ] || continue
            echo "---- $f (last 30 lines)"
            tail -n 30 "$f"
        done
    fi
    rm -rf "$TMP"
}

finish() {
    declare -F before_cleanup >/dev/null && before_cleanup
    cleanup
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}
trap finish EXIT
trap 'bad "interrupted"; exit 1' INT TERM

# The whole run is bounded: after $1 seconds the script is ended.
bound_run() {
    ( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep "$1" & s=$!; wait $s; kill -TERM $$ ) \
        >/dev/null 2>&1 &
    PIDS+=($!)
}

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
# Install Debian packages (apt-get update first when one is unknown).
apt_install() {
    echo "installing $*"
    if ! apt-cache show "$@" >/dev/null 2>&1; then
        $SUDO apt-get update -q || die "apt-get update failed"
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q "$@" ||
        die "cannot install $*"
}
