/*
 * timer.h - one thread that calls functions at given times (timer_now():
 * CLOCK_MONOTONIC in ms). http.c uses it for WeChat's reply deadline.
 */
#ifndef BOT_TIMER_H
#define BOT_TIMER_H
#include <stdbool.h>
#include <stdint.h>

struct timer;
/* Monotonic milliseconds, the clock of timer_add. */
int64_t timer_now(void);
/* Start the thread; NULL when it cannot. */
struct timer *timer_start(void);
/* Call fn(arg, false) on the timer thread at monotonic ms at or soon after.
 * Each added call happens exactly once: timer_stop calls those not yet due
 * with cancelled true. */
void timer_add(struct timer *t, int64_t at, void (*fn)(void *arg, bool cancelled), void *arg);
/* Cancel what is left (see timer_add), stop the thread, free t. */
void timer_stop(struct timer *t);

#endif
