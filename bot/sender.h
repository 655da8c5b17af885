/*
 * sender.h - the sender thread: claims due outbox rows on its own store
 * connection, sends them through their channel with libcurl's multi interface
 * (connections reused, timeouts set, rate limits per channel and per person),
 * and records each outcome: sent, retry with backoff, failed or dead.
 */
#ifndef BOT_SENDER_H
#define BOT_SENDER_H

struct app;
struct sender;

/* Open a second connection to the database and start the thread. NULL on failure. */
struct sender *sender_start(const struct app *app);
/* Wake the thread now (new rows were committed). Safe from any thread. */
void sender_wake(struct sender *s);
/* Stop: no new claims; transfers still running get a moment to finish, the rest
 * go back to the queue (their idempotency key makes a resend safe). */
void sender_stop(struct sender *s);

#endif
