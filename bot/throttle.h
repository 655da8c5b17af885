/*
 * throttle.h - a token bucket per sender, in memory, so one sender flooding a
 * webhook cannot take the writer thread from everyone else. The HTTP layer
 * asks before it queues a turn; a throttled message is answered 200 with the
 * content text throttle.slow (so the platform does not retry it) and is not
 * stored. Memory is fixed: senders hash into a table of slots, and a sender
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

extern const struct content_need throttle_needs[];

#endif
