#!/bin/bash
# tests/deploy/nginx.sh - `make test-nginx`: packaging/nginx-yizhan.conf in
# front of a real ./yizhan, as docs/operations.md sets them up, on loopback.
# A real nginx (Debian's, installed when missing) with a self-signed
# certificate (openssl req) proxies https://localhost:PORT to yizhan on
# 127.0.0.1; through it go a generic request signed with the [generic]
# secret (HMAC-SHA256), a Twilio form signed over the https public_url
# (HMAC-SHA1), and the requests that must fail (no signature, a signature over
# the http URL, a body over max_body, /metrics). The replies are checked
# against the same messages read back from yizhan directly. Ends with
# "N passed, N failed"; exits 1 on failure.
set -u
cd "$(dirname "$0")/../.."

PIDS=()
TMP=$(mktemp -d /tmp/yizhan-nginx-XXXXXX)
SECRET=nginx-test-generic-secret
TW_TOKEN=nginx-test-twilio-token
. tests/lib.sh
bound_run 120 # two minutes

# --- packages ---------------------------------------------------------------
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ] || ! command -v openssl >/dev/null || ! command -v sqlite3 >/dev/null; then
    apt_install nginx openssl sqlite3
    NGINX=/usr/sbin/nginx
fi
[ -x ./yizhan ] || die "build ./yizhan first (make)"

# A port nothing listens on (nginx's bind is the real test; retried below).
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
    done
}

# --- yizhan -----------------------------------------------------------------
start_nginx() { # $1 https port, $2 http port, $3 yizhan port
    mkdir -p "$TMP/logs" "$TMP/tmp"
    # the example, with loopback ports, the test certificate and localhost
    sed -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$3;|" \
        -e "s|listen 443 ssl http2;|listen 127.0.0.1:$1 ssl http2;|" \
        -e "/listen \[::\]:443/d" -e "/listen \[::\]:80;/d" \
        -e "s|listen 80;|listen 127.0.0.1:$2;|" \
        -e "s|bot.example.org|localhost|g" \
        -e "s|/etc/letsencrypt/live/localhost/fullchain.pem|$TMP/cert.pem|" \
        -e "s|/etc/letsencrypt/live/localhost/privkey.pem|$TMP/key.pem|" \
        -e "s|root /var/www/html;|root $TMP/www;|" \
        packaging/nginx-yizhan.conf > "$TMP/site.conf"
    local user=""
    [ "$(id -u)" = 0 ] && user="user root;"
    cat > "$TMP/nginx.conf" <<EOF
$user
worker_processes 1;
pid $TMP/nginx.pid;
error_log $TMP/logs/error.log warn;
events { worker_connections 256; }
http {
    access_log $TMP/logs/access.log;
    client_body_temp_path $TMP/tmp/body;
    proxy_temp_path $TMP/tmp/proxy;
    fastcgi_temp_path $TMP/tmp/fastcgi;
    uwsgi_temp_path $TMP/tmp/uwsgi;
    scgi_temp_path $TMP/tmp/scgi;
    include $TMP/site.conf;
}
EOF
    "$NGINX" -t -p "$TMP" -c "$TMP/nginx.conf" >"$TMP/nginx-t.log" 2>&1 || return 2
    "$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -g 'daemon off;' >"$TMP/nginx.log" 2>&1 &
    NGINX_PID=$!
    local i
    for i in $(seq 50); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/" && return 0
        kill -0 "$NGINX_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" >"$TMP/openssl.log" 2>&1 ||
    die "openssl req: cannot make a self-signed certificate"
ok "self-signed certificate for localhost"

HTTPS_PORT=$(free_port)
HTTP_PORT=$(free_port)
PUBLIC="https://localhost:$HTTPS_PORT"
./yizhan serve --set listen=127.0.0.1:0 --set "database=$TMP/y.db" \
    --set "media_dir=$TMP/media" --set "generic.secret=$SECRET" \
    --set "public_url=$PUBLIC" --set "twilio.auth_token=$TW_TOKEN" \
    --set "twilio.account_sid=ACtest" --set "twilio.public_url=$PUBLIC/webhook/twilio" \
    --set per_ip_connections=0 >"$TMP/yizhan.log" 2>&1 &
YPID=$!
PIDS+=($YPID)
YPORT=
for _ in $(seq 100); do
    YPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/yizhan.log" | head -n 1)
    [ -n "$YPORT" ] && break
    kill -0 "$YPID" 2>/dev/null || break
    sleep 0.1
done
[ -n "$YPORT" ] || die "yizhan did not start"
ok "yizhan listening on 127.0.0.1:$YPORT"

start_nginx "$HTTPS_PORT" "$HTTP_PORT" "$YPORT"
rc=$?
[ $rc = 2 ] && { cat "$TMP/nginx-t.log"; die "nginx -t refuses the example config"; }
PIDS+=($NGINX_PID)
[ $rc = 0 ] || die "nginx did not start on 127.0.0.1:$HTTPS_PORT/$HTTP_PORT (port taken?)"
ok "nginx -t accepts packaging/nginx-yizhan.conf; nginx on https://localhost:$HTTPS_PORT"

CURL=(curl -s --max-time 10 --cacert "$TMP/cert.pem" --resolve "localhost:$HTTPS_PORT:127.0.0.1")

# --- plain requests ---------------------------------------------------------
code=$("${CURL[@]}" -o "$TMP/out" -w '%{http_code}' "$PUBLIC/healthz")
[ "$code" = 200 ] && [ "$(cat "$TMP/out")" = ok ] && ok "GET /healthz over TLS: 200 ok" ||
    bad "GET /healthz over TLS: $code $(cat "$TMP/out")"

loc=$(curl -s --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' \
    "http://127.0.0.1:$HTTP_PORT/webhook/generic")
case "$loc" in
"301 https://"*/webhook/generic) ok "plain http redirects to https ($loc)" ;;
*) bad "plain http: $loc (want a 301 to https)" ;;
esac

