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
    char *replies_json; /* owned: the same as stored (compact JSON), or NULL */
    char *intent;    /* owned; NULL on replay of an old row without one */
    bool replay;     /* a duplicate: stored replies returned, nothing run */
};
void turn_result_release(struct turn_result *r);

/* One turn in the caller's open transaction. 0 with res filled, or -1 (the
 * caller rolls back). */
int engine_turn(const struct app *app, struct store *st, const struct channel *ch,
                const struct inmsg *in, int64_t now, struct turn_result *res);

/*
 * The replies of a turn whose in-band answer went without them (a platform's
 * reply deadline passed: channel.reply_deadline_ms): queued in the caller's
 * transaction as one OUT_REPLY push to the sender, keyed
 * "late:<channel>:<ext_id>". A replay (res->replay) queues nothing: the run
 * that stored the turn answered it, in-band or with its own push, so a
 * platform's retry racing the first request cannot double the reply. Once
 * queued, a replay of the message answers nothing in-band. 0 or -1.
 */
int engine_reply_later(const struct app *app, struct store *st, const struct channel *ch,
                       const struct inmsg *in, const struct turn_result *res, int64_t now);

/*
 * Work for the writer thread. run() executes inside a savepoint of the batch's
 * transaction; done() is called on the engine's completer thread once the
 * batch has committed (status 200) or failed (status 500: run returned -1, or
 * COMMIT failed and everything in the batch was rolled back), in the order
 * the jobs ran.
 */
struct job {
    int (*run)(struct job *j, struct store *st, int64_t now); /* 0 or -1 */
    void (*done)(struct job *j);                              /* may free j */
    void *arg;
    int status;
    /* run() changes nothing but the store (and its own results, which it
     * resets first): after a failed job the batch is rolled back and may run
     * again, so the writer can skip the per-job savepoint */
    bool rerun_safe;
    /* a turn's person (its channel's name and sender), or NULL: with several
     * nodes on one database the batch locks its people first, in one order
     * (docs/scaling.md) */
    const char *channel, *user;
    /* the turn's message id, or NULL: its arrival is read with the batch's
     * (store_arrivals_load) */
    const char *ext_id;
    struct job *next;
};

struct engine;
/* Start the writer thread on st (which it then owns until engine_stop).
 * after_commit, when not NULL, runs on the writer thread after each COMMIT. */
struct engine *engine_start(const struct app *app, struct store *st, void (*after_commit)(void));
/* Queue a job; its done() runs later on the completer thread. -1 when stopping. */
int engine_submit(struct engine *e, struct job *j);
/* Finish every queued job (done() included), stop the threads, free e (not
 * the store). */
void engine_stop(struct engine *e);
/* True while the last commit or probe of the store succeeded. */
bool engine_healthy(struct engine *e);

#endif
