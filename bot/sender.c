/*
 * sender.c - the outbox sender thread (see sender.h and docs/design.md for the
 * crash window: between the platform's answer and the COMMIT that records it).
 */
#include "sender.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "handler.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "store.h"
#include "text.h"
#include "util.h"

#define MAX_SLOTS 256
#define RESP_MAX (64 * 1024)
#define RECIPIENTS 8192 /* recent recipients remembered for the per-person rate */
#define MAX_BUCKETS 16
#define MAX_TOKENS 4
#define TOKEN_MAX SENDER_TOKEN_MAX
#define TOKEN_EARLY_MS (5 * 60 * 1000) /* refresh this long before expiry */
#define TOKEN_WAIT_MS 500              /* a row that waits for a token comes back after */

/*
 * A channel's API token (WeChat's access_token), shared by every slot and,
 * through sender_token(), by the photo fetcher. Only this thread fetches and
 * writes it; value, refresh_at, gen, wanted and the table's length are under
 * tok_mu for the other threads. gen counts fetches, so a request that failed
 * with an old token does not throw away a newer one.
 */
struct token {
    const struct channel *ch;
    char value[TOKEN_MAX];
    int64_t refresh_at; /* fetch again from then on; 0: no token */
    int64_t retry_at;   /* after a failed fetch, not before */
    unsigned gen;
    bool fetching, wanted;
};

struct slot {
    CURL *easy;
    bool busy;
    struct out_item it;
    const struct channel *ch;
    struct push_req req;
    struct curl_slist *hl;
    struct buf resp;
    char retry_after[32];
    /* a text longer than the platform takes goes in parts (max_push): part
     * is what this transfer sends (owned), rest points into it.text at what
     * follows once it is out; both NULL when the text goes whole */
    char *part;
    const char *rest;
    struct token *tok; /* this transfer fetches tok, or used it (gen) */
    unsigned tok_gen;
    bool is_token;
};

/*
 * A channel's send rate and pause. The truth is the channel's send_rate row,
 * shared by every node on the database (docs/scaling.md): every sender
 * transaction begins by locking all the rows (sender_begin), decides with
 * this copy, and writes back what it changed (rate_save) before its COMMIT.
 *
 * Why two nodes' senders cannot deadlock (PostgreSQL; SQLite is one node
 * whose BEGIN IMMEDIATE takes the whole database at once):
 * - the rows exist before any transaction wants them: rates_make inserts
 *   them at the sender's start (and until that worked) in autocommit with
 *   ON CONFLICT DO NOTHING, a statement that holds no other lock and keeps
 *   none after it; so the lock statement finds committed rows and never
 *   waits for another node's uncommitted insert of one;
 * - every transaction of this thread (sender_begin: the outcomes of
 *   collect, the claim of dispatch, the lease reclaim) takes all the rows
 *   with its first statement after BEGIN, one SELECT ... ORDER BY channel
 *   FOR UPDATE, which locks them one by one as they leave the sort: in
 *   name order on every node, whatever channels each one configures;
 * - so a sender transaction waiting for those rows holds no lock yet, and
 *   one that holds them holds all of them: of two nodes' senders only one
 *   is past its first statement at a time, and only that one claims,
 *   merges (store_outbox_merge_due, store_outbox_follow) or settles outbox
 *   rows. The other cannot hold an outbox row the first one waits for;
 * - every other transaction (a turn, a broadcast's fan-out, the photo
 *   fetcher) never locks a send_rate row, so it cannot wait for the sender
 *   that holds them: a cycle through a sender transaction and others has
 *   no send_rate edge, and was there before the rows were shared;
 * - the sender's statements outside a transaction (the defer or mark of a
 *   row it leased itself after the COMMIT, rates_make) hold one row for one
 *   statement and wait for nothing while holding another.
 * Before, the lock was taken after the claim and only for the claimed
 * channels: node A held a person's claimed row and the send_rate row while
 * its merge waited for that person's row node B had claimed, and B waited
 * for the send_rate row ("deadlock detected",
 * test_nodes_no_deadlock_on_shared_rate).
 */
struct bucket {
    const char *channel; /* static, from the channel table */
    double tokens, rate;
    int64_t last_ms;
    int64_t paused_until; /* the platform refused for the whole channel (push_result.pause_channel) */
    int64_t pause_pending; /* a pause not yet in the row (0: none) */
    bool locked;           /* its row is locked in this transaction */
    bool taken;            /* a token was used since sender_begin */
    bool pause_saved;      /* pause_pending is written in this transaction */
};

