/*
 * conf.c - one table of every config key: name, type, where it goes, default,
 * range and the line of documentation that bot.conf.example carries.
 */
#include "conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "util.h"

/* Where `make install` puts content/, intents/ and web/ (Makefile: SHAREDIR). */
#ifndef YIZHAN_SHARE_DIR
#define YIZHAN_SHARE_DIR "/usr/local/share/yizhan"
#endif

enum conf_type { C_STR, C_INT, C_BOOL, C_HOSTPORT, C_TZ, C_LEVEL, C_URL, C_WINDOWS };

struct conf_key {
    const char *name; /* "section.key", or "key" at top level */
    enum conf_type type;
    size_t off;
    const char *def;
    long long min, max;
    const char *doc;
};

#define O(f) offsetof(struct conf, f)
static const struct conf_key keys[] = {
    {"listen", C_HOSTPORT, O(listen), "127.0.0.1:8080", 0, 0,
     "address and port of the HTTP server (webhooks, /healthz, /metrics); port 0 picks one"},
    {"database", C_STR, O(database), "var/yizhan.db", 0, 0,
     "SQLite database file (when [store] engine is sqlite)"},
    {"media_dir", C_STR, O(media_dir), "var/media", 0, 0, "where photos are stored"},
    {"timezone", C_TZ, O(timezone), "Asia/Shanghai", 0, 0,
     "time zone for quiet hours, schedules and dates shown to people"},
    {"content_dir", C_STR, O(content_dir), "content", 0, 0, "reply texts and lessons"},
    {"intents_dir", C_STR, O(intents_dir), "intents", 0, 0, "intent rules (*.rules)"},
    {"cache_dir", C_STR, O(cache_dir), "var/cache", 0, 0,
     "what a start makes and the next can reuse (the example phrases' matched copies); any file "
     "in it may be deleted; empty: none"},
    {"log_level", C_LEVEL, O(log_level), "info", 0, 0, "error, warn, info or debug"},
    {"max_body", C_INT, O(max_body), "65536", 1024, 16777216,
     "largest request body accepted, in bytes (413 above it)"},
    {"http_threads", C_INT, O(http_threads), "2", 1, 64, "HTTP worker threads"},
    {"max_connections", C_INT, O(max_connections), "4096", 16, 100000,
     "open HTTP connections at most"},
    {"per_ip_connections", C_INT, O(per_ip_connections), "256", 0, 100000,
     "open HTTP connections from one client address at most (0: no limit); behind a reverse "
     "proxy on the same host every client shares its address: raise it to max_connections"},
    {"conn_timeout", C_INT, O(conn_timeout), "15", 1, 3600,
     "seconds an idle or slow connection is kept before it is closed"},
    {"state_ttl", C_INT, O(state_ttl), "1800", 10, 604800,
     "seconds a menu, a cut reply or a pending step is remembered for a person"},
    {"batch_max", C_INT, O(batch_max), "256", 1, 100000,
     "messages committed in one transaction at most (group commit)"},
    {"sync_full", C_BOOL, O(sync_full), "true", 0, 0,
     "true: each acknowledged message is on disk (synchronous=FULL); false: NORMAL"},
    {"tick_seconds", C_INT, O(tick_seconds), "10", 1, 3600,
     "how often scheduled work runs: reminders, lesson pushes, timeouts"},
    {"public_url", C_URL, O(public_url), "", 0, 0,
     "the service's address as browsers reach it (https://...: the dashboard cookie gets Secure);"
     " empty: unknown"},
    {"store.engine", C_STR, O(store.engine), "sqlite", 0, 0,
     "sqlite (the database file above) or postgres (conninfo below; docs/scaling.md): backups"
     " and restores of a PostgreSQL store are pg_dump's and pg_restore's"},
    {"store.conninfo", C_STR, O(store.conninfo), "", 0, 0,
     "PostgreSQL connection string when engine is postgres, e.g. \"host=db1,db2"
     " dbname=yizhan user=yizhan target_session_attrs=read-write\" (libpq; more than one host"
     " tries each in turn, and read-write finds the primary after a failover); connect_timeout=3"
     " and keepalives (idle 10 s) are added unless given here (docs/failover.md)"},
    {"store.statement_timeout", C_INT, O(store.statement_timeout), "10", 1, 3600,
     "seconds a PostgreSQL statement's answer is waited for; past that the connection is given"
     " up (the batch answered 500, the next one reconnects), so a primary frozen but not dead"
     " cannot hang a node for ever (docs/failover.md)"},
    {"generic.secret", C_STR, O(generic.secret), "", 0, 0,
     "HMAC-SHA256 key for X-Yizhan-Signature; empty accepts unsigned requests, but only while"
     " listen is a loopback address (unless allow_unsigned), and never as an admin"},
    {"generic.allow_unsigned", C_BOOL, O(generic.allow_unsigned), "false", 0, 0,
     "true: accept unsigned requests with an empty secret even when listen is not loopback"
     " (INSECURE: anyone reaching the port is any worker)"},
    {"generic.outbound_url", C_URL, O(generic.outbound_url), "", 0, 0,
     "where pushed messages are POSTed; empty: no pushes on this channel"},
    {"generic.max_reply_chars", C_INT, O(generic.max_reply_chars), "0", 0, 100000,
     "longest reply in characters before it is cut and continued with 更多; 0: no limit"},
    {"generic.rate", C_INT, O(generic.rate), "50", 1, 100000,
     "pushes per second at most on this channel"},
    {"generic.recipient_rate", C_INT, O(generic.recipient_rate), "60", 1, 100000,
     "pushes per minute at most to one person on this channel"},
    {"admin.token", C_STR, O(admin.token), "", 0, 0,
     "machine client of /admin/api/ (scripts) with the super admin's role, as a bearer token;"
     " empty: none. People sign in with staff accounts (yizhan staff add)"},
    {"push.quiet", C_WINDOWS, O(push.quiet), "22:00-07:00", 0, 0,
     "local hours when nothing is pushed (HH:MM-HH:MM, comma-separated; empty for none)"},
    {"push.rush", C_WINDOWS, O(push.rush), "11:00-13:00,17:00-19:30", 0, 0,
     "meal-rush hours when broadcasts and lesson pushes wait (riders cannot read)"},
    {"push.max_attempts", C_INT, O(push.max_attempts), "8", 1, 100,
     "tries of one push before it is dead"},
    {"push.backoff_base", C_INT, O(push.backoff_base), "5", 1, 3600,
     "seconds before the first retry; doubles each time, with jitter"},
    {"push.backoff_max", C_INT, O(push.backoff_max), "3600", 1, 86400,
     "longest wait between two tries, in seconds"},
    {"push.lease", C_INT, O(push.lease), "60", 1, 3600,
     "seconds a claimed push may stay unanswered before another sender takes it again"},
    {"push.timeout", C_INT, O(push.timeout), "15", 1, 300,
     "seconds one push request may take"},
    {"push.concurrency", C_INT, O(push.concurrency), "16", 1, 256,
     "push requests in flight at once"},
    {"push.max_sms_parts", C_INT, O(push.max_sms_parts), "3", 1, 10,
     "SMS parts one broadcast message may take at most"},
    {"points.lesson_streak_bonus", C_INT, O(lessons.streak_bonus), "20", 0, 1000,
     "points for every lesson_streak_days days in a row with a quiz answer; 0: no bonus"},
    {"points.lesson_streak_days", C_INT, O(lessons.streak_days), "7", 2, 365,
     "days in a row with a quiz answer that earn the streak bonus (again at each multiple)"},
    {"lessons.default_time", C_STR, O(lessons.default_time), "20:00", 0, 0,
     "local time HH:MM of the daily lesson push when 订阅学习 names none"},
    {"lessons.link_base", C_URL, O(lessons.link_base), "", 0, 0,
     "where lesson videos and covers live (https://...): a lesson's relative link: or cover:"
     " (v/03-longzhong-dui) is sent under it; empty: such lessons go out without a link"},
    {"lessons.retry_days", C_INT, O(lessons.retry_days), "2", 1, 30,
     "days after a wrong answer before its question comes back (spaced repetition)"},
    {"lessons.quiz_open_hours", C_INT, O(lessons.quiz_open_hours), "168", 1, 720,
     "hours a lesson's question stays answerable when no newer lesson replaced it"},
    {"lessons.pause_after", C_INT, O(lessons.pause_after), "3", 1, 30,
     "daily lesson pushes left unanswered in a row before the subscription stops (and says so)"},
    {"courses.confirm_minutes", C_INT, O(courses.confirm_minutes), "120", 1, 10080,
     "minutes a waitlisted person has to reply 确认 to a freed seat before it passes on"},
    {"courses.checkin_before_minutes", C_INT, O(courses.checkin_before_minutes), "30", 0, 1440,
     "minutes before a course starts that its check-in code opens (it closes at the end)"},
    {"courses.list_max", C_INT, O(courses.list_max), "9", 1, 50,
     "upcoming courses shown by 培训 at most"},
    {"desk.legal_hours", C_WINDOWS, O(desk.legal_hours), "09:00-17:30", 0, 0,
     "local hours the legal-advice desk (法律咨询) is staffed; workers are told them"},
    {"desk.tutoring_hours", C_WINDOWS, O(desk.tutoring_hours), "18:00-21:00", 0, 0,
     "local hours the tutoring desk (课业辅导) is staffed"},
    {"desk.counsel_hours", C_WINDOWS, O(desk.counsel_hours), "09:00-21:00", 0, 0,
     "local hours the counselling desk (心理咨询) is staffed"},
    {"desk.general_hours", C_WINDOWS, O(desk.general_hours), "09:00-21:00", 0, 0,
     "local hours the general desk (人工, a person instead of the bot) is staffed"},
    {"desk.admins", C_STR, O(desk.admins), "", 0, 0,
     "extra desk admins as <channel>:<platform id>, comma-separated, for escalations and crisis"
     " alerts; the linked chats of super admin and counselling staff accounts always get them"},
    {"desk.offer_minutes", C_INT, O(desk.offer_minutes), "15", 1, 1440,
     "minutes a volunteer has to take a new ticket before it is offered to the next one"},
    {"desk.escalate_minutes", C_INT, O(desk.escalate_minutes), "60", 1, 10080,
     "minutes a ticket may stay untaken before the desk admins are alerted"},
    {"desk.silent_weeks", C_INT, O(desk.silent_weeks), "4", 1, 52,
     "weeks without a message after which a mentoring pair (一对一帮扶) is flagged"},
    {"desk.crisis_realert_minutes", C_INT, O(desk.crisis_realert_minutes), "10", 1, 1440,
     "minutes after which an untaken crisis ticket is alerted again (until someone takes it)"},
    {"desk.pair_open_hours", C_INT, O(desk.pair_open_hours), "24", 1, 720,
     "hours after the last message of a mentoring pair that a plain text goes to the other side"},
    {"wechat.token", C_STR, O(wechat.token), "", 0, 0,
     "WeChat server-configuration Token (signatures); empty: /webhook/wechat answers 403"},
    {"wechat.appid", C_STR, O(wechat.appid), "", 0, 0, "WeChat AppID (wx...)"},
    {"wechat.appsecret", C_STR, O(wechat.appsecret), "", 0, 0,
     "WeChat AppSecret, for the access_token; empty: no pushes on WeChat"},
    {"wechat.aes_key", C_STR, O(wechat.aes_key), "", 0, 0,
     "EncodingAESKey (43 characters) for secure mode; empty: plaintext mode only"},
    {"wechat.api_base", C_URL, O(wechat.api_base), "https://api.weixin.qq.com", 0, 0,
     "WeChat API address (tests and proxies point it elsewhere)"},
    {"wechat.max_reply_chars", C_INT, O(wechat.max_reply_chars), "600", 0, 100000,
     "longest passive reply in characters before it is cut with 更多; 0: no limit"},
    {"wechat.reply_deadline_ms", C_INT, O(wechat.reply_deadline_ms), "4000", 0, 4900,
     "a message not answered in this many ms (a locked database) is answered \"success\" and "
     "its reply pushed once it is stored (WeChat waits 5 s); 0, or no appsecret: wait"},
    {"wechat.rate", C_INT, O(wechat.rate), "20", 1, 100000,
     "customer-service pushes per second at most"},
    {"wechat.recipient_rate", C_INT, O(wechat.recipient_rate), "5", 1, 100000,
     "pushes per minute at most to one follower"},
    {"wechat.max_skew", C_INT, O(wechat.max_skew), "0", 0, 86400,
     "refuse pushes whose timestamp is further than this many seconds from now; 0: no check"},
    {"telegram.token", C_STR, O(telegram.token), "", 0, 0,
     "bot token from @BotFather; empty: no pushes on Telegram"},
    {"telegram.secret_token", C_STR, O(telegram.secret_token), "", 0, 0,
     "X-Telegram-Bot-Api-Secret-Token set with setWebhook; empty: /webhook/telegram answers 403"},
    {"telegram.api_base", C_URL, O(telegram.api_base), "https://api.telegram.org", 0, 0,
     "Telegram Bot API address (tests and proxies point it elsewhere)"},
    {"telegram.max_reply_chars", C_INT, O(telegram.max_reply_chars), "4000", 0, 4096,
     "longest reply in characters before it is cut with 更多 (Telegram allows 4096)"},
    {"telegram.rate", C_INT, O(telegram.rate), "30", 1, 100000,
     "sendMessage calls per second at most (Telegram's bulk limit)"},
    {"telegram.recipient_rate", C_INT, O(telegram.recipient_rate), "20", 1, 100000,
     "pushes per minute at most to one chat"},
    {"twilio.account_sid", C_STR, O(twilio.account_sid), "", 0, 0, "Twilio Account SID (AC...)"},
    {"twilio.auth_token", C_STR, O(twilio.auth_token), "", 0, 0,
     "Twilio auth token (X-Twilio-Signature, Messages API); empty: /webhook/twilio answers 403"},
    {"twilio.from", C_STR, O(twilio.from), "", 0, 0, "our number (E.164) for pushes"},
    {"twilio.public_url", C_URL, O(twilio.public_url), "", 0, 0,
     "the webhook URL exactly as configured at Twilio (signatures are over it, not over Host)"},
    {"twilio.api_base", C_URL, O(twilio.api_base), "https://api.twilio.com", 0, 0,
     "Twilio API address (tests and proxies point it elsewhere)"},
    {"twilio.max_sms_parts", C_INT, O(twilio.max_sms_parts), "3", 1, 10,
     "SMS parts a reply may take before it is cut with 更多 (67 Chinese characters a part)"},
    {"twilio.rate", C_INT, O(twilio.rate), "1", 1, 100000,
     "Messages API calls per second at most (a long code sends about 1 a second)"},
    {"twilio.recipient_rate", C_INT, O(twilio.recipient_rate), "6", 1, 100000,
     "SMS per minute at most to one phone"},
    {"kannel.sendsms_url", C_URL, O(kannel.sendsms_url), "", 0, 0,
     "smsbox sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms; empty: no pushes"},
    {"kannel.username", C_STR, O(kannel.username), "", 0, 0, "sendsms-user username"},
    {"kannel.password", C_STR, O(kannel.password), "", 0, 0, "sendsms-user password"},
    {"kannel.from", C_STR, O(kannel.from), "", 0, 0, "sender number for pushes"},
    {"kannel.secret", C_STR, O(kannel.secret), "", 0, 0,
     "shared secret Kannel's get-url passes as secret=...; empty: /webhook/kannel answers 403"},
    {"kannel.max_sms_parts", C_INT, O(kannel.max_sms_parts), "3", 1, 10,
     "SMS parts a reply may take before it is cut with 更多 (match max-messages in kannel.conf)"},
    {"kannel.rate", C_INT, O(kannel.rate), "10", 1, 100000, "sendsms calls per second at most"},
    {"kannel.recipient_rate", C_INT, O(kannel.recipient_rate), "6", 1, 100000,
     "SMS per minute at most to one phone"},
    {"admin.chat_ids", C_STR, O(admin.chat_ids), "", 0, 0,
     "fallback list of chats that may send #受理 SP0042 (comma-separated <channel>:<id>);"
     " prefer a staff account with linked chats, whose role and area then apply"},
    {"points.report_accepted", C_INT, O(report.points_accepted), "5", 0, 10000,
     "points for a 随手拍 report when it is accepted (once per report); 0: none"},
    {"report.daily_limit", C_INT, O(report.daily_limit), "10", 1, 1000,
     "随手拍 reports one person may open per local day"},
    {"report.dup_distance", C_INT, O(report.dup_distance), "50", 0, 100000,
     "metres within which two reports of the same day are flagged as possible duplicates"},
    {"report.caption_wait", C_INT, O(report.caption_wait), "600", 10, 86400,
     "seconds after a photo during which a text or a location is attached to its report"},
    {"report.followup_days", C_INT, O(report.followup_days), "7", 1, 365,
     "days after a report is resolved when the reporter is asked whether it stays fixed"},
    {"report.join_seconds", C_INT, O(report.join_seconds), "60", 1, 3600,
     "seconds within which further photos from the same person join the same report"},
    {"report.max_photos", C_INT, O(report.max_photos), "10", 1, 1000,
     "photos one report keeps; more are recorded as refused and the reporter told"},
    {"report.daily_photos", C_INT, O(report.daily_photos), "30", 1, 10000,
     "photos one person's reports keep in a local day; more are refused and the reporter told"},
    {"report.boundaries", C_STR, O(report.boundaries), "web/vendor/xiangyang.json", 0, 0,
     "GeoJSON FeatureCollection of district polygons (properties.name): a report's position "
     "gives its district; \"\" for none"},
    {"media.concurrency", C_INT, O(media.concurrency), "8", 1, 256,
     "photo downloads running at once"},
    {"media.per_person", C_INT, O(media.per_person), "2", 1, 256,
     "photo downloads of one person running at once (the next person's go first)"},
    {"media.max_bytes", C_INT, O(media.max_bytes), "10485760", 1024, 104857600,
     "largest photo downloaded, in bytes; larger ones are refused and marked on the report"},
    {"media.timeout", C_INT, O(media.timeout), "30", 1, 600,
     "seconds one photo download may take"},
    {"media.max_redirects", C_INT, O(media.max_redirects), "3", 0, 20,
     "redirects followed when downloading a photo"},
    {"media.max_attempts", C_INT, O(media.max_attempts), "5", 1, 100,
     "tries of one photo download before it is marked failed on the report"},
    {"media.backoff_base", C_INT, O(media.backoff_base), "30", 1, 3600,
     "seconds before the first download retry; doubles each time"},
    {"media.allow_private", C_BOOL, O(media.allow_private), "false", 0, 0,
     "true: photos may come from loopback and private addresses (tests); false refuses them"},
    {"admin.union_token", C_STR, O(admin.union_token), "", 0, 0,
     "machine client of the union office (role union: its own courses and points budget);"
     " empty: none"},
    {"admin.desk_token", C_STR, O(admin.desk_token), "", 0, 0,
     "machine client of the university desk (role desk: its own courses and points budget);"
     " empty: none"},
    {"admin.counsel_token", C_STR, O(admin.counsel_token), "", 0, 0,
     "machine client of the counselling desk (role counsel: counselling and crisis tickets);"
     " empty: none"},
    {"admin.fail_limit", C_INT, O(admin.fail_limit), "10", 1, 100000,
     "wrong admin tokens or sign-in passwords one client address may send a minute; more are"
     " answered 429"},
    {"admin.union_points_budget", C_INT, O(admin.union_points_budget), "5000", 0, 100000000,
     "points the union office may credit by hand per calendar month"},
    {"admin.desk_points_budget", C_INT, O(admin.desk_points_budget), "5000", 0, 100000000,
     "points the university desk may credit by hand per calendar month"},
    {"admin.web_dir", C_STR, O(admin.web_dir), "web", 0, 0,
     "folder of the dashboard's static files, served at /admin/"},
    {"admin.session_idle_minutes", C_INT, O(admin.session_idle_minutes), "30", 1, 1440,
     "a dashboard sign-in ends after this many minutes without a request"},
    {"throttle.per_minute", C_INT, O(throttle.per_minute), "60", 0, 100000,
     "messages one sender may send a minute on average (more get content throttle.slow, "
     "answered 200 and not handled); 0 turns the throttle off"},
    {"throttle.burst", C_INT, O(throttle.burst), "30", 1, 100000,
     "messages one sender may send at once before the per-minute rate applies"},
    {"wechat.template_id", C_STR, O(wechat.template_id), "", 0, 0,
     "template (keyword1 = the text) for replies and transactional pushes WeChat refuses outside"
     " the 48-hour window (45015); empty: those fail"},
    {"kannel.dlr_url", C_URL, O(kannel.dlr_url), "", 0, 0,
     "our /webhook/kannel/dlr as smsbox reaches it, e.g. http://127.0.0.1:8080/webhook/kannel/dlr;"
     " sendsms then asks for delivery reports; empty: none"},
    {"privacy.notice", C_BOOL, O(privacy_notice), "true", 0, 0,
     "true: a person's first answer starts with content privacy.notice (PIPL: say what is kept"
     " and why before anything else); false only where the platform's own welcome says it"},
    {"retention.messages_days", C_INT, O(retention.messages_days), "180", 1, 36500,
     "days a message's text (in and out) is kept, then blanked: long enough to answer a"
     " complaint about a reply, no longer (PIPL: only as long as the purpose needs)"},
    {"retention.photos_days", C_INT, O(retention.photos_days), "365", 1, 36500,
     "days a 随手拍 report's photos (original and cleaned copy) and texts are kept, then"
     " deleted: handling and follow-up take months; the report row and its place stay"},
    {"retention.desk_days", C_INT, O(retention.desk_days), "365", 1, 36500,
     "days a desk conversation's texts are kept, then blanked: legal cases about unpaid"
     " wages run up to a year; the ticket row stays for the statistics"},
    {"retention.crisis_days", C_INT, O(retention.crisis_days), "90", 1, 36500,
     "days the texts of a crisis ticket are kept: sensitive personal information (health),"
     " kept only while the counsellors follow up"},
    {"backup.dir", C_STR, O(backup.dir), "", 0, 0,
     "folder of the daily backups (database and photos, one folder each); empty: none"},
    {"backup.hour", C_INT, O(backup.hour), "3", 0, 23,
     "local hour at which the daily backup runs"},
    {"backup.keep", C_INT, O(backup.keep), "7", 1, 1000,
     "daily backups kept; the oldest beyond this are removed"},
};
#undef O

