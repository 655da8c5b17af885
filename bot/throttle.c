/*
 * throttle.c - per-sender token buckets in a fixed table of slots keyed by a
 * 64-bit hash of channel and user, behind one mutex (a lookup is a few
 * arithmetic operations, far shorter than the request around it).
 */
#include "throttle.h"

#include <pthread.h>
#include <stdlib.h>

#include "util.h"

#define SLOTS 65536     /* 2.5 MiB; a power of two */
#define REPORT_MS 60000 /* a sender's refusals are reported once a minute */

struct slot {
    uint64_t key; /* 0: empty */
    int64_t at;   /* when tokens was last brought up to date, ms */
    double tokens;
    int64_t reported; /* when a refusal was last reported for the log, ms */
    long refused;     /* refusals since then */
};

struct throttle {
    pthread_mutex_t mu;
    double per_ms, burst;
    struct slot *slots;
};

const struct content_need throttle_needs[] = {
    CONTENT_NEED("throttle.slow", ""),
    CONTENT_NEED_END,
};

struct throttle *throttle_new(long long per_min, long long burst)
{
    if (per_min <= 0)
        return NULL;
    struct throttle *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    t->per_ms = (double)per_min / 60000.0;
    t->burst = burst > 0 ? (double)burst : 1.0;
    t->slots = xcalloc(SLOTS, sizeof *t->slots);
    return t;
}

void throttle_free(struct throttle *t)
{
    if (t == NULL)
        return;
    pthread_mutex_destroy(&t->mu);
    free(t->slots);
    free(t);
}

/* FNV-1a over channel, a NUL, user; never 0 (0 marks an empty slot). */
static uint64_t key_of(const char *channel, const char *user)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = channel; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xffu) * 1099511628211ULL;
    for (const char *p = user; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h ? h : 1;
}

bool throttle_take(struct throttle *t, const char *channel, const char *user, int64_t now,
                   long *report)
{
    if (report != NULL)
        *report = 0;
    if (t == NULL)
        return true;
    uint64_t k = key_of(channel ? channel : "", user ? user : "");
    bool ok;
    pthread_mutex_lock(&t->mu);
    struct slot *s = &t->slots[(k ^ (k >> 32)) & (SLOTS - 1)];
    if (s->key != k) {
        s->key = k;
        s->at = now;
        s->tokens = t->burst;
        s->reported = now - REPORT_MS;
        s->refused = 0;
    } else if (now > s->at) {
        s->tokens += (double)(now - s->at) * t->per_ms;
        if (s->tokens > t->burst)
            s->tokens = t->burst;
        s->at = now;
    }
    ok = s->tokens >= 1.0;
    if (ok) {
        s->tokens -= 1.0;
    } else {
        s->refused++;
        if (now - s->reported >= REPORT_MS) {
            if (report != NULL)
                *report = s->refused;
            s->refused = 0;
            s->reported = now;
        }
    }
    pthread_mutex_unlock(&t->mu);
    return ok;
}

void throttle_refund(struct throttle *t, const char *channel, const char *user)
{
    if (t == NULL)
        return;
    uint64_t k = key_of(channel ? channel : "", user ? user : "");
    pthread_mutex_lock(&t->mu);
    struct slot *s = &t->slots[(k ^ (k >> 32)) & (SLOTS - 1)];
    if (s->key == k && s->tokens + 1.0 <= t->burst)
        s->tokens += 1.0;
    else if (s->key == k)
        s->tokens = t->burst;
    pthread_mutex_unlock(&t->mu);
}

bool throttle_allow(struct throttle *t, const char *channel, const char *user, int64_t now)
{
    return throttle_take(t, channel, user, now, NULL);
}