struct sender {
    const struct app *app;
    struct store *st;
    pthread_t thread;
    atomic_bool stop;
    CURLM *multi;
    struct slot slots[MAX_SLOTS];
    int nslots;
    struct bucket buckets[MAX_BUCKETS];
    int nbuckets;
    bool rates_made; /* every pushing channel's send_rate row exists */
    pthread_mutex_t tok_mu;
    struct token tokens[MAX_TOKENS];
    int ntokens;
    struct {
        uint64_t key;
        int64_t last_ms;
    } recent[RECIPIENTS];
    unsigned int seed;
};

static uint64_t recipient_key(const char *channel, const char *to)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = channel; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = to; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h | 1; /* 0 marks an empty slot */
}

static struct bucket *bucket_for(struct sender *s, const struct channel *ch, int64_t now)
{
    long long per_min = 0;
    for (int i = 0; i < s->nbuckets; i++)
        if (s->buckets[i].channel == ch->name)
            return &s->buckets[i];
    if (s->nbuckets == MAX_BUCKETS)
        return NULL;
    struct bucket *b = &s->buckets[s->nbuckets++];
    b->channel = ch->name;
    b->rate = ch->push_rate ? (double)ch->push_rate(s->app->conf, &per_min) : 1e9;
    b->tokens = b->rate;
    b->last_ms = now;
    return b;
}

static void bucket_refill(struct bucket *b, int64_t now)
{
    if (now < b->last_ms)
        return; /* another node's clock ran a little ahead: wait for it */
    b->tokens += (double)(now - b->last_ms) * b->rate / 1000.0;
    if (b->tokens > b->rate)
        b->tokens = b->rate; /* burst of one second's worth at most */
    b->last_ms = now;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct slot *sl = ud;
    /* past the cap the rest is dropped: we only read a status or an error */
    buf_append(&sl->resp, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct slot *sl = ud;
    size_t len = size * n;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        size_t i = 12;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        size_t j = 0;
        while (i < len && j + 1 < sizeof sl->retry_after && p[i] != '\r' && p[i] != '\n')
            sl->retry_after[j++] = p[i++];
        sl->retry_after[j] = '\0';
    }
    return len;
}

static void slot_release(struct slot *sl)
{
    out_item_release(&sl->it);
    free(sl->part);
    sl->part = NULL;
    sl->rest = NULL;
    push_req_release(&sl->req);
    curl_slist_free_all(sl->hl);
    sl->hl = NULL;
    buf_release(&sl->resp);
    sl->retry_after[0] = '\0';
    sl->tok = NULL;
    sl->is_token = false;
    sl->busy = false;
}

static int start_transfer(struct sender *s, struct slot *sl)
{
    const struct conf *c = s->app->conf;
    CURL *e = sl->easy;
    curl_easy_reset(e);
    buf_init(&sl->resp, RESP_MAX);
    for (int i = 0; i < 8 && sl->req.headers[i]; i++)
        sl->hl = curl_slist_append(sl->hl, sl->req.headers[i]);
    sl->hl = curl_slist_append(sl->hl, "Expect:");
    curl_easy_setopt(e, CURLOPT_URL, sl->req.url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->push.timeout * 1000L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, sl->hl);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, sl);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, sl);
    curl_easy_setopt(e, CURLOPT_PRIVATE, sl);
    if (strcmp(sl->req.method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, sl->req.body ? sl->req.body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)sl->req.len);
    }
    if (curl_multi_add_handle(s->multi, e) != CURLM_OK)
        return log_fail("sender: cannot start a transfer");
    sl->busy = true;
    return 0;
}

static int64_t backoff_ms(struct sender *s, int attempts)
{
    const struct conf *c = s->app->conf;
    int64_t base = c->push.backoff_base * 1000, max = c->push.backoff_max * 1000;
    int64_t d = base;
    for (int i = 1; i < attempts && d < max; i++)
        d *= 2;
    if (d > max)
        d = max;
    /* jitter in [0.5, 1.5) so retries after an outage do not arrive together */
    double j = 0.5 + (double)rand_r(&s->seed) / ((double)RAND_MAX + 1.0);
    return (int64_t)((double)d * j);
}

static void token_drop(struct sender *s, struct token *tok, unsigned gen);

/* Cut the slot's text to its channel's limit (the part sent now, the rest
 * later on the same row) and build the request. push_build's answer. */
static int slot_build(struct sender *s, struct slot *sl, char *why, size_t why_size)
{
    const struct conf *c = s->app->conf;
    enum text_unit unit = TEXT_CHARS;
    size_t max = sl->ch->max_push ? sl->ch->max_push(c, &unit) : 0;
    const char *text = sl->it.text;
    free(sl->part);
    sl->part = NULL;
    sl->rest = NULL;
    size_t at = max > 0 ? text_cut_units(text, max, unit) : strlen(text);
    if (at > 0 && text[at] != '\0') {
        size_t keep = at, skip = at;
        while (keep > 0 && (text[keep - 1] == '\n' || text[keep - 1] == ' '))
            keep--;
        while (text[skip] == '\n' || text[skip] == ' ')
            skip++;
        sl->part = xasprintf("%.*s", (int)keep, text);
        sl->rest = text[skip] ? text + skip : NULL;
    }
    return sl->ch->push_build(c, &sl->it, sl->part ? sl->part : text, &sl->req, why, why_size);
}

