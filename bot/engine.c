/*
 * engine.c - one turn per inbound message, and the writer thread that commits
 * turns in batches.
 */
#include "engine.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "handler.h"
#include "intent.h"
#include "live.h"
#include "log.h"
#include "norm.h"
#include "outbox.h"
#include "privacy.h"
#include "store.h"
#include "turn.h"
#include "util.h"

void turn_result_release(struct turn_result *r)
{
    json_decref(r->replies);
    free(r->replies_json);
    free(r->intent);
    memset(r, 0, sizeof *r);
}

/* The outbox key of a turn's late reply (engine_reply_later). */
static void late_key(const struct channel *ch, const struct inmsg *in, char *key, size_t size)
{
    snprintf(key, size, "late:%s:%s", ch->name, in->ext_id);
}

int engine_reply_later(const struct app *app, struct store *st, const struct channel *ch,
                       const struct inmsg *in, const struct turn_result *res, int64_t now)
{
    struct buf text;
    size_t i;
    json_t *r, *extra = NULL;
    int64_t person = 0;
    char key[200];
    if (res->replay)
        return 0;
    int found = store_person_find(st, ch->name, in->user, &person);
    if (found != 1) /* -1, or 0: an event that made nobody (a position report) */
        return found;
    buf_init(&text, 0);
    json_array_foreach(res->replies, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "text"));
        if (t != NULL && t[0] != '\0')
            buf_printf(&text, "%s%s", text.len ? "\n\n" : "", t);
    }
    /* a lone article (a lesson) keeps its link and cover, as in the passive reply */
    r = json_array_get(res->replies, 0);
    if (json_array_size(res->replies) == 1 && json_object_get(r, "link") != NULL) {
        extra = json_deep_copy(r);
        json_object_del(extra, "text");
    }
    late_key(ch, in, key, sizeof key);
    int rc = text.len == 0 ? 0
                           : outbox_push_rich(st, app->conf, person, OUT_REPLY, text.data, extra,
                                              0, now, key);
    json_decref(extra);
    buf_release(&text);
    return rc == -1 ? -1 : 0;
}

static int turn_on(const struct app *app, struct store *st, const struct channel *ch,
                   const struct inmsg *in, int64_t now, struct turn_result *res)
{
    struct turn t = {0};
    struct arrival seen = {0};
    char *intent = NULL, *dump = NULL;
    int rc = -1;
    memset(res, 0, sizeof *res);

    /* an event its channel settles without a turn (a WeChat position
     * report, a delivery report): nobody is answered, nothing recorded */
    const char *settled = NULL;
    int s = ch->settle != NULL ? ch->settle(st, in, now, &settled) : 0;
    if (s != 0) {
        res->replies = s == 1 ? json_array() : NULL;
        res->intent = s == 1 ? xstrdup(settled) : NULL;
        return s == 1 ? 0 : -1;
    }
    /* Several nodes on one database: the sender's turns one at a time, so a
     * message that reached both waits here for the first to commit and is
     * then replayed below, and no two turns of one person interleave. */
    if (store_person_lock(st, ch->name, in->user) == -1)
        goto out;
    /* the replay check and the sender's row: one statement (store_arrival) */
    if (store_arrival(st, ch->name, in->user, in->name, in->ext_id, now, &seen) == -1)
        goto out;
    if (seen.replay) {
        res->replies = json_loads(seen.replies, 0, NULL);
        if (res->replies == NULL)
            res->replies = json_array();
        else {
            res->replies_json = seen.replies;
            seen.replies = NULL;
        }
        res->intent = seen.intent;
        seen.intent = NULL;
        res->replay = true;
        /* its replies went out as a push (engine_reply_later): not twice */
        char key[200];
        late_key(ch, in, key, sizeof key);
        int pushed = ch->reply_deadline_ms ? store_outbox_has_key(st, key) : 0;
        if (pushed == -1)
            goto out;
        if (pushed == 1) {
            json_array_clear(res->replies);
            free(res->replies_json);
            res->replies_json = NULL;
        }
        rc = 0;
        goto out;
    }
    if (in->throttled) { /* after the replay check: a retry gets its replies */
        const char *slow = content_get(app->ct, "throttle.slow");
        res->replies = json_pack("[{s:s}]", "text", slow ? slow : "throttle.slow");
        res->intent = xstrdup("(throttled)");
        rc = res->replies != NULL ? 0 : -1;
        goto out;
    }

    t.app = app;
    t.st = st;
    t.ch = ch;
    t.in = in;
    t.now = now;
    t.replies = json_array();
    t.seen = &seen;
    if (turn_run(&t, &intent) == -1)
        goto out;
    if (ch->after_turn != NULL && ch->after_turn(&t) == -1) /* Telegram's callback ack */
        goto out;
    dump = json_dumps(t.replies, JSON_COMPACT);
    if (dump == NULL)
        goto out;
    if (store_inbound_put(st, &seen, ch->name, in->ext_id, t.sender, in->text, intent, dump,
                          now) == -1)
        goto out;
    res->replies = t.replies;
    t.replies = NULL;
    res->replies_json = dump;
    dump = NULL;
    res->intent = intent;
    intent = NULL;
    rc = 0;
out:
    json_decref(t.replies);
    arrival_release(&seen);
    free(intent);
    free(dump);
    return rc;
}