int conf_windows_parse(const char *v, int (*out)[2], int max)
{
    int n = 0;
    const char *p = v;
    while (*p == ' ')
        p++;
    if (*p == '\0')
        return 0;
    for (;;) {
        int h1, m1, h2, m2, used = 0;
        while (*p == ' ')
            p++;
        if (sscanf(p, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &used) != 4 || used == 0)
            return -1;
        if (h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 ||
            (h1 == 24 && m1) || (h2 == 24 && m2) || h1 * 60 + m1 == h2 * 60 + m2)
            return -1;
        if (out != NULL) {
            if (n == max)
                return -1;
            out[n][0] = h1 * 60 + m1;
            out[n][1] = h2 * 60 + m2;
        }
        n++;
        p += used;
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return n;
        if (*p != ',')
            return -1;
        p++;
    }
}

static void *field(struct conf *c, const struct conf_key *k)
{
    return (char *)c + k->off;
}

static const struct conf_key *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static int check_hostport(const char *v)
{
    const char *colon = strrchr(v, ':');
    long long port;
    if (colon == NULL || colon == v)
        return -1;
    if (parse_int(colon + 1, 0, 65535, &port) == -1)
        return -1;
    return 0;
}

static int check_tz(const char *v)
{
    /* An IANA name resolves under the system's zoneinfo; refuse what glibc
     * would silently treat as UTC. */
    if (v[0] == '\0' || v[0] == '/' || strstr(v, "..") != NULL)
        return -1;
    if (strcmp(v, "UTC") == 0)
        return 0;
    char *path = xasprintf("/usr/share/zoneinfo/%s", v);
    int rc = access(path, R_OK) == 0 ? 0 : -1;
    free(path);
    return rc;
}

