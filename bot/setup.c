/*
 * setup.c - the operator's platform setup commands (setup.h). Plain blocking
 * libcurl calls: these run once from a terminal, never in the server.
 */
#include "setup.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "log.h"
#include "util.h"

#define SETUP_MAX_ANSWER 65536
#define SETUP_TIMEOUT_S 20

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    return buf_append(b, p, size * n) == -1 ? 0 : size * n;
}

/* One request; *status and answer (capped) filled. url is not logged: it may
 * hold a token. 0 or -1. */
static int call(const char *method, const char *url, const char *body, long *status,
                struct buf *answer)
{
    char err[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = NULL;
    int rc = -1;
    CURL *h = curl_easy_init();
    if (h == NULL)
        return log_fail("setup: curl_easy_init failed");
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    if (hdr == NULL)
        goto out;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)SETUP_TIMEOUT_S);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, answer);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    }
    CURLcode cr = curl_easy_perform(h);
    if (cr != CURLE_OK) {
        log_err("setup: %s request failed: %s", method, err[0] ? err : curl_easy_strerror(cr));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    rc = 0;
out:
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc;
}

/* The access_token through the adapter's own token request. 0 or -1. */
static int wechat_token(const struct conf *c, char *token, size_t size)
{
    struct push_req req = {0};
    struct buf answer;
    char why[200] = "";
    long status = 0;
    long long ttl = 0;
    int rc = -1;
    buf_init(&answer, SETUP_MAX_ANSWER);
    buf_puts(&answer, "");
    if (chan_wechat.token_build(c, &req, why, sizeof why) == -1) {
        log_err("setup: wechat: %s", why);
        goto out;
    }
    if (call(req.method, req.url, NULL, &status, &answer) == -1)
        goto out;
    if (chan_wechat.token_parse(c, status, answer.data, token, size, &ttl, why, sizeof why) == -1) {
        log_err("setup: wechat: %s", why);
        goto out;
    }
    rc = 0;
out:
    push_req_release(&req);
    buf_release(&answer);
    return rc;
}

int setup_wechat_menu(const struct conf *c, const char *path)
{
    json_error_t jerr;
    json_t *menu = NULL, *ans = NULL;
    char token[600], *body = NULL, *url = NULL;
    struct buf answer;
    long status = 0;
    int rc = -1;
    buf_init(&answer, SETUP_MAX_ANSWER);
    buf_puts(&answer, "");
    menu = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (menu == NULL) {
        log_err("setup: %s:%d: %s", path, jerr.line, jerr.text);
        goto out;
    }
    json_t *buttons = json_object_get(menu, "button");
    if (!json_is_array(buttons) || json_array_size(buttons) < 1 || json_array_size(buttons) > 3) {
        log_err("setup: %s: want {\"button\": [1 to 3 buttons]}", path);
        goto out;
    }
    /* UTF-8 as is: WeChat shows \uXXXX escapes literally in menu names */
    body = json_dumps(menu, JSON_COMPACT);
    if (body == NULL || wechat_token(c, token, sizeof token) == -1)
        goto out;
    url = xasprintf("%s/cgi-bin/menu/create?access_token=%s", c->wechat.api_base, token);
    if (call("POST", url, body, &status, &answer) == -1)
        goto out;
    ans = json_loads(answer.data, 0, NULL);
    json_t *ec = json_object_get(ans, "errcode");
    if (status != 200 || !json_is_integer(ec) || json_integer_value(ec) != 0) {
        log_err("setup: wechat menu/create: HTTP %ld %.200s", status, answer.data);
        goto out;
    }
    rc = 0;
out:
    json_decref(menu);
    json_decref(ans);
    free(body);
    free(url);
    buf_release(&answer);
    return rc;
}

int setup_telegram_webhook(const struct conf *c, const char *url, char *secret, size_t size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    unsigned char r[32];
    json_t *req = NULL, *ans = NULL;
    char *body = NULL, *api = NULL;
    struct buf answer;
    long status = 0;
    int rc = -1;
    buf_init(&answer, SETUP_MAX_ANSWER);
    buf_puts(&answer, "");
    if (c->telegram.token[0] == '\0') {
        log_err("setup: no [telegram] token configured");
        goto out;
    }
    if (!str_has_prefix(url, "https://") && !str_has_prefix(url, "http://")) {
        log_err("setup: the webhook URL must start with https://");
        goto out;
    }
    if (size < sizeof r + 1 || crypto_random(r, sizeof r) == -1) {
        log_err("setup: no random bytes for the secret");
        goto out;
    }
    for (size_t i = 0; i < sizeof r; i++)
        secret[i] = alphabet[r[i] % 64];
    secret[sizeof r] = '\0';
    req = json_pack("{s:s,s:s,s:[s,s,s]}", "url", url, "secret_token", secret, "allowed_updates",
                    "message", "edited_message", "callback_query");
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    if (body == NULL)
        goto out;
    api = xasprintf("%s/bot%s/setWebhook", c->telegram.api_base, c->telegram.token);
    if (call("POST", api, body, &status, &answer) == -1)
        goto out;
    ans = json_loads(answer.data, 0, NULL);
    if (status != 200 || !json_is_true(json_object_get(ans, "ok"))) {
        log_err("setup: telegram setWebhook: HTTP %ld %.200s", status, answer.data);
        goto out;
    }
    rc = 0;
out:
    json_decref(req);
    json_decref(ans);
    free(body);
    free(api);
    buf_release(&answer);
    return rc;
}
