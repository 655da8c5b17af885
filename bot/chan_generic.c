/*
 * chan_generic.c - the generic JSON channel of product.md: the contract every
 * test can use without a platform. POST /webhook/generic with
 * {"id","from","name"?,"text"?,"media"?,"location"?}, signed with
 * X-Yizhan-Signature: sha256=<hex HMAC-SHA256 of the raw body>.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "outbox.h"
#include "util.h"

#define MAX_ID 200
#define MAX_NAME 200
#define MAX_TEXT 4096

/* Constant-time check of the signature header against the body. */
static int check_signature(const char *secret, const struct http_req *req)
{
    const char *sig = req->header(req->ctx, "X-Yizhan-Signature");
    char want[65], got[65];
    if (sig == NULL || !str_has_prefix(sig, "sha256="))
        return -1;
    sig += strlen("sha256=");
    if (strlen(sig) != 64)
        return -1;
    for (int i = 0; i < 64; i++)
        got[i] = (char)tolower((unsigned char)sig[i]);
    got[64] = '\0';
    crypto_hmac_sha256_hex(secret, strlen(secret), req->body, req->len, want);
    return crypto_str_eq(got, want) ? 0 : -1;
}

/* An id-like field: a non-empty string or an integer, at most max bytes. */
static char *id_field(json_t *root, const char *key, size_t max, const char **why)
{
    json_t *v = json_object_get(root, key);
    if (v == NULL || json_is_null(v)) {
        *why = "missing";
        return NULL;
    }
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    if (!json_is_string(v)) {
        *why = "must be a string";
        return NULL;
    }
    size_t n = json_string_length(v);
    if (n == 0 || n > max) {
        *why = n == 0 ? "must not be empty" : "too long";
        return NULL;
    }
    return xstrdup(json_string_value(v));
}

static int parse_media(json_t *arr, struct inmsg *msg, const char **why)
{
    size_t i;
    json_t *m;
    if (!json_is_array(arr)) {
        *why = "'media' must be an array";
        return -1;
    }
    if (json_array_size(arr) > MSG_MAX_MEDIA) {
        *why = "'media' has too many items";
        return -1;
    }
    json_array_foreach(arr, i, m)
    {
        json_t *url = json_object_get(m, "url"), *type = json_object_get(m, "type");
        const char *u = json_string_value(url);
        if (!json_is_object(m) || u == NULL ||
            !(str_has_prefix(u, "http://") || str_has_prefix(u, "https://")) || strlen(u) > 2048) {
            *why = "each 'media' item needs an http(s) 'url'";
            return -1;
        }
        if (type != NULL && !json_is_string(type) && !json_is_null(type)) {
            *why = "'media' 'type' must be a string";
            return -1;
        }
        msg->media[msg->nmedia].url = xstrdup(u);
        msg->media[msg->nmedia].type = xstrdup(json_string_value(type));
        msg->nmedia++;
    }
    return 0;
}

static int parse_location(json_t *loc, struct inmsg *msg, const char **why)
{
    json_t *lat = json_object_get(loc, "lat"), *lon = json_object_get(loc, "lon");
    if (!json_is_object(loc) || !json_is_number(lat) || !json_is_number(lon)) {
        *why = "'location' needs numbers 'lat' and 'lon'";
        return -1;
    }
    msg->lat = json_number_value(lat);
    msg->lon = json_number_value(lon);
    if (msg->lat < -90 || msg->lat > 90 || msg->lon < -180 || msg->lon > 180) {
        *why = "'location' is out of range";
        return -1;
    }
    msg->has_location = true;
    return 0;
}

static int generic_parse(const struct conf *c, const struct http_req *req, struct inmsg *msg,
                         struct http_resp *resp)
{
    json_error_t jerr;
    json_t *root = NULL, *v;
    const char *why = NULL;
    char reason[200];
    int status = 400;

