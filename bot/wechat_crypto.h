/*
 * wechat_crypto.h - WeChat's message signatures (SHA-1 over sorted strings)
 * and the secure-mode envelope: AES-256-CBC with IV = key[0..15] and PKCS#7
 * padding to 32 bytes around random(16) + length(4, big-endian) + msg + appid.
 */
#ifndef BOT_WECHAT_CRYPTO_H
#define BOT_WECHAT_CRYPTO_H
#include <stddef.h>

/* SHA-1 hex of the n strings sorted in byte order and concatenated (the
 * signature of token, timestamp, nonce [, Encrypt]); n at most 8. */
void wechat_signature(const char *const *parts, int n, char hex[41]);
/* AESKey from the 43-character EncodingAESKey. 0, or -1 when malformed. */
int wechat_aes_key(const char *encoding_aes_key, unsigned char key[32]);
/*
 * Decrypt the base64 Encrypt text and check that the trailing id equals
 * appid. 0 with *msg (new string, caller frees) and *len, or -1 with *why
 * (static): not base64, not a whole number of blocks, bad padding, bad
 * length, wrong appid.
 */
int wechat_decrypt(const unsigned char key[32], const char *b64, const char *appid, char **msg,
                   size_t *len, const char **why);
/* Encrypt msg (len bytes) with these 16 random bytes; base64, caller frees.
 * NULL on a libcrypto failure (logged). */
char *wechat_encrypt(const unsigned char key[32], const unsigned char random[16], const char *msg,
                     size_t len, const char *appid);

#endif