/* Set one key from text. Returns NULL, or a static reason. */
static const char *set_value(struct conf *c, const struct conf_key *k, const char *v)
{
    static char why[160];
    void *f = field(c, k);
    long long n;
    enum log_level lvl;
    switch (k->type) {
    case C_INT:
        if (parse_int(v, k->min, k->max, &n) == -1) {
            snprintf(why, sizeof why, "bad value '%s' for '%s': want an integer %lld..%lld", v,
                     k->name, k->min, k->max);
            return why;
        }
        *(long long *)f = n;
        return NULL;
    case C_BOOL:
        if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0)
            *(bool *)f = true;
        else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0)
            *(bool *)f = false;
        else {
            snprintf(why, sizeof why, "bad value '%s' for '%s': want true or false", v, k->name);
            return why;
        }
        return NULL;
    case C_HOSTPORT:
        if (check_hostport(v) == -1) {
            snprintf(why, sizeof why, "bad value '%s' for '%s': want host:port", v, k->name);
            return why;
        }
        break;
    case C_TZ:
        if (check_tz(v) == -1) {
            snprintf(why, sizeof why, "bad value '%s' for '%s': unknown time zone", v, k->name);
            return why;
        }
        break;
    case C_LEVEL:
        if (log_level_parse(v, &lvl) == -1) {
            snprintf(why, sizeof why, "bad value '%s' for '%s': want error, warn, info or debug",
                     v, k->name);
            return why;
        }
        break;
    case C_URL:
        if (v[0] != '\0' && !str_has_prefix(v, "http://") && !str_has_prefix(v, "https://")) {
            snprintf(why, sizeof why, "bad value '%s' for '%s': want an http:// or https:// URL",
                     v, k->name);
            return why;
        }
        break;
    case C_WINDOWS:
        if (conf_windows_parse(v, NULL, 0) == -1) {
            snprintf(why, sizeof why,
                     "bad value '%s' for '%s': want HH:MM-HH:MM[,HH:MM-HH:MM...] or empty", v,
                     k->name);
            return why;
        }
        break;
    case C_STR:
        break;
    }
    char **s = f;
    free(*s);
    *s = xstrdup(v);
    return NULL;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Strip one pair of surrounding double quotes, so values can keep spaces. */