    if (c->generic.secret[0] != '\0' && check_signature(c->generic.secret, req) == -1) {
        http_resp_error(resp, 401, "missing or bad X-Yizhan-Signature");
        return 401;
    }
    root = json_loadb(req->body, req->len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(reason, sizeof reason, "malformed JSON: %s at offset %d", jerr.text,
                 jerr.position);
        http_resp_error(resp, 400, reason);
        goto out;
    }
    if (!json_is_object(root)) {
        http_resp_error(resp, 400, "body must be a JSON object");
        goto out;
    }
    msg->channel = chan_generic.name;
    /* unsigned (no secret) is for loopback development only: never staff */
    msg->authenticated = c->generic.secret[0] != '\0';
    msg->ext_id = id_field(root, "id", MAX_ID, &why);
    if (msg->ext_id == NULL) {
        snprintf(reason, sizeof reason, "'id' %s", why);
        http_resp_error(resp, 400, reason);
        goto out;
    }
    msg->user = id_field(root, "from", MAX_ID, &why);
    if (msg->user == NULL) {
        snprintf(reason, sizeof reason, "'from' %s", why);
        http_resp_error(resp, 400, reason);
        goto out;
    }
    v = json_object_get(root, "name");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_string(v) || json_string_length(v) > MAX_NAME) {
            http_resp_error(resp, 400, "'name' must be a short string");
            goto out;
        }
        msg->name = xstrdup(json_string_value(v));
    }
    v = json_object_get(root, "text");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_string(v) || json_string_length(v) > MAX_TEXT) {
            http_resp_error(resp, 400, "'text' must be a string of at most 4096 bytes");
            goto out;
        }
        if (json_string_length(v) > 0)
            msg->text = xstrdup(json_string_value(v));
    }
    v = json_object_get(root, "media");
    if (v != NULL && !json_is_null(v) && parse_media(v, msg, &why) == -1) {
        http_resp_error(resp, 400, why);
        goto out;
    }
    v = json_object_get(root, "location");
    if (v != NULL && !json_is_null(v) && parse_location(v, msg, &why) == -1) {
        http_resp_error(resp, 400, why);
        goto out;
    }
    if (msg->text == NULL && msg->nmedia == 0 && !msg->has_location) {
        http_resp_error(resp, 400, "need 'text', 'media' or 'location'");
        goto out;
    }
    status = 0;
out:
    json_decref(root);
    if (status != 0)
        inmsg_release(msg);
    return status;
}

static void generic_render(const struct conf *c, const struct inmsg *msg,
                           const json_t *replies, const char *replies_json,
                           struct http_resp *resp)
{
    (void)c;
    (void)msg;
    /* the engine's stored JSON: serialising the replies again cost about a
     * tenth of an HTTP thread in bench/inbound */
    json_t *o = replies_json ? NULL : json_pack("{s:O}", "replies", (json_t *)replies);
    char *s = replies_json ? xasprintf("{\"replies\":%s}", replies_json)
                           : o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (s == NULL)
        http_resp_error(resp, 500, "could not render the reply");
    else
        http_resp_set(resp, 200, "application/json; charset=utf-8", s);
    free(s);
    json_decref(o);
}

static size_t generic_max_reply(const struct conf *c)
{
    return (size_t)c->generic.max_reply_chars;
}

/* POST {"id", "to", "text", "link"?, "cover"?} to [generic] outbound_url, signed like inbound,
 * with the row's idempotency key as "id" and as Idempotency-Key. */
static int generic_push_build(const struct conf *c, const struct out_item *it, const char *text,
                              struct push_req *req, char *why, size_t why_size)
{
    if (c->generic.outbound_url[0] == '\0') {
        snprintf(why, why_size, "no [generic] outbound_url configured");
        return -1;
    }
    json_t *o = json_pack("{s:s,s:s,s:s}", "id", it->idem_key, "to", it->to, "text", text);
    json_t *extra = it->extra ? json_loads(it->extra, 0, NULL) : NULL;
    const char *pass[] = {"link", "cover"}; /* as in the in-band reply */
    for (size_t i = 0; o != NULL && i < 2; i++) {
        json_t *v = json_object_get(extra, pass[i]);
        if (json_is_string(v))
            json_object_set(o, pass[i], v);
    }
    json_decref(extra);
    req->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (req->body == NULL) {
        snprintf(why, why_size, "cannot encode the message");
        return -1;
    }
    req->len = strlen(req->body);
    req->url = xstrdup(c->generic.outbound_url);
    req->method = "POST";
    int h = 0;
    req->headers[h++] = xstrdup("Content-Type: application/json; charset=utf-8");
    req->headers[h++] = xasprintf("Idempotency-Key: %s", it->idem_key);
    if (c->generic.secret[0] != '\0') {
        char hex[65];
        crypto_hmac_sha256_hex(c->generic.secret, strlen(c->generic.secret), req->body, req->len,
                               hex);
        req->headers[h++] = xasprintf("X-Yizhan-Signature: sha256=%s", hex);
    }
    req->headers[h] = NULL;
    return 0;
}

static void generic_push_parse(const struct conf *c, long status, const char *body,
                               const char *retry_after, struct push_result *res)
{
    (void)c;
    push_classify_http(status, body, retry_after, res);
}

static long long generic_push_rate(const struct conf *c, long long *per_recipient_per_min)
{
    *per_recipient_per_min = c->generic.recipient_rate;
    return c->generic.rate;
}

const struct channel chan_generic = {
    .name = "generic",
    .route = "/webhook/generic",
    .methods = "POST",
    .parse = generic_parse,
    .render = generic_render,
    .max_reply = generic_max_reply,
    .push_build = generic_push_build,
    .push_parse = generic_push_parse,
    .push_rate = generic_push_rate,
    .is_sms = false,
};