/* The whole turn on the generation of content and intents current at its
 * start, even when a reload swaps another in meanwhile (live.h). */
int engine_turn(const struct app *app, struct store *st, const struct channel *ch,
                const struct inmsg *in, int64_t now, struct turn_result *res)
{
    const struct app *g = app_acquire(app);
    int rc = turn_on(g, st, ch, in, now, res);
    app_release(g);
    return rc;
}

struct engine {
    const struct app *app;
    struct store *st;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    bool stopping;
    atomic_bool healthy;
    void (*after_commit)(void);
    /* Committed jobs wait here for the completer thread, which calls their
     * done(). Resuming a connection is a syscall and a wake-up each (about
     * 40 us a batch); the writer is the bottleneck and now starts the next
     * batch instead (bench/compare: 1.05x messages/s). */
    pthread_t completer;
    pthread_mutex_t cmu;
    pthread_cond_t ccv;
    struct job *chead, *ctail;
    bool cstop;
};

static void *completer_main(void *arg)
{
    struct engine *e = arg;
    pthread_setname_np(pthread_self(), "completer");
    pthread_mutex_lock(&e->cmu);
    for (;;) {
        while (e->chead == NULL && !e->cstop)
            pthread_cond_wait(&e->ccv, &e->cmu);
        struct job *jobs = e->chead;
        if (jobs == NULL) /* stopping, and nothing left */
            break;
        e->chead = e->ctail = NULL;
        pthread_mutex_unlock(&e->cmu);
        for (struct job *j = jobs, *next; j; j = next) {
            next = j->next;
            j->done(j); /* may free j */
        }
        pthread_mutex_lock(&e->cmu);
    }
    pthread_mutex_unlock(&e->cmu);
    return NULL;
}

/* Append the list jobs to the queue head..tail (the caller holds its lock). */
static void queue_append(struct job **head, struct job **tail, struct job *jobs)
{
    if (*tail)
        (*tail)->next = jobs;
    else
        *head = jobs;
    for (*tail = jobs; (*tail)->next; *tail = (*tail)->next)
        ;
}

/* Hand a finished batch to the completer, after the batches before it. */
static void complete(struct engine *e, struct job *jobs)
{
    pthread_mutex_lock(&e->cmu);
    queue_append(&e->chead, &e->ctail, jobs);
    pthread_cond_signal(&e->ccv);
    pthread_mutex_unlock(&e->cmu);
}

/* Every job in its own savepoint: one that fails is rolled back alone. */
static void run_guarded(struct engine *e, struct job *jobs, int64_t now)
{
    for (struct job *j = jobs; j; j = j->next) {
        j->status = 500;
        if (store_savepoint(e->st) == -1)
            continue;
        if (j->run(j, e->st, now) == 0 && store_release(e->st) == 0)
            j->status = 200;
        else
            store_rollback_to(e->st);
    }
}

/* Jobs that only touch the store (rerun_safe) run without savepoints, which
 * cost about a tenth of a turn (bench/inbound). 0, or -1 when one failed: the
 * caller rolls the whole transaction back and runs the batch guarded. */
static int run_optimistic(struct engine *e, struct job *jobs, int64_t now)
{
    for (struct job *j = jobs; j; j = j->next) {
        j->status = 500;
        if (j->run(j, e->st, now) == -1)
            return -1;
        j->status = 200;
    }
    return 0;
}

static int by_person(const void *a, const void *b)
{
    const struct job *x = *(const struct job *const *)a, *y = *(const struct job *const *)b;
    int c = strcmp(x->channel, y->channel);
    return c != 0 ? c : strcmp(x->user, y->user);
}

