/*
 * wechat_crypto.c - the WeChat signature and AES envelope (see
 * wechat_crypto.h). OpenSSL does the cipher with its padding switched off:
 * its PKCS#7 only knows 16-byte blocks, WeChat pads to 32.
 */
#include "wechat_crypto.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "log.h"
#include "util.h"

#define WX_BLOCK 32
#define WX_MAX_CIPHER (1024 * 1024)

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void wechat_signature(const char *const *parts, int n, char hex[41])
{
    const char *sorted[8];
    struct buf b;
    if (n > 8)
        n = 8;
    memcpy(sorted, parts, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_str);
    buf_init(&b, 0);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++)
        buf_puts(&b, sorted[i]);
    crypto_sha1_hex(b.data, b.len, hex);
    buf_release(&b);
}

int wechat_aes_key(const char *encoding_aes_key, unsigned char key[32])
{
    char padded[45];
    size_t n = 0;
    if (strlen(encoding_aes_key) != 43)
        return -1;
    snprintf(padded, sizeof padded, "%s=", encoding_aes_key);
    unsigned char *raw = crypto_unbase64(padded, &n);
    int rc = raw != NULL && n == 32 ? 0 : -1;
    if (rc == 0)
        memcpy(key, raw, 32);
    free(raw);
    return rc;
}

/* AES-256-CBC with padding off over len bytes (a multiple of 16). 0 or -1. */
static int aes_cbc(const unsigned char key[32], int enc, const unsigned char *in, int len,
                   unsigned char *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0, rc = -1;
    if (ctx == NULL)
        goto out;
    if (EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, key, enc) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
        EVP_CipherUpdate(ctx, out, &n1, in, len) != 1 ||
        EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1 || n1 + n2 != len)
        goto out;
    rc = 0;
out:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int wechat_decrypt(const unsigned char key[32], const char *b64, const char *appid, char **msg,
                   size_t *len, const char **why)
{
    size_t n = 0;
    unsigned char *cipher = NULL, *plain = NULL;
    int rc = -1;
    *msg = NULL;
    if (strlen(b64) > WX_MAX_CIPHER) {
        *why = "ciphertext too long";
        goto out;
    }
    cipher = crypto_unbase64(b64, &n);
    if (cipher == NULL) {
        *why = "Encrypt is not base64";
        goto out;
    }
    if (n == 0 || n % WX_BLOCK != 0) {
        *why = "ciphertext is not a whole number of blocks";
        goto out;
    }
    plain = xmalloc(n);
    if (aes_cbc(key, 0, cipher, (int)n, plain) == -1) {
        *why = "cannot decrypt";
        goto out;
    }
    unsigned pad = plain[n - 1];
    if (pad < 1 || pad > WX_BLOCK) {
        *why = "bad padding";
        goto out;
    }
    for (size_t i = n - pad; i < n; i++)
        if (plain[i] != pad) {
            *why = "bad padding";
            goto out;
        }
    size_t body = n - pad;
    if (body < 20) {
        *why = "plaintext too short";
        goto out;
    }
    uint32_t mlen = (uint32_t)plain[16] << 24 | (uint32_t)plain[17] << 16 |
                    (uint32_t)plain[18] << 8 | plain[19];
    if (mlen > body - 20) {
        *why = "bad message length";
        goto out;
    }
    size_t idlen = body - 20 - mlen;
    if (idlen != strlen(appid) || memcmp(plain + 20 + mlen, appid, idlen) != 0) {
        *why = "the message is for another AppID";
        goto out;
    }
    *msg = xstrndup((const char *)plain + 20, mlen);
    *len = mlen;
    rc = 0;
out:
    free(cipher);
    free(plain);
    return rc;
}

char *wechat_encrypt(const unsigned char key[32], const unsigned char random[16], const char *msg,
                     size_t len, const char *appid)
{
    size_t idlen = strlen(appid), body = 20 + len + idlen;
    size_t pad = WX_BLOCK - body % WX_BLOCK, n = body + pad;
    unsigned char *plain = xmalloc(n), *cipher = xmalloc(n);
    char *b64 = NULL;
    memcpy(plain, random, 16);
    plain[16] = (unsigned char)(len >> 24);
    plain[17] = (unsigned char)(len >> 16);
    plain[18] = (unsigned char)(len >> 8);
    plain[19] = (unsigned char)len;
    memcpy(plain + 20, msg, len);
    memcpy(plain + 20 + len, appid, idlen);
    memset(plain + body, (int)pad, pad);
    if (aes_cbc(key, 1, plain, (int)n, cipher) == -1)
        log_err("wechat: AES encryption failed");
    else
        b64 = crypto_base64(cipher, n);
    free(plain);
    free(cipher);
    return b64;
}
