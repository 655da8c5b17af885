/*
 * fetcher.c - the photo fetcher thread (see fetcher.h). Several downloads run
 * at once on one curl multi handle, one easy handle per slot
 * ([media] concurrency slots). Jobs are claimed fairly: round-robin by
 * person, and at most [media] per_person of one person's at once, so one
 * worker's slow photo host delays another worker's photo by one claim, not by
 * a queue of downloads. Each slot runs its job's steps (channel.h
 * media_request) as a small state machine: a GET on the multi handle, or a
 * wait for the sender's API token, or the end (recorded on the report).
 * The request path never waits for it: a turn only records a pending row.
 *
 * The address guard runs before connecting: CURLOPT_OPENSOCKETFUNCTION sees
 * each address curl is about to connect() to (every address of a name, the
 * happy-eyeballs fallbacks, every redirect) and opens no socket for a refused
 * one, so a private port never gets a byte, TLS ClientHello included. This
 * was chosen over resolving first and pinning with CURLOPT_RESOLVE: the check
 * is on the very address connected to (no rebinding gap), curl's own
 * asynchronous resolver stays (a getaddrinfo here would stall every
 * transfer), and redirects need nothing extra. CURLOPT_PREREQFUNCTION checks
 * again before each request, for connections curl reuses from its cache.
 * Proxies are never used (CURLOPT_PROXY ""): through a proxy the guard would
 * only see the proxy's address, so http_proxy and the like in the environment
 * are ignored, and said so at startup.
 */
#include "fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "handler.h"
#include "live.h"
#include "log.h"
#include "media.h"
#include "report.h"
#include "routing.h"
#include "sender.h"
#include "store.h"
#include "util.h"

#define DAY_MS (24LL * 3600 * 1000)
#define IDLE_MS 1000
#define TOKEN_POLL_MS 100   /* how often a slot waiting for a token looks again */
#define MAX_STEPS 4         /* media_request rounds for one photo (Telegram needs 2) */
#define TOKEN_WAIT_MS 10000 /* how long a photo waits for the sender to get a token */
#define HOST_MAX 256

enum fetch_rc { FETCH_OK, FETCH_RETRY, FETCH_FINAL, FETCH_STOPPED };

/* What one GET came to. */
struct fetch {
    struct buf body;
    bool too_large, blocked;
    char error[200];
    bool allow_private;
    /* A request to the channel's configured api_base: its host is trusted,
     * on whatever address; a redirect to another host passes the guard. */
    bool is_api;
    char api_host[HOST_MAX];
    long api_port;
};

/* One download in progress: its job, where it is in the channel's steps,
 * and its easy handle (kept across jobs). */
struct slot {
    struct fetcher *ft;
    bool busy;
    bool in_get;         /* its easy handle is on the multi handle */
    int64_t token_until; /* waiting for the sender's token until then; 0: not */
    struct media_job j;
    const struct channel *ch; /* NULL: j.url is a plain URL */
    int step;
    char token[SENDER_TOKEN_MAX];
    unsigned gen;
    bool has_token;
    CURL *easy;
    struct curl_slist *hl;
    char errbuf[CURL_ERROR_SIZE];
    struct fetch f;
};

struct fetcher {
    const struct app *app;
    struct sender *sender; /* owns the channels' API tokens */
    struct store *st;
    CURLM *multi;
    struct slot *slots;
    int nslots;
    int64_t last_person; /* whose photo was claimed last (round-robin) */
    int64_t next_claim;  /* look for due downloads at this time at the latest */
    pthread_t thread;
    atomic_bool woken, stop;
};

/* ---- the address guard --------------------------------------------------- */