/* Several nodes on one database: the batch's people locked before any of
 * its turns runs, in (channel, sender) order on every node, so that two
 * nodes' batches never hold one person each while waiting for the other's
 * (a deadlock PostgreSQL breaks only after deadlock_timeout, 1 s), all in
 * one statement (store_people_lock; why the order holds there: its comment
 * in bot/store_nodes.c). Each turn then finds its person locked already
 * (engine_turn locks it too, for a job that names none). queued: the
 * arrivals' statement follows, and the lock goes in its round trip. 0 or -1. */
static int lock_people(struct store *st, struct job *jobs, bool queued)
{
    size_t n = 0, k = 0, m = 0;
    if (!store_shared(st))
        return 0;
    for (struct job *j = jobs; j; j = j->next)
        n += j->channel != NULL && j->user != NULL;
    if (n == 0)
        return 0;
    struct job **v = xmalloc(n * sizeof *v);
    const char **channels = xmalloc(n * sizeof *channels), **users = xmalloc(n * sizeof *users);
    for (struct job *j = jobs; j; j = j->next)
        if (j->channel != NULL && j->user != NULL)
            v[k++] = j;
    qsort(v, n, sizeof *v, by_person);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || by_person(&v[i - 1], &v[i]) != 0) {
            channels[m] = v[i]->channel;
            users[m++] = v[i]->user;
        }
    int rc = store_people_lock(st, channels, users, m, queued);
    free(v);
    free(channels);
    free(users);
    return rc;
}

/* Several nodes on one database: the arrivals of the batch's messages (and
 * their people's state rows) read in one statement, once the people are
 * locked (store_arrivals_load): a round trip a batch instead of one a
 * message. 0 or -1. */
static bool has_arrival(const struct job *j)
{
    return j->channel != NULL && j->user != NULL && j->ext_id != NULL;
}

static int read_arrivals(struct store *st, struct job *jobs)
{
    size_t n = 0, k = 0;
    if (!store_shared(st))
        return 0;
    for (struct job *j = jobs; j; j = j->next)
        n += has_arrival(j);
    if (n == 0)
        return 0;
    const char **channels = xmalloc(n * sizeof *channels), **users = xmalloc(n * sizeof *users),
               **ids = xmalloc(n * sizeof *ids);
    for (struct job *j = jobs; j; j = j->next)
        if (has_arrival(j)) {
            channels[k] = j->channel;
            users[k] = j->user;
            ids[k++] = j->ext_id;
        }
    int rc = store_arrivals_load(st, channels, users, ids, n);
    free(channels);
    free(users);
    free(ids);
    return rc;
}

/* BEGIN, the batch's people locked (lock_people) and its arrivals read
 * (read_arrivals). When a message is among the jobs, the three go in one
 * round trip: BEGIN and the lock are queued in the pipeline ahead of the
 * arrivals' statement, and the server runs them in that order, each with a
 * snapshot of its own, as when each was a round trip. A connection that
 * died since the last batch fails the arrivals then, not the BEGIN: the
 * batch begins once more, on a new connection (store_begin does the same
 * after a BEGIN of its own); not after a timeout (store_lost), which the
 * old BEGIN never met: a lock held by a COMMIT waiting for a synchronous
 * standby that is down would be waited for again (tests/pg/failover.sh,
 * the slowest answer). 0 or -1. */
static int batch_begin(struct engine *e, struct job *jobs)
{
    bool arrivals = false;
    for (struct job *j = jobs; j && !arrivals && store_shared(e->st); j = j->next)
        arrivals = has_arrival(j);
    for (int tries = 0; tries < 2; tries++) {
        if ((arrivals ? store_begin_queued : store_begin)(e->st) == -1)
            return -1;
        if (lock_people(e->st, jobs, arrivals) == 0 && read_arrivals(e->st, jobs) == 0)
            return 0;
        store_rollback(e->st);
        if (!arrivals || !store_lost(e->st))
            break;
        log_info("engine: the connection was lost since the last batch; beginning again");
    }
    return -1;
}

