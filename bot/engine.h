/*
 * engine.h - answering messages. engine_turn() runs one inbound message inside
 * the caller's transaction: dedupe, person, intent, handler, cut, record.
 * The writer thread (engine_start) is the only user of the request store: it
 * takes queued jobs, runs them in one transaction with a savepoint each, and
 * COMMITs once per batch (group commit); only then are jobs completed, so no
 * request is acknowledged before its effects are durable.
 */
#ifndef BOT_ENGINE_H
#define BOT_ENGINE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "msg.h"

struct app;
struct channel;
struct store;

struct turn_result {
    json_t *replies; /* new reference: array of {"text"} */
    char *intent;    /* owned; NULL on replay of an old row without one */
    bool replay;     /* a duplicate: stored replies returned, nothing run */
};
void turn_result_release(struct turn_result *r);

/* One turn in the caller's open transaction. 0 with res filled, or -1 (the
 * caller rolls back). */
int engine_turn(const struct app *app, struct store *st, const struct channel *ch,
                const struct inmsg *in, int64_t now, struct turn_result *res);

struct job {
    const struct channel *ch;
    struct inmsg msg;       /* owned by the job's creator */
    struct turn_result res; /* filled by the writer when status is 200 */
    int status;             /* 200, or 500 when the turn or the COMMIT failed */
    void (*done)(struct job *j); /* called by the writer thread after COMMIT */
    void *arg;
    struct job *next;
};

struct engine;
/* Start the writer thread on st (which it then owns until engine_stop). */
struct engine *engine_start(const struct app *app, struct store *st);
/* Queue a job; its done() runs later on the writer thread. -1 when stopping. */
int engine_submit(struct engine *e, struct job *j);
/* Finish every queued job, stop the thread, free e (not the store). */
void engine_stop(struct engine *e);
/* True while the last commit or probe of the store succeeded. */
bool engine_healthy(struct engine *e);

#endif
