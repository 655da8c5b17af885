/*
 * form.h - application/x-www-form-urlencoded bodies and query strings: parse
 * into name/value pairs (values may hold NUL bytes), and percent-encode for
 * requests we build. Used by the SMS adapters and the channel fixtures.
 */
#ifndef BOT_FORM_H
#define BOT_FORM_H
#include <stddef.h>

struct buf;

struct form_pair {
    char *name, *value; /* owned, decoded, NUL-terminated */
    size_t value_len;   /* decoded length (value may contain NUL bytes) */
};
struct form {
    struct form_pair *pairs; /* owned; in the order received */
    size_t n;
};

/* Parse s (len bytes; '+' is a space). 0, or -1 on a bad %-escape or more
 * than 200 fields (f is then empty). form_release() in both cases. */
int form_parse(const char *s, size_t len, struct form *f);
/* The first value of name, borrowed until form_release; NULL when absent. */
const char *form_get(const struct form *f, const char *name, size_t *len);
void form_release(struct form *f);
/* Append s percent-encoded (RFC 3986 unreserved characters stay). -1 past b's cap. */
int form_encode(struct buf *b, const char *s);

#endif
