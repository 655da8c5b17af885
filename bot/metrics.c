/*
 * metrics.c - Prometheus counters behind one mutex; cheap next to a request.
 */
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "store.h"

#define MAX_SERIES 128
#define NAME_MAX_LEN 48

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NB (sizeof bounds / sizeof bounds[0])

struct req_series {
    char route[NAME_MAX_LEN];
    int status;
    unsigned long long count;
};
struct intent_series {
    char intent[NAME_MAX_LEN];
    unsigned long long count;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct req_series reqs[MAX_SERIES];
static int nreqs;
static struct intent_series intents[MAX_SERIES];
static int nintents;
static struct intent_series pushes[MAX_SERIES]; /* "channel outcome" */
static int npushes;
static unsigned long long hist[NB + 1];
static double hist_sum;
static unsigned long long hist_count;

void metrics_request(const char *route, int status, double seconds)
{
    pthread_mutex_lock(&mu);
    int i;
    for (i = 0; i < nreqs; i++)
        if (reqs[i].status == status && strcmp(reqs[i].route, route) == 0)
            break;
    if (i == nreqs && nreqs < MAX_SERIES) {
        snprintf(reqs[i].route, sizeof reqs[i].route, "%s", route);
        reqs[i].status = status;
        nreqs++;
    }
    if (i < nreqs)
        reqs[i].count++;
    size_t b = 0;
    while (b < NB && seconds > bounds[b])
        b++;
    hist[b]++;
    hist_sum += seconds;
    hist_count++;
    pthread_mutex_unlock(&mu);
}

static void count(struct intent_series *t, int *n, const char *name)
{
    pthread_mutex_lock(&mu);
    int i;
    for (i = 0; i < *n; i++)
        if (strcmp(t[i].intent, name) == 0)
            break;
    if (i == *n && *n < MAX_SERIES) {
        snprintf(t[i].intent, sizeof t[i].intent, "%s", name);
        (*n)++;
    }
    if (i < *n)
        t[i].count++;
    pthread_mutex_unlock(&mu);
}

void metrics_intent(const char *intent)
{
    if (intent != NULL)
        count(intents, &nintents, intent);
}

void metrics_push(const char *channel, const char *outcome)
{
    char name[NAME_MAX_LEN];
    snprintf(name, sizeof name, "%s %s", channel, outcome);
    count(pushes, &npushes, name);
}

void metrics_render(struct buf *out)
{
    pthread_mutex_lock(&mu);
    buf_puts(out, "# HELP yizhan_http_requests_total HTTP requests by route and status.\n"
                  "# TYPE yizhan_http_requests_total counter\n");
    for (int i = 0; i < nreqs; i++)
        buf_printf(out, "yizhan_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                   reqs[i].route, reqs[i].status, reqs[i].count);
    buf_puts(out, "# HELP yizhan_messages_total Messages answered, by intent.\n"
                  "# TYPE yizhan_messages_total counter\n");
    for (int i = 0; i < nintents; i++)
        buf_printf(out, "yizhan_messages_total{intent=\"%s\"} %llu\n", intents[i].intent,
                   intents[i].count);
    buf_puts(out, "# HELP yizhan_pushes_total Outbox push attempts by channel and outcome.\n"
                  "# TYPE yizhan_pushes_total counter\n");
    for (int i = 0; i < npushes; i++) {
        const char *sp = strchr(pushes[i].intent, ' ');
        buf_printf(out, "yizhan_pushes_total{channel=\"%.*s\",outcome=\"%s\"} %llu\n",
                   (int)(sp - pushes[i].intent), pushes[i].intent, sp + 1, pushes[i].count);
    }
    buf_puts(out, "# HELP yizhan_http_request_seconds Time from request to response.\n"
                  "# TYPE yizhan_http_request_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t b = 0; b < NB; b++) {
        cum += hist[b];
        buf_printf(out, "yizhan_http_request_seconds_bucket{le=\"%g\"} %llu\n", bounds[b], cum);
    }
    cum += hist[NB];
    buf_printf(out, "yizhan_http_request_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    buf_printf(out, "yizhan_http_request_seconds_sum %.6f\n", hist_sum);
    buf_printf(out, "yizhan_http_request_seconds_count %llu\n", hist_count);
    pthread_mutex_unlock(&mu);
    long sent, waits;
    store_wire_totals(&sent, &waits);
    buf_printf(out,
               "# HELP yizhan_store_statements_total Statements sent to PostgreSQL.\n"
               "# TYPE yizhan_store_statements_total counter\n"
               "yizhan_store_statements_total %ld\n"
               "# HELP yizhan_store_round_trips_total Waits for PostgreSQL's answers (writes"
               " queued in a pipeline share the next statement's).\n"
               "# TYPE yizhan_store_round_trips_total counter\n"
               "yizhan_store_round_trips_total %ld\n",
               sent, waits);
}
