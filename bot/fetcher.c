/*
 * fetcher.c - the photo fetcher thread (see fetcher.h). One download at a
 * time on one reused easy handle: photos arrive a few a minute, and keeping
 * this thread simple matters more than parallel transfers. The request path
 * never waits for it: a turn only records a pending row. A photo whose
 * reference is not a plain URL is fetched in the steps its channel's
 * media_request gives (channel.h).
 */
#include "fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "handler.h"
#include "log.h"
#include "media.h"
#include "report.h"
#include "sender.h"
#include "store.h"
#include "util.h"

#define DAY_MS (24LL * 3600 * 1000)
#define IDLE_MS 1000
#define MAX_STEPS 4         /* media_request rounds for one photo (Telegram needs 2) */
#define TOKEN_WAIT_MS 10000 /* how long a photo waits for the sender to get a token */

struct fetcher {
    const struct app *app;
    struct sender *sender; /* owns the channels' API tokens */
    struct store *st;
    CURL *easy;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool woken;
    atomic_bool stop;
};

/* What one download came to. */
struct fetch {
    struct buf body;
    bool too_large, blocked;
    char error[200];
    atomic_bool *stop;
    bool allow_private;
    /* A request to the channel's configured api_base: its host is trusted,
     * on whatever address; a redirect elsewhere passes the guard again. */
    bool is_api, api_seen;
    char api_ip[64];
    long api_port;
};

bool fetcher_ip_private(const char *ip)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, ip, a) == 1) {
        return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
               (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
               (a[0] == 192 && a[1] == 168) || (a[0] == 192 && a[1] == 0 && a[2] == 0) ||
               (a[0] == 198 && (a[1] & 0xfe) == 18) || a[0] >= 224;
    }
    if (inet_pton(AF_INET6, ip, a) == 1) {
        static const unsigned char zero[16] = {0};
        static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, v4mapped, 12) == 0) {
            char v4[INET_ADDRSTRLEN];
            return inet_ntop(AF_INET, a + 12, v4, sizeof v4) == NULL || fetcher_ip_private(v4);
        }
        bool loop = memcmp(a, zero, 15) == 0 && (a[15] == 1 || a[15] == 0);
        return loop || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
               a[0] == 0xff;
    }
    return true; /* not an address we understand: refuse */
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct fetch *f = ud;
    if (buf_append(&f->body, p, size * n) == -1) {
        f->too_large = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    return size * n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct fetch *f = ud;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load(f->stop) ? 1 : 0;
}

/* Called once a connection is up, for the first URL and every redirect:
 * the place to refuse loopback and private addresses (no DNS rebinding gap:
 * this is the address actually connected to). */
static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
    struct fetch *f = ud;
    (void)conn_local_ip, (void)conn_local_port;
    if (f->is_api && !f->api_seen) { /* the first connection: the configured host */
        snprintf(f->api_ip, sizeof f->api_ip, "%s", conn_primary_ip);
        f->api_port = conn_primary_port;
        f->api_seen = true;
        return CURL_PREREQFUNC_OK;
    }
    if (f->is_api && strcmp(f->api_ip, conn_primary_ip) == 0 && f->api_port == conn_primary_port)
        return CURL_PREREQFUNC_OK;
    if (!f->allow_private && fetcher_ip_private(conn_primary_ip)) {
        f->blocked = true;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

enum fetch_rc { FETCH_OK, FETCH_RETRY, FETCH_FINAL, FETCH_STOPPED };

/* GET url (with headers, "Name: value" lines, NULL-terminated; may be NULL)
 * into f->body. URLs of API requests hold tokens: nothing here logs a URL, and
 * their errors are curl's generic text, never its error buffer. */
static enum fetch_rc download(struct fetcher *ft, const char *url, char *const *headers,
                              bool is_api, struct fetch *f)
{
    const struct conf *c = ft->app->conf;
    CURL *e = ft->easy;
    struct curl_slist *hl = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    long status = 0;
    enum fetch_rc rc = FETCH_FINAL;
    buf_release(&f->body);
    buf_init(&f->body, (size_t)c->media.max_bytes);
    f->too_large = f->blocked = f->api_seen = false;
    f->is_api = is_api;
    f->error[0] = '\0';
    for (int i = 0; headers != NULL && i < 8 && headers[i] != NULL; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, c->media.max_redirects > 0 ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)c->media.max_redirects);
    long total = (long)c->media.timeout * 1000L;
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, total < 10000 ? total : 10000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, total);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->media.max_bytes);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "yizhan-fetcher/1");
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, f);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, f);
    CURLcode cc = curl_easy_perform(e);
    const char *why = errbuf[0] && !is_api ? errbuf : curl_easy_strerror(cc);
    if (cc == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    if (f->blocked) {
        snprintf(f->error, sizeof f->error, "refused: the photo host is a private address");
    } else if (f->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(f->error, sizeof f->error, "larger than %lld bytes", c->media.max_bytes);
    } else if (cc == CURLE_ABORTED_BY_CALLBACK && atomic_load(f->stop)) {
        rc = FETCH_STOPPED;
    } else if (cc == CURLE_TOO_MANY_REDIRECTS || cc == CURLE_UNSUPPORTED_PROTOCOL ||
               cc == CURLE_URL_MALFORMAT) {
        snprintf(f->error, sizeof f->error, "%.199s", why); /* curl's buffer is longer */
    } else if (cc != CURLE_OK) { /* timeouts, refused connections, resets: try again later */
        snprintf(f->error, sizeof f->error, "%.199s", why); /* curl's buffer is longer */
        rc = FETCH_RETRY;
    } else if (status != 200) {
        snprintf(f->error, sizeof f->error, "HTTP %ld", status);
        rc = status == 408 || status == 429 || status >= 500 ? FETCH_RETRY : FETCH_FINAL;
    } else {
        rc = FETCH_OK;
    }
    curl_slist_free_all(hl);
    return rc;
}