/* Build the row again on the same slot, with the same token, once the
 * caller changed what it asks for: the fallback form (push_result.fallback)
 * or the text after its article (article_sent). true when it is under way. */
static bool restart(struct sender *s, struct slot *sl, const char *form)
{
    char why[200] = "";
    const char *token = sl->req.token;
    push_req_release(&sl->req);
    curl_slist_free_all(sl->hl);
    sl->hl = NULL;
    buf_release(&sl->resp);
    sl->retry_after[0] = '\0';
    sl->req.token = token;
    if (slot_build(s, sl, why, sizeof why) != 0 ||
        start_transfer(s, sl) == -1) {
        log_warn("sender: push %lld: no %s: %s", (long long)sl->it.id, form, why);
        return false;
    }
    log_info("sender: push %lld on %s: sending the %s", (long long)sl->it.id, sl->it.channel, form);
    return true;
}

/* The platform limits the whole channel (Telegram's 429 is per bot): nothing
 * more goes out on ch before until. */
static void channel_pause(struct sender *s, const struct channel *ch, int64_t now, int64_t until)
{
    struct bucket *b = bucket_for(s, ch, now);
    if (b != NULL && until > b->paused_until) {
        b->paused_until = until;
        b->pause_pending = until; /* into the channel's row with the next claim */
        log_warn("sender: %s paused for %lld ms by the platform", ch->name,
                 (long long)(until - now));
    }
}

/* Record the outcome of a transfer; true when the slot goes on with the same
 * row (its fallback form), so the caller must not release it. */
static bool finish(struct sender *s, struct slot *sl, CURLcode cc, int64_t now)
{
    const struct conf *c = s->app->conf;
    struct push_result res;
    long status = 0;
    char mask[24];
    if (cc == CURLE_OK)
        curl_easy_getinfo(sl->easy, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK) {
        memset(&res, 0, sizeof res);
        res.rc = SEND_RETRY;
        snprintf(res.error, sizeof res.error, "%s", curl_easy_strerror(cc));
    } else {
        sl->ch->push_parse(c, status, sl->resp.data ? sl->resp.data : "", sl->retry_after, &res);
    }
    if (res.token_invalid && sl->tok != NULL)
        token_drop(s, sl->tok, sl->tok_gen);
    /* bulk rows have no fallback: a broadcast outside the window is lost */
    if (res.fallback && !sl->it.fallback && sl->it.klass != OUT_BULK) {
        sl->it.fallback = true;
        if (restart(s, sl, "fallback form"))
            return true;
    }
    /* An article (WeChat news) has no room for the text: once it is out, the
     * text follows on the same slot. Recorded first, so a retry of the text
     * does not send the article twice. */
    if (res.rc == SEND_OK && sl->req.is_article) {
        sl->it.article_sent = true;
        if (store_outbox_article_sent(s->st, sl->it.id, now) == 0 &&
            restart(s, sl, "text after the article"))
            return true;
        res.rc = SEND_RETRY;
        snprintf(res.error, sizeof res.error, "article sent; its text could not start");
    }
    const char *outcome;
    if (res.rc == SEND_OK && sl->rest != NULL) {
        /* one part is out: the row goes back with what follows, in order,
         * under the same rate limits as any push */
        outcome = "part";
        store_outbox_next_part(s->st, sl->it.id, sl->rest, res.ext_id[0] ? res.ext_id : NULL, now);
    } else if (res.rc == SEND_OK) {
        outcome = "sent";
        store_outbox_mark(s->st, sl->it.id, "sent", NULL, res.ext_id[0] ? res.ext_id : NULL, now,
                          now);
    } else if (res.rc == SEND_FAIL) {
        outcome = "failed";
        store_outbox_mark(s->st, sl->it.id, "failed", res.error, NULL, now, now);
    } else if (sl->it.attempts >= c->push.max_attempts) {
        outcome = "dead";
        store_outbox_mark(s->st, sl->it.id, "dead", res.error, NULL, now, now);
    } else {
        int64_t wait = backoff_ms(s, sl->it.attempts);
        if (res.retry_after_ms > wait)
            wait = res.retry_after_ms;
        if (res.pause_channel && res.retry_after_ms > 0)
            channel_pause(s, sl->ch, now, now + res.retry_after_ms);
        outcome = "retry";
        store_outbox_mark(s->st, sl->it.id, "queued", res.error, NULL, now + wait, now);
    }
    metrics_push(sl->it.channel, outcome);
    if (res.rc != SEND_OK)
        log_warn("sender: push %lld to %s on %s: %s (try %d): %s", (long long)sl->it.id,
                 mask_id(sl->it.to, mask, sizeof mask), sl->it.channel, outcome, sl->it.attempts,
                 res.error);
    else
        log_debug("sender: push %lld sent", (long long)sl->it.id);
    return false;
}