static char *unquote(char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v[n - 1] = '\0';
        return v + 1;
    }
    return v;
}

static void defaults(struct conf *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (set_value(c, &keys[i], keys[i].def) != NULL)
            fatal("conf: bad default for %s", keys[i].name); /* a bug in the table */
}

#define NKEYS (sizeof keys / sizeof keys[0])

/* Where each key was set ("bot.conf:12", "--set"), for startup checks. */
static void set_where(char **where, const struct conf_key *k, char *text)
{
    size_t i = (size_t)(k - keys);
    free(where[i]);
    where[i] = text;
}

static int read_file(struct conf *c, const char *path, struct buf *errors, char **where)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        buf_printf(errors, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0, lineno = 0;
    char section[64] = "";
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) != -1) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end == NULL || end[1] != '\0' || end - s - 1 <= 0 ||
                (size_t)(end - s - 1) >= sizeof section) {
                buf_printf(errors, "%s:%d: bad section header\n", path, lineno);
                rc = -1;
                continue;
            }
            *end = '\0';
            snprintf(section, sizeof section, "%s", trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            buf_printf(errors, "%s:%d: want key = value\n", path, lineno);
            rc = -1;
            continue;
        }
        *eq = '\0';
        char *k = trim(s), *v = unquote(trim(eq + 1));
        char name[160];
        if (section[0])
            snprintf(name, sizeof name, "%s.%s", section, k);
        else
            snprintf(name, sizeof name, "%s", k);
        const struct conf_key *key = find_key(name);
        if (key == NULL) {
            buf_printf(errors, "%s:%d: unknown key '%s'\n", path, lineno, name);
            rc = -1;
            continue;
        }
        const char *why = set_value(c, key, v);
        if (why != NULL) {
            buf_printf(errors, "%s:%d: %s\n", path, lineno, why);
            rc = -1;
        }
        set_where(where, key, xasprintf("%s:%d", path, lineno));
    }
    free(line);
    fclose(f);
    return rc;
}