static bool v4_private(const unsigned char a[4])
{
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
           (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 192 && a[1] == 0 && a[2] == 0) ||
           (a[0] == 192 && a[1] == 0 && a[2] == 2) || (a[0] == 198 && (a[1] & 0xfe) == 18) ||
           (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
           (a[0] == 203 && a[1] == 0 && a[2] == 113) || a[0] >= 224;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* The IPv4 address an IPv6 address stands for, copied to v4: IPv4-mapped
 * ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d (:: and ::1 included, as 0.0.0.0
 * and 0.0.0.1), IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::a.b.c.d and
 * 6to4 2002:aabb:ccdd::. False for other addresses. */
static bool v6_carries_v4(const unsigned char a[16], unsigned char v4[4])
{
    static const unsigned char nat64[4] = {0, 0x64, 0xff, 0x9b};
    const unsigned char *p = NULL;
    if (all_zero(a, 10) && a[10] == 0xff && a[11] == 0xff)
        p = a + 12;
    else if (all_zero(a, 12))
        p = a + 12;
    else if (all_zero(a, 8) && a[8] == 0xff && a[9] == 0xff && a[10] == 0 && a[11] == 0)
        p = a + 12;
    else if (memcmp(a, nat64, 4) == 0 && all_zero(a + 4, 8))
        p = a + 12;
    else if (a[0] == 0x20 && a[1] == 0x02)
        p = a + 2;
    if (p != NULL)
        memcpy(v4, p, 4);
    return p != NULL;
}

static bool v6_private(const unsigned char a[16])
{
    static const unsigned char nat64[4] = {0, 0x64, 0xff, 0x9b};
    static const unsigned char teredo[4] = {0x20, 0x01, 0, 0};
    static const unsigned char doc[4] = {0x20, 0x01, 0x0d, 0xb8};
    unsigned char v4[4];
    if (v6_carries_v4(a, v4))
        return v4_private(v4);
    return (a[0] & 0xfe) == 0xfc ||                   /* fc00::/7 unique local */
           (a[0] == 0xfe && (a[1] & 0x80) == 0x80) || /* fe80::/10 link-, fec0::/10 site-local */
           a[0] == 0xff ||                            /* multicast */
           memcmp(a, nat64, 4) == 0 ||                /* 64:ff9b::/32 beyond the /96: local-use */
           memcmp(a, teredo, 4) == 0 ||               /* Teredo hides an IPv4 address */
           memcmp(a, doc, 4) == 0 ||                  /* documentation */
           (a[0] == 1 && all_zero(a + 1, 7));         /* 100::/64 discard */
}

static bool sockaddr_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return v4_private((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
    if (sa->sa_family == AF_INET6)
        return v6_private(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return true; /* not an address family we understand: refuse */
}

bool fetcher_ip_private(const char *ip)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, ip, a) == 1)
        return v4_private(a);
    if (inet_pton(AF_INET6, ip, a) == 1)
        return v6_private(a);
    return true; /* not an address we understand: refuse */
}

/* url's host (lower case as curl gives it) and port (the scheme's default
 * when none). 0 or -1. */
static int url_host_port(const char *url, char *host, size_t size, long *port)
{
    CURLU *u = curl_url();
    char *h = NULL, *p = NULL;
    int rc = -1;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK && strlen(h) < size) {
        snprintf(host, size, "%s", h);
        *port = strtol(p, NULL, 10);
        rc = 0;
    }
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return rc;
}

/* Whether s may talk to an address (private or not): a public one always, a
 * private one with allow_private, or when the URL being fetched (after any
 * redirect) is on the channel's configured API host. */
static bool guard_ok(struct slot *s, bool private_addr)
{
    char host[HOST_MAX];
    char *url = NULL;
    long port = 0;
    if (!private_addr || s->f.allow_private)
        return true;
    if (s->f.is_api && curl_easy_getinfo(s->easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK &&
        url != NULL && url_host_port(url, host, sizeof host, &port) == 0 &&
        strcasecmp(host, s->f.api_host) == 0 && port == s->f.api_port)
        return true;
    s->f.blocked = true;
    return false;
}

/* Called with each address curl is about to connect to: refused ones get no
 * socket, so nothing is sent to them (curl tries the name's next address). */
static curl_socket_t on_opensocket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct slot *s = ud;
    if (purpose != CURLSOCKTYPE_IPCXN || !guard_ok(s, sockaddr_private(&a->addr)))
        return CURL_SOCKET_BAD;
    return socket(a->family, a->socktype, a->protocol);
}

/* Before each request, also on a connection curl reuses from its cache. */
static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
    struct slot *s = ud;
    (void)conn_local_ip, (void)conn_local_port, (void)conn_primary_port;
    return guard_ok(s, fetcher_ip_private(conn_primary_ip)) ? CURL_PREREQFUNC_OK
                                                            : CURL_PREREQFUNC_ABORT;
}

