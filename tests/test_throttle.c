/*
 * test_throttle.c - the per-sender token bucket: a burst, then the rate;
 * senders do not share buckets; off means always allowed.
 */
#include <stdbool.h>
#include <stddef.h>

#include "t.h"
#include "throttle.h"

static void test_throttle_burst_then_rate(void)
{
    struct throttle *t = throttle_new(60, 5); /* one a second, five at once */
    int64_t now = 1000000;
    for (int i = 0; i < 5; i++)
        CHECK(throttle_allow(t, "generic", "u1", now));
    CHECK(!throttle_allow(t, "generic", "u1", now));
    CHECK(!throttle_allow(t, "generic", "u1", now + 500));
    CHECK(throttle_allow(t, "generic", "u1", now + 1000));
    CHECK(!throttle_allow(t, "generic", "u1", now + 1000));
    /* a long pause refills up to the burst, no more */
    for (int i = 0; i < 5; i++)
        CHECK(throttle_allow(t, "generic", "u1", now + 3600000));
    CHECK(!throttle_allow(t, "generic", "u1", now + 3600000));
    throttle_free(t);
}

/* A message answered 500 gives its token back: a platform's retries during
 * a store outage never reach throttle.slow (which would answer 200 and
 * store nothing: an acknowledged message lost; make test-failover). */
static void test_throttle_refund_of_unhandled(void)
{
    struct throttle *t = throttle_new(1, 3);
    for (int i = 0; i < 100; i++) { /* the same message, 500 each time */
        CHECK(throttle_allow(t, "generic", "u1", 1000 + i));
        throttle_refund(t, "generic", "u1");
    }
    for (int i = 0; i < 3; i++) /* the burst is whole, and no more than whole */
        CHECK(throttle_allow(t, "generic", "u1", 2000));
    CHECK(!throttle_allow(t, "generic", "u1", 2000));
    throttle_refund(t, "generic", "u9"); /* a sender never seen: nothing to give back */
    CHECK(throttle_allow(t, "generic", "u9", 2000));
    throttle_refund(NULL, "generic", "u1"); /* off */
    throttle_free(t);
}

static void test_throttle_senders_apart(void)
{
    struct throttle *t = throttle_new(1, 1);
    CHECK(throttle_allow(t, "generic", "u1", 0));
    CHECK(!throttle_allow(t, "generic", "u1", 0));
    CHECK(throttle_allow(t, "generic", "u2", 0));
    CHECK(throttle_allow(t, "telegram", "u1", 0)); /* another channel's u1 */
    /* a flood from one sender leaves the others alone */
    for (int i = 0; i < 10000; i++)
        CHECK(!throttle_allow(t, "generic", "u1", 1));
    CHECK(throttle_allow(t, "generic", "u3", 1));
    throttle_free(t);
}

/* Issue 15: one sender's flood is reported for the log once a minute, with
 * the refusals since the last report. */
static void test_throttle_report_once_a_minute(void)
{
    struct throttle *t = throttle_new(1, 1);
    long report = -1;
    CHECK(throttle_take(t, "generic", "u1", 1000, &report));
    CHECK_INT(report, 0);
    CHECK(!throttle_take(t, "generic", "u1", 1000, &report));
    CHECK_INT(report, 1);
    for (int i = 0; i < 100; i++) {
        CHECK(!throttle_take(t, "generic", "u1", 1001 + i, &report));
        CHECK_INT(report, 0);
    }
    CHECK(!throttle_take(t, "generic", "u2", 1200, &report) || report == 0);
    CHECK(!throttle_take(t, "generic", "u2", 1200, &report));
    CHECK_INT(report, 1); /* another sender is reported on its own */
    CHECK(throttle_take(t, "generic", "u1", 61000, &report)); /* a token a minute */
    CHECK(!throttle_take(t, "generic", "u1", 61001, &report));
    CHECK_INT(report, 101);
    CHECK(!throttle_take(t, "generic", "u1", 61002, &report));
    CHECK_INT(report, 0);
    throttle_free(t);
}

static void test_throttle_off(void)
{
    struct throttle *t = throttle_new(0, 20);
    CHECK(t == NULL);
    for (int i = 0; i < 1000; i++)
        CHECK(throttle_allow(t, "generic", "u1", 0));
    throttle_free(t);
}

const struct t_case throttle_tests[] = {
    T(test_throttle_burst_then_rate),
    T(test_throttle_refund_of_unhandled),
    T(test_throttle_senders_apart),
    T(test_throttle_off),
    T(test_throttle_report_once_a_minute),
    T_END,
};
