/*
 * fz_wechat_aes.c - the secure-mode envelope (wechat_crypto.c) with a fixed
 * key. The first byte picks: 0 the rest is base64 text for wechat_decrypt;
 * 1 the rest is a plaintext envelope (random, length, message, appid,
 * padding), zero-filled to whole blocks and AES-encrypted here, so the layout
 * checks see arbitrary plaintext; 2 the rest is a message that must come back
 * unchanged from wechat_encrypt then wechat_decrypt.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "fuzz.h"
#include "util.h"
#include "wechat_crypto.h"

#define APPID "wx1234567890abcdef"

static unsigned char key[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    if (wechat_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", key) == -1)
        abort();
    return 0;
}

/* AES-256-CBC, IV = key[0..15], no padding, over n bytes (a multiple of 32). */
static char *encrypt_raw(const unsigned char *p, size_t n)
{
    unsigned char *out = xmalloc(n);
    int n1 = 0, n2 = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL || EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, key) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
        EVP_EncryptUpdate(ctx, out, &n1, p, (int)n) != 1 ||
        EVP_EncryptFinal_ex(ctx, out + n1, &n2) != 1)
        abort();
    EVP_CIPHER_CTX_free(ctx);
    char *b64 = crypto_base64(out, n);
    free(out);
    return b64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 3;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    char *b64 = NULL, *msg = NULL;
    size_t len = 0;
    const char *why = NULL;
    if (mode == 0) {
        b64 = fuzz_str(p, n);
    } else if (mode == 1) {
        size_t whole = (n + 31) / 32 * 32;
        unsigned char *plain = xcalloc(whole ? whole : 32, 1);
        memcpy(plain, p, n);
        b64 = encrypt_raw(plain, whole ? whole : 32);
        free(plain);
    } else {
        static const unsigned char rnd[16] = "fuzz-random-16b";
        b64 = wechat_encrypt(key, rnd, (const char *)p, n, APPID);
        if (b64 == NULL)
            abort();
    }
    int rc = wechat_decrypt(key, b64, APPID, &msg, &len, &why);
    if (rc == 0 && (msg == NULL || msg[len] != '\0'))
        abort();
    if (rc == -1 && (why == NULL || msg != NULL))
        abort(); /* a refusal says why and gives nothing */
    if (mode == 2 && (rc != 0 || len != n || memcmp(msg, p, n) != 0))
        abort(); /* our own envelope must round-trip */
    free(msg);
    free(b64);
    return 0;
}