static struct slot *take_slot(struct sender *s);

/* ch's token entry (made on first use; entries never move), or NULL when
 * the table is full. Any thread. */
static struct token *token_for(struct sender *s, const struct channel *ch)
{
    struct token *t = NULL;
    pthread_mutex_lock(&s->tok_mu);
    for (int i = 0; i < s->ntokens && t == NULL; i++)
        if (s->tokens[i].ch == ch)
            t = &s->tokens[i];
    if (t == NULL && s->ntokens < MAX_TOKENS) {
        t = &s->tokens[s->ntokens++];
        memset(t, 0, sizeof *t);
        t->ch = ch;
    }
    pthread_mutex_unlock(&s->tok_mu);
    return t;
}

/* The cached token when it is still fresh, else NULL. This thread only: the
 * value it points at changes only in token_done, on this thread. */
static const char *token_get(struct sender *s, struct token *t, int64_t now)
{
    if (t == NULL)
        return NULL;
    pthread_mutex_lock(&s->tok_mu);
    bool fresh = t->refresh_at > now;
    pthread_mutex_unlock(&s->tok_mu);
    return fresh ? t->value : NULL;
}

/* Drop tok's token if it is still generation gen. Any thread. */
static void token_drop(struct sender *s, struct token *tok, unsigned gen)
{
    pthread_mutex_lock(&s->tok_mu);
    if (tok->gen == gen)
        tok->refresh_at = 0; /* the next use fetches a new one first */
    pthread_mutex_unlock(&s->tok_mu);
}

/* Start fetching tok's token on a free slot, unless one is on its way. */
static void token_fetch(struct sender *s, struct token *tok, int64_t now)
{
    char why[200] = "";
    if (tok == NULL || tok->fetching || now < tok->retry_at)
        return;
    struct slot *sl = take_slot(s);
    if (sl == NULL)
        return; /* all slots busy: the waiting rows come back and ask again */
    sl->is_token = true;
    sl->tok = tok;
    if (tok->ch->token_build(s->app->conf, &sl->req, why, sizeof why) == -1 ||
        start_transfer(s, sl) == -1) {
        log_warn("sender: %s token: %s", tok->ch->name, why[0] ? why : "cannot start");
        tok->retry_at = now + 5000;
        slot_release(sl);
        return;
    }
    tok->fetching = true;
}

/* A token fetch finished: keep the new token, or wait a little and try again. */
static void token_done(struct sender *s, struct slot *sl, CURLcode cc, int64_t now)
{
    struct token *tok = sl->tok;
    long status = 0;
    long long ttl = 0;
    char why[200] = "", value[TOKEN_MAX];
    tok->fetching = false;
    if (cc == CURLE_OK)
        curl_easy_getinfo(sl->easy, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK ||
        tok->ch->token_parse(s->app->conf, status, sl->resp.data ? sl->resp.data : "", value,
                             sizeof value, &ttl, why, sizeof why) == -1) {
        log_warn("sender: %s token: %s", tok->ch->name,
                 cc != CURLE_OK ? curl_easy_strerror(cc) : why);
        pthread_mutex_lock(&s->tok_mu);
        tok->refresh_at = 0;
        pthread_mutex_unlock(&s->tok_mu);
        tok->retry_at = now + 5000;
        return;
    }
    int64_t life = ttl * 1000;
    pthread_mutex_lock(&s->tok_mu);
    memcpy(tok->value, value, sizeof value);
    tok->refresh_at = now + (life > 2 * TOKEN_EARLY_MS ? life - TOKEN_EARLY_MS : life / 2);
    tok->gen++;
    pthread_mutex_unlock(&s->tok_mu);
    log_info("sender: %s token refreshed", tok->ch->name);
}

/* it's slot in the recent-recipient table, and the per-person gap in ms
 * (0: no per-person limit). */
static size_t recipient_slot(struct sender *s, const struct channel *ch, const struct out_item *it,
                             uint64_t *key, int64_t *gap)
{
    long long per_min = 0;
    if (ch->push_rate)
        ch->push_rate(s->app->conf, &per_min);
    *key = recipient_key(it->channel, it->to);
    *gap = per_min > 0 ? 60000 / per_min : 0;
    return *key % RECIPIENTS;
}

/* The earliest time it may go under the channel's pause (a 429 for the whole
 * bot), its bucket and the per-person gap; <= now when it may go now.
 * Nothing is used up here (rate_take). */