static void run_batch(struct engine *e, struct job *jobs)
{
    int64_t now = now_ms();
    bool optimistic = true;
    for (struct job *j = jobs; j; j = j->next)
        optimistic = optimistic && j->rerun_safe;
    bool ok = batch_begin(e, jobs) == 0, committed = false;
    if (ok && optimistic) {
        /* A write a job queued (store_step_queued, PostgreSQL) that failed
         * fails the COMMIT it was collected with: the job failed, as if the
         * write had failed at once. */
        bool ran = run_optimistic(e, jobs, now) == 0;
        committed = ran && store_commit(e->st) == 0;
        if (!committed && (!ran || store_queued_failed(e->st))) {
            log_warn("engine: a job failed; its batch runs again, a savepoint per job");
            store_rollback(e->st);
            optimistic = false;
            ok = batch_begin(e, jobs) == 0;
        } else if (!committed) {
            store_rollback(e->st);
            ok = false;
        }
    }
    if (ok && !optimistic)
        run_guarded(e, jobs, now);
    if (ok && !committed && store_commit(e->st) == -1) {
        store_rollback(e->st);
        ok = false;
    }
    /* A batch whose every job failed committed nothing: on a read-only or
     * full store each job's own write fails and the empty COMMIT succeeds,
     * so /healthz said ok while every message got 500 (issue 15). Whether
     * the store takes writes is then settled by writing. */
    bool wrote = false;
    for (struct job *j = jobs; ok && j && !wrote; j = j->next)
        wrote = j->status == 200;
    atomic_store(&e->healthy, ok && (wrote || store_probe(e->st, now) == 0));
    /* Woken on every COMMIT, the sender and the fetcher each took the write
     * lock for an empty claim, thousands of times a second under load (3% of
     * bench/inbound); now only when the batch queued something for them. */
    if (ok && store_queues_changed(e->st) && e->after_commit)
        e->after_commit();
    if (!ok)
        for (struct job *j = jobs; j; j = j->next)
            j->status = 500;
    complete(e, jobs);
}

static void *writer_main(void *arg)
{
    struct engine *e = arg;
    pthread_setname_np(pthread_self(), "writer"); /* for top -H, perf, gdb */
    int64_t batch_max = e->app->conf->batch_max;
    pthread_mutex_lock(&e->mu);
    for (;;) {
        while (e->head == NULL && !e->stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 2;
            if (pthread_cond_timedwait(&e->cv, &e->mu, &ts) != 0 && e->head == NULL) {
                /* idle: prove the store is still writable for /healthz */
                pthread_mutex_unlock(&e->mu);
                atomic_store(&e->healthy, store_probe(e->st, now_ms()) == 0);
                pthread_mutex_lock(&e->mu);
            }
        }
        if (e->head == NULL && e->stopping)
            break;
        struct job *batch = e->head, *last = e->head;
        for (int64_t n = 1; n < batch_max && last->next; n++)
            last = last->next;
        e->head = last->next;
        if (e->head == NULL)
            e->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&e->mu);
        run_batch(e, batch);
        pthread_mutex_lock(&e->mu);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

/* Let the completer finish what it was handed, then end it. */
static void stop_completer(struct engine *e)
{
    pthread_mutex_lock(&e->cmu);
    e->cstop = true;
    pthread_cond_signal(&e->ccv);
    pthread_mutex_unlock(&e->cmu);
    pthread_join(e->completer, NULL);
}

struct engine *engine_start(const struct app *app, struct store *st, void (*after_commit)(void))
{
    struct engine *e = xcalloc(1, sizeof *e);
    e->app = app;
    e->after_commit = after_commit;
    e->st = st;
    /* healthy only once a write went through: a store opened read-only
     * answers 503 from the first /healthz on */
    atomic_init(&e->healthy, store_probe(st, now_ms()) == 0);
    store_watch_queues(st);
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    pthread_mutex_init(&e->cmu, NULL);
    pthread_cond_init(&e->ccv, NULL);
    if (pthread_create(&e->completer, NULL, completer_main, e) != 0) {
        log_err("engine: cannot start the completer thread");
        goto fail;
    }
    if (pthread_create(&e->thread, NULL, writer_main, e) != 0) {
        log_err("engine: cannot start the writer thread");
        stop_completer(e);
        goto fail;
    }
    return e;
fail:
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->cmu);
    pthread_cond_destroy(&e->ccv);
    free(e);
    return NULL;
}

int engine_submit(struct engine *e, struct job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&e->mu);
    if (e->stopping) {
        pthread_mutex_unlock(&e->mu);
        return -1;
    }
    queue_append(&e->head, &e->tail, j);
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
    return 0;
}

void engine_stop(struct engine *e)
{
    if (e == NULL)
        return;
    pthread_mutex_lock(&e->mu);
    e->stopping = true;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
    pthread_join(e->thread, NULL);
    stop_completer(e);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->cmu);
    pthread_cond_destroy(&e->ccv);
    free(e);
}

bool engine_healthy(struct engine *e)
{
    return atomic_load(&e->healthy);
}
