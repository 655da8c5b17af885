/*
 * chan_twilio.c - Twilio-compatible SMS/MMS (channels.md §3): form-encoded
 * webhook signed with X-Twilio-Signature (HMAC-SHA1, base64, over the
 * configured public_url plus every parameter sorted by name), MMS media
 * URLs (fetched with Basic auth), the TwiML reply, and pushes through the
 * Messages API with Basic auth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "form.h"
#include "outbox.h"
#include "util.h"
#include "xml.h"

#define TW_MAX_BODY 1600

static int reject(struct http_resp *resp, int status, const char *why)
{
    http_resp_error(resp, status, why);
    return status;
}

static int cmp_pair(const void *a, const void *b)
{
    const struct form_pair *x = *(const struct form_pair *const *)a;
    const struct form_pair *y = *(const struct form_pair *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* The X-Twilio-Signature value for url and f under auth_token (§3.2). */
static void twilio_signature(const char *auth_token, const char *url, const struct form *f,
                      char b64[29])
{
    const struct form_pair **sorted = xcalloc(f->n + 1, sizeof *sorted);
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, url);
    for (size_t i = 0; i < f->n; i++)
        sorted[i] = &f->pairs[i];
    qsort(sorted, f->n, sizeof *sorted, cmp_pair);
    for (size_t i = 0; i < f->n; i++) {
        /* a repeated name with a repeated value counts once */
        if (i > 0 && cmp_pair(&sorted[i - 1], &sorted[i]) == 0)
            continue;
        buf_puts(&b, sorted[i]->name);
        buf_append(&b, sorted[i]->value, sorted[i]->value_len);
    }
    crypto_hmac_sha1_b64(auth_token, strlen(auth_token), b.data, b.len, b64);
    buf_release(&b);
    free(sorted);
}

/*
 * url with path inserted before its query or fragment:
 * "https://h/sms?k=1" + "/status" -> "https://h/sms/status?k=1". New string.
 */
static char *url_with_path(const char *url, const char *path)
{
    size_t at = strcspn(url, "?#");
    return xasprintf("%.*s%s%s", (int)at, url, path, url + at);
}

/*
 * url with the scheme's default port toggled, as twilio-node's
 * validateRequest tries it (§3.2): "https://h/x" <-> "https://h:443/x",
 * "http://h/x" <-> "http://h:80/x". NULL when url has another port or
 * scheme. Only the authority's port is touched, by hand: the signed string
 * must keep the rest byte for byte (percent-encoding, order), which a URL
 * library's re-serialisation (curl_url_get) does not promise. New string.
 */
static char *url_port_variant(const char *url)
{
    const char *def = str_has_prefix(url, "https://") ? "443"
                      : str_has_prefix(url, "http://") ? "80"
                                                        : NULL;
    if (def == NULL)
        return NULL;
    const char *host = strstr(url, "://") + 3;
    size_t alen = strcspn(host, "/?#");
    const char *end = host + alen, *hs = host;
    for (const char *p = host; p < end; p++) /* after any user:password@ */
        if (*p == '@')
            hs = p + 1;
    const char *colon = NULL;
    for (const char *p = hs; p < end; p++) {
        if (*p == ']') /* an IPv6 literal's colons are not the port's */
            colon = NULL;
        else if (*p == ':')
            colon = p;
    }
    if (colon == NULL) /* no port: make the default one explicit */
        return xasprintf("%.*s:%s%s", (int)(end - url), url, def, end);
    if ((size_t)(end - colon - 1) == strlen(def) && strncmp(colon + 1, def, strlen(def)) == 0)
        return xasprintf("%.*s%s", (int)(colon - url), url, end); /* drop ":443" */
    return NULL;
}

/* Whether sig is X-Twilio-Signature for url (as configured, or with the
 * scheme's default port toggled) and f under the auth token. */