static int64_t rate_wait(struct sender *s, const struct channel *ch, const struct out_item *it,
                         int64_t now)
{
    uint64_t key;
    int64_t gap, at = now;
    size_t i = recipient_slot(s, ch, it, &key, &gap);
    if (gap > 0 && s->recent[i].key == key && now - s->recent[i].last_ms < gap)
        at = s->recent[i].last_ms + gap;
    struct bucket *b = bucket_for(s, ch, now);
    if (b != NULL) {
        if (b->paused_until > at)
            at = b->paused_until;
        bucket_refill(b, now);
        if (b->tokens < 1.0) {
            int64_t w = now + (int64_t)((1.0 - b->tokens) * 1000.0 / b->rate) + 1;
            if (w > at)
                at = w;
        }
    }
    return at;
}

/* it goes now: count it against the per-person gap and the bucket. */
static void rate_take(struct sender *s, const struct channel *ch, const struct out_item *it,
                      int64_t now)
{
    uint64_t key;
    int64_t gap;
    size_t i = recipient_slot(s, ch, it, &key, &gap);
    if (gap > 0) {
        s->recent[i].key = key;
        s->recent[i].last_ms = now;
    }
    struct bucket *b = bucket_for(s, ch, now);
    if (b != NULL) {
        b->tokens -= 1.0;
        b->taken = true;
    }
}

/* Make the send_rate row of every channel that pushes, outside any
 * transaction (see struct bucket). 0 or -1 (tried again later). */
static int rates_make(struct sender *s, int64_t now)
{
    const struct channel *ch;
    int rc = 0;
    for (size_t i = 0; (ch = channel_at(i)) != NULL; i++) {
        struct bucket *b = ch->push_build != NULL ? bucket_for(s, ch, now) : NULL;
        if (b != NULL && store_rate_make(s->st, b->channel, b->rate, now) == -1)
            rc = -1;
    }
    return rc;
}

/* Each bucket takes its locked row's tokens and pause. */
static void rates_adopt(struct sender *s, const struct send_rate *v, size_t n)
{
    for (size_t j = 0; j < n; j++)
        for (int i = 0; i < s->nbuckets; i++) {
            struct bucket *b = &s->buckets[i];
            if (strcmp(b->channel, v[j].channel) != 0)
                continue;
            b->tokens = v[j].tokens;
            b->last_ms = v[j].last_ms;
            if (v[j].paused_until > b->paused_until)
                b->paused_until = v[j].paused_until;
            b->locked = true;
        }
}

/* BEGIN a sender transaction and lock every channel's send_rate row first,
 * in name order (why: struct bucket). 0 or -1 (nothing open). */
static int sender_begin(struct sender *s)
{
    struct send_rate *v;
    size_t n;
    if (store_begin(s->st) == -1)
        return -1;
    if (store_rate_lock(s->st, &v, &n) == -1) {
        store_rollback(s->st);
        return -1;
    }
    rates_adopt(s, v, n);
    store_rates_free(v, n);
    return 0;
}

/* Write back the tokens used and the pauses met into the rows
 * sender_begin locked. */
static void rate_save(struct sender *s)
{
    for (int i = 0; i < s->nbuckets; i++) {
        struct bucket *b = &s->buckets[i];
        if (b->locked && (b->taken || b->pause_pending > 0) &&
            store_rate_save(s->st, b->channel, b->tokens, b->last_ms, b->paused_until) == 0)
            b->pause_saved = b->pause_pending > 0;
        b->locked = b->taken = false;
    }
}

/* Decide what to do with one claimed row, inside the claim transaction.
 * with: the ids claimed together with it that it may carry (find_carriers),
 * or NULL. Returns 1 when it should be sent now, 0 when it was settled or
 * deferred. */
