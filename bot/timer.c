/*
 * timer.c - calls at given times on one thread (timer.h). The list is kept
 * in time order; the few entries (one per WeChat message in flight) make a
 * sorted list cheaper than a heap.
 */
#include "timer.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "util.h"

struct entry {
    int64_t at;
    void (*fn)(void *arg, bool cancelled);
    void *arg;
    struct entry *next;
};

struct timer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    struct entry *head;
    bool stopping;
};

int64_t timer_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *timer_main(void *arg)
{
    struct timer *t = arg;
    pthread_setname_np(pthread_self(), "timer");
    pthread_mutex_lock(&t->mu);
    while (!t->stopping) {
        if (t->head == NULL) {
            pthread_cond_wait(&t->cv, &t->mu);
            continue;
        }
        int64_t now = timer_now();
        if (t->head->at > now) {
            struct timespec ts = {.tv_sec = (time_t)(t->head->at / 1000),
                                  .tv_nsec = (long)(t->head->at % 1000) * 1000000};
            pthread_cond_timedwait(&t->cv, &t->mu, &ts);
            continue;
        }
        struct entry *e = t->head;
        t->head = e->next;
        pthread_mutex_unlock(&t->mu);
        e->fn(e->arg, false);
        free(e);
        pthread_mutex_lock(&t->mu);
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

struct timer *timer_start(void)
{
    struct timer *t = xcalloc(1, sizeof *t);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&t->mu, NULL);
    if (pthread_create(&t->thread, NULL, timer_main, t) != 0) {
        log_err("timer: cannot start the thread");
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        free(t);
        return NULL;
    }
    return t;
}

void timer_add(struct timer *t, int64_t at, void (*fn)(void *arg, bool cancelled), void *arg)
{
    struct entry *e = xcalloc(1, sizeof *e), **p;
    e->at = at;
    e->fn = fn;
    e->arg = arg;
    pthread_mutex_lock(&t->mu);
    for (p = &t->head; *p != NULL && (*p)->at <= at; p = &(*p)->next)
        ;
    e->next = *p;
    *p = e;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

void timer_stop(struct timer *t)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&t->mu);
    t->stopping = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    for (struct entry *e = t->head, *next; e != NULL; e = next) {
        next = e->next;
        e->fn(e->arg, true);
        free(e);
    }
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