static bool twilio_signed(const struct conf *c, const char *url, const struct form *f,
                          const char *sig)
{
    char want[29];
    twilio_signature(c->twilio.auth_token, url, f, want);
    if (crypto_str_eq(sig, want))
        return true;
    char *alt = url_port_variant(url);
    bool ok = false;
    if (alt != NULL) {
        twilio_signature(c->twilio.auth_token, alt, f, want);
        ok = crypto_str_eq(sig, want);
    }
    free(alt);
    return ok;
}

static const char *get(const struct form *f, const char *name)
{
    return form_get(f, name, NULL);
}

static int twilio_parse(const struct conf *c, const struct http_req *req, struct inmsg *msg,
                        struct http_resp *resp)
{
    const char *sig = req->header(req->ctx, "X-Twilio-Signature");
    struct form f = {0};
    int status = 400;
    if (c->twilio.auth_token[0] == '\0' || c->twilio.public_url[0] == '\0')
        return reject(resp, 403, "twilio is not configured");
    if (sig == NULL)
        return reject(resp, 403, "missing X-Twilio-Signature");
    if (form_parse(req->body, req->len, &f) == -1) {
        reject(resp, 400, "malformed form body");
        goto out;
    }
    if (!twilio_signed(c, c->twilio.public_url, &f, sig)) {
        status = reject(resp, 403, "bad X-Twilio-Signature");
        goto out;
    }
    const char *sid = get(&f, "MessageSid"), *from = get(&f, "From"), *body = get(&f, "Body");
    size_t blen = 0;
    if (sid == NULL || sid[0] == '\0' || strlen(sid) > 64 || from == NULL || from[0] == '\0' ||
        strlen(from) > 64) {
        reject(resp, 400, "need MessageSid and From");
        goto out;
    }
    if (body != NULL) {
        form_get(&f, "Body", &blen);
        if (blen != strlen(body) || !utf8_valid(body, blen) || blen > 4 * TW_MAX_BODY) {
            reject(resp, 400, "Body is not UTF-8 text");
            goto out;
        }
    }
    msg->channel = chan_twilio.name;
    msg->authenticated = true; /* the platform's signature or secret was checked */
    msg->ext_id = xstrdup(sid);
    msg->user = xstrdup(from);
    if (body != NULL && body[0] != '\0')
        msg->text = xstrdup(body);
    long long nmedia = 0;
    const char *nm = get(&f, "NumMedia");
    if (nm != NULL && parse_int(nm, 0, 10, &nmedia) == -1) {
        reject(resp, 400, "bad NumMedia");
        goto out;
    }
    for (long long i = 0; i < nmedia && msg->nmedia < MSG_MAX_MEDIA; i++) {
        char key[32], tkey[40];
        snprintf(key, sizeof key, "MediaUrl%lld", i);
        snprintf(tkey, sizeof tkey, "MediaContentType%lld", i);
        const char *url = get(&f, key), *type = get(&f, tkey);
        if (url == NULL || !(str_has_prefix(url, "https://") || str_has_prefix(url, "http://"))) {
            reject(resp, 400, "each MediaUrlN must be an http(s) URL");
            goto out;
        }
        msg->media[msg->nmedia].url = xstrdup(url);
        msg->media[msg->nmedia].type = xstrdup(type);
        msg->nmedia++;
    }
    if (msg->text == NULL && msg->nmedia == 0) {
        http_resp_set(resp, 200, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                             "<Response/>");
        status = 200; /* an empty SMS: nothing to answer */
        goto out;
    }
    status = 0;
out:
    form_release(&f);
    if (status != 0)
        inmsg_release(msg);
    return status;
}

/* One <Message> per reply: each is one SMS (cut to max_sms_parts by the engine). */
static void twilio_render(const struct conf *c, const struct inmsg *msg,
                          const json_t *replies, const char *replies_json,
                          struct http_resp *resp)
{
    (void)replies_json;
    struct buf b;
    size_t i;
    json_t *r;
    bool any = false;
    (void)c;
    (void)msg;
    buf_init(&b, 0);
    buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>");
    json_array_foreach(replies, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "text"));
        if (t == NULL || t[0] == '\0')
            continue;
        buf_puts(&b, "<Message>");
        xml_put(&b, t, XML_ESCAPED);
        buf_puts(&b, "</Message>");
        any = true;
    }
    buf_puts(&b, "</Response>");
    http_resp_set(resp, 200, "text/xml",
                  any ? b.data : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response/>");
    buf_release(&b);
}