code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$PUBLIC/metrics")
[ "$code" = 403 ] && ok "GET /metrics through nginx: 403 (scraped on loopback only)" ||
    bad "GET /metrics through nginx: $code"
code=$(curl -s --max-time 5 -o "$TMP/out" -w '%{http_code}' "http://127.0.0.1:$YPORT/metrics")
[ "$code" = 200 ] && grep -q '^# TYPE' "$TMP/out" && ok "GET /metrics on 127.0.0.1:$YPORT: 200" ||
    bad "GET /metrics on loopback: $code"

# --- the generic channel, signed --------------------------------------------
sign_generic() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.*= *//'; }
generic() { # $1 base URL, $2 body, $3 signature header ("" for none)
    local h=()
    [ -n "$3" ] && h=(-H "X-Yizhan-Signature: $3")
    "${CURL[@]}" -o "$TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
        "${h[@]}" --data-binary "$2" "$1/webhook/generic"
}
BODY='{"id":"ng-1001","from":"u-ng-1","name":"张师傅","text":"积分"}'
SIG="sha256=$(sign_generic "$BODY")"
code=$(generic "$PUBLIC" "$BODY" "$SIG")
via_nginx=$(cat "$TMP/out")
if [ "$code" = 200 ] && printf '%s' "$via_nginx" | grep -q '"replies"' &&
    printf '%s' "$via_nginx" | grep -q '积分'; then
    ok "signed generic 积分 through nginx: 200 with a reply"
else
    bad "signed generic through nginx: $code $via_nginx"
fi
# the same id straight to yizhan returns the stored replies: what nginx passed on
code=$(curl -s --max-time 5 -o "$TMP/out" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "X-Yizhan-Signature: $SIG" --data-binary "$BODY" "http://127.0.0.1:$YPORT/webhook/generic")
[ "$code" = 200 ] && [ "$(cat "$TMP/out")" = "$via_nginx" ] &&
    ok "the reply through nginx is yizhan's stored reply, byte for byte" ||
    bad "direct replay: $code $(cat "$TMP/out") vs $via_nginx"