static int prepare(struct sender *s, struct out_item *it, const char *with,
                   const struct channel **chp, int64_t now)
{
    const struct conf *c = s->app->conf;
    const struct channel *ch = channel_by_name(it->channel);
    char why[200] = "";
    if (ch == NULL || ch->push_build == NULL) {
        store_outbox_mark(s->st, it->id, "failed", "this channel cannot push", NULL, now, now);
        return 0;
    }
    if (ch->push_ready != NULL && !ch->push_ready(c, why, sizeof why)) {
        /* settled at once: waiting would never make it deliverable */
        store_outbox_mark(s->st, it->id, "failed", why, NULL, now, now);
        return 0;
    }
    if (out_class_heeds_optout(it->klass)) {
        int out = store_person_opted_out(s->st, it->person);
        if (out != 0) { /* checked at send time, not only when queued */
            store_outbox_mark(s->st, it->id, "cancelled", "opted out", NULL, now, now);
            return 0;
        }
    }
    int64_t allowed = push_allowed_at(c, it->klass, now);
    if (allowed > now) {
        store_outbox_defer(s->st, it->id, "held", allowed, NULL, now);
        return 0;
    }
    if (ch->token_build != NULL) {
        struct token *tok = token_for(s, ch);
        if (tok != NULL && token_get(s, tok, now) == NULL) {
            /* no fresh token: wait for one without counting a try or using
             * the rate; dispatch starts the fetch once rows have their slots */
            store_outbox_defer(s->st, it->id, "queued", now + TOKEN_WAIT_MS, NULL, now);
            pthread_mutex_lock(&s->tok_mu);
            tok->wanted = true;
            pthread_mutex_unlock(&s->tok_mu);
            return 0;
        }
    }
    /* Both limits are asked before either is used: a row counts against
     * the per-person gap and the channel's bucket only when it goes now. */
    int64_t wait = rate_wait(s, ch, it, now);
    if (wait > now) {
        store_outbox_defer(s->st, it->id, "queued", wait, NULL, now);
        return 0;
    }
    rate_take(s, ch, it, now);
    if (store_outbox_merge_due(s->st, it, with, now) == -1)
        return 0;
    *chp = ch;
    return 1;
}

static int free_slots(struct sender *s)
{
    int n = 0;
    for (int i = 0; i < s->nslots; i++)
        n += !s->slots[i].busy;
    return n;
}

static struct slot *take_slot(struct sender *s)
{
    for (int i = 0; i < s->nslots; i++)
        if (!s->slots[i].busy)
            return &s->slots[i];
    return NULL;
}

/* Whether a row may travel inside another one's message (as in
 * store_outbox_merge_due: not a reply, no article). */
static bool mergeable(const struct out_item *it)
{
    return it->klass != OUT_REPLY && it->extra == NULL;
}

/*
 * A claim may take several due rows of one person at once (two broadcasts
 * released together after a quiet window). They go out as one message: the
 * person's oldest claimed row carries it. carrier[i] is the index of row i's
 * carrier, or -1 when row i carries its own message; with[i] is the JSON
 * array of the ids a carrier may fold in (store_outbox_merge_due), or NULL.
 */
static void find_carriers(const struct out_item *items, int n, int *carrier, char **with)
{
    uint64_t keys[MAX_SLOTS];
    for (int i = 0; i < n; i++) {
        keys[i] = recipient_key(items[i].channel, items[i].to);
        carrier[i] = -1;
        with[i] = NULL;
    }
    for (int i = 0; i < n; i++) {
        if (!mergeable(&items[i]))
            continue;
        for (int j = 0; j < n; j++)
            if (j != i && keys[j] == keys[i] && items[j].klass != OUT_REPLY &&
                items[j].id < items[i].id && strcmp(items[j].channel, items[i].channel) == 0 &&
                strcmp(items[j].to, items[i].to) == 0 &&
                (carrier[i] == -1 || items[j].id < items[carrier[i]].id))
                carrier[i] = j;
    }
    for (int i = 0; i < n; i++) {
        int c = carrier[i];
        if (c == -1)
            continue;
        char *prev = with[c];
        with[c] = xasprintf("%s%s%lld", prev ? prev : "[", prev ? "," : "", (long long)items[i].id);
        free(prev);
    }
    for (int i = 0; i < n; i++)
        if (with[i] != NULL) {
            char *done = xasprintf("%s]", with[i]);
            free(with[i]);
            with[i] = done;
        }
}

/* Write the rate rows, COMMIT the sender's transaction; on failure roll
 * it back: the leases run out and the rows are tried again, a pause is
 * written with the next one. 0 or -1. */
static int sender_commit(struct sender *s)
{
    rate_save(s);
    int rc = store_commit(s->st);
    if (rc == -1)
        store_rollback(s->st);
    for (int i = 0; i < s->nbuckets; i++) {
        if (rc == 0 && s->buckets[i].pause_saved)
            s->buckets[i].pause_pending = 0;
        s->buckets[i].pause_saved = false;
    }
    return rc;
}

/* Claim and start as many rows as there are free slots. open: collect()
 * began the transaction with the outcomes of finished transfers; the claim
 * joins it, so one write lock and one COMMIT serve both (the writer thread's
 * inbound turns wait for the lock half as often during a broadcast). The
 * transfers start after the COMMIT. Returns how many rows were claimed. */