static size_t twilio_max_reply(const struct conf *c)
{
    return (size_t)c->twilio.max_sms_parts * 67; /* UCS-2: any Chinese text */
}

/* Basic auth header for the account, a new string. */
static char *basic_auth(const struct conf *c)
{
    char *cred = xasprintf("%s:%s", c->twilio.account_sid, c->twilio.auth_token);
    char *b64 = crypto_base64(cred, strlen(cred));
    char *h = xasprintf("Authorization: Basic %s", b64);
    free(cred);
    free(b64);
    return h;
}

static int twilio_push_build(const struct conf *c, const struct out_item *it, const char *text,
                             struct push_req *req, char *why, size_t why_size)
{
    struct buf body, url;
    if (c->twilio.account_sid[0] == '\0' || c->twilio.auth_token[0] == '\0' ||
        c->twilio.from[0] == '\0') {
        snprintf(why, why_size, "no [twilio] account_sid, auth_token and from configured");
        return -1;
    }
    buf_init(&body, 0);
    buf_init(&url, 0);
    buf_puts(&body, "To=");
    form_encode(&body, it->to);
    buf_puts(&body, "&From=");
    form_encode(&body, c->twilio.from);
    buf_puts(&body, "&Body=");
    form_encode(&body, text);
    if (c->twilio.public_url[0] != '\0') { /* delivery reports: chan_twilio_status */
        char *cb = url_with_path(c->twilio.public_url, "/status");
        buf_puts(&body, "&StatusCallback=");
        form_encode(&body, cb);
        free(cb);
    }
    buf_printf(&url, "%s/2010-04-01/Accounts/", c->twilio.api_base);
    form_encode(&url, c->twilio.account_sid);
    buf_puts(&url, "/Messages.json");
    req->len = body.len;
    req->body = buf_take(&body);
    req->url = buf_take(&url);
    req->method = "POST";
    req->headers[0] = xstrdup("Content-Type: application/x-www-form-urlencoded");
    req->headers[1] = basic_auth(c);
    req->headers[2] = NULL;
    return 0;
}

static void twilio_push_parse(const struct conf *c, long status, const char *body,
                              const char *retry_after, struct push_result *res)
{
    (void)c;
    push_classify_http(status, body, retry_after, res);
    if (res->rc != SEND_OK)
        return;
    json_t *o = json_loads(body, 0, NULL);
    const char *sid = json_string_value(json_object_get(o, "sid"));
    if (sid != NULL)
        snprintf(res->ext_id, sizeof res->ext_id, "%s", sid);
    json_decref(o);
}

static long long twilio_push_rate(const struct conf *c, long long *per_recipient_per_min)
{
    *per_recipient_per_min = c->twilio.recipient_rate;
    return c->twilio.rate;
}

/* MediaUrlN (channels.md §3.6): one GET with Basic auth. The credentials go
 * only to the configured api_base: a URL elsewhere is fetched as any user URL. */
static int twilio_media_request(const struct conf *c, const char *ref, struct media_step *st)
{
    size_t bl = strlen(c->twilio.api_base);
    while (bl > 0 && c->twilio.api_base[bl - 1] == '/')
        bl--;
    if (st->n > 0)
        return MEDIA_DONE;
    bool ours = bl > 0 && strncmp(ref, c->twilio.api_base, bl) == 0 && ref[bl] == '/';
    if (ours && (c->twilio.account_sid[0] == '\0' || c->twilio.auth_token[0] == '\0')) {
        snprintf(st->why, sizeof st->why, "no [twilio] account_sid and auth_token configured");
        return MEDIA_FAIL;
    }
    st->req.url = xstrdup(ref);
    st->req.method = "GET";
    if (ours)
        st->req.headers[0] = basic_auth(c);
    st->is_api = ours;
    return MEDIA_GET;
}