/* Wait for the sender to have ch's token (it alone fetches tokens). 1 with
 * out and *gen set, 0 not in time, -1 stopping. */
static int wait_token(struct fetcher *ft, const struct channel *ch, char *out, size_t size,
                      unsigned *gen)
{
    for (int waited = 0; waited < TOKEN_WAIT_MS; waited += 100) {
        if (sender_token(ft->sender, ch, out, size, gen) == 1)
            return 1;
        if (atomic_load(&ft->stop))
            return -1;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Fetch job j's photo into f->body, in the steps its channel asks for. */
static enum fetch_rc fetch_photo(struct fetcher *ft, const struct media_job *j, struct fetch *f)
{
    const struct conf *c = ft->app->conf;
    const struct channel *ch = j->channel ? channel_by_name(j->channel) : NULL;
    char token[SENDER_TOKEN_MAX];
    unsigned gen = 0;
    bool has_token = false;
    enum fetch_rc fr = FETCH_FINAL;
    if (ch == NULL || ch->media_request == NULL)
        return download(ft, j->url, NULL, false, f);
    if (ch->token_build != NULL)
        has_token = sender_token(ft->sender, ch, token, sizeof token, &gen) == 1;
    for (int n = 0; n < MAX_STEPS; n++) {
        struct media_step ms = {.n = n, .token = has_token ? token : NULL};
        if (n > 0) {
            ms.status = 200;
            ms.body = f->body.data ? f->body.data : "";
            ms.len = f->body.len;
        }
        int rc = ch->media_request(c, j->url, &ms);
        if (rc == MEDIA_NEED_TOKEN && !has_token && ch->token_build != NULL) {
            int w = wait_token(ft, ch, token, sizeof token, &gen);
            if (w != 1) {
                snprintf(f->error, sizeof f->error, "no %s API token yet", ch->name);
                return w == -1 ? FETCH_STOPPED : FETCH_RETRY;
            }
            has_token = true;
            push_req_release(&ms.req);
            ms.token = token;
            rc = ch->media_request(c, j->url, &ms);
        }
        if (rc == MEDIA_GET && ms.req.url != NULL) {
            fr = download(ft, ms.req.url, ms.req.headers, ms.is_api, f);
            push_req_release(&ms.req);
            if (fr != FETCH_OK)
                return fr;
            if (media_sniff((const unsigned char *)f->body.data, f->body.len) != MEDIA_NONE)
                return FETCH_OK;
            continue; /* a lookup or an API error: the adapter reads it next */
        }
        push_req_release(&ms.req);
        if (rc == MEDIA_DONE && n > 0)
            return FETCH_OK; /* record_photo judges the body */
        if (rc == MEDIA_RETRY && ms.token_invalid && has_token)
            sender_token_invalid(ft->sender, ch, gen);
        snprintf(f->error, sizeof f->error, "%s",
                 ms.why[0] ? ms.why : "the channel cannot fetch this photo");
        return rc == MEDIA_RETRY ? FETCH_RETRY : FETCH_FINAL;
    }
    snprintf(f->error, sizeof f->error, "too many steps to fetch the photo");
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
        if (set == -1 || (set == 1 && report_flag_nearby(app, ft->st, j->report, now) == -1))
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

/* Claim and process one due download. 1 did one, 0 none due, -1 store error. */
static int fetch_one(struct fetcher *ft)
{
    const struct conf *c = ft->app->conf;
    struct media_job j = {0};
    struct fetch f = {.stop = &ft->stop, .allow_private = c->media.allow_private};
    char error[200] = "";
    int64_t now = now_ms();
    if (store_begin(ft->st) == -1)
        return -1;
    /* The lease outlives the longest download this config allows (every step
     * at its time cap, plus a token wait), so a live fetcher never loses its
     * job; a fetcher killed mid-download has its job back soon after. */
    int64_t lease = MAX_STEPS * ft->app->conf->media.timeout * 1000 + TOKEN_WAIT_MS + 30000;
    int got = store_media_claim(ft->st, now, lease, &j);
    if (got != 1 || store_commit(ft->st) == -1) {
        store_rollback(ft->st);
        return got == 1 ? -1 : got;
    }
    buf_init(&f.body, (size_t)c->media.max_bytes);
    enum fetch_rc fr = fetch_photo(ft, &j, &f);
    now = now_ms();
    int rc = 1;
    bool final = fr == FETCH_FINAL;
    if (fr == FETCH_OK) {
        int pr = record_photo(ft, &j, &f, now, error, sizeof error);
        if (pr == 0)
            goto out;
        if (pr == -1) { /* the lease runs out and the photo is fetched again */
            rc = -1;
            goto out;
        }
        final = pr == 1;
    } else if (fr == FETCH_STOPPED) {
        snprintf(error, sizeof error, "stopped while downloading");
    } else {
        snprintf(error, sizeof error, "%s", f.error);
    }
    if (fr == FETCH_STOPPED) { /* not the photo's fault: due again at the next start */
        if (store_begin(ft->st) == -1)
            rc = -1;
        else if (store_media_failed(ft->st, j.id, error, false, now, now) == -1 ||
                 store_commit(ft->st) == -1) {
            store_rollback(ft->st);
            rc = -1;
        }
        goto out;
    }
    log_warn("fetcher: photo %lld of report %lld: %s (try %d)%s", (long long)j.id,
             (long long)j.report, error, j.attempts, final ? ": giving up" : "");
    if (store_begin(ft->st) == -1) {
        rc = -1;
        goto out;
    }
    if (record_failure(ft, &j, error, final, now) == -1 || store_commit(ft->st) == -1) {
        store_rollback(ft->st);
        rc = -1;
    }
out:
    buf_release(&f.body);
    media_job_release(&j);
    return rc;
}

static void *fetcher_main(void *arg)
{
    struct fetcher *ft = arg;
    pthread_setname_np(pthread_self(), "fetcher"); /* for top -H, perf, gdb */
    int64_t last_reclaim = 0;
    while (!atomic_load(&ft->stop)) {
        int64_t now = now_ms();
        if (now - last_reclaim >= 5000) {
            if (store_begin(ft->st) == 0) {
                int n = store_media_reclaim(ft->st, now);
                if (n == -1 || store_commit(ft->st) == -1)
                    store_rollback(ft->st);
                else if (n > 0)
                    log_warn("fetcher: %d photo downloads taken back after a stop", n);
            }
            last_reclaim = now;
        }
        if (fetch_one(ft) == 1)
            continue;
        pthread_mutex_lock(&ft->mu);
        if (!ft->woken && !atomic_load(&ft->stop)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += IDLE_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&ft->cv, &ft->mu, &ts);
        }
        ft->woken = false;
        pthread_mutex_unlock(&ft->mu);
    }
    return NULL;
}

struct fetcher *fetcher_start(const struct app *app, struct sender *sender)
{
    struct fetcher *ft = xcalloc(1, sizeof *ft);
    ft->app = app;
    ft->sender = sender;
    atomic_init(&ft->stop, false);
    pthread_mutex_init(&ft->mu, NULL);
    pthread_cond_init(&ft->cv, NULL);
    ft->st = store_open(app->conf->database, app->conf->sync_full);
    if (ft->st == NULL)
        goto fail;
    ft->easy = curl_easy_init();
    if (ft->easy == NULL) {
        log_err("fetcher: cannot create a curl handle");
        goto fail;
    }
    if (pthread_create(&ft->thread, NULL, fetcher_main, ft) != 0) {
        log_err("fetcher: cannot start the thread");
        goto fail;
    }
    return ft;
fail:
    if (ft->easy)
        curl_easy_cleanup(ft->easy);
    store_close(ft->st);
    pthread_mutex_destroy(&ft->mu);
    pthread_cond_destroy(&ft->cv);
    free(ft);
    return NULL;
}

void fetcher_wake(struct fetcher *ft)
{
    if (ft == NULL)
        return;
    pthread_mutex_lock(&ft->mu);
    ft->woken = true;
    pthread_cond_signal(&ft->cv);
    pthread_mutex_unlock(&ft->mu);
}

void fetcher_stop(struct fetcher *ft)
{
    if (ft == NULL)
        return;
    atomic_store(&ft->stop, true);
    fetcher_wake(ft);
    pthread_join(ft->thread, NULL);
    curl_easy_cleanup(ft->easy);
    store_close(ft->st);
    pthread_mutex_destroy(&ft->mu);
    pthread_cond_destroy(&ft->cv);
    free(ft);
}
