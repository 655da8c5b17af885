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
    T(test_throttle_senders_apart),
    T(test_throttle_off),
    T_END,
};
