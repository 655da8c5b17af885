/*
 * chan_kannel.c - SMS through Kannel's smsbox (channels.md §4). Kannel calls
 * GET /webhook/kannel with its sms-service get-url, e.g.
 *   get-url = "http://HOST/webhook/kannel?secret=S&from=%p&to=%P&text=%a&id=%I&coding=%c&charset=%C"
 * Kannel cannot sign, so a shared secret rides in the URL. Text arrives as
 * UTF-8, or as raw UTF-16BE (charset=UTF-16BE) without mo-recode. The body of
 * our answer is the reply, sent as UCS-2 thanks to X-Kannel-Coding: 2 (the
 * service needs accept-x-kannel-headers = true, and omit-empty = true so an
 * empty answer sends nothing). Pushes go through the sendsms CGI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "form.h"
#include "outbox.h"
#include "util.h"

#define KN_MAX_TEXT 4096

static int reject(struct http_resp *resp, int status, const char *why)
{
    http_resp_error(resp, status, why);
    return status;
}

/* UTF-16BE bytes to a new UTF-8 string; NULL when malformed. */
static char *utf16be_to_utf8(const unsigned char *s, size_t n)
{
    struct buf b;
    char enc[4];
    if (n % 2 != 0)
        return NULL;
    buf_init(&b, 0);
    buf_puts(&b, "");
    for (size_t i = 0; i < n; i += 2) {
        uint32_t cp = (uint32_t)s[i] << 8 | s[i + 1];
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = i + 3 < n ? ((uint32_t)s[i + 2] << 8 | s[i + 3]) : 0;
            if (lo < 0xDC00 || lo > 0xDFFF)
                goto bad;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 2;
        } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
            goto bad;
        }
        buf_append(&b, enc, utf8_encode(cp, enc));
    }
    return buf_take(&b);
bad:
    buf_release(&b);
    return NULL;
}

static const char *arg(const struct http_req *req, const char *name, size_t *len)
{
    if (req->arg_len != NULL)
        return req->arg_len(req->ctx, name, len);
    const char *v = req->arg(req->ctx, name);
    if (v != NULL)
        *len = strlen(v);
    return v;
}

static int kannel_parse(const struct conf *c, const struct http_req *req, struct inmsg *msg,
                        struct http_resp *resp)
{
    const char *secret = req->arg(req->ctx, "secret");
    const char *from = req->arg(req->ctx, "from"), *id = req->arg(req->ctx, "id");
    const char *charset = req->arg(req->ctx, "charset"), *coding = req->arg(req->ctx, "coding");
    size_t tlen = 0;
    const char *text = arg(req, "text", &tlen);
    if (c->kannel.secret[0] == '\0')
        return reject(resp, 403, "kannel is not configured");
    if (secret == NULL || !crypto_str_eq(secret, c->kannel.secret))
        return reject(resp, 403, "missing or bad secret");
    if (from == NULL || from[0] == '\0' || strlen(from) > 64 || id == NULL || id[0] == '\0' ||
        strlen(id) > 128)
        return reject(resp, 400, "need from and id (get-url from=%p&id=%I)");
    if (text != NULL && tlen > KN_MAX_TEXT)
        return reject(resp, 400, "text too long");
    msg->channel = chan_kannel.name;
    bool utf16 = charset != NULL ? strcasecmp(charset, "UTF-16BE") == 0 ||
                                       strcasecmp(charset, "UCS-2") == 0
                                 : coding != NULL && strcmp(coding, "2") == 0;
    if (text != NULL && tlen > 0) {
        if (utf16) {
            msg->text = utf16be_to_utf8((const unsigned char *)text, tlen);
            if (msg->text == NULL) {
                inmsg_release(msg);
                return reject(resp, 400, "text is not UTF-16BE");
            }
        } else {
            if (!utf8_valid(text, tlen) || strlen(text) != tlen)
                return reject(resp, 400, "text is not UTF-8 (set charset=%C in get-url)");
            msg->text = xstrdup(text);
        }
    }
    if (msg->text == NULL || msg->text[0] == '\0') {
        inmsg_release(msg);
        http_resp_set(resp, 200, "text/plain; charset=utf-8", "");
        return 200; /* an empty SMS: nothing to answer */
    }
    msg->ext_id = xstrdup(id);
    msg->user = xstrdup(from);
    return 0;
}

static void kannel_render(const struct conf *c, const struct inmsg *msg,
                          const json_t *replies, const char *replies_json,
                          struct http_resp *resp)
{
    (void)replies_json;
    struct buf b;
    size_t i;
    json_t *r;
    (void)c;
    (void)msg;
    buf_init(&b, 0);
    buf_puts(&b, "");
    json_array_foreach(replies, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "text"));
        if (t != NULL && t[0] != '\0')
            buf_printf(&b, "%s%s", b.len ? "\n" : "", t);
    }
    http_resp_set(resp, 200, "text/plain; charset=utf-8", b.data);
    /* without it Kannel sends Chinese as GSM "????" */
    resp->headers[0] = "X-Kannel-Coding: 2";
    resp->headers[1] = NULL;
    buf_release(&b);
}

static size_t kannel_max_reply(const struct conf *c)
{
    return (size_t)c->kannel.max_sms_parts * 67; /* UCS-2 */
}

