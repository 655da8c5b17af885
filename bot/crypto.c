/*
 * crypto.c - libcrypto calls for hashes and MACs; nothing hand-rolled.
 */
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void to_hex(const unsigned char *d, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * n] = '\0';
}

void crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len,
                            char hex[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (HMAC(EVP_sha256(), key, (int)keylen, data, len, mac, &maclen) == NULL) {
        hex[0] = '\0'; /* compares unequal to any signature */
        return;
    }
    to_hex(mac, maclen, hex);
}

void crypto_sha1_hex(const void *data, size_t len, char hex[41])
{
    unsigned char d[SHA_DIGEST_LENGTH];
    SHA1(data, len, d);
    to_hex(d, sizeof d, hex);
}

void crypto_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(data, len, d);
    to_hex(d, sizeof d, hex);
}

/* Compare the SHA-256 digests, always 32 bytes: no early return on a length
 * difference, so the time does not tell how long the secret is; equal
 * digests mean equal strings (collision resistance). */
bool crypto_str_eq(const char *a, const char *b)
{
    unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
    if (SHA256((const unsigned char *)a, strlen(a), da) == NULL ||
        SHA256((const unsigned char *)b, strlen(b), db) == NULL)
        return false;
    return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

int crypto_random(void *out, size_t n)
{
    return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

void crypto_hmac_sha1_b64(const void *key, size_t keylen, const void *data, size_t len,
                          char b64[29])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (HMAC(EVP_sha1(), key, (int)keylen, data, len, mac, &maclen) == NULL || maclen != 20) {
        b64[0] = '\0'; /* compares unequal to any signature */
        return;
    }
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
}

char *crypto_base64(const void *data, size_t n)
{
    char *out = xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, data, (int)n);
    return out;
}

unsigned char *crypto_unbase64(const char *b64, size_t *n)
{
    size_t len = strlen(b64);
    if (len == 0 || len % 4 != 0 || len > (1u << 28))
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char ch = b64[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' ||
                  (ch == '=' && i >= len - 2 && (i == len - 1 || b64[len - 1] == '='));
        if (!ok)
            return NULL;
    }
    unsigned char *out = xmalloc(len / 4 * 3 + 1);
    int got = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
    if (got < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts the padding as zero bytes */
    size_t pad = (b64[len - 1] == '=') + (b64[len - 2] == '=');
    *n = (size_t)got - pad;
    return out;
}
