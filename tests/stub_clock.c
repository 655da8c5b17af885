/*
 * stub_clock.c - stands in for bot/clock.c in unit tests: time only moves
 * when a test says so.
 */
#include "clock.h"
#include "t.h"

static int64_t fake_now = 1764300000000; /* 2025-11-28 03:20 UTC */

int64_t now_ms(void)
{
    return fake_now;
}

void stub_clock_set(int64_t ms)
{
    fake_now = ms;
}

void stub_clock_advance(int64_t ms)
{
    fake_now += ms;
}