/* host of "host:port" is a loopback address (127.0.0.0/8, ::1, localhost)? */
bool conf_listen_loopback(const char *listen)
{
    const char *colon = strrchr(listen, ':');
    char host[128];
    if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
        return false;
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    if (host[0] == '[') {
        memmove(host, host + 1, strlen(host));
        host[strcspn(host, "]")] = '\0';
    }
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return strcmp(host, "localhost") == 0;
}

/* Where key name was set, for a message: "bot.conf:12", "--set" or "config". */
static const char *where_of(char **where, const char *name, const char *path)
{
    const char *w = where[find_key(name) - keys];
    return w ? w : path ? path : "config";
}

/* [store] engine is one of the two, and postgres has somewhere to connect. */
static int check_store(const struct conf *c, char **where, const char *path, struct buf *errors)
{
    if (strcmp(c->store.engine, "sqlite") != 0 && strcmp(c->store.engine, "postgres") != 0) {
        buf_printf(errors, "%s: bad value '%s' for 'store.engine': want sqlite or postgres\n",
                   where_of(where, "store.engine", path), c->store.engine);
        return -1;
    }
    if (strcmp(c->store.engine, "postgres") == 0 && c->store.conninfo[0] == '\0') {
        buf_printf(errors, "%s: store.engine is postgres but store.conninfo is empty\n",
                   where_of(where, "store.engine", path));
        return -1;
    }
    return 0;
}

