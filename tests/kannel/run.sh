#!/bin/bash
# tests/kannel/run.sh - `make test-kannel`: end to end against a real SMS
# gateway. Installs Debian's kannel and kannel-extras when missing, starts
# ./yizhan serve, bearerbox and smsbox with the fake SMSC on loopback ports
# (kannel.conf as in docs/channels.md: get-url text=%b, http-request-retry)
# and fakesmsc as the test phone; checks that 积分 (UCS-2 and plain text)
# comes back as the right Chinese reply, that texts whose UTF-16BE bytes hold
# a tab, LF, VT, CR or space (三 上 下 不 名 传) are answered right with and
# without mo-recode (text=%a mangled them), that a long lesson arrives in UDH
# parts, that an admin broadcast reaches the phone through sendsms, its
# delivery reports marking the rows delivered (sqlite3 reads the database;
# installed too when missing), and that an SMS sent while yizhan is down is
# answered after it restarts (http-request-retry). Ends with "N passed, N
# failed"; exits 1 on failure.
set -u
cd "$(dirname "$0")/../.."

PIDS=()
TMP=$(mktemp -d /tmp/yizhan-kannel-XXXXXX)
PHONE=+8613800000001
SHORT=10086
before_cleanup() { exec 7>&- 2>/dev/null; }
. tests/lib.sh
bound_run 300 # five minutes

# --- packages ---------------------------------------------------------------
fakesmsc_path() { dpkg -L kannel-extras 2>/dev/null | grep '/fakesmsc$' | head -n 1; }
if [ ! -x /usr/sbin/bearerbox ] || [ ! -x /usr/sbin/smsbox ] || [ -z "$(fakesmsc_path)" ] ||
    ! command -v sqlite3 >/dev/null; then
    apt_install kannel kannel-extras sqlite3
fi
FAKESMSC=$(fakesmsc_path)
[ -x /usr/sbin/bearerbox ] && [ -x /usr/sbin/smsbox ] && [ -n "$FAKESMSC" ] ||
    die "kannel or fakesmsc missing after install"
[ -x ./yizhan ] || die "./yizhan is not built (make)"

# --- ports ------------------------------------------------------------------
# Below the kernel's ephemeral range (32768..), so no outgoing connection
# holds one; a port something listens on is skipped.
USED=" "
free_port() { # variable name
    local p
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 12000))
        case "$USED" in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            USED="$USED$p "
            printf -v "$1" '%s' "$p"
            return 0
        fi
    done
    return 1
}
free_port ADMIN_PORT && free_port SMSBOX_PORT && free_port SMSC_PORT &&
    free_port SENDSMS_PORT && free_port PORT || die "no free ports"

