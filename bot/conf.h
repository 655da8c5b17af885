/*
 * conf.h - bot.conf: INI-style `key = value` lines, `[section]` headers and
 * `#` comment lines, read into struct conf from one table of keys (conf.c).
 * Unknown keys and bad values are errors reported as `path:line: reason`.
 */
#ifndef BOT_CONF_H
#define BOT_CONF_H
#include <stdbool.h>

struct buf;

struct conf {
    char *listen;       /* host:port; port 0 picks a free port (tests) */
    char *database;     /* SQLite file, ":memory:" in unit tests */
    char *media_dir;
    char *timezone;     /* IANA name, e.g. Asia/Shanghai */
    char *content_dir;
    char *intents_dir;
    char *cache_dir;
    char *log_level;
    long long max_body; /* bytes accepted in one request body */
    long long http_threads;
    long long max_connections;
    long long per_ip_connections; /* 0: no limit */
    long long conn_timeout; /* seconds a connection may stay idle */
    long long state_ttl;    /* seconds a menu, a cut reply or a pending step is kept */
    long long batch_max;    /* messages committed together at most */
    bool sync_full;         /* synchronous=FULL: a message is on disk before it is acknowledged */
    long long tick_seconds; /* how often scheduled work (reminders, pushes) runs */
    char *public_url; /* https://...: the service as browsers reach it; "" unknown */
    struct {
        char *engine;   /* "sqlite" or "postgres" */
        char *conninfo; /* libpq connection string (postgres) */
        long long statement_timeout; /* seconds a statement's answer is waited for (postgres) */
    } store;
    struct {
        char *secret;
        bool allow_unsigned; /* unsigned requests also on a non-loopback listen */
        char *outbound_url;
        long long max_reply_chars; /* 0: no limit */
        long long rate;            /* pushes per second, whole channel */
        long long recipient_rate;  /* pushes per minute to one person */
    } generic;
    struct {
        char *token; /* empty: the admin API is off */
        char *chat_ids; /* "<channel>:<id>,...": who may send #受理 and the like */
        char *union_token, *desk_token; /* role tokens; empty: that role cannot sign in */
        char *counsel_token;            /* the counselling desk's token (role counsel) */
        long long fail_limit;           /* wrong tokens per client address a minute */
        long long union_points_budget, desk_points_budget; /* per calendar month */
        char *web_dir;                  /* dashboard static files, served at /admin/ */
        long long session_idle_minutes; /* a cookie session ends after this idle time */
    } admin;
    struct {
        char *quiet;  /* "22:00-07:00": nothing pushed; "" for none */
        char *rush;   /* "11:00-13:00,17:00-19:30": no bulk pushes */
        long long max_attempts, backoff_base, backoff_max, lease, timeout, concurrency;
        long long max_sms_parts;
    } push;
    struct {
        char *default_time;      /* "HH:MM": daily lesson push when 订阅学习 names no time */
        char *link_base;         /* relative lesson links and covers live under it; "": none */
        long long retry_days;    /* a wrong answer's question comes back after this many days */
        long long streak_bonus;  /* [points] lesson_streak_bonus */
        long long streak_days;   /* [points] lesson_streak_days */
        long long quiz_open_hours; /* a quiz stays answerable (until the next lesson) this long */
        long long pause_after;     /* daily pushes left unanswered in a row before they stop */
    } lessons;
    struct {
        long long confirm_minutes;        /* to answer 确认 to a freed seat */
        long long checkin_before_minutes; /* a course's check-in opens this early */
        long long list_max;               /* courses shown by 培训 */
    } courses;
    struct {
        char *legal_hours, *tutoring_hours, *counsel_hours; /* "HH:MM-HH:MM,..." */
        char *general_hours;        /* 人工 (handover): staff of the general desk */
        char *admins;               /* "<channel>:<id>,...": escalations and crisis alerts */
        long long offer_minutes;    /* an untaken ticket goes to the next volunteer after */
        long long escalate_minutes; /* an untaken ticket goes to the admins after */
        long long silent_weeks;     /* a mentoring pair this quiet is flagged */
        long long crisis_realert_minutes; /* an untaken crisis ticket is alerted again after */
        long long pair_open_hours;  /* a pair's conversation takes plain texts this long */
    } desk;
    struct {
        char *token, *appid, *appsecret, *aes_key, *api_base;
        long long max_reply_chars, rate, recipient_rate, max_skew;
        long long reply_deadline_ms; /* answer "success" and push the reply after; 0: off */
        char *template_id; /* template for pushes outside the 48-hour window; "" for none */
    } wechat;
    struct {
        char *token, *secret_token, *api_base;
        long long max_reply_chars, rate, recipient_rate;
    } telegram;
    struct {
        char *account_sid, *auth_token, *from, *public_url, *api_base;
        long long max_sms_parts, rate, recipient_rate;
    } twilio;
    struct {
        char *sendsms_url, *username, *password, *from, *secret;
        long long max_sms_parts, rate, recipient_rate;
        char *dlr_url; /* delivery reports: sendsms dlr-url base; "" for none */
    } kannel;
    struct {
        long long points_accepted; /* [points] report_accepted */
        long long daily_limit, dup_distance, caption_wait, followup_days, join_seconds;
        long long max_photos, daily_photos; /* photos kept per report, per person a day */
        char *boundaries; /* GeoJSON of the districts (geo.h); "" for none */
    } report;
    struct {
        long long max_bytes, timeout, max_redirects, max_attempts, backoff_base;
        long long concurrency, per_person; /* downloads at once, of one person */
        bool allow_private; /* fetch from loopback and private addresses (tests only) */
    } media;
    struct {
        long long per_minute; /* messages one sender may send a minute; 0: off */
        long long burst;      /* messages one sender may send at once */
    } throttle;
    struct {
        /* days after which texts and photos are anonymised (PIPL: kept no
         * longer than the purpose needs; privacy.c) */
        long long messages_days, photos_days, desk_days, crisis_days;
    } retention;
    bool privacy_notice; /* the first-contact notice (privacy.h) */
    struct {
        char *dir;      /* daily backups go here; "" turns them off (backup.c) */
        long long hour; /* local hour of the daily backup */
        long long keep; /* backups kept; older ones are removed */
    } backup;
};

/*
 * Fill c with defaults, then read path (NULL: defaults only), then apply the
 * overrides ("section.key=value", or "key=value" for top-level keys). Every
 * problem is appended to errors as one line. 0, or -1 when there was any.
 * Strings in c are owned by c; conf_release() frees them. Relative data
 * folders missing here are looked up in the installed share directory
 * (conf_find_data with YIZHAN_SHARE_DIR, set by the Makefile).
 */
int conf_load(struct conf *c, const char *path, char *const *overrides, int n_overrides,
              struct buf *errors);
void conf_release(struct conf *c);
/* content_dir, intents_dir and admin.web_dir: a relative one that does not
 * exist under the current directory becomes share/<it> when that exists. */
void conf_find_data(struct conf *c, const char *share);
/* Parse "HH:MM-HH:MM,..." into out[i] = {start, end} minutes of the day (end
 * may be before start: the window crosses midnight). Returns the count (0 for
 * an empty string) or -1 when malformed or more than max. out may be NULL. */
int conf_windows_parse(const char *v, int (*out)[2], int max);
/* Append every key with its default and documentation, in bot.conf.example form. */
void conf_write_example(struct buf *out);

/* Shortest admin token accepted at startup. */
#define CONF_MIN_TOKEN 16
/* True when listen's host is a loopback address (127.0.0.0/8, ::1, localhost). */
bool conf_listen_loopback(const char *listen);

#endif