/* ---- one GET on the multi handle ----------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct fetch *f = ud;
    if (buf_append(&f->body, p, size * n) == -1) {
        f->too_large = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    return size * n;
}

/* Start a GET of url (with headers, "Name: value" lines, NULL-terminated;
 * may be NULL) into s->f.body. URLs of API requests hold tokens: nothing here
 * logs a URL, and their errors are curl's generic text, never its error
 * buffer. 0, or -1 with s->f.error set. */
static int start_get(struct slot *s, const char *url, char *const *headers, bool is_api)
{
    const struct conf *c = s->ft->app->conf;
    CURL *e = s->easy;
    struct fetch *f = &s->f;
    buf_release(&f->body);
    buf_init(&f->body, (size_t)c->media.max_bytes);
    f->too_large = f->blocked = false;
    f->is_api = is_api;
    f->error[0] = s->errbuf[0] = '\0';
    if (is_api && url_host_port(url, f->api_host, sizeof f->api_host, &f->api_port) == -1) {
        snprintf(f->error, sizeof f->error, "the channel's API URL does not parse");
        return -1;
    }
    curl_slist_free_all(s->hl);
    s->hl = NULL;
    for (int i = 0; headers != NULL && i < 8 && headers[i] != NULL; i++)
        s->hl = curl_slist_append(s->hl, headers[i]);
    long total = (long)c->media.timeout * 1000L;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hl);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, ""); /* never a proxy, whatever the environment says */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, c->media.max_redirects > 0 ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)c->media.max_redirects);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, total < 10000 ? total : 10000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, total);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->media.max_bytes);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "yizhan-fetcher/1");
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_opensocket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, s);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, s);
    CURLMcode mc = curl_multi_add_handle(s->ft->multi, e);
    if (mc != CURLM_OK) {
        snprintf(f->error, sizeof f->error, "%s", curl_multi_strerror(mc));
        return -1;
    }
    s->in_get = true;
    return 0;
}

/* What a finished GET came to, with s->f.error set unless FETCH_OK. */
static enum fetch_rc get_result(struct slot *s, CURLcode cc)
{
    const struct conf *c = s->ft->app->conf;
    struct fetch *f = &s->f;
    long status = 0;
    const char *why = s->errbuf[0] && !f->is_api ? s->errbuf : curl_easy_strerror(cc);
    if (cc == CURLE_OK)
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    if (f->blocked) {
        snprintf(f->error, sizeof f->error, "refused: the photo host is a private address");
    } else if (f->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(f->error, sizeof f->error, "larger than %lld bytes", c->media.max_bytes);
    } else if (cc == CURLE_TOO_MANY_REDIRECTS || cc == CURLE_UNSUPPORTED_PROTOCOL ||
               cc == CURLE_URL_MALFORMAT) {
        snprintf(f->error, sizeof f->error, "%.199s", why); /* curl's buffer is longer */
    } else if (cc != CURLE_OK) { /* timeouts, refused connections, resets: try again later */
        snprintf(f->error, sizeof f->error, "%.199s", why);
        return FETCH_RETRY;
    } else if (status != 200) {
        snprintf(f->error, sizeof f->error, "HTTP %ld", status);
        return status == 408 || status == 429 || status >= 500 ? FETCH_RETRY : FETCH_FINAL;
    } else {
        return FETCH_OK;
    }
    return FETCH_FINAL;
}

static int64_t backoff_ms(const struct conf *c, int attempts)
{
    int64_t d = c->media.backoff_base * 1000;
    for (int i = 1; i < attempts && d < 6 * 3600 * 1000LL; i++)
        d *= 2;
    return d;
}

/* The report's downloads are over, some in and some not: the report goes on
 * with the photos it has (photo_status ok: it stayed pending for good) and
 * the reporter is told once which part did not arrive. 0 or -1. */
static int partly_failed(struct fetcher *ft, const struct media_job *j, int failed, int64_t now)
{
    char code[REPORT_CODE_MAX], idem[64], n[12];
    report_code_fmt(j->report, code);
    snprintf(idem, sizeof idem, "report-photo-partly:%lld", (long long)j->report);
    snprintf(n, sizeof n, "%d", failed);
    if (store_report_set_photo(ft->st, j->report, "ok", now) == -1)
        return -1;
    return report_push(ft->app, ft->st, j->person, "report.push.photo_partly", idem, now, "code",
                       code, "n", n, NULL);
}

/* Record a failed try; a final failure is marked on the report and the
 * reporter is asked to send the photo again. Inside a transaction. */
