/*
 * crypto.h - thin wrappers over OpenSSL libcrypto for the signatures the
 * channels check: HMAC, SHA digests, hex, constant-time comparison.
 */
#ifndef BOT_CRYPTO_H
#define BOT_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>

/* HMAC-SHA256 of data under key, as 64 lowercase hex characters + NUL into hex[65]. */
void crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len,
                            char hex[65]);
/* SHA-1 of data as lowercase hex into hex[41]. */
void crypto_sha1_hex(const void *data, size_t len, char hex[41]);
/* SHA-256 of data as lowercase hex into hex[65]. */
void crypto_sha256_hex(const void *data, size_t len, char hex[65]);
/* True when the strings are equal: compares their SHA-256 digests in
 * constant time, so a length difference does not return early. */
bool crypto_str_eq(const char *a, const char *b);
/* Fill out with n cryptographically random bytes. 0 or -1. */
int crypto_random(void *out, size_t n);
/* HMAC-SHA1 of data under key, base64 (28 characters + NUL) into b64[29]. */
void crypto_hmac_sha1_b64(const void *key, size_t keylen, const void *data, size_t len,
                          char b64[29]);
/* Standard base64 (with padding) of n bytes; the caller frees the string. */
char *crypto_base64(const void *data, size_t n);
/* Decode standard base64 (padding required, no whitespace). Returns a new
 * buffer (caller frees) with *n set, or NULL when the text is not base64. */
unsigned char *crypto_unbase64(const char *b64, size_t *n);

#endif