static int dispatch(struct sender *s, int64_t now, bool open)
{
    const struct conf *c = s->app->conf;
    struct out_item items[MAX_SLOTS];
    const struct channel *chans[MAX_SLOTS];
    bool go[MAX_SLOTS];
    int n = free_slots(s);
    if (n == 0) {
        if (open)
            sender_commit(s);
        return 0;
    }
    if (!open && sender_begin(s) == -1)
        return 0;
    n = store_outbox_claim(s->st, now, c->push.lease * 1000, items, n);
    if (n <= 0) {
        sender_commit(s); /* the outcomes, if any; an empty claim changes nothing */
        return 0;
    }
    int carrier[MAX_SLOTS];
    char *with[MAX_SLOTS];
    find_carriers(items, n, carrier, with);
    for (int i = 0; i < n; i++) {
        go[i] = carrier[i] == -1 && prepare(s, &items[i], with[i], &chans[i], now) == 1;
        free(with[i]);
    }
    for (int i = 0; i < n; i++)
        if (carrier[i] != -1) /* merged into its carrier, or back in the queue */
            store_outbox_follow(s->st, items[i].id, items[carrier[i]].id, now);
    if (sender_commit(s) == -1) {
        for (int i = 0; i < n; i++)
            out_item_release(&items[i]);
        return 0; /* the leases run out and the rows come back */
    }
    for (int i = 0; i < n; i++) {
        char why[200] = "";
        struct slot *sl = go[i] ? take_slot(s) : NULL;
        if (sl == NULL) {
            /* No slot after all: give the row back at once rather than leave
             * it "sending" until its lease runs out. */
            if (go[i])
                store_outbox_defer(s->st, items[i].id, "queued", now, NULL, now);
            out_item_release(&items[i]);
            continue;
        }
        sl->it = items[i];
        sl->ch = chans[i];
        if (sl->ch->token_build != NULL) {
            sl->tok = token_for(s, sl->ch);
            sl->req.token = token_get(s, sl->tok, now);
            sl->tok_gen = sl->tok ? sl->tok->gen : 0;
        }
        int built = slot_build(s, sl, why, sizeof why);
        if (built == PUSH_NEED_TOKEN) {
            /* no fresh token: the row waits without counting a try */
            store_outbox_defer(s->st, sl->it.id, "queued", now + TOKEN_WAIT_MS, NULL, now);
            struct token *tok = sl->tok;
            slot_release(sl);
            token_fetch(s, tok, now);
            continue;
        }
        if (built == -1 || start_transfer(s, sl) == -1) {
            store_outbox_mark(s->st, sl->it.id, "failed", why[0] ? why : "cannot send", NULL,
                              now, now);
            slot_release(sl);
        }
    }
    return n;
}

/* Fetch the tokens rows (or the fetcher) are waiting for, on slots left free. */
static void fetch_wanted_tokens(struct sender *s, int64_t now)
{
    bool wanted[MAX_TOKENS] = {false};
    pthread_mutex_lock(&s->tok_mu);
    int n = s->ntokens;
    for (int i = 0; i < n; i++) {
        /* a token made fresh meanwhile is not fetched again: WeChat would
         * retire the one in use */
        wanted[i] = s->tokens[i].wanted && s->tokens[i].refresh_at <= now;
        s->tokens[i].wanted = false;
    }
    pthread_mutex_unlock(&s->tok_mu);
    for (int i = 0; i < n; i++)
        if (wanted[i])
            token_fetch(s, &s->tokens[i], now);
}

int sender_token(struct sender *s, const struct channel *ch, char *out, size_t size, unsigned *gen)
{
    struct token *t = s != NULL && ch->token_build != NULL ? token_for(s, ch) : NULL;
    bool got = false;
    if (t == NULL)
        return 0;
    pthread_mutex_lock(&s->tok_mu);
    if (t->refresh_at > now_ms() && strlen(t->value) < size) {
        memcpy(out, t->value, strlen(t->value) + 1);
        *gen = t->gen;
        got = true;
    } else {
        t->wanted = true;
    }
    pthread_mutex_unlock(&s->tok_mu);
    if (!got)
        sender_wake(s);
    return got ? 1 : 0;
}

void sender_token_invalid(struct sender *s, const struct channel *ch, unsigned gen)
{
    struct token *t = s != NULL && ch->token_build != NULL ? token_for(s, ch) : NULL;
    if (t != NULL)
        token_drop(s, t, gen);
}

/* Collect finished transfers and record them in a transaction begun here
 * (*open then true), which the caller commits. Returns how many finished. */
