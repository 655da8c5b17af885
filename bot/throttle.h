/*
 * throttle.h - a token bucket per sender, in memory, so one sender flooding a
 * webhook cannot take the writer thread from everyone else. The HTTP layer
 * asks before it queues a turn; a throttled message is answered 200 with the
 * content text throttle.slow (so the platform does not retry it) and is not
 * stored, unless it repeats a stored message: replays come first, always
 * (engine_turn, inmsg.throttled). Memory is fixed: senders hash into a table of slots, and a sender
 * whose slot another took starts with a full bucket (lenient, never stricter).
 */
#ifndef BOT_THROTTLE_H
#define BOT_THROTTLE_H
#include <stdbool.h>
#include <stdint.h>

#include "content.h"

struct throttle;

/* per_min messages a minute, bursts of burst. per_min 0 turns it off (NULL is
 * returned and allowed by throttle_allow). Free with throttle_free(). */
struct throttle *throttle_new(long long per_min, long long burst);
void throttle_free(struct throttle *t);
/* Take a token for (channel, user) at now (ms, any monotonic clock). True
 * when the message may go on. Thread-safe; t may be NULL (always true). */
bool throttle_allow(struct throttle *t, const char *channel, const char *user, int64_t now);
/* throttle_allow that also says when to log a refusal: at most once a
 * minute a sender, *report is set to the refusals since the last report
 * (this one included); otherwise 0. One sender's flood then makes a log
 * line a minute, not two a message (issue 15). */
bool throttle_take(struct throttle *t, const char *channel, const char *user, int64_t now,
                   long *report);

/* Give back the token a message took when it was not handled after all (it
 * was answered 500 because the store could not write, or 503, so the
 * platform sends it again; the HTTP layer decides): a platform's
 * retries during a store outage must not use up the sender's burst, or the
 * next retry would be answered throttle.slow with 200 and the message never
 * stored (found by make test-failover). Capped at the burst; t may be NULL. */
void throttle_refund(struct throttle *t, const char *channel, const char *user);

extern const struct content_need throttle_needs[];

#endif
