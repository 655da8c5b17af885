/*
 * buf.h - growable byte buffer with a hard cap, always NUL-terminated so text
 * can be read in place. Used for request bodies, responses and rendering.
 */
#ifndef BOT_BUF_H
#define BOT_BUF_H
#include <stddef.h>

struct buf {
    char *data; /* owned; NUL-terminated; NULL until the first append */
    size_t len, cap, max;
};

/* Set up an empty buffer that refuses to grow past max bytes (0 = no cap). */
void buf_init(struct buf *b, size_t max);
/* Append n bytes. -1 (and nothing appended) when the cap would be passed. */
int buf_append(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the data to the caller (a "" string when empty) and reset the buffer. */
char *buf_take(struct buf *b);
void buf_release(struct buf *b);

#endif