wait_port() { # port seconds
    for _ in $(seq $(($2 * 10))); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --- yizhan -----------------------------------------------------------------
SECRET=kn-$RANDOM$RANDOM
ADMIN=kannel-admin-$RANDOM$RANDOM # at least 16 characters (CONF_MIN_TOKEN)
start_yizhan() {
    ./yizhan serve --set "listen=127.0.0.1:$PORT" --set "database=$TMP/y.db" --set "media_dir=$TMP/media" \
        --set tick_seconds=1 --set push.quiet= --set push.rush= --set "admin.token=$ADMIN" \
        --set privacy.notice=false \
        --set "kannel.sendsms_url=http://127.0.0.1:$SENDSMS_PORT/cgi-bin/sendsms" \
        --set kannel.username=bot --set kannel.password=botpw --set "kannel.from=$SHORT" \
        --set "kannel.secret=$SECRET" --set kannel.max_sms_parts=3 \
        --set "kannel.dlr_url=http://127.0.0.1:$PORT/webhook/kannel/dlr" 2>>"$TMP/yizhan.log" &
    YIZHAN=$!
    PIDS+=($YIZHAN)
    wait_port "$PORT" 10
}
start_yizhan || die "yizhan serve did not start"

# --- kannel -----------------------------------------------------------------
# kannel-<mo-recode>.conf: one config but for the smsbox's mo-recode.
write_conf() { # true|false
cat >"$TMP/kannel-$1.conf" <<EOF
group = core
admin-port = $ADMIN_PORT
admin-password = adminpw
smsbox-port = $SMSBOX_PORT
box-allow-ip = 127.0.0.1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = FAKE
host = 127.0.0.1
port = $SMSC_PORT
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $SMSBOX_PORT
sendsms-port = $SENDSMS_PORT
sendsms-interface = 127.0.0.1
mo-recode = $1
# without these an SMS that arrives while yizhan is down is lost
http-request-retry = 30
http-queue-delay = 1

group = sendsms-user
username = bot
password = botpw
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
get-url = "http://127.0.0.1:$PORT/webhook/kannel?secret=$SECRET&from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C"
max-messages = 3
concatenation = true
accept-x-kannel-headers = true
omit-empty = true
EOF
}
write_conf false
write_conf true

# smsbox without mo-recode first: the raw UTF-16BE of a UCS-2 SMS reaches us.
/usr/sbin/bearerbox "$TMP/kannel-false.conf" >"$TMP/bearerbox.log" 2>&1 &
PIDS+=($!)
wait_port "$SMSBOX_PORT" 20 || die "bearerbox did not open its smsbox port"
start_smsbox() { # true|false (mo-recode)
    /usr/sbin/smsbox "$TMP/kannel-$1.conf" >>"$TMP/smsbox.log" 2>&1 &
    SMSBOX=$!
    PIDS+=($SMSBOX)
    wait_port "$SENDSMS_PORT" 20
}
start_smsbox false || die "smsbox did not open its sendsms port"
wait_port "$SMSC_PORT" 20 || die "bearerbox did not open the fake SMSC port"

# fakesmsc in interactive mode: one MO line per line on its stdin (a FIFO we
# keep open), the MT lines it gets on its output.
mkfifo "$TMP/phone.in"
"$FAKESMSC" -H 127.0.0.1 -r "$SMSC_PORT" <"$TMP/phone.in" >"$TMP/fakesmsc.log" 2>&1 &
PIDS+=($!)
exec 7>"$TMP/phone.in"
sleep 1

# --- helpers ----------------------------------------------------------------
# MT lines fakesmsc printed so far: "sender receiver type data".
mt_lines() { sed -n 's/.*Got message [0-9]*: <\(.*\)>.*/\1/p' "$TMP/fakesmsc.log"; }

# Wait until fakesmsc has printed more than $1 MT lines (at most $2 seconds).
wait_mt() {
    for _ in $(seq $(($2 * 10))); do
        [ "$(mt_lines | wc -l)" -gt "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# fakesmsc's form-encoded bytes (%XX, + for a space byte, the rest as is)
# to raw bytes; UTF-16BE to UTF-8.
form_bytes() {
    local s="${1//+/%20}"
    s="${s//\\/%5C}"
    printf '%b' "${s//%/\\x}"
}
ucs2_decode() { form_bytes "$1" | iconv -f UTF-16BE -t UTF-8; }

# UTF-8 to percent-encoded UTF-16BE (fakesmsc's ucs2 MO form).
ucs2_encode() {
    printf '%s' "$1" | iconv -f UTF-8 -t UTF-16BE | od -An -v -tx1 | tr -d ' \n' |
        sed 's/\(..\)/%\1/g' | tr 'a-f' 'A-F'
}

# The reply yizhan gives to $1 on a fresh database, from `yizhan chat`
# (replies one per paragraph there, one per line in Kannel's answer).
# The first-contact privacy notice is off here and in expected_reply: each
# expected reply comes from a new chat user, while the test phone is new only
# once (the notice itself: tests/test_privacy.c, it.test_privacy_notice_and_erase_over_http).
expected_reply() {
    printf '%s\n' "$1" | ./yizhan chat --as "kannel-expect-$RANDOM" --set "database=$TMP/expect.db" \
        --set "media_dir=$TMP/media" --set privacy.notice=false 2>/dev/null | sed '/^$/d'
}

# The UCS-2 text of the MT lines from index $1 on (one message, or the UDH
# parts of one concatenated message in order).
mt_text_from() {
    mt_lines | tail -n +"$(($1 + 1))" | while read -r _ _ type rest; do
        case "$type" in
        ucs-2) ucs2_decode "$rest" ;;
        udh) echo "${rest%% *} ${rest##* }" ;;
        text) printf '%s' "$rest" ;;
        esac
    done
}

