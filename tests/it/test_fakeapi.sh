#!/usr/bin/env bash
# test_fakeapi.sh - self-test of tests/it/fakeapi: starts it on a free port and
# checks the ready file, emulation, scripting (status, headers, close, hang),
# dedupe, the 1 MiB cap, the record format and a clean stop on SIGTERM.
# Needs bash and curl; uses jq to validate record lines when present.
# Usage: tests/it/test_fakeapi.sh [path/to/fakeapi]; ends with "N passed, N failed".
set -u

FAKE=${1:-$(dirname "$0")/fakeapi}
DIR=$(mktemp -d)
REC=$DIR/record.jsonl
READY=$DIR/ready
PASS=0
FAIL=0
PID=

cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null
        wait "$PID" 2>/dev/null
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
check() { # check NAME GOT WANT
    if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
check_has() { # check_has NAME HAYSTACK NEEDLE
    case "$2" in *"$3"*) ok ;; *) bad "$1: '$2' lacks '$3'" ;; esac
}

# req [curl args...] URL-PATH: sets CODE (HTTP status), BODY, HDRS, RC (curl exit code)
req() {
    local path=${*: -1}
    local args=("${@:1:$#-1}")
    CODE=$(curl -s -o "$DIR/body" -D "$DIR/hdrs" -w '%{http_code}' "${args[@]}" \
        "http://127.0.0.1:$PORT$path")
    RC=$?
    BODY=$(cat "$DIR/body" 2>/dev/null)
    HDRS=$(tr -d '\r' <"$DIR/hdrs" 2>/dev/null)
    rm -f "$DIR/body" "$DIR/hdrs"
}
ctl() { # ctl NAME JSON: POST a control request, expect 200
    req -X POST --data-binary "$2" "/_control/$1"
    check "control $1" "$CODE" 200
}
last() { tail -n 1 "$REC"; }

if [ ! -x "$FAKE" ]; then
    echo "no $FAKE: run make tests/it/fakeapi"
    echo "0 passed, 1 failed"
    exit 1
fi

# --- start, ready file -------------------------------------------------------
"$FAKE" --port 0 --record "$REC" --ready "$READY" 2>"$DIR/stderr" &
PID=$!
for _ in $(seq 100); do
    [ -s "$READY" ] && break
    sleep 0.05
