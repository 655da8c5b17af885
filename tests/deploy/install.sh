#!/bin/bash
# tests/deploy/install.sh - `make test-deploy`: `make install` into a scratch
# PREFIX (and once more under a DESTDIR), then what docs/operations.md
# promises: the binary finds its data from any directory, the config is made
# once (mode 0600, a random [generic] secret, state paths) and never
# overwritten, `make uninstall` removes the program and keeps config and
# data; the unit file passes `systemd-analyze verify` and scores at most
# 2.0 ("OK") in `systemd-analyze security` (both offline: systemd need not
# run). Ends with "N passed, N failed"; exits 1 on failure.
set -u
cd "$(dirname "$0")/../.."

PASS=0
FAIL=0
TMP=$(mktemp -d /tmp/yizhan-install-XXXXXX)
YPID=

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }
finish() {
    if [ -n "$YPID" ]; then
        kill -TERM "$YPID" 2>/dev/null
        wait "$YPID" 2>/dev/null
    fi
    [ "$FAIL" -ne 0 ] && [ -f "$TMP/serve.log" ] && tail -n 20 "$TMP/serve.log"
    rm -rf "$TMP"
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}
trap finish EXIT

P="$TMP/prefix"
VARS=(PREFIX="$P" SYSCONFDIR="$TMP/etc" STATEDIR="$TMP/state")
CONF="$TMP/etc/yizhan/bot.conf"

# --- make install -----------------------------------------------------------
if make --no-print-directory install "${VARS[@]}" >"$TMP/install.log" 2>&1; then
    ok "make install PREFIX=$P"
else
    cat "$TMP/install.log"
    bad "make install"
    exit 1
fi
for f in bin/yizhan share/yizhan/content/README.md share/yizhan/intents share/yizhan/web/index.html \
    share/yizhan/bot.conf.example share/yizhan/make-config share/doc/yizhan/operations.md \
    share/doc/yizhan/nginx-yizhan.conf lib/systemd/system/yizhan.service; do
    [ -e "$P/$f" ] || bad "missing $P/$f"
done
ls "$P/share/yizhan/content/"*.txt >/dev/null 2>&1 && ls "$P/share/yizhan/intents/"*.rules >/dev/null 2>&1 &&
    ok "binary, content, intents, web, unit, docs installed" || bad "data not installed"
[ "$(stat -c %a "$P/bin/yizhan")" = 755 ] && [ "$(stat -c %a "$P/share/yizhan/content")" = 755 ] &&
    ok "modes: binary 755, data readable by all" || bad "modes of the installed files"

[ "$(stat -c %a "$CONF" 2>/dev/null)" = 600 ] && ok "config $CONF made with mode 0600" ||
    bad "config mode: $(stat -c %a "$CONF" 2>&1)"
grep -q "^database = $TMP/state/yizhan.db$" "$CONF" && grep -q "^media_dir = $TMP/state/media$" "$CONF" &&
    ok "config: database and photos under STATEDIR" || bad "config: state paths"
secret=$(sed -n '/^\[generic\]/,/^\[/ s/^secret = //p' "$CONF")
[ ${#secret} = 64 ] && ok "config: a random [generic] secret (64 hex digits)" ||
    bad "config: [generic] secret is '$secret'"

# the installed binary, from a directory without content/: the share dir
mkdir -p "$TMP/elsewhere"
out=$(cd "$TMP/elsewhere" && "$P/bin/yizhan" check -c "$CONF" 2>&1)
case "$out" in
*"config and content valid"*) ok "yizhan check from another directory finds the installed content" ;;
*) bad "yizhan check from another directory: $out" ;;
esac
(cd "$TMP/elsewhere" && exec "$P/bin/yizhan" serve -c "$CONF" --set listen=127.0.0.1:0 \
    --set "database=$TMP/elsewhere/y.db" --set "media_dir=$TMP/elsewhere/media") \
    >"$TMP/serve.log" 2>&1 &
YPID=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/serve.log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
done
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/admin/")
[ -n "$port" ] && [ "$code" = 200 ] && ok "the installed server serves the dashboard from the share dir" ||
    bad "installed server: port '$port', GET /admin/ $code"
kill -TERM "$YPID"
wait "$YPID"
rc=$?
YPID=
[ $rc = 0 ] && ok "graceful stop on SIGTERM (exit 0)" || bad "serve exit status $rc"

# a second install keeps the config as it is
echo "# edited by the operator" >>"$CONF"
sum=$(md5sum <"$CONF")
make --no-print-directory install "${VARS[@]}" >"$TMP/install2.log" 2>&1
[ "$(md5sum <"$CONF")" = "$sum" ] && grep -q "kept the existing" "$TMP/install2.log" &&
    ok "make install again: the existing config is kept" || bad "the second install touched the config"

# DESTDIR: everything lands under it
make --no-print-directory install "${VARS[@]}" DESTDIR="$TMP/dest" >"$TMP/install3.log" 2>&1
[ -x "$TMP/dest$P/bin/yizhan" ] && [ -f "$TMP/dest$TMP/etc/yizhan/bot.conf" ] &&
    [ "$(stat -c %a "$TMP/dest$TMP/etc/yizhan/bot.conf")" = 600 ] &&
    ok "make install DESTDIR=... puts everything under DESTDIR" || bad "DESTDIR install"

# --- the unit, offline --------------------------------------------------------
UNIT="$P/lib/systemd/system/yizhan.service"
grep -q "^ExecStart=$P/bin/yizhan serve -c \${CREDENTIALS_DIRECTORY}/bot.conf$" "$UNIT" &&
    grep -q "^LoadCredential=bot.conf:$TMP/etc/yizhan/bot.conf$" "$UNIT" &&
    ok "unit: ExecStart and LoadCredential point at the installed paths" || bad "unit paths"
for k in Type=notify WatchdogSec= 'ExecReload=/bin/kill -HUP \$MAINPID' DynamicUser=yes StateDirectory=yizhan ConfigurationDirectory=yizhan \
    ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes MemoryMax= \
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"; do
    grep -q "^$k" "$UNIT" || bad "unit: no $k"
done
grep -q '^CapabilityBoundingSet=$' "$UNIT" && ok "unit: the hardening keys are set" ||
    bad "unit: CapabilityBoundingSet is not empty"
if ! command -v systemd-analyze >/dev/null; then
    echo "installing systemd (systemd-analyze)"
    env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q systemd \
        >/dev/null 2>&1
fi
if out=$(systemd-analyze verify "$UNIT" 2>&1) && [ -z "$out" ]; then
    ok "systemd-analyze verify: no complaint"
else
    bad "systemd-analyze verify: $out"
fi
score=$(systemd-analyze security --offline=true "$UNIT" 2>/dev/null |
    sed -n 's/.*Overall exposure level for yizhan.service: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
    ok "systemd-analyze security: exposure $score (at most 2.0)"
else
    bad "systemd-analyze security: exposure '$score' (want at most 2.0)"
fi

# --- make uninstall -------------------------------------------------------------
make --no-print-directory uninstall "${VARS[@]}" >"$TMP/uninstall.log" 2>&1
[ ! -e "$P/bin/yizhan" ] && [ ! -e "$P/share/yizhan" ] && [ ! -e "$UNIT" ] && [ -f "$CONF" ] &&
    ok "make uninstall: program, data and unit gone, config kept" || bad "make uninstall"