static int kannel_push_build(const struct conf *c, const struct out_item *it, const char *text,
                             struct push_req *req, char *why, size_t why_size)
{
    struct buf url;
    if (c->kannel.sendsms_url[0] == '\0') {
        snprintf(why, why_size, "no [kannel] sendsms_url configured");
        return -1;
    }
    buf_init(&url, 0);
    buf_printf(&url, "%s%s", c->kannel.sendsms_url, strchr(c->kannel.sendsms_url, '?') ? "&" : "?");
    buf_puts(&url, "username=");
    form_encode(&url, c->kannel.username);
    buf_puts(&url, "&password=");
    form_encode(&url, c->kannel.password);
    if (c->kannel.from[0] != '\0') {
        buf_puts(&url, "&from=");
        form_encode(&url, c->kannel.from);
    }
    buf_puts(&url, "&to=");
    form_encode(&url, it->to);
    buf_puts(&url, "&text=");
    form_encode(&url, text);
    buf_puts(&url, "&charset=UTF-8&coding=2");
    if (c->kannel.dlr_url[0] != '\0') { /* delivery reports: chan_kannel_dlr */
        struct buf dlr;
        buf_init(&dlr, 0);
        buf_printf(&dlr, "%s%ssecret=", c->kannel.dlr_url,
                   strchr(c->kannel.dlr_url, '?') ? "&" : "?");
        form_encode(&dlr, c->kannel.secret);
        buf_printf(&dlr, "&id=%lld&type=%%d", (long long)it->id);
        buf_puts(&url, "&dlr-mask=31&dlr-url=");
        form_encode(&url, dlr.data);
        buf_release(&dlr);
    }
    req->url = buf_take(&url);
    req->method = "GET";
    req->headers[0] = NULL;
    return 0;
}

/* 202 "0: Accepted for delivery" or "3: Queued for later delivery" is sent;
 * 503 temporal failure is retried; 403 and 400 are failures. */
static void kannel_push_parse(const struct conf *c, long status, const char *body,
                              const char *retry_after, struct push_result *res)
{
    (void)c;
    push_classify_http(status, body, retry_after, res);
    if (res->rc == SEND_OK && !(str_has_prefix(body, "0:") || str_has_prefix(body, "3:"))) {
        res->rc = SEND_FAIL;
        snprintf(res->error, sizeof res->error, "sendsms: %.160s", body);
    }
}

static long long kannel_push_rate(const struct conf *c, long long *per_recipient_per_min)
{
    *per_recipient_per_min = c->kannel.recipient_rate;
    return c->kannel.rate;
}

/* The configured SMS parts, in UCS-2 units (coding=2). */
static size_t kannel_max_push(const struct conf *c, enum text_unit *unit)
{
    *unit = TEXT_UTF16;
    return kannel_max_reply(c);
}

const struct channel chan_kannel = {
    .name = "kannel",
    .route = "/webhook/kannel",
    .methods = "GET",
    .parse = kannel_parse,
    .render = kannel_render,
    .max_reply = kannel_max_reply,
    .push_build = kannel_push_build,
    .push_parse = kannel_push_parse,
    .push_rate = kannel_push_rate,
    .max_push = kannel_max_push,
    .is_sms = true,
};

/*
 * GET /webhook/kannel/dlr?secret=S&id=<outbox id>&type=%d: smsbox's delivery
 * report for a sendsms with dlr-mask=31 (channels.md §4.3). Type 1 delivered
 * to the phone, 2 not delivered to the phone, 8 delivered to the SMSC (sent),
 * 16 not delivered to the SMSC (failed); 4 (queued) and others are ignored.
 */
static int kannel_dlr_parse(const struct conf *c, const struct http_req *req,
                            struct inmsg *msg, struct http_resp *resp)
{
    const char *secret = req->arg(req->ctx, "secret");
    const char *id = req->arg(req->ctx, "id"), *type = req->arg(req->ctx, "type");
    long long n = 0, t = 0;
    const char *what = NULL;
    if (c->kannel.secret[0] == '\0')
        return reject(resp, 403, "kannel is not configured");
    if (secret == NULL || !crypto_str_eq(secret, c->kannel.secret))
        return reject(resp, 403, "missing or bad secret");
    if (id == NULL || parse_int(id, 1, INT64_MAX, &n) == -1 || type == NULL ||
        parse_int(type, 0, 1023, &t) == -1)
        return reject(resp, 400, "need id and type (dlr-url id=N&type=%d)");
    if (t == 1)
        what = "delivered";
    else if (t == 2)
        what = "undelivered";
    else if (t == 8)
        what = "sent";
    else if (t == 16)
        what = "failed";
    if (what == NULL) {
        http_resp_set(resp, 200, "text/plain", "ok");
        return 200;
    }
    msg->channel = chan_kannel_dlr.name;
    msg->ext_id = xasprintf("id:%lld", n);
    msg->user = xstrdup(""); /* no person: the row is found by its id */
    msg->event = xasprintf("delivery:%s", what);
    return 0;
}

static void kannel_dlr_render(const struct conf *c, const struct inmsg *msg,
                              const json_t *replies, const char *replies_json,
                              struct http_resp *resp)
{
    (void)replies_json;
    (void)c;
    (void)msg;
    (void)replies;
    http_resp_set(resp, 200, "text/plain", "ok");
}

const struct channel chan_kannel_dlr = {
    .name = "kannel-dlr",
    .route = "/webhook/kannel/dlr",
    .methods = "GET",
    .parse = kannel_dlr_parse,
    .render = kannel_dlr_render,
};
