/*
 * sender.h - the sender thread: claims due outbox rows on its own store
 * connection, sends them through their channel with libcurl's multi interface
 * (connections reused, timeouts set, rate limits per channel and per person),
 * and records each outcome: sent, retry with backoff, failed or dead.
 */
#ifndef BOT_SENDER_H
#define BOT_SENDER_H
#include <stddef.h>

struct app;
struct channel;
struct sender;

/* Room for a channel's API token (WeChat's access_token), NUL included. */
#define SENDER_TOKEN_MAX 1024

/* Open a second connection to the database and start the thread. NULL on failure. */
struct sender *sender_start(const struct app *app);
/* Wake the thread now (new rows were committed). Safe from any thread. */
void sender_wake(struct sender *s);
/* Stop: no new claims; transfers still running get a moment to finish, the rest
 * go back to the queue (their idempotency key makes a resend safe). */
void sender_stop(struct sender *s);

/*
 * The sender owns each channel's API token (token_build): it is the only
 * component that fetches one, since a new WeChat access_token retires the old
 * one. Other threads (the photo fetcher) borrow it here. sender_token copies
 * ch's fresh token into out (size bytes) with *gen its generation and returns
 * 1; otherwise it returns 0 and asks the sender thread to fetch one (ask again
 * a little later). s may be NULL (then 0). Safe from any thread.
 */
int sender_token(struct sender *s, const struct channel *ch, char *out, size_t size, unsigned *gen);
/* The API refused ch's token of generation gen: the sender fetches a new one
 * before its next use. Safe from any thread. */
void sender_token_invalid(struct sender *s, const struct channel *ch, unsigned gen);

#endif