code=$(generic "$PUBLIC" '{"id":"ng-1002","from":"u-ng-1","text":"积分"}' "")
[ "$code" = 401 ] || [ "$code" = 403 ] && ok "unsigned generic through nginx: $code" ||
    bad "unsigned generic through nginx: $code (want 401/403)"
code=$(generic "$PUBLIC" '{"id":"ng-1003","from":"u-ng-1","text":"积分"}' "$SIG")
[ "$code" = 401 ] || [ "$code" = 403 ] && ok "generic with another body's signature: $code" ||
    bad "generic with a wrong signature: $code"

big=$(head -c 70000 /dev/zero | tr '\0' 'a')
BIG="{\"id\":\"ng-1004\",\"from\":\"u-ng-1\",\"text\":\"$big\"}"
code=$(generic "$PUBLIC" "$BIG" "sha256=$(sign_generic "$BIG")")
[ "$code" = 413 ] && ok "a body over max_body (70 kB): 413 at nginx" || bad "70 kB body: $code"
rows_are() { # $1 want, $2 SQL count, $3 what
    local n
    n=$(sqlite3 "$TMP/y.db" "$2" 2>/dev/null || echo "?")
    [ "$n" = "$1" ] && ok "$3 ($n rows)" || bad "$3: $n rows, want $1"
}
rows_are 1 "SELECT count(*) FROM inbound WHERE ext_id LIKE 'ng-100%'" "only the signed message was stored"

# --- Twilio, signed over the https public URL --------------------------------
# X-Twilio-Signature: base64 HMAC-SHA1 of the URL and every parameter name
# and value, sorted by name (channels.md §3.2)
twilio() { # $1 URL signed over, $2 MessageSid, $3 From, $4 Body
    local sig
    sig=$(printf '%s' "$1AccountSidACtestBody$4From$3MessageSid$2NumMedia0To+10086" |
        openssl dgst -sha1 -hmac "$TW_TOKEN" -binary | base64)
    "${CURL[@]}" -o "$TMP/out" -w '%{http_code}' -H "X-Twilio-Signature: $sig" \
        --data-urlencode "MessageSid=$2" --data-urlencode "AccountSid=ACtest" \
        --data-urlencode "From=$3" --data-urlencode "To=+10086" \
        --data-urlencode "Body=$4" --data-urlencode "NumMedia=0" "$PUBLIC/webhook/twilio"
}
code=$(twilio "$PUBLIC/webhook/twilio" SMng0001 +8613800000009 积分)
tw=$(cat "$TMP/out")
if [ "$code" = 200 ] && printf '%s' "$tw" | grep -q '<Message>' &&
    printf '%s' "$tw" | grep -q '积分'; then
    ok "Twilio form signed over $PUBLIC/webhook/twilio: 200, TwiML <Message> with the reply"
else
    bad "Twilio through nginx: $code $tw"
fi
code=$(twilio "http://localhost:$HTTPS_PORT/webhook/twilio" SMng0002 +8613800000009 积分)
[ "$code" = 403 ] && ok "Twilio signed over the http:// URL: 403 (public_url must be the https one)" ||
    bad "Twilio signed over http: $code"
rows_are 1 "SELECT count(*) FROM inbound WHERE channel='twilio'" "one Twilio message stored"

grep -q 'X-Forwarded-Proto \$scheme' packaging/nginx-yizhan.conf &&
    grep -q 'client_max_body_size 64k' packaging/nginx-yizhan.conf &&
    [ "$(./yizhan conf-example | sed -n 's/^max_body = //p')" = 65536 ] &&
    [ "$(./yizhan conf-example | sed -n 's/^conn_timeout = //p')" = 15 ] &&
    grep -q 'client_body_timeout 15s' packaging/nginx-yizhan.conf &&
    ok "the example's body size and timeouts match max_body and conn_timeout" ||
    bad "the example's limits differ from bot.conf's max_body / conn_timeout"