/* The configured SMS parts (UCS-2: any Chinese text), and never over
 * Twilio's 1600-character Body (channels.md §3). */
static size_t twilio_max_push(const struct conf *c, enum text_unit *unit)
{
    *unit = TEXT_UTF16;
    size_t n = twilio_max_reply(c);
    return n < 1600 ? n : 1600;
}

const struct channel chan_twilio = {
    .name = "twilio",
    .route = "/webhook/twilio",
    .methods = "POST",
    .parse = twilio_parse,
    .render = twilio_render,
    .max_reply = twilio_max_reply,
    .push_build = twilio_push_build,
    .push_parse = twilio_push_parse,
    .push_rate = twilio_push_rate,
    .max_push = twilio_max_push,
    .is_sms = true,
    .media_request = twilio_media_request,
};

/*
 * POST /webhook/twilio/status: the Messages API's StatusCallback, signed like
 * the inbound webhook over [twilio] public_url with "/status" added to its
 * path (before any query: url_with_path). MessageStatus
 * sent, delivered, undelivered and failed become delivery events for the
 * outbox row with that MessageSid; queued, sending and the rest are
 * acknowledged and ignored (callbacks come out of order; the store never
 * moves a row's delivery backwards).
 */
static int twilio_status_parse(const struct conf *c, const struct http_req *req,
                               struct inmsg *msg, struct http_resp *resp)
{
    static const char *const known[] = {"sent", "delivered", "undelivered", "failed"};
    const char *sig = req->header(req->ctx, "X-Twilio-Signature");
    struct form f = {0};
    char *url = NULL;
    int status = 400;
    if (c->twilio.auth_token[0] == '\0' || c->twilio.public_url[0] == '\0')
        return reject(resp, 403, "twilio is not configured");
    if (sig == NULL)
        return reject(resp, 403, "missing X-Twilio-Signature");
    if (form_parse(req->body, req->len, &f) == -1) {
        reject(resp, 400, "malformed form body");
        goto out;
    }
    url = url_with_path(c->twilio.public_url, "/status");
    if (!twilio_signed(c, url, &f, sig)) {
        status = reject(resp, 403, "bad X-Twilio-Signature");
        goto out;
    }
    const char *sid = get(&f, "MessageSid"), *st = get(&f, "MessageStatus");
    if (sid == NULL || sid[0] == '\0' || strlen(sid) > 64 || st == NULL) {
        reject(resp, 400, "need MessageSid and MessageStatus");
        goto out;
    }
    status = 200;
    http_resp_set(resp, 200, "text/plain", "");
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(st, known[i]) == 0)
            status = 0;
    if (status != 0)
        goto out; /* queued, sending, ...: nothing to record */
    http_resp_release(resp);
    msg->channel = chan_twilio_status.name;
    msg->ext_id = xasprintf("sid:%s", sid);
    msg->user = xstrdup(get(&f, "To") ? get(&f, "To") : ""); /* for the log line only */
    msg->event = xasprintf("delivery:%s", st);
out:
    free(url);
    form_release(&f);
    if (status != 0)
        inmsg_release(msg);
    return status;
}

static void twilio_status_render(const struct conf *c, const struct inmsg *msg,
                                 const json_t *replies, const char *replies_json,
                                 struct http_resp *resp)
{
    (void)replies_json;
    (void)c;
    (void)msg;
    (void)replies;
    http_resp_set(resp, 200, "text/plain", "");
}

const struct channel chan_twilio_status = {
    .name = "twilio-status",
    .route = "/webhook/twilio/status",
    .methods = "POST",
    .parse = twilio_status_parse,
    .render = twilio_status_render,
    .settle = channel_delivery_settle,
};
