/*
 * clock.h - the only source of wall-clock time. Unit tests link
 * tests/stub_clock.c instead, which they can set and advance.
 */
#ifndef BOT_CLOCK_H
#define BOT_CLOCK_H
#include <stdint.h>

/* Milliseconds since the Unix epoch. */
int64_t now_ms(void);

#endif
