/*
 * metrics.h - counters for GET /metrics in Prometheus text format: requests by
 * route and status, messages by intent, a request latency histogram.
 * Thread-safe; fixed-size tables (routes and intents are few and known).
 */
#ifndef BOT_METRICS_H
#define BOT_METRICS_H

struct buf;

void metrics_request(const char *route, int status, double seconds);
void metrics_intent(const char *intent);
/* One push outcome: sent, retry, failed, dead. */
void metrics_push(const char *channel, const char *outcome);
void metrics_render(struct buf *out);

#endif
