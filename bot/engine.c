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
#include "delivery.h"
#include "handler.h"
#include "intent.h"
#include "log.h"
#include "norm.h"
#include "outbox.h"
#include "privacy.h"
#include "store.h"
#include "text.h"
#include "util.h"

void turn_result_release(struct turn_result *r)
{
    json_decref(r->replies);
    free(r->replies_json);
    free(r->intent);
    memset(r, 0, sizeof *r);
}

static bool all_digits(const char *s)
{
    if (*s == '\0' || strlen(s) > 3)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/*
 * A bare number answers the last numbered menu: returns the menu's command
 * for it (new string), NULL when there is no menu (the number is matched as
 * text), or sets *out_of_range with the menu size.
 */
static char *menu_pick(struct turn *t, int *out_of_range)
{
    char *menu = NULL, *cmd = NULL;
    json_t *a = NULL;
    if (!all_digits(t->text) || turn_state_get(t, "menu", &menu) != 1)
        goto out;
    a = json_loads(menu, 0, NULL);
    long n = strtol(t->text, NULL, 10);
    if (!json_is_array(a))
        goto out;
    if (n >= 1 && (size_t)n <= json_array_size(a))
        cmd = xstrdup(json_string_value(json_array_get(a, (size_t)n - 1)));
    else if (n != 0) /* 0 stays the help menu */
        *out_of_range = (int)json_array_size(a);
out:
    json_decref(a);
    free(menu);
    return cmd;
}

/*
 * Cut every reply longer than the channel allows at a sentence, with the
 * content's `more` hint; the rest of all replies is kept under state "more".
 */
static int cut_replies(struct turn *t)
{
    size_t max = t->ch->max_reply ? t->ch->max_reply(t->app->conf) : 0;
    const char *hint = content_get(t->app->ct, "more.hint");
    size_t hint_len = hint ? utf8_len(hint) : 0;
    struct buf rest;
    size_t i;
    json_t *r;
    int rc = 0;
    if (max == 0 || max <= hint_len + 10)
        return 0;
    buf_init(&rest, 0);
    json_array_foreach(t->replies, i, r)
    {
        const char *text = json_string_value(json_object_get(r, "text"));
        if (text == NULL)
            continue;
        if (rest.len > 0) { /* after a cut, later replies wait for 更多 too */
            buf_printf(&rest, "\n%s", text);
            json_array_remove(t->replies, i--);
            continue;
        }
        size_t at = text_cut(text, max - hint_len - 1);
        if (at == strlen(text) && utf8_len(text) <= max)
            continue;
        size_t skip = at;
        while (text[skip] == '\n' || text[skip] == ' ')
            skip++;
        buf_puts(&rest, text + skip);
        size_t keep = at;
        while (keep > 0 && (text[keep - 1] == '\n' || text[keep - 1] == ' '))
            keep--;
        char *head = xasprintf("%.*s\n%s", (int)keep, text, hint ? hint : "");
        json_object_set_new(r, "text", json_string(head));
        free(head);
    }
    if (rest.len > 0)
        rc = turn_state_set(t, "more", rest.data);
    buf_release(&rest);
    return rc;
}

/*
 * Platform events with a fixed meaning: subscribe (a new follower) gets the
 * help menu as its welcome; unsubscribe opts out silently; SCAN and events we
 * do not know are recorded and answered with nothing ("success" on WeChat).
 * NULL: not an event, or one whose text is matched as usual (menu:, callback:).
 */
static const char *event_intent(const char *event)
{
    if (event == NULL || str_has_prefix(event, "menu:") || str_has_prefix(event, "callback:"))
        return NULL;
    if (strcmp(event, "subscribe") == 0)
        return "help";
    if (strcmp(event, "unsubscribe") == 0)
        return "optout";
    return "event";
}

/* Telegram's button press needs answerCallbackQuery, or the client keeps a
 * spinner; it goes out as a reply-class outbox row keyed by the callback id,
 * which chan_telegram turns into that call. */
static int queue_callback_ack(struct turn *t, const char *id)
{
    char key[96];
    snprintf(key, sizeof key, "tg-cb:%.80s", id);
    return outbox_push(t->st, t->app->conf, t->person, OUT_REPLY, "", 0, t->now, key) == -1 ? -1
                                                                                          : 0;
}

int engine_turn(const struct app *app, struct store *st, const struct channel *ch,
                const struct inmsg *in, int64_t now, struct turn_result *res)
{
    struct intent_match m = {0};
    struct turn t = {0};
    char *stored = NULL, *stored_intent = NULL, *norm = NULL, *picked = NULL, *dump = NULL;
    int rc = -1, range = -1;
    memset(res, 0, sizeof *res);

    /* A platform's position report (WeChat LOCATION, every few seconds while
     * the chat is open): nothing is stored and nothing is said. */
    if (in->event != NULL && strcmp(in->event, "location") == 0) {
        res->replies = json_array();
        res->intent = xstrdup("event.location");
        return 0;
    }
    /* A delivery report (Twilio status callback, Kannel DLR): the outbox row
     * is updated, nobody is answered; a repeat changes nothing. */
    if (in->event != NULL && str_has_prefix(in->event, "delivery:")) {
        if (store_delivery_set(st, in->ext_id, in->event + strlen("delivery:"), now) == -1)
            return -1;
        res->replies = json_array();
        res->intent = xstrdup("event.delivery");
        return 0;
    }
    int found = store_inbound_get(st, ch->name, in->ext_id, &stored, &stored_intent);
    if (found == -1)
        goto out;
    if (found == 1) {
        res->replies = json_loads(stored, 0, NULL);
        if (res->replies == NULL)
            res->replies = json_array();
        else {
            res->replies_json = stored;
            stored = NULL;
        }
        res->intent = stored_intent;
        stored_intent = NULL;
        res->replay = true;
        rc = 0;
        goto out;
    }

    t.app = app;
    t.st = st;
    t.ch = ch;
    t.in = in;
    t.now = now;
    t.replies = json_array();
    /* a linked account (绑定) answers as its canonical person on every channel */
    int64_t arrived;
    int first = store_person_arrive(st, ch->name, in->user, in->name, now, &arrived, &t.person);
    if (first == -1)
        goto out;
    /* A menu button (WeChat CLICK) carries the command as its key. */
    const char *typed = in->text ? in->text : "";
    if (in->event != NULL && str_has_prefix(in->event, "menu:"))
        typed = in->event + strlen("menu:");
    norm = norm_text(typed);
    t.text = norm;

    picked = menu_pick(&t, &range);
    if (picked != NULL) {
        free(norm);
        norm = norm_text(picked);
        t.text = norm;
    }
    const char *intent = NULL;
    const char *forced = event_intent(in->event);
    if (forced != NULL) {
        intent = forced;
        t.intent = intent;
        const struct handler *h = strcmp(forced, "event") != 0 ? handler_find(forced) : NULL;
        if (h != NULL && h->fn(&t) == -1)
            goto out;
        if (strcmp(forced, "optout") == 0)
            json_array_clear(t.replies); /* they unfollowed: no answer can reach them */
    } else if (range >= 0) {
        char max[16];
        snprintf(max, sizeof max, "%d", range);
        intent = "menu";
        if (say(&t, "menu.bad_number", "max", max, NULL) == -1)
            goto out;
    } else {
        int mr = t.text[0] ? intent_match(app->intents, t.text, &m) : 0;
        if (mr == -1)
            goto out;
        if (in->nmedia > 0 && (mr == 0 || strcmp(m.intent, "report.new") != 0)) {
            /* A photo always opens a report: a caption that happens to read
             * like a command (积分, 我的) is its description, not a command. */
            intent_match_release(&m);
            mr = 0;
            intent = "report.new";
        } else if (mr == 1)
            intent = m.intent;
        else if (in->has_location && t.text[0] == '\0')
            intent = "location";
        else
            intent = "fallback";
        t.m = mr == 1 ? &m : NULL;
        t.intent = intent;
        const struct handler *h = handler_find(intent);
        if (h == NULL) { /* main() checked every rule's intent at startup */
            log_err("engine: no handler for intent %s", intent);
            goto out;
        }
        if (h->fn(&t) == -1)
            goto out;
    }
    /* PIPL: a new person's first answer starts with what is kept and why */
    if (privacy_first_contact(&t, first == 1) == -1)
        goto out;
    if (cut_replies(&t) == -1)
        goto out;
    if (in->event != NULL && str_has_prefix(in->event, "callback:") &&
        queue_callback_ack(&t, in->event + strlen("callback:")) == -1)
        goto out;
    dump = json_dumps(t.replies, JSON_COMPACT);
    if (dump == NULL)
        goto out;
    if (store_inbound_add(st, ch->name, in->ext_id, t.person, in->text, intent, dump, now) == -1)
        goto out;
    res->replies = t.replies;
    t.replies = NULL;
    res->replies_json = dump;
    dump = NULL;
    res->intent = xstrdup(intent);
    rc = 0;
out:
    intent_match_release(&m);
    json_decref(t.replies);
    free(stored);
    free(stored_intent);
    free(norm);
    free(picked);
    free(dump);
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

static void run_batch(struct engine *e, struct job *jobs)
{
    int64_t now = now_ms();
    bool optimistic = true;
    for (struct job *j = jobs; j; j = j->next)
        optimistic = optimistic && j->rerun_safe;
    bool ok = store_begin(e->st) == 0;
    if (ok && optimistic && run_optimistic(e, jobs, now) == -1) {
        log_warn("engine: a job failed; its batch runs again, a savepoint per job");
        store_rollback(e->st);
        optimistic = false;
        ok = store_begin(e->st) == 0;
    }
    if (ok && !optimistic)
        run_guarded(e, jobs, now);
    if (ok && store_commit(e->st) == -1) {
        store_rollback(e->st);
        ok = false;
    }
    atomic_store(&e->healthy, ok);
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
    atomic_init(&e->healthy, true);
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