static int record_failure(struct fetcher *ft, const struct media_job *j, const char *error,
                          bool final, int64_t now)
{
    const struct conf *c = ft->app->conf;
    int pending = 0, ok = 0, failed = 0;
    if (!final && j->attempts >= c->media.max_attempts)
        final = true;
    int64_t next = now + backoff_ms(c, j->attempts);
    if (store_media_failed(ft->st, j->id, error, final, next, now) == -1)
        return -1;
    if (!final)
        return 0;
    if (store_report_media_counts(ft->st, j->report, &pending, &ok, &failed) == -1)
        return -1;
    if (pending > 0)
        return 0; /* another photo of the report may still make it */
    if (ok > 0)
        return partly_failed(ft, j, failed, now);
    char code[REPORT_CODE_MAX], idem[64];
    report_code_fmt(j->report, code);
    snprintf(idem, sizeof idem, "report-photo-failed:%lld", (long long)j->id);
    if (store_report_set_photo(ft->st, j->report, "failed", now) == -1 ||
        store_report_history_add(ft->st, j->report, "received", "fetcher", error, now, NULL) ==
            -1 ||
        report_push(ft->app, ft->st, j->person, "report.push.photo_failed", idem, now, "code", code,
                    NULL) == -1)
        return -1;
    return 0;
}

/* A downloaded photo: files first (outside any transaction), then the rows. */
static int record_photo(struct fetcher *ft, const struct media_job *j, struct fetch *f, int64_t now,
                        char *error, size_t esize)
{
    const struct app *app = ft->app;
    const unsigned char *p = (const unsigned char *)f->body.data;
    size_t n = f->body.len;
    unsigned char *clean = NULL;
    size_t clean_len = 0;
    char sha[65], clean_sha[65];
    double lat = 0, lon = 0;
    int pending = 0, ok = 0, failed = 0, rc = -1;
    struct report r = {0};
    enum media_kind k = media_sniff(p, n);
    if (k == MEDIA_NONE) {
        snprintf(error, esize, "not a JPEG, PNG or WebP image");
        return 1;
    }
    if (media_strip(k, p, n, &clean, &clean_len) == -1) {
        snprintf(error, esize, "malformed %s", media_mime(k));
        return 1;
    }
    crypto_sha256_hex(p, n, sha);
    crypto_sha256_hex(clean, clean_len, clean_sha);
    bool has_gps = media_gps(k, p, n, &lat, &lon) == 1;
    if (media_save(app->conf->media_dir, sha, p, n) == -1 ||
        media_save(app->conf->media_dir, clean_sha, clean, clean_len) == -1) {
        snprintf(error, esize, "cannot store the photo");
        rc = 2; /* our own failure: retried */
        goto out;
    }
    if (store_begin(ft->st) == -1)
        goto out;
    if (store_media_done(ft->st, j->id, sha, clean_sha, media_mime(k), (int64_t)n, has_gps, lat,
                         lon, now) == -1 ||
        store_report_media_counts(ft->st, j->report, &pending, &ok, &failed) == -1 ||
        store_report_set_photo(ft->st, j->report, "ok", now) == -1)
        goto fail;
    if (pending == 0 && failed > 0 && partly_failed(ft, j, failed, now) == -1)
        goto fail;
    if (has_gps) {
        int set = store_report_set_pos(ft->st, j->report, lat, lon, "exif", now);
        if (set == -1 || (set == 1 && report_placed(app, ft->st, j->report, now) == -1))
            goto fail;
    }
    /* the same photo from the same person within a day: keep the first report */
    int64_t other = 0;
    int f2 = store_report_get(ft->st, j->report, &r);
    int dup = f2 == 1 ? store_report_find_hash(ft->st, j->person, sha, r.created_ms - DAY_MS,
                                               j->report, &other)
                      : f2;
    if (dup == -1)
        goto fail;
    if (dup == 1 && other < j->report && strcmp(r.status, "received") == 0 && ok == 1 &&
        pending == 0 && failed == 0 &&
        report_merge(app, ft->st, j->report, other, "fetcher", now) == -1)
        goto fail;
    if (store_commit(ft->st) == -1)
        goto fail;
    log_info("fetcher: photo %lld stored type=%s bytes=%zu gps=%s", (long long)j->id, media_mime(k),
             n, has_gps ? "yes" : "no");
    rc = 0;
    goto out;
fail:
    store_rollback(ft->st);
    rc = -1;
out:
    report_release(&r);
    free(clean);
    return rc;
}