/* The generic channel unsigned only on loopback (or when said so); admin
 * tokens long and each used by one role only. */
static int check_security(const struct conf *c, char **where, const char *path,
                          struct buf *errors)
{
    static const char *const tokens[] = {"admin.token", "admin.union_token", "admin.desk_token",
                                         "admin.counsel_token"};
    int rc = 0;
    if (c->generic.secret[0] == '\0' && !c->generic.allow_unsigned &&
        !conf_listen_loopback(c->listen)) {
        buf_printf(errors,
                   "%s: listen %s is not a loopback address and [generic] secret is empty:"
                   " anyone reaching the port could pose as any worker; set generic.secret"
                   " (or generic.allow_unsigned = true to accept that)\n",
                   where_of(where, "listen", path), c->listen);
        rc = -1;
    }
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        const char *t = *(char **)field((struct conf *)c, find_key(tokens[i]));
        if (t[0] != '\0' && strlen(t) < CONF_MIN_TOKEN) {
            buf_printf(errors, "%s: %s is shorter than %d characters: a guessable token\n",
                       where_of(where, tokens[i], path), tokens[i], CONF_MIN_TOKEN);
            rc = -1;
        }
        for (size_t j = 0; j < i && t[0] != '\0'; j++)
            if (strcmp(t, *(char **)field((struct conf *)c, find_key(tokens[j]))) == 0) {
                buf_printf(errors, "%s: %s is the same as %s: each role needs its own token\n",
                           where_of(where, tokens[i], path), tokens[i], tokens[j]);
                rc = -1;
            }
    }
    return rc;
}