# The reply to phone among the MT lines from index $2 on: one UCS-2 message,
# or the UDH parts of one concatenated message joined in order (a reply
# longer than one part: what a text means may change with the rules).
reply_to() { # phone index
    local phone=$1 hex="" first="" seq
    local -a parts=()
    while read -r _ to type udh _ data; do
        [ "$to" = "$phone" ] || continue
        if [ "$type" = ucs-2 ] && [ -z "$first" ]; then
            ucs2_decode "$udh"
            return
        fi
        [ "$type" = udh ] || continue
        first=1
        set -- $(printf '%s' "$udh" | tr '%' ' ') # 05 00 03 <ref> <total> <seq>
        seq=$((16#$6))
        parts[seq]=$(form_bytes "$data" | od -An -v -tx1 | tr -d ' \n')
    done < <(mt_lines | tail -n +"$(($2 + 1))")
    for seq in "${!parts[@]}"; do hex="$hex${parts[seq]}"; done
    printf '%s' "$hex" | sed 's/\(..\)/\\x\1/g' | xargs -0 printf '%b' | iconv -f UTF-16BE -t UTF-8
}

# --- 1: 积分 as UCS-2 --------------------------------------------------------
want=$(expected_reply "积分")
[ -n "$want" ] || die "yizhan chat gave no reply to 积分"
n=$(mt_lines | wc -l)
echo "$PHONE $SHORT ucs2 $(ucs2_encode "积分")" >&7
if wait_mt "$n" 20; then
    line=$(mt_lines | sed -n "$((n + 1))p")
    set -- $line
    got=$(ucs2_decode "${4:-}")
    if [ "${1:-}" = "$SHORT" ] && [ "${2:-}" = "$PHONE" ] && [ "${3:-}" = "ucs-2" ] &&
        [ "$got" = "$want" ]; then
        ok "ucs2 积分 answered in UCS-2"
    else
        bad "ucs2 积分: got <$line> = '$got', want ucs-2 '$want'"
    fi
else
    bad "ucs2 积分: no reply within 20 s"
fi

# --- 2: 积分 as plain text (UTF-8 bytes as the fake SMSC passes them) --------
n=$(mt_lines | wc -l)
echo "+8613800000002 $SHORT text 积分" >&7
if wait_mt "$n" 20; then
    line=$(mt_lines | sed -n "$((n + 1))p")
    set -- $line
    got=$(ucs2_decode "${4:-}")
    if [ "${2:-}" = "+8613800000002" ] && [ "${3:-}" = "ucs-2" ] && [ "$got" = "$want" ]; then
        ok "text 积分 answered in UCS-2"
    else
        bad "text 积分: got <$line> = '$got', want ucs-2 '$want'"
    fi
else
    bad "text 积分: no reply within 20 s"
fi

# --- 3: a long lesson arrives in concatenated parts --------------------------
lesson_first=$(expected_reply "课 1" | head -n 1)
n=$(mt_lines | wc -l)
echo "$PHONE $SHORT ucs2 $(ucs2_encode "课 1")" >&7
wait_mt "$n" 20
sleep 2 # the other parts
parts=$(mt_lines | tail -n +"$((n + 1))" | grep -c ' udh ')
ref="" total="" seqs="" text=""
while read -r _ _ type udh _ data; do
    [ "$type" = udh ] || continue
    # UDH 05 00 03 <ref> <total> <seq>
    set -- $(printf '%s' "$udh" | tr '%' ' ')
    [ -z "$ref" ] && ref=$4 && total=$5
    [ "$4" = "$ref" ] || ref=mixed
    seqs="$seqs$((16#$6)) "
    text="$text$(form_bytes "$data" | od -An -v -tx1 | tr -d ' \n')"
done < <(mt_lines | tail -n +"$((n + 1))")
joined=$(printf '%s' "$text" | sed 's/\(..\)/\\x\1/g' | xargs -0 printf '%b' | iconv -f UTF-16BE -t UTF-8)
more=$(sed -n '/^\[more\]/,/^\[/p' content/messages.txt | sed -n 2p | cut -c1-6)
if [ "$parts" -ge 2 ] && [ "$ref" != mixed ] && [ -n "$total" ] && [ "$((16#$total))" = "$parts" ] &&
    [ "$seqs" = "$(seq -s ' ' 1 "$parts") " ]; then
    ok "课 1 arrived in $parts UDH parts"
else
    bad "课 1: want >= 2 UDH parts of one message, got $parts (ref $ref total $total seqs $seqs)"
fi
if [ -n "$lesson_first" ] && [ "$(printf '%s\n' "$joined" | head -n 1)" = "$lesson_first" ]; then
    ok "课 1 parts join to the lesson"
else
    bad "课 1 parts join to '$(printf '%s\n' "$joined" | head -n 1)', want '$lesson_first'"
fi
if printf '%s' "$joined" | grep -q '更多'; then
    ok "课 1 cut with 更多"
else
    bad "课 1 not cut with 更多: '$joined'"
fi

# --- 4: a broadcast reaches the phone through sendsms ------------------------
btext="今晚8点有安全培训，回复 培训 报名。"
n=$(mt_lines | wc -l)
code=$(curl -s -o "$TMP/broadcast.json" -w '%{http_code}' -m 10 \
    -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d "{\"text\":\"$btext\",\"audience\":\"channel:kannel\"}" \
    "http://127.0.0.1:$PORT/admin/api/broadcasts")
if [ "$code" = 202 ]; then
    ok "broadcast accepted"
else
    bad "broadcast: HTTP $code $(cat "$TMP/broadcast.json" 2>/dev/null)"
fi
got_to=""
for _ in $(seq 150); do
    got_to=$(mt_lines | tail -n +"$((n + 1))" | while read -r from to type data; do
        [ "$from" = "$SHORT" ] && [ "$type" = ucs-2 ] &&
            [ "$(ucs2_decode "$data")" = "$btext" ] && echo "$to"
    done | sort | tr '\n' ' ')
    [ "$got_to" = "$PHONE +8613800000002 " ] && break
    sleep 0.1
done
if [ "$got_to" = "$PHONE +8613800000002 " ]; then
    ok "broadcast reached both phones through sendsms"
else
    bad "broadcast reached '$got_to', want '$PHONE +8613800000002 '"
fi
# delivery reports: smsbox calls our dlr-url (type 8, then 1) for each row
sql="SELECT count(*) FROM outbox WHERE broadcast_id IS NOT NULL AND delivery_status='delivered'"
dl=0
for _ in $(seq 100); do
    dl=$(sqlite3 -readonly "$TMP/y.db" "$sql" 2>/dev/null)
    [ "$dl" = 2 ] && break
    sleep 0.1
done
if [ "$dl" = 2 ]; then
    ok "delivery reports marked both broadcast rows delivered"
else
    bad "delivery reports: $dl of 2 broadcast rows delivered"
fi
if grep -q 'sendsms' "$TMP/smsbox.log"; then
    ok "smsbox served sendsms"
else
    bad "smsbox log shows no sendsms request"
fi
# --- 5: 三 上 下 不 名 传 hold tab, LF, VT, CR, space bytes in UTF-16BE -------
# (上传 itself now opens a 随手拍 report, whose SMS reply asks for a place,
# not the photo the console's does: 传 alone (上 is in 上下三不) means
# nothing, the same on every channel.)
# text=%a split the raw UTF-16BE into words at those bytes (上传 got 400,
# 报名 2 became 报吠 2); %b passes the SMS as sent, with and without
# mo-recode. Each text from its own phone: the reply and the stored text.
ucs2_round() { # mode phone-prefix
    local mode=$1 prefix=$2 i=0 t n line got want stored
    for t in "三" "传" "下 不" "报名 2" "上下三不"; do
        i=$((i + 1))
        local phone="$prefix$i"
        want=$(expected_reply "$t")
        n=$(mt_lines | wc -l)
        echo "$phone $SHORT ucs2 $(ucs2_encode "$t")" >&7
        if wait_mt "$n" 20; then
            sleep 1 # a reply's other parts
            got=$(reply_to "$phone" "$n")
            stored=$(sqlite3 -readonly "$TMP/y.db" "SELECT i.text FROM inbound i JOIN people p ON
                p.id=i.person_id WHERE p.channel='kannel' AND p.ext_id='$phone'" 2>/dev/null)
            if [ "$got" = "$want" ] && [ "$stored" = "$t" ]; then
                ok "mo-recode=$mode '$t' received as sent and answered"
            else
                bad "mo-recode=$mode '$t': stored '$stored', reply '$got', want '$want'"
            fi
        else
            bad "mo-recode=$mode '$t': no reply within 20 s ($(grep -c 'Could not fetch' "$TMP/smsbox.log") fetch failures)"
        fi
    done
}
ucs2_round false +86139000001
kill -TERM "$SMSBOX" 2>/dev/null
wait "$SMSBOX" 2>/dev/null
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$SENDSMS_PORT") 2>/dev/null || break; sleep 0.1; done
start_smsbox true || die "smsbox (mo-recode) did not open its sendsms port"
sleep 1
ucs2_round true +86139000002

# --- 6: an SMS sent while yizhan is down is answered after it restarts -------
# (http-request-retry: smsbox retries the get-url every http-queue-delay s)
kill -TERM "$YIZHAN"
wait "$YIZHAN" 2>/dev/null
want=$(expected_reply "积分")
n=$(mt_lines | wc -l)
echo "+8613900000030 $SHORT ucs2 $(ucs2_encode "积分")" >&7
sleep 3
start_yizhan || die "yizhan serve did not restart"
if wait_mt "$n" 30; then
    line=$(mt_lines | tail -n +"$((n + 1))" | grep -m 1 "^$SHORT +8613900000030 ")
    set -- $line
    got=$(ucs2_decode "${4:-}")
    if [ "$got" = "$want" ]; then
        ok "an SMS sent while yizhan was down answered after the restart"
    else
        bad "SMS while down: got <$line> = '$got', want '$want'"
    fi
else
    bad "SMS while down: no reply within 30 s of the restart"
fi

if grep -q ' error ' "$TMP/yizhan.log"; then
    bad "yizhan logged errors: $(grep ' error ' "$TMP/yizhan.log" | head -n 3)"
else
    ok "no errors in yizhan's log"
fi