/* ---- a slot's job -------------------------------------------------------- */

/* Record a stopped job as due again at the next start (not the photo's
 * fault). Its own transaction. */
static int record_stopped(struct fetcher *ft, const struct media_job *j, int64_t now)
{
    if (store_begin(ft->st) == -1)
        return -1;
    if (store_media_failed(ft->st, j->id, "stopped while downloading", false, now, now) == -1 ||
        store_commit(ft->st) == -1) {
        store_rollback(ft->st);
        return -1;
    }
    return 0;
}

/* The job of s ended with fr: record it and free the slot. A store error
 * leaves the row claimed: its lease runs out and it is fetched again. */
static void slot_finish(struct fetcher *ft, struct slot *s, enum fetch_rc fr)
{
    const struct media_job *j = &s->j;
    char error[200] = "";
    int64_t now = now_ms();
    bool final = fr == FETCH_FINAL;
    /* what is said about the photo comes from the current generation (live.h):
     * ft->app is this thread's alone, lent the generation for this job */
    const struct app *base = ft->app;
    ft->app = app_acquire(base);
    if (fr == FETCH_OK) {
        int pr = record_photo(ft, j, &s->f, now, error, sizeof error);
        if (pr == 0 || pr == -1)
            goto out;
        final = pr == 1;
    } else if (fr == FETCH_STOPPED) {
        (void)record_stopped(ft, j, now);
        goto out;
    } else {
        snprintf(error, sizeof error, "%s", s->f.error);
    }
    log_warn("fetcher: photo %lld of report %lld: %s (try %d)%s", (long long)j->id,
             (long long)j->report, error, j->attempts, final ? ": giving up" : "");
    if (store_begin(ft->st) == -1)
        goto out;
    if (record_failure(ft, j, error, final, now) == -1 || store_commit(ft->st) == -1)
        store_rollback(ft->st);
out:
    app_release(ft->app);
    ft->app = base;
    buf_release(&s->f.body);
    buf_init(&s->f.body, 0);
    media_job_release(&s->j);
    s->busy = false;
    ft->next_claim = 0; /* a slot is free: claim at once */
}

/* Wait for the sender to have the channel's token (it alone fetches tokens).
 * True with s->token set; false while waiting (s->token_until set) or when
 * the wait is over (then s->f.error is set and s->token_until is -1). */
static bool slot_token(struct fetcher *ft, struct slot *s)
{
    int64_t now = now_ms();
    if (sender_token(ft->sender, s->ch, s->token, sizeof s->token, &s->gen) == 1) {
        s->has_token = true;
        s->token_until = 0;
        return true;
    }
    if (s->token_until == 0) {
        s->token_until = now + TOKEN_WAIT_MS;
    } else if (now >= s->token_until) {
        snprintf(s->f.error, sizeof s->f.error, "no %s API token yet", s->ch->name);
        s->token_until = -1;
    }
    return false;
}

/* Run s's job from step s->step until it needs the network (a GET on the
 * multi handle), waits for a token, or ends. */
static void slot_run(struct fetcher *ft, struct slot *s)
{
    const struct conf *c = ft->app->conf;
    if (s->ch == NULL || s->ch->media_request == NULL) { /* a plain URL: one GET */
        if (start_get(s, s->j.url, NULL, false) == -1)
            slot_finish(ft, s, FETCH_FINAL);
        return;
    }
    while (s->step < MAX_STEPS) {
        struct media_step ms = {.n = s->step, .token = s->has_token ? s->token : NULL};
        if (s->step > 0) {
            ms.status = 200;
            ms.body = s->f.body.data ? s->f.body.data : "";
            ms.len = s->f.body.len;
        }
        int rc = s->ch->media_request(c, s->j.url, &ms);
        if (rc == MEDIA_NEED_TOKEN && !s->has_token && s->ch->token_build != NULL) {
            push_req_release(&ms.req);
            if (slot_token(ft, s))
                continue; /* the same step with the token */
            if (s->token_until == -1)
                slot_finish(ft, s, FETCH_RETRY);
            return;
        }
        if (rc == MEDIA_GET && ms.req.url != NULL) {
            int started = start_get(s, ms.req.url, ms.req.headers, ms.is_api);
            push_req_release(&ms.req);
            if (started == -1)
                slot_finish(ft, s, FETCH_FINAL);
            return;
        }
        push_req_release(&ms.req);
        if (rc == MEDIA_DONE && s->step > 0) {
            slot_finish(ft, s, FETCH_OK); /* record_photo judges the body */
            return;
        }
        if (rc == MEDIA_RETRY && ms.token_invalid && s->has_token)
            sender_token_invalid(ft->sender, s->ch, s->gen);
        snprintf(s->f.error, sizeof s->f.error, "%s",
                 ms.why[0] ? ms.why : "the channel cannot fetch this photo");
        slot_finish(ft, s, rc == MEDIA_RETRY ? FETCH_RETRY : FETCH_FINAL);
        return;
    }
    snprintf(s->f.error, sizeof s->f.error, "too many steps to fetch the photo");
    slot_finish(ft, s, FETCH_FINAL);
}