/* A relative data path (content, intents, web, the map's boundaries) that is not under the
 * current directory is taken from the installed share directory when it is
 * there: `make run` in a checkout reads ./content, an installed service
 * /usr/share/yizhan/content, with the same bot.conf.example values. */
static void find_shared(char **dir, const char *share)
{
    if ((*dir)[0] == '/' || (*dir)[0] == '\0' || access(*dir, F_OK) == 0)
        return;
    char *alt = xasprintf("%s/%s", share, *dir);
    if (access(alt, F_OK) == 0) {
        free(*dir);
        *dir = alt;
    } else {
        free(alt);
    }
}

void conf_find_data(struct conf *c, const char *share)
{
    find_shared(&c->content_dir, share);
    find_shared(&c->intents_dir, share);
    find_shared(&c->admin.web_dir, share);
    find_shared(&c->report.boundaries, share); /* web/vendor/xiangyang.json */
}

int conf_load(struct conf *c, const char *path, char *const *overrides, int n_overrides,
              struct buf *errors)
{
    int rc = 0;
    char *where[NKEYS] = {0};
    defaults(c);
    if (path != NULL && read_file(c, path, errors, where) == -1)
        rc = -1;
    for (int i = 0; i < n_overrides; i++) {
        const char *eq = strchr(overrides[i], '=');
        if (eq == NULL) {
            buf_printf(errors, "--set %s: want section.key=value\n", overrides[i]);
            rc = -1;
            continue;
        }
        char *name = xstrndup(overrides[i], (size_t)(eq - overrides[i]));
        const struct conf_key *key = find_key(name);
        if (key == NULL) {
            buf_printf(errors, "--set %s: unknown key '%s'\n", overrides[i], name);
            rc = -1;
        } else {
            const char *why = set_value(c, key, eq + 1);
            if (why != NULL) {
                buf_printf(errors, "--set %s: %s\n", overrides[i], why);
                rc = -1;
            }
            set_where(where, key, xasprintf("--set %s", name));
        }
        free(name);
    }
    if (check_store(c, where, path, errors) == -1)
        rc = -1;
    if (check_security(c, where, path, errors) == -1)
        rc = -1;
    conf_find_data(c, YIZHAN_SHARE_DIR);
    for (size_t i = 0; i < NKEYS; i++)
        free(where[i]);
    if (c->push.lease <= c->push.timeout) {
        /* a lease running out while the request may still be answered would
         * let the sender take its own row back and send it twice */
        buf_printf(errors, "%s: push.lease (%lld s) must be longer than push.timeout (%lld s)\n",
                   path ? path : "config", c->push.lease, c->push.timeout);
        rc = -1;
    }
    return rc;
}

