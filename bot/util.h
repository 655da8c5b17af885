/*
 * util.h - allocation that aborts on out-of-memory, and small string helpers
 * used everywhere. Nothing here touches the network or the store.
 */
#ifndef BOT_UTIL_H
#define BOT_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);              /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
/* printf into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a whole string as a decimal integer in [min, max]. 0 or -1. */
int parse_int(const char *s, long long min, long long max, long long *out);
/* Parse a whole string as a finite double. 0 or -1. */
int parse_double(const char *s, double *out);
/* Mask an identifier for logs: only the last 4 characters stay ("…1234").
 * Writes into buf (at least 16 bytes) and returns it. */
const char *mask_id(const char *id, char *buf, size_t size);
/* Number of UTF-8 code points in s (invalid bytes count one each). */
size_t utf8_len(const char *s);
/* True when s is valid UTF-8 of length n. */
bool utf8_valid(const char *s, size_t n);
/* Decode one code point at s (n bytes left); *adv gets its length (>=1).
 * Returns the code point, or 0xFFFD for an invalid sequence. */
uint32_t utf8_decode(const char *s, size_t n, size_t *adv);
/* Encode cp into out (4 bytes room). Returns the length. */
size_t utf8_encode(uint32_t cp, char *out);
bool str_has_prefix(const char *s, const char *prefix);
/* Whether to JIT-compile the PCRE2 patterns (rules, crisis words): yes,
 * unless $YIZHAN_PCRE2_JIT is "0". make valgrind sets it: memcheck cannot
 * follow JIT code (tests/valgrind.supp hides what it reports there) and runs
 * it tens of times slower than PCRE2's interpreter, which it does check.
 * pcre2_match() gives the same results either way. */
bool jit_wanted(void);

#endif