/* s's GET ended with fr: the photo, the next step, or the end. */
static void slot_got(struct fetcher *ft, struct slot *s, enum fetch_rc fr)
{
    bool plain = s->ch == NULL || s->ch->media_request == NULL;
    if (fr != FETCH_OK || plain ||
        media_sniff((const unsigned char *)s->f.body.data, s->f.body.len) != MEDIA_NONE) {
        slot_finish(ft, s, fr);
        return;
    }
    s->step++; /* a lookup or an API error: the adapter reads it next */
    slot_run(ft, s);
}

/* ---- the loop ------------------------------------------------------------ */

/* Claim due downloads into free slots. */
static void fill_slots(struct fetcher *ft)
{
    const struct conf *c = ft->app->conf;
    /* The lease outlives the longest download this config allows (every step
     * at its time cap, plus a token wait), so a live fetcher never loses its
     * job; a fetcher killed mid-download has its job back soon after. */
    int64_t lease = MAX_STEPS * c->media.timeout * 1000 + TOKEN_WAIT_MS + 30000;
    for (int i = 0; i < ft->nslots && !atomic_load(&ft->stop); i++) {
        struct slot *s = &ft->slots[i];
        if (s->busy)
            continue;
        int64_t now = now_ms();
        if (store_begin(ft->st) == -1)
            return;
        int got =
            store_media_claim(ft->st, now, lease, ft->last_person, (int)c->media.per_person, &s->j);
        if (got != 1 || store_commit(ft->st) == -1) {
            store_rollback(ft->st);
            media_job_release(&s->j);
            return;
        }
        ft->last_person = s->j.person;
        s->busy = true;
        s->step = 0;
        s->has_token = false;
        s->token_until = 0;
        s->ch = s->j.channel ? channel_by_name(s->j.channel) : NULL;
        slot_run(ft, s);
    }
}

/* Slots waiting for a token look again. */
static void poll_tokens(struct fetcher *ft)
{
    for (int i = 0; i < ft->nslots; i++)
        if (ft->slots[i].busy && !ft->slots[i].in_get && ft->slots[i].token_until > 0)
            slot_run(ft, &ft->slots[i]);
}

