/*
 * clock.c - real time. The environment variable YIZHAN_FAKE_NOW_MS, when set,
 * shifts it so integration tests can run a live server at a chosen moment.
 */
#include "clock.h"

#include <stdlib.h>
#include <time.h>

int64_t now_ms(void)
{
    static int64_t offset = -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t real = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (offset == -1) {
        const char *fake = getenv("YIZHAN_FAKE_NOW_MS");
        offset = fake ? strtoll(fake, NULL, 10) - real : 0;
    }
    return real + offset;
}