static int collect(struct sender *s, bool *open)
{
    CURLMsg *m;
    int left, done = 0;
    int64_t now = now_ms();
    while ((m = curl_multi_info_read(s->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct slot *sl = NULL;
        CURL *e = m->easy_handle;
        CURLcode cc = m->data.result;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&sl);
        curl_multi_remove_handle(s->multi, e);
        if (sl->is_token) {
            token_done(s, sl, cc, now);
            slot_release(sl);
            continue;
        }
        if (!*open)
            *open = sender_begin(s) == 0;
        if (finish(s, sl, cc, now))
            continue; /* the same row, in its fallback form, is under way */
        slot_release(sl);
        done++;
    }
    return done;
}

/* Put back the rows whose lease ran out (a sender that stopped), in a
 * sender transaction like every other write of this thread (the lock order
 * in struct bucket). */
static void reclaim(struct sender *s, int64_t now)
{
    if (sender_begin(s) == -1)
        return;
    int n = store_outbox_reclaim(s->st, now);
    if (sender_commit(s) == 0 && n > 0)
        log_warn("sender: %d pushes taken back from a sender that stopped", n);
}

static void *sender_main(void *arg)
{
    struct sender *s = arg;
    pthread_setname_np(pthread_self(), "sender"); /* for top -H, perf, gdb */
    int64_t last_reclaim = 0;
    while (!atomic_load(&s->stop)) {
        int64_t now = now_ms();
        if (now - last_reclaim >= 1000) {
            if (!s->rates_made)
                s->rates_made = rates_make(s, now) == 0;
            reclaim(s, now);
            last_reclaim = now;
        }
        int running = 0;
        bool open = false;
        curl_multi_perform(s->multi, &running);
        int done = collect(s, &open);
        int claimed = dispatch(s, now_ms(), open);
        fetch_wanted_tokens(s, now);
        if (claimed > 0)
            curl_multi_perform(s->multi, &running); /* start them now */
        /* Slots just freed, or a full claim: there may be more due rows, so
         * claim again at once. Otherwise wait for sockets, a wake-up (new rows
         * committed) or the next retry time to come round. */
        if (done > 0 || (claimed > 0 && running == 0))
            continue;
        curl_multi_poll(s->multi, NULL, 0, running ? 50 : 250, NULL);
    }
    /* Stopping: give running transfers a moment, then put the rest back. */
    int64_t until = now_ms() + 2000;
    int running = 1;
    while (running && now_ms() < until) {
        bool open = false;
        curl_multi_perform(s->multi, &running);
        collect(s, &open);
        if (open)
            sender_commit(s);
        if (running)
            curl_multi_poll(s->multi, NULL, 0, 50, NULL);
    }
    int64_t now = now_ms();
    for (int i = 0; i < s->nslots; i++) {
        struct slot *sl = &s->slots[i];
        if (!sl->busy)
            continue;
        curl_multi_remove_handle(s->multi, sl->easy);
        if (!sl->is_token)
            store_outbox_defer(s->st, sl->it.id, "queued", now, "stopped while sending", now);
        slot_release(sl);
    }
    return NULL;
}

struct sender *sender_start(const struct app *app)
{
    struct sender *s = xcalloc(1, sizeof *s);
    s->app = app;
    pthread_mutex_init(&s->tok_mu, NULL);
    /* synchronous=NORMAL on this connection only: in WAL mode a process crash
     * loses none of its commits, and the next FULL commit of the writer (or a
     * checkpoint) makes them durable; a power cut before that can lose the
     * last outcomes, and those rows are sent again with their keys (the crash
     * window of docs/design.md). Without an fsync per claim and per batch of
     * outcomes the sender holds the write lock for microseconds, not for a
     * disk flush, so inbound turns do not queue behind a broadcast. */
    const struct conf *c = app->conf;
    s->st = store_open_engine(c->store.engine, c->database, c->store.conninfo, false);
    if (s->st == NULL)
        goto fail;
    store_set_timeout(s->st, (int)c->store.statement_timeout * 1000);
    s->multi = curl_multi_init();
    if (s->multi == NULL)
        goto fail;
    curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)app->conf->push.concurrency);
    s->nslots = (int)app->conf->push.concurrency;
    for (int i = 0; i < s->nslots; i++) {
        s->slots[i].easy = curl_easy_init();
        if (s->slots[i].easy == NULL)
            goto fail;
    }
    if (crypto_random(&s->seed, sizeof s->seed) == -1)
        s->seed = (unsigned int)now_ms();
    atomic_init(&s->stop, false);
    if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
        log_err("sender: cannot start the thread");
        goto fail;
    }
    return s;
fail:
    for (int i = 0; i < s->nslots; i++)
        if (s->slots[i].easy)
            curl_easy_cleanup(s->slots[i].easy);
    if (s->multi)
        curl_multi_cleanup(s->multi);
    store_close(s->st);
    pthread_mutex_destroy(&s->tok_mu);
    free(s);
    return NULL;
}

void sender_wake(struct sender *s)
{
    if (s != NULL)
        curl_multi_wakeup(s->multi);
}

void sender_stop(struct sender *s)
{
    if (s == NULL)
        return;
    atomic_store(&s->stop, true);
    curl_multi_wakeup(s->multi);
    pthread_join(s->thread, NULL);
    for (int i = 0; i < s->nslots; i++)
        curl_easy_cleanup(s->slots[i].easy);
    curl_multi_cleanup(s->multi);
    store_close(s->st);
    pthread_mutex_destroy(&s->tok_mu);
    free(s);
}