done
READY_TEXT=$(cat "$READY" 2>/dev/null)
if [[ "$READY_TEXT" =~ ^port=[0-9]+$ ]]; then ok; else bad "ready file: '$READY_TEXT'"; fi
PORT=${READY_TEXT#port=}
if [ -z "$PORT" ]; then
    echo "fakeapi did not start:"
    cat "$DIR/stderr"
    echo "$PASS passed, $((FAIL + 1)) failed"
    exit 1
fi
check "no temp file left" "$(ls "$DIR" | grep -c tmp)" 0

# --- default answer ----------------------------------------------------------
req -X POST -d 'a=1' "/send?x=1&y=%20"
check "default status" "$CODE" 200
check "default body" "$BODY" '{"ok":true}'
check_has "record path" "$(last)" '"method":"POST","path":"/send","query":"x=1&y=%20"'
check_has "record body" "$(last)" '"body":"a=1","status":200'
check_has "record headers" "$(last)" '"content-type":"application/x-www-form-urlencoded"'
check_has "record seq" "$(last)" '{"seq":1,"ms":'

# --- scripted 500 then 429 with Retry-After ----------------------------------
ctl script '[{"path_prefix":"/bot","status":500,"body":"oops","content_type":"text/plain"},
  {"path_prefix":"/bot","status":429,"headers":{"Retry-After":"2"},
   "body":{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 2","parameters":{"retry_after":2}}}]'
req -X POST "/other"
check "script skips non-matching path" "$CODE" 200
req -X POST -H 'Content-Type: application/json' -d '{"chat_id":1,"text":"a"}' "/bot1:X/sendMessage"
check "scripted 500" "$CODE" 500
check "scripted 500 body" "$BODY" oops
check_has "record 500" "$(last)" '"status":500'
req -X POST -H 'Content-Type: application/json' -d '{"chat_id":1,"text":"a"}' "/bot1:X/sendMessage"
check "scripted 429" "$CODE" 429
check_has "Retry-After header" "$HDRS" "Retry-After: 2"
check_has "429 body" "$BODY" '"retry_after":2'
req -X POST -H 'Content-Type: application/json' -d '{"chat_id":1,"text":"a"}' "/bot1:X/sendMessage"
check "script exhausted: telegram emulation" "$CODE" 200
check_has "telegram message_id" "$BODY" '"result":{"message_id":'
req "/_control/count"
check_has "script consumed" "$BODY" '"script_left":0'

# --- times -------------------------------------------------------------------
ctl script '{"status":503,"times":2}'
req "/a"; check "times 1" "$CODE" 503
req "/a"; check "times 2" "$CODE" 503
req "/a"; check "times done" "$CODE" 200

# --- close -------------------------------------------------------------------
ctl script '[{"action":"close"}]'
req -X POST -d x "/close-me"
check "close: curl sees an empty reply (52)" "$RC" 52
check_has "record close" "$(last)" '"status":0,"action":"close"'

# --- hang --------------------------------------------------------------------
ctl script '[{"action":"hang","hang_ms":1500}]'
req --max-time 1 "/slow"
check "hang: curl times out (28)" "$RC" 28
check_has "record hang" "$(last)" '"action":"hang"'
req "/after-hang"
check "serves while a request hangs" "$CODE" 200
ctl script '[{"action":"hang","hang_ms":300}]'
req --max-time 5 "/cgi-bin/sendsms?username=u&password=p&to=1&text=hi"
check "short hang then emulated answer" "$CODE" 202
check "kannel body" "$BODY" "0: Accepted for delivery"

# --- WeChat token and sends --------------------------------------------------
req "/cgi-bin/token?grant_type=client_credential&appid=A&secret=S"
T1=$(echo "$BODY" | sed -n 's/.*"access_token":"TOKEN-\([0-9]*\)".*/\1/p')
req "/cgi-bin/token?grant_type=client_credential&appid=A&secret=S"
T2=$(echo "$BODY" | sed -n 's/.*"access_token":"TOKEN-\([0-9]*\)".*/\1/p')
check_has "token expires_in" "$BODY" '"expires_in":7200'
if [ -n "$T1" ] && [ "$T2" = $((T1 + 1)) ]; then ok; else bad "token increments: '$T1' then '$T2'"; fi
req "/cgi-bin/token?grant_type=client_credential&appid=A"
check_has "token without secret" "$BODY" '"errcode":41004'
req -X POST -d '{"touser":"o1","msgtype":"text","text":{"content":"hi"}}' \
    "/cgi-bin/message/custom/send?access_token=TOKEN-$T2"
check "custom send body" "$BODY" '{"errcode":0,"errmsg":"ok"}'
req -X POST -d '{}' "/cgi-bin/message/template/send?access_token=TOKEN-$T2"
check_has "template msgid" "$BODY" '"errcode":0,"errmsg":"ok","msgid":'
req -X POST -d '{}' "/cgi-bin/message/custom/send"
check_has "send without token" "$BODY" '"errcode":41001'
req -u AC1:secret -d 'To=%2B15551234567&Body=hi' "/2010-04-01/Accounts/AC1/Messages.json"
check "twilio 201" "$CODE" 201
if [[ "$BODY" =~ ^\{\"sid\":\"SM[0-9a-f]{32}\",\"status\":\"queued\"\}$ ]]; then ok; else bad "twilio body: $BODY"; fi
check_has "authorization recorded" "$(last)" '"authorization":"Basic '

# --- dedupe ------------------------------------------------------------------
req -X POST -H 'Idempotency-Key: abc-1' -d 'x' "/send"
check_has "first key not dup" "$(last)" '"dup":false,"key":"abc-1"'
req -X POST -H 'Idempotency-Key: abc-1' -d 'x' "/send"
check "dup still answered" "$CODE" 200
check_has "repeated key is dup" "$(last)" '"dup":true,"key":"abc-1"'
req -X POST -H 'Content-Type: application/json' -d '{"id":"m-7","text":"hi"}' "/generic"
check_has "json id not dup" "$(last)" '"dup":false,"key":"m-7"'
req -X POST -H 'Content-Type: application/json' -d '{"id":"m-7","text":"hi"}' "/generic"
check_has "json id dup" "$(last)" '"dup":true,"key":"m-7"'
ctl reset '{}'
req -X POST -H 'Idempotency-Key: abc-1' -d 'x' "/send"
check_has "reset forgets keys" "$(last)" '"dup":false'

# --- reset, default, bad control input ----------------------------------------
ctl script '{"status":500}'
ctl reset ''
req "/x"; check "reset clears script" "$CODE" 200
ctl default '{"status":418,"body":"teapot","content_type":"text/plain"}'
req "/x"; check "default step" "$CODE" 418
check "default step body" "$BODY" teapot
ctl reset ''
req "/x"; check "reset clears default" "$CODE" 200
req -X POST --data-binary '[{"staus":500}]' "/_control/script"
check "unknown step key rejected" "$CODE" 400
req -X POST --data-binary '[{"status":500},' "/_control/script"
check "bad JSON rejected" "$CODE" 400
req -X POST --data-binary '[{"action":"explode"}]' "/_control/script"
check "bad action rejected" "$CODE" 400
req "/_control/count"
check_has "bad scripts change nothing" "$BODY" '"script_left":0'
req "/_control/nope"
check "unknown control 404" "$CODE" 404

# --- body cap ----------------------------------------------------------------
head -c 1048576 /dev/zero | tr '\0' a >"$DIR/big"
req -X POST --data-binary @"$DIR/big" "/big"
check "1 MiB accepted" "$CODE" 200
echo b >>"$DIR/big"
req -X POST --data-binary @"$DIR/big" "/big"
check "over 1 MiB: 413" "$CODE" 413
check_has "record too_large" "$(last)" '"too_large":true'

# --- odd input never kills it ------------------------------------------------
printf '\xff\xfe\x00bin' >"$DIR/bin"
req -X POST --data-binary @"$DIR/bin" -H $'X-Odd: \xe9t\xe9' "/bin%ff?q=%00"
check "binary body accepted" "$CODE" 200
check_has "body_hex" "$(last)" '"body_hex":"fffe0062696e"'
printf 'GARBAGE\r\n\r\n' | curl -s --max-time 2 telnet://127.0.0.1:"$PORT" >/dev/null 2>&1
req "/still-alive"; check "alive after garbage" "$CODE" 200

# --- record file -------------------------------------------------------------
req "/_control/count"
N=$(echo "$BODY" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p')
check "control requests not recorded; count = lines" "$N" "$(wc -l <"$REC" | tr -d ' ')"
if command -v jq >/dev/null; then
    if jq -e -s 'length > 0 and all(.[]; has("seq") and has("ms") and has("method") and has("path")
            and has("query") and has("headers") and has("body") and has("status"))' \
            "$REC" >/dev/null 2>&1; then ok; else bad "record lines do not parse with jq"; fi
    check "seq is 1..N" "$(jq -s '[.[].seq] == [range(1; length + 1)]' "$REC")" true
else
    BADL=$(grep -cv '^{"seq":[0-9]*,"ms":[0-9]*,"method":".*"status":[0-9]*,.*}$' "$REC")
    check "record lines look like JSON objects" "$BADL" 0
fi

# --- photo downloads -----------------------------------------------------------
JPG=tests/data/reports/gps.jpg
req "/bot1:A/getFile?file_id=AgAD"
check "getFile" "$BODY" '{"ok":true,"result":{"file_id":"AgAD","file_path":"photos/x.jpg"}}'
req "/bot1:A/getFile?file_id=bad"
check "getFile bad id" "$CODE" 400
curl -s -o "$DIR/img" "http://127.0.0.1:$PORT/file/bot1:A/photos/x.jpg"
if cmp -s "$DIR/img" "$JPG"; then ok; else bad "file download is not $JPG"; fi
req "/cgi-bin/media/get?access_token=T&media_id=bad"
check_has "media/get bad id" "$BODY" '"errcode":40007'
req "/cgi-bin/media/get?media_id=m1"
check_has "media/get no token" "$BODY" '"errcode":41001'
HDRS=$(curl -s -D - -o /dev/null "http://127.0.0.1:$PORT/cgi-bin/media/get?access_token=T&media_id=m1")
check_has "media/get disposition" "$HDRS" 'Content-disposition: attachment'
MEDIA=/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1
req "$MEDIA"
check "twilio media without auth" "$CODE" 401
req -u "AC2:tok" "$MEDIA"
check "twilio media, other account" "$CODE" 401
CODE=$(curl -s -u AC1:tok -o "$DIR/img" -w '%{http_code}' "http://127.0.0.1:$PORT$MEDIA")
check "twilio media with auth" "$CODE" 200
if cmp -s "$DIR/img" "$JPG"; then ok; else bad "twilio media is not $JPG"; fi

# --- clean stop, even with a request hanging ----------------------------------
ctl script '[{"action":"hang","hang_ms":30000}]'
curl -s --max-time 20 "http://127.0.0.1:$PORT/hangs" >/dev/null 2>&1 &
CURL=$!
sleep 0.3
T0=$(date +%s%N)
kill -TERM "$PID"
wait "$PID"
STATUS=$?
MS=$((($(date +%s%N) - T0) / 1000000))
PID=
wait "$CURL" 2>/dev/null
check "SIGTERM exit status" "$STATUS" 0
if [ "$MS" -lt 3000 ]; then ok; else bad "stop took $MS ms with a request hanging"; fi
check_has "stop message" "$(cat "$DIR/stderr")" "fakeapi: stopped after"
if grep -qE "runtime error|Sanitizer" "$DIR/stderr"; then bad "sanitizer report:"; cat "$DIR/stderr"; else ok; fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