void conf_release(struct conf *c)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        enum conf_type t = keys[i].type;
        if (t != C_INT && t != C_BOOL) {
            char **s = field(c, &keys[i]);
            free(*s);
            *s = NULL;
        }
    }
}

void conf_write_example(struct buf *out)
{
    buf_puts(out, "# bot.conf.example - every key of bot.conf with its default.\n"
                  "# `make run` copies this file to bot.conf when there is none.\n"
                  "# Any key can be overridden: yizhan serve -c bot.conf --set section.key=value\n"
                  "# Generated from bot/conf.c (yizhan conf-example); a test keeps them equal.\n");
    char section[64] = "";
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *dot = strchr(keys[i].name, '.');
        const char *key = dot ? dot + 1 : keys[i].name;
        char sec[64];
        snprintf(sec, sizeof sec, "%.*s", dot ? (int)(dot - keys[i].name) : 0, keys[i].name);
        if (i == 0 || strcmp(sec, section) != 0) {
            if (sec[0])
                buf_printf(out, "\n[%s]\n", sec);
            else
                buf_puts(out, "\n");
            snprintf(section, sizeof section, "%s", sec);
        }
        buf_printf(out, "# %s", keys[i].doc);
        if (keys[i].type == C_INT)
            buf_printf(out, " (%lld..%lld)", keys[i].min, keys[i].max);
        buf_printf(out, "\n%s = %s\n", key, keys[i].def);
    }
}