/* Finished GETs. */
static void reap(struct fetcher *ft)
{
    CURLMsg *m;
    int left = 0;
    while ((m = curl_multi_info_read(ft->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct slot *s = NULL;
        CURL *e = m->easy_handle;
        CURLcode cc = m->data.result;
        if (curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&s) != CURLE_OK || s == NULL)
            continue;
        curl_multi_remove_handle(ft->multi, e);
        s->in_get = false;
        slot_got(ft, s, get_result(s, cc));
    }
}

static bool any_waiting(const struct fetcher *ft)
{
    for (int i = 0; i < ft->nslots; i++)
        if (ft->slots[i].busy && !ft->slots[i].in_get)
            return true;
    return false;
}

static void reclaim(struct fetcher *ft, int64_t now)
{
    if (store_begin(ft->st) == -1)
        return;
    int n = store_media_reclaim(ft->st, now);
    if (n == -1 || store_commit(ft->st) == -1)
        store_rollback(ft->st);
    else if (n > 0)
        log_warn("fetcher: %d photo downloads taken back after a stop", n);
}

/* Stopping: downloads in flight are due again at the next start. */
static void abandon_all(struct fetcher *ft)
{
    for (int i = 0; i < ft->nslots; i++) {
        struct slot *s = &ft->slots[i];
        if (s->in_get)
            curl_multi_remove_handle(ft->multi, s->easy);
        s->in_get = false;
        if (s->busy)
            slot_finish(ft, s, FETCH_STOPPED);
    }
}

static void *fetcher_main(void *arg)
{
    struct fetcher *ft = arg;
    pthread_setname_np(pthread_self(), "fetcher"); /* for top -H, perf, gdb */
    int64_t last_reclaim = 0;
    int running = 0;
    while (!atomic_load(&ft->stop)) {
        int64_t now = now_ms();
        if (now - last_reclaim >= 5000) {
            reclaim(ft, now);
            last_reclaim = now;
        }
        if (atomic_exchange(&ft->woken, false) || now >= ft->next_claim) {
            ft->next_claim = now + IDLE_MS; /* retries become due with time */
            fill_slots(ft);
        }
        poll_tokens(ft);
        curl_multi_perform(ft->multi, &running);
        reap(ft);
        if (ft->next_claim == 0)
            continue; /* a slot came free */
        int wait = any_waiting(ft) ? TOKEN_POLL_MS : IDLE_MS;
        curl_multi_poll(ft->multi, NULL, 0, wait, NULL);
    }
    abandon_all(ft);
    return NULL;
}

/* Photos are never fetched through a proxy; say so when one is configured. */
static void log_proxy_env(void)
{
    static const char *const vars[] = {"http_proxy", "https_proxy", "HTTPS_PROXY",
                                       "all_proxy",  "ALL_PROXY",   NULL};
    for (int i = 0; vars[i] != NULL; i++) {
        const char *v = getenv(vars[i]);
        if (v != NULL && v[0] != '\0')
            log_warn("fetcher: %s is set but photos are never fetched through a proxy (the "
                     "address guard must see each address it connects to; [media] "
                     "allow_private cannot widen through one)",
                     vars[i]);
    }
}

static void free_fetcher(struct fetcher *ft)
{
    for (int i = 0; i < ft->nslots; i++) {
        if (ft->slots[i].easy != NULL)
            curl_easy_cleanup(ft->slots[i].easy);
        curl_slist_free_all(ft->slots[i].hl);
        buf_release(&ft->slots[i].f.body);
    }
    free(ft->slots);
    if (ft->multi != NULL)
        curl_multi_cleanup(ft->multi);
    store_close(ft->st);
    free(ft);
}

struct fetcher *fetcher_start(const struct app *app, struct sender *sender)
{
    const struct conf *c = app->conf;
    struct fetcher *ft = xcalloc(1, sizeof *ft);
    ft->app = app;
    ft->sender = sender;
    atomic_init(&ft->stop, false);
    atomic_init(&ft->woken, true);
    ft->st = store_open_engine(c->store.engine, c->database, c->store.conninfo, c->sync_full);
    if (ft->st == NULL)
        goto fail;
    store_set_timeout(ft->st, (int)c->store.statement_timeout * 1000);
    ft->multi = curl_multi_init();
    ft->nslots = (int)c->media.concurrency;
    ft->slots = xcalloc((size_t)ft->nslots, sizeof *ft->slots);
    for (int i = 0; i < ft->nslots; i++) {
        struct slot *s = &ft->slots[i];
        s->ft = ft;
        s->f.allow_private = c->media.allow_private;
        buf_init(&s->f.body, 0);
        s->easy = curl_easy_init();
    }
    for (int i = 0; i < ft->nslots; i++)
        if (ft->multi == NULL || ft->slots[i].easy == NULL) {
            log_err("fetcher: cannot create curl handles");
            goto fail;
        }
    log_proxy_env();
    if (pthread_create(&ft->thread, NULL, fetcher_main, ft) != 0) {
        log_err("fetcher: cannot start the thread");
        goto fail;
    }
    return ft;
fail:
    free_fetcher(ft);
    return NULL;
}

void fetcher_wake(struct fetcher *ft)
{
    if (ft == NULL)
        return;
    atomic_store(&ft->woken, true);
    curl_multi_wakeup(ft->multi);
}

void fetcher_stop(struct fetcher *ft)
{
    if (ft == NULL)
        return;
    atomic_store(&ft->stop, true);
    curl_multi_wakeup(ft->multi);
    pthread_join(ft->thread, NULL);
    free_fetcher(ft);
}
