/*
 * fakeapi.c - a stand-in for every platform's outbound API in integration
 * tests. It answers like WeChat, Telegram, Twilio and Kannel on their send
 * paths, can be scripted to fail, stall or drop connections, and appends one
 * JSON line per request to a record file so tests can compare what was sent.
 *
 * Command line:
 *   fakeapi --port N --record FILE [--ready FILE]
 *   Listens on 127.0.0.1:N only (0 = any free port). Once listening it writes
 *   "port=N\n" to the --ready file (via a temp name and rename(), so a reader
 *   never sees half a file; a stale ready file is removed at startup). SIGTERM
 *   or SIGINT stops it cleanly (hanging requests are woken and dropped); exit 0.
 *
 * Answers, first match wins:
 *   1. a body over 1 MiB: 413 (the script is not consumed);
 *   2. the first script step whose path_prefix matches (one of its `times` is
 *      used up; a step whose times reach 0 is removed);
 *   3. the default step, when one was set with /_control/default and its
 *      path_prefix matches;
 *   4. built-in emulation, by method and path (counters only ever increase):
 *      GET  /cgi-bin/token?grant_type=client_credential&appid=A&secret=S
 *           -> {"access_token":"TOKEN-<n>","expires_in":7200}
 *              (missing grant_type/appid/secret: errcode 40002/41002/41004)
 *      POST /cgi-bin/message/custom/send?access_token=T -> {"errcode":0,"errmsg":"ok"}
 *      POST /cgi-bin/message/template/send?access_token=T
 *           -> {"errcode":0,"errmsg":"ok","msgid":<n>}
 *              (no access_token: {"errcode":41001,"errmsg":"access_token missing"})
 *      POST /bot<token>/sendMessage -> {"ok":true,"result":{"message_id":<n>}}
 *      POST /2010-04-01/Accounts/<sid>/Messages.json
 *           -> 201 {"sid":"SM<32 hex digits of n>","status":"queued"}
 *      GET or POST /cgi-bin/sendsms -> 202 text/plain "0: Accepted for delivery"
 *      Photo downloads (the image is tests/data/reports/gps.jpg, read at startup
 *      from the working directory; 500 when it could not be read):
 *      GET  /bot<token>/getFile?file_id=F
 *           -> {"ok":true,"result":{"file_id":F,"file_path":"photos/x.jpg"}}
 *              (no file_id, or "bad": 400 {"ok":false,"error_code":400,...})
 *      GET  /file/bot<token>/<file_path> -> the image
 *      GET  /cgi-bin/media/get?access_token=T&media_id=M -> the image, with
 *           Content-disposition (no access_token: errcode 41001; no media_id or
 *           "bad": 200 {"errcode":40007,"errmsg":"invalid media_id"})
 *      GET  /mmbiz/<anything> -> the image (WeChat's PicUrl host)
 *      GET  /2010-04-01/Accounts/<sid>/Messages/<mm>/Media/<me> -> the image
 *           when Authorization is Basic auth whose user is <sid> with a
 *           non-empty password, else 401 {"code":20003,"message":"Authenticate"}
 *   5. anything else: 200 {"ok":true}.
 *   A step that gives neither "status" nor "body" keeps the answer that rules
 *   4-5 would give and only adds its action, delay and headers; with either
 *   one, status defaults to 200, body to "" and content_type to
 *   application/json.
 *
 * Control API (never recorded; answers are JSON, 400 with {"error":..} on bad input):
 *   POST /_control/script   a JSON array of steps (or one step object), APPENDED
 *                           to the script; returns {"script_left":N}
 *   POST /_control/default  one step object; replaces the default step
 *   POST /_control/reset    clears script, default step and dedupe memory, and
 *                           the since_reset counter (not seq, not the counters)
 *   GET  /_control/count    {"requests":N,"since_reset":M,"script_left":K}
 *   A step: {"path_prefix":"/bot", "status":429, "body":"text" or any JSON value
 *   (sent compact), "content_type":"application/json", "headers":{"Retry-After":"2"},
 *   "action":"respond"|"hang"|"close", "hang_ms":30000, "times":1}; all optional,
 *   unknown keys are an error. "hang" waits hang_ms (default 30000, max 600000)
 *   and then answers as "respond" would; "close" drops the connection unanswered.
 *
 * Record file: one JSON line per request, appended and flushed before the answer:
 *   {"seq":1,"ms":<unix ms at arrival>,"method":"POST","path":"/raw/path",
 *    "query":"raw query without ?","headers":{"lower-case-name":"value",...},
 *    "body":"raw body","status":200,"action":"respond","dup":false}
 *   plus "key":"..." when an idempotency key was found (header Idempotency-Key,
 *   else a top-level "id" string or integer of a JSON object body; "dup" is true
 *   when that key was seen before), "too_large":true on 413 (body then holds the
 *   first 1 MiB), and "body_hex" when the body is not valid UTF-8 (then "body"
 *   has U+FFFD in place of bad bytes). "status" is 0 for "close". Repeated
 *   headers are joined with ", ". Invalid UTF-8 in path, query or headers is
 *   replaced the same way.
 *
 * Threading: MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
 * chosen for simplicity: each connection has its own thread, so "hang" just
 * waits on a condition variable that shutdown broadcasts. Throughput is not a
 * goal here. All shared state is behind one mutex.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

#define FAKE_MAX_BODY (1024 * 1024)
#define FAKE_MAX_STEPS 100000
#define FAKE_MAX_KEYS 1000000
#define FAKE_MAX_HANG_MS 600000
#define FAKE_DEFAULT_HANG_MS 30000
#define FAKE_CONTROL "/_control/"

enum fake_action { FAKE_RESPOND, FAKE_HANG, FAKE_CLOSE };

static const char *const action_names[] = {"respond", "hang", "close"};

/* One programmed behaviour. Strings are owned; NULL means "not given". */
struct step {
    char *path_prefix;
    int status; /* 0 = not given */
    char *body;
    size_t body_len;
    char *content_type;
    json_t *headers; /* owned reference to an object of strings, or NULL */
    enum fake_action action;
    long hang_ms;
    long times;
};

/* The answer chosen for one request; everything owned. */
struct answer {
    int status;
    char *body;
    size_t body_len;
    char *content_type;
    json_t *headers;
    enum fake_action action;
    long hang_ms;
};

/* Per-request state, created by the URI log callback, freed on completion. */
struct req {
    char *uri; /* the request target exactly as received */
    struct buf body;
    bool is_started, is_too_large;
    int64_t ms;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* broadcast when stopping, to wake hanging requests */
    bool is_stopping;
    FILE *record;
    long long seq, since_reset;
    struct step *script;
    size_t nscript, capscript;
    struct step deflt;
    bool has_default;
    char **keys;
    size_t nkeys, capkeys;
    unsigned long long n_token, n_msgid, n_tg, n_twilio;
    struct buf image; /* served by the photo routes */
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t unix_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void step_release(struct step *s)
{
    free(s->path_prefix);
    free(s->body);
    free(s->content_type);
    json_decref(s->headers);
    memset(s, 0, sizeof(*s));
}

static void answer_release(struct answer *a)
{
    free(a->body);
    free(a->content_type);
    json_decref(a->headers);
    memset(a, 0, sizeof(*a));
}

/* A JSON string from bytes that may not be UTF-8: bad sequences become
 * U+FFFD; *is_exact (optional) says whether the bytes were kept as they are.
 * Never NULL unless Jansson is out of memory. */
static json_t *jstr(const char *s, size_t n, bool *is_exact)
{
    json_t *j = json_stringn(s, n);
    if (is_exact != NULL)
        *is_exact = j != NULL;
    if (j != NULL)
        return j;
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < n;) {
        size_t adv = 1;
        char tmp[4];
        uint32_t cp = utf8_decode(s + i, n - i, &adv);
        if (adv == 0)
            adv = 1;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;                                 /* Jansson refuses encoded surrogates */
        (void)buf_append(&b, tmp, utf8_encode(cp, tmp)); /* no cap: cannot fail */
        i += adv;
    }
    j = json_stringn(b.data != NULL ? b.data : "", b.len);
    if (j == NULL) {
        /* last resort: plain ASCII */
        for (size_t i = 0; i < b.len; i++)
            if ((unsigned char)b.data[i] >= 0x80)
                b.data[i] = '?';
        j = json_stringn(b.data != NULL ? b.data : "", b.len);
    }
    buf_release(&b);
    return j;
}

static char *hex(const char *s, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *out = xmalloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[(unsigned char)s[i] >> 4];
        out[2 * i + 1] = digits[(unsigned char)s[i] & 15];
    }
    out[n * 2] = '\0';
    return out;
}

/* ---- steps: parse and pick ---------------------------------------------- */

static int get_long(json_t *v, const char *name, long min, long max, long *out, char *err,
                    size_t errsz)
{
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        snprintf(err, errsz, "%s: want an integer in [%ld, %ld]", name, min, max);
        return -1;
    }
    *out = (long)json_integer_value(v);
    return 0;
}

/* Parse one step object into *s (which the caller releases either way). */
static int step_parse(json_t *j, struct step *s, char *err, size_t errsz)
{
    const char *key;
    json_t *v;
    memset(s, 0, sizeof(*s));
    s->times = 1;
    s->hang_ms = FAKE_DEFAULT_HANG_MS;
    if (!json_is_object(j)) {
        snprintf(err, errsz, "a step must be an object");
        return -1;
    }
    json_object_foreach(j, key, v)
    {
        long n;
        if (strcmp(key, "path_prefix") == 0 && json_is_string(v)) {
            s->path_prefix = xstrdup(json_string_value(v));
        } else if (strcmp(key, "status") == 0) {
            if (get_long(v, key, 200, 599, &n, err, errsz) == -1)
                return -1;
            s->status = (int)n;
        } else if (strcmp(key, "body") == 0) {
            if (json_is_string(v)) {
                s->body_len = json_string_length(v);
                s->body = xmalloc(s->body_len + 1);
                memcpy(s->body, json_string_value(v), s->body_len + 1);
            } else {
                s->body = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                if (s->body == NULL) {
                    snprintf(err, errsz, "body: cannot encode");
                    return -1;
                }
                s->body_len = strlen(s->body);
            }
        } else if (strcmp(key, "content_type") == 0 && json_is_string(v)) {
            s->content_type = xstrdup(json_string_value(v));
        } else if (strcmp(key, "headers") == 0 && json_is_object(v)) {
            const char *hk;
            json_t *hv;
            json_object_foreach(v, hk, hv)
            {
                if (!json_is_string(hv)) {
                    snprintf(err, errsz, "headers: values must be strings");
                    return -1;
                }
            }
            s->headers = json_incref(v);
        } else if (strcmp(key, "action") == 0 && json_is_string(v)) {
            const char *a = json_string_value(v);
            if (strcmp(a, "respond") == 0) {
                s->action = FAKE_RESPOND;
            } else if (strcmp(a, "hang") == 0) {
                s->action = FAKE_HANG;
            } else if (strcmp(a, "close") == 0) {
                s->action = FAKE_CLOSE;
            } else {
                snprintf(err, errsz, "action: want respond, hang or close");
                return -1;
            }
        } else if (strcmp(key, "hang_ms") == 0) {
            if (get_long(v, key, 0, FAKE_MAX_HANG_MS, &s->hang_ms, err, errsz) == -1)
                return -1;
        } else if (strcmp(key, "times") == 0) {
            if (get_long(v, key, 1, 1000000000L, &s->times, err, errsz) == -1)
                return -1;
        } else {
            snprintf(err, errsz, "unknown key or wrong type: %.60s", key);
            return -1;
        }
    }
    return 0;
}

static bool step_matches(const struct step *s, const char *path)
{
    return s->path_prefix == NULL || str_has_prefix(path, s->path_prefix);
}

/* Copy a step's effect into *a. Lock held. */
static void step_apply(const struct step *s, struct answer *a, bool *has_answer)
{
    a->action = s->action;
    a->hang_ms = s->hang_ms;
    if (s->headers != NULL)
        a->headers = json_incref(s->headers);
    if (s->status == 0 && s->body == NULL)
        return;
    *has_answer = true;
    a->status = s->status != 0 ? s->status : 200;
    a->body = s->body != NULL ? xstrndup(s->body, s->body_len) : xstrdup("");
    a->body_len = s->body != NULL ? s->body_len : 0;
    a->content_type = xstrdup(s->content_type != NULL ? s->content_type : "application/json");
}

/* Rules 2 and 3 of the header comment. Lock held. */
static void pick_step(const char *path, struct answer *a, bool *has_answer)
{
    for (size_t i = 0; i < g.nscript; i++) {
        struct step *s = &g.script[i];
        if (!step_matches(s, path))
            continue;
        step_apply(s, a, has_answer);
        if (--s->times == 0) {
            step_release(s);
            memmove(s, s + 1, (g.nscript - i - 1) * sizeof(*s));
            g.nscript--;
        }
        return;
    }
    if (g.has_default && step_matches(&g.deflt, path))
        step_apply(&g.deflt, a, has_answer);
}

/* ---- built-in platform emulation ---------------------------------------- */

static void set_answer(struct answer *a, int status, const char *type, char *body)
{
    a->status = status;
    a->content_type = xstrdup(type);
    a->body = body;
    a->body_len = strlen(body);
}

/* The photo routes' answer: the image bytes (they hold NULs). */
static void set_image(struct answer *a)
{
    if (g.image.len == 0) {
        set_answer(a, 500, "application/json", xstrdup("{\"error\":\"no image loaded\"}"));
        return;
    }
    a->status = 200;
    a->content_type = xstrdup("image/jpeg");
    a->body = xmalloc(g.image.len);
    memcpy(a->body, g.image.data, g.image.len);
    a->body_len = g.image.len;
}

/* Twilio media: Basic auth whose user is the account in the path
 * ("/2010-04-01/Accounts/<sid>/...") and whose password is not empty. */
static bool twilio_auth_ok(struct MHD_Connection *conn, const char *path)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    const char *sid = path + strlen("/2010-04-01/Accounts/");
    size_t sid_len = strcspn(sid, "/");
    unsigned char dec[512];
    if (h == NULL || strncmp(h, "Basic ", 6) != 0 || strlen(h + 6) > 600)
        return false;
    int n = EVP_DecodeBlock(dec, (const unsigned char *)h + 6, (int)strlen(h + 6));
    if (n <= 0)
        return false;
    while (n > 0 && dec[n - 1] == '\0') /* EVP_DecodeBlock keeps the padding as NULs */
        n--;
    return (size_t)n > sid_len + 1 && memcmp(dec, sid, sid_len) == 0 && dec[sid_len] == ':';
}

/* path is "<head><one non-empty segment without '/'><tail>" */
static bool match_segment(const char *path, const char *head, const char *tail)
{
    size_t hl = strlen(head), tl = strlen(tail), pl = strlen(path);
    if (pl <= hl + tl || strncmp(path, head, hl) != 0 || strcmp(path + pl - tl, tail) != 0)
        return false;
    return memchr(path + hl, '/', pl - hl - tl) == NULL;
}

/* Rules 4 and 5. Lock held (counters). */
static void emulate(struct MHD_Connection *conn, const char *method, const char *path,
                    struct answer *a)
{
    const char *json = "application/json";
    bool is_get = strcmp(method, "GET") == 0, is_post = strcmp(method, "POST") == 0;
    if (is_get && strcmp(path, "/cgi-bin/token") == 0) {
        const char *gt = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "grant_type");
        if (gt == NULL || strcmp(gt, "client_credential") != 0)
            set_answer(a, 200, json,
                       xstrdup("{\"errcode\":40002,\"errmsg\":\"invalid grant_type\"}"));
        else if (MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "appid") == NULL)
            set_answer(a, 200, json, xstrdup("{\"errcode\":41002,\"errmsg\":\"appid missing\"}"));
        else if (MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "secret") == NULL)
            set_answer(a, 200, json,
                       xstrdup("{\"errcode\":41004,\"errmsg\":\"appsecret missing\"}"));
        else
            set_answer(
                a, 200, json,
                xasprintf("{\"access_token\":\"TOKEN-%llu\",\"expires_in\":7200}", ++g.n_token));
    } else if (is_post && (strcmp(path, "/cgi-bin/message/custom/send") == 0 ||
                           strcmp(path, "/cgi-bin/message/template/send") == 0)) {
        if (MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "access_token") == NULL)
            set_answer(a, 200, json,
                       xstrdup("{\"errcode\":41001,\"errmsg\":\"access_token missing\"}"));
        else if (strstr(path, "template") != NULL)
            set_answer(a, 200, json,
                       xasprintf("{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":%llu}", ++g.n_msgid));
        else
            set_answer(a, 200, json, xstrdup("{\"errcode\":0,\"errmsg\":\"ok\"}"));
    } else if (is_post && match_segment(path, "/bot", "/sendMessage")) {
        set_answer(a, 200, json,
                   xasprintf("{\"ok\":true,\"result\":{\"message_id\":%llu}}", ++g.n_tg));
    } else if (is_post && match_segment(path, "/2010-04-01/Accounts/", "/Messages.json")) {
        set_answer(a, 201, json,
                   xasprintf("{\"sid\":\"SM%032llx\",\"status\":\"queued\"}", ++g.n_twilio));
    } else if (is_get && match_segment(path, "/bot", "/getFile")) {
        const char *fid = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "file_id");
        json_t *o = fid && strcmp(fid, "bad") != 0
                        ? json_pack("{s:b,s:{s:s,s:s}}", "ok", 1, "result", "file_id", fid,
                                    "file_path", "photos/x.jpg")
                        : NULL;
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (s != NULL)
            set_answer(a, 200, json, s);
        else
            set_answer(a, 400, json,
                       xstrdup("{\"ok\":false,\"error_code\":400,\"description\":"
                               "\"Bad Request: invalid file_id\"}"));
        json_decref(o);
    } else if (is_get && str_has_prefix(path, "/file/bot") && strchr(path + 9, '/') != NULL) {
        set_image(a);
    } else if (is_get && strcmp(path, "/cgi-bin/media/get") == 0) {
        const char *mid = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "media_id");
        if (MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "access_token") == NULL) {
            set_answer(a, 200, json,
                       xstrdup("{\"errcode\":41001,\"errmsg\":\"access_token missing\"}"));
        } else if (mid == NULL || strcmp(mid, "bad") == 0) {
            set_answer(a, 200, json,
                       xstrdup("{\"errcode\":40007,\"errmsg\":\"invalid media_id\"}"));
        } else {
            set_image(a);
            if (a->headers == NULL) /* a script step's headers win */
                a->headers =
                    json_pack("{s:s}", "Content-disposition", "attachment; filename=\"x.jpg\"");
        }
    } else if (is_get && str_has_prefix(path, "/mmbiz/")) {
        set_image(a);
    } else if (is_get && str_has_prefix(path, "/2010-04-01/Accounts/") &&
               strstr(path, "/Media/") != NULL) {
        if (twilio_auth_ok(conn, path))
            set_image(a);
        else
            set_answer(a, 401, json, xstrdup("{\"code\":20003,\"message\":\"Authenticate\"}"));
    } else if ((is_get || is_post) && strcmp(path, "/cgi-bin/sendsms") == 0) {
        set_answer(a, 202, "text/plain", xstrdup("0: Accepted for delivery"));
    } else {
        set_answer(a, 200, json, xstrdup("{\"ok\":true}"));
    }
}

/* ---- dedupe and recording ----------------------------------------------- */

/* The request's idempotency key, or NULL; the caller frees it. */
static char *dedupe_key(struct MHD_Connection *conn, const struct req *r)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
    if (h != NULL)
        return xstrdup(h);
    size_t i = 0;
    while (i < r->body.len && strchr(" \t\r\n", r->body.data[i]) != NULL)
        i++;
    if (i == r->body.len || r->body.data[i] != '{')
        return NULL;
    char *key = NULL;
    json_t *root = json_loadb(r->body.data, r->body.len, 0, NULL);
    json_t *id = json_object_get(root, "id"); /* NULL-safe */
    if (json_is_string(id))
        key = xstrndup(json_string_value(id), json_string_length(id));
    else if (json_is_integer(id))
        key = xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(id));
    json_decref(root);
    return key;
}

/* Remember key; true when it was already known. Lock held. */
static bool dedupe_seen(const char *key)
{
    for (size_t i = 0; i < g.nkeys; i++)
        if (strcmp(g.keys[i], key) == 0)
            return true;
    if (g.nkeys == FAKE_MAX_KEYS)
        return false; /* memory full: stop remembering rather than grow forever */
    if (g.nkeys == g.capkeys) {
        g.capkeys = g.capkeys ? g.capkeys * 2 : 64;
        g.keys = xrealloc(g.keys, g.capkeys * sizeof(*g.keys));
    }
    g.keys[g.nkeys++] = xstrdup(key);
    return false;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *name,
                                  const char *value)
{
    json_t *obj = cls;
    (void)kind;
    if (name == NULL)
        return MHD_YES;
    char *lower = xstrdup(name);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    json_t *k = jstr(lower, strlen(lower), NULL);
    const char *v = value != NULL ? value : "";
    json_t *old = k != NULL ? json_object_get(obj, json_string_value(k)) : NULL;
    if (old != NULL) {
        char *joined = xasprintf("%s, %s", json_string_value(old), v);
        json_object_set_new(obj, json_string_value(k), jstr(joined, strlen(joined), NULL));
        free(joined);
    } else if (k != NULL) {
        json_object_set_new(obj, json_string_value(k), jstr(v, strlen(v), NULL));
    }
    json_decref(k);
    free(lower);
    return MHD_YES;
}

/* Append the record line. Lock held, so seq order is file order. */
static void record(struct MHD_Connection *conn, const struct req *r, const char *method,
                   const char *path, size_t path_len, const char *query, int status,
                   enum fake_action action, const char *key, bool is_dup)
{
    json_t *o = json_object(), *headers = json_object();
    char *line = NULL;
    bool is_exact = true;
    const char *body = r->body.data != NULL ? r->body.data : "";
    if (o == NULL || headers == NULL)
        goto out;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, headers);
    g.seq++;
    g.since_reset++;
    json_object_set_new(o, "seq", json_integer(g.seq));
    json_object_set_new(o, "ms", json_integer(r->ms));
    json_object_set_new(o, "method", jstr(method, strlen(method), NULL));
    json_object_set_new(o, "path", jstr(path, path_len, NULL));
    json_object_set_new(o, "query", jstr(query, strlen(query), NULL));
    json_object_set(o, "headers", headers);
    json_object_set_new(o, "body", jstr(body, r->body.len, &is_exact));
    json_object_set_new(o, "status", json_integer(action == FAKE_CLOSE ? 0 : status));
    json_object_set_new(o, "action", json_string(action_names[action]));
    json_object_set_new(o, "dup", json_boolean(is_dup));
    if (key != NULL)
        json_object_set_new(o, "key", jstr(key, strlen(key), NULL));
    if (r->is_too_large)
        json_object_set_new(o, "too_large", json_true());
    if (!is_exact) {
        char *h = hex(body, r->body.len);
        json_object_set_new(o, "body_hex", json_string(h));
        free(h);
    }
    line = json_dumps(o, JSON_COMPACT);
    if (line == NULL) {
        fprintf(stderr, "fakeapi: cannot encode record %lld\n", g.seq);
        goto out;
    }
    if (fputs(line, g.record) == EOF || fputc('\n', g.record) == EOF || fflush(g.record) != 0)
        fprintf(stderr, "fakeapi: record: %s\n", strerror(errno));
out:
    free(line);
    json_decref(headers);
    json_decref(o);
}

/* ---- responses ---------------------------------------------------------- */

static enum MHD_Result respond(struct MHD_Connection *conn, int status, const char *type,
                               const char *body, size_t len, json_t *headers)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_NO)
        fprintf(stderr, "fakeapi: refused content type\n");
    const char *hk;
    json_t *hv;
    json_object_foreach(headers, hk, hv)
    {
        if (MHD_add_response_header(resp, hk, json_string_value(hv)) == MHD_NO)
            fprintf(stderr, "fakeapi: refused response header %.60s\n", hk);
    }
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result respond_json(struct MHD_Connection *conn, int status, json_t *j)
{
    char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    enum MHD_Result rc = respond(conn, s != NULL ? status : 500, "application/json",
                                 s != NULL ? s : "{}", s != NULL ? strlen(s) : 2, NULL);
    free(s);
    json_decref(j);
    return rc;
}

static enum MHD_Result respond_error(struct MHD_Connection *conn, int status, const char *why)
{
    return respond_json(conn, status, json_pack("{s:s}", "error", why));
}

/* Wait ms or until shutdown. false when shutting down. */
static bool hang(long ms)
{
    struct timespec until;
    bool is_stopping;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g.mu);
    while (!g.is_stopping)
        if (pthread_cond_timedwait(&g.cv, &g.mu, &until) == ETIMEDOUT)
            break;
    is_stopping = g.is_stopping;
    pthread_mutex_unlock(&g.mu);
    return !is_stopping;
}

/* ---- control API -------------------------------------------------------- */

static enum MHD_Result control(struct MHD_Connection *conn, const struct req *r, const char *method,
                               const char *path)
{
    const char *what = path + strlen(FAKE_CONTROL);
    bool is_post = strcmp(method, "POST") == 0;
    char err[160] = "";
    json_t *root = NULL;
    enum MHD_Result rc;

    if (strcmp(what, "count") == 0 && strcmp(method, "GET") == 0) {
        pthread_mutex_lock(&g.mu);
        json_t *j = json_pack("{s:I,s:I,s:I}", "requests", (json_int_t)g.seq, "since_reset",
                              (json_int_t)g.since_reset, "script_left", (json_int_t)g.nscript);
        pthread_mutex_unlock(&g.mu);
        return respond_json(conn, 200, j);
    }
    if (strcmp(what, "reset") == 0 && is_post) {
        pthread_mutex_lock(&g.mu);
        for (size_t i = 0; i < g.nscript; i++)
            step_release(&g.script[i]);
        g.nscript = 0;
        step_release(&g.deflt);
        g.has_default = false;
        for (size_t i = 0; i < g.nkeys; i++)
            free(g.keys[i]);
        g.nkeys = 0;
        g.since_reset = 0;
        pthread_mutex_unlock(&g.mu);
        return respond_json(conn, 200, json_pack("{s:b}", "ok", 1));
    }
    if (!is_post || (strcmp(what, "script") != 0 && strcmp(what, "default") != 0))
        return respond_error(conn, 404, "unknown control request");
    if (r->is_too_large)
        return respond_error(conn, 413, "body too large");

    json_error_t jerr;
    root = json_loadb(r->body.data != NULL ? r->body.data : "", r->body.len, 0, &jerr);
    if (root == NULL) {
        snprintf(err, sizeof(err), "bad JSON: %.100s", jerr.text);
        return respond_error(conn, 400, err);
    }
    if (strcmp(what, "default") == 0) {
        struct step s;
        if (step_parse(root, &s, err, sizeof(err)) == -1) {
            step_release(&s);
            rc = respond_error(conn, 400, err);
            goto out;
        }
        pthread_mutex_lock(&g.mu);
        step_release(&g.deflt);
        g.deflt = s;
        g.has_default = true;
        pthread_mutex_unlock(&g.mu);
        rc = respond_json(conn, 200, json_pack("{s:b}", "ok", 1));
        goto out;
    }

    /* script: parse every step first, so a bad one changes nothing */
    if (json_is_object(root)) {
        json_t *arr = json_array();
        json_array_append_new(arr, root);
        root = arr;
    }
    if (!json_is_array(root)) {
        rc = respond_error(conn, 400, "want an array of steps");
        goto out;
    }
    size_t n = json_array_size(root);
    struct step *steps = xcalloc(n + 1, sizeof(*steps));
    size_t i;
    for (i = 0; i < n; i++)
        if (step_parse(json_array_get(root, i), &steps[i], err, sizeof(err)) == -1)
            break;
    if (i < n) {
        char msg[200];
        snprintf(msg, sizeof(msg), "step %zu: %s", i, err);
        for (size_t k = 0; k <= i; k++)
            step_release(&steps[k]);
        free(steps);
        rc = respond_error(conn, 400, msg);
        goto out;
    }
    pthread_mutex_lock(&g.mu);
    if (g.nscript + n > FAKE_MAX_STEPS) {
        pthread_mutex_unlock(&g.mu);
        for (size_t k = 0; k < n; k++)
            step_release(&steps[k]);
        free(steps);
        rc = respond_error(conn, 400, "too many script steps");
        goto out;
    }
    if (g.nscript + n > g.capscript) {
        g.capscript = g.nscript + n + 16;
        g.script = xrealloc(g.script, g.capscript * sizeof(*g.script));
    }
    if (n > 0)
        memcpy(g.script + g.nscript, steps, n * sizeof(*steps));
    g.nscript += n;
    json_t *j = json_pack("{s:I}", "script_left", (json_int_t)g.nscript);
    pthread_mutex_unlock(&g.mu);
    free(steps); /* the steps' contents now belong to the script */
    rc = respond_json(conn, 200, j);
out:
    json_decref(root);
    return rc;
}

/* ---- request path ------------------------------------------------------- */

static enum MHD_Result answer_request(struct MHD_Connection *conn, struct req *r,
                                      const char *method)
{
    const char *q = strchr(r->uri, '?');
    size_t path_len = q != NULL ? (size_t)(q - r->uri) : strlen(r->uri);
    char *path = xstrndup(r->uri, path_len);
    char *key = dedupe_key(conn, r);
    struct answer a = {.action = FAKE_RESPOND};
    bool has_answer = false, is_dup = false;

    pthread_mutex_lock(&g.mu);
    if (r->is_too_large) {
        set_answer(&a, MHD_HTTP_CONTENT_TOO_LARGE, "application/json",
                   xstrdup("{\"error\":\"body too large\"}"));
    } else {
        pick_step(path, &a, &has_answer);
        if (!has_answer)
            emulate(conn, method, path, &a);
    }
    if (key != NULL)
        is_dup = dedupe_seen(key);
    record(conn, r, method, r->uri, path_len, q != NULL ? q + 1 : "", a.status, a.action, key,
           is_dup);
    pthread_mutex_unlock(&g.mu);

    enum MHD_Result rc = MHD_NO;
    if (a.action == FAKE_HANG && !hang(a.hang_ms))
        goto out; /* shutting down: drop the connection */
    if (a.action != FAKE_CLOSE)
        rc = respond(conn, a.status, a.content_type, a.body, a.body_len, a.headers);
out:
    answer_release(&a);
    free(key);
    free(path);
    return rc;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct req *r = xcalloc(1, sizeof(*r));
    r->uri = xstrdup(uri != NULL ? uri : "");
    r->ms = unix_ms();
    buf_init(&r->body, FAKE_MAX_BODY);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *con_cls;
    if (r == NULL) {
        r = on_uri(NULL, url, conn); /* not expected: the URI callback always runs first */
        *con_cls = r;
    }
    if (!r->is_started) {
        r->is_started = true;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        /* keep draining past the cap; answer 413 at the end */
        if (!r->is_too_large && buf_append(&r->body, upload_data, *upload_data_size) == -1)
            r->is_too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (str_has_prefix(r->uri, FAKE_CONTROL)) {
        const char *q = strchr(r->uri, '?');
        char *path = xstrndup(r->uri, q != NULL ? (size_t)(q - r->uri) : strlen(r->uri));
        enum MHD_Result rc = control(conn, r, method, path);
        free(path);
        return rc;
    }
    return answer_request(conn, r, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct req *r = *con_cls;
    if (r == NULL)
        return;
    buf_release(&r->body);
    free(r->uri);
    free(r);
    *con_cls = NULL;
}

/* ---- main --------------------------------------------------------------- */

static int write_ready(const char *path, unsigned int port)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int rc = -1;
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "fakeapi: %s: %s\n", tmp, strerror(errno));
        goto out;
    }
    if (fprintf(f, "port=%u\n", port) < 0 || fclose(f) != 0) {
        fprintf(stderr, "fakeapi: %s: %s\n", tmp, strerror(errno));
        (void)unlink(tmp); /* best effort; the error is already reported */
        goto out;
    }
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "fakeapi: rename %s: %s\n", path, strerror(errno));
        (void)unlink(tmp); /* best effort */
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    return rc;
}

static void usage(void)
{
    fputs("usage: fakeapi --port N --record FILE [--ready FILE]\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *record_path = NULL, *ready_path = NULL;
    long long port = -1;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--port") == 0) {
            if (parse_int(argv[++i], 0, 65535, &port) == -1)
                usage();
        } else if (strcmp(argv[i], "--record") == 0) {
            record_path = argv[++i];
        } else if (strcmp(argv[i], "--ready") == 0) {
            ready_path = argv[++i];
        } else {
            usage();
        }
    }
    if (port < 0 || record_path == NULL)
        usage();

    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0 || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&g.cv, &ca) != 0) {
        fputs("fakeapi: cannot set up a condition variable\n", stderr);
        return 1;
    }
    pthread_condattr_destroy(&ca);

    buf_init(&g.image, 0);
    FILE *img = fopen("tests/data/reports/gps.jpg", "rb");
    if (img != NULL) {
        char chunk[4096];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, img)) > 0)
            (void)buf_append(&g.image, chunk, k); /* no cap: cannot fail */
        fclose(img);
    }

    g.record = fopen(record_path, "a");
    if (g.record == NULL) {
        fprintf(stderr, "fakeapi: %s: %s\n", record_path, strerror(errno));
        return 1;
    }
    if (ready_path != NULL && unlink(ready_path) != 0 && errno != ENOENT) {
        fprintf(stderr, "fakeapi: %s: %s\n", ready_path, strerror(errno));
        return 1;
    }

    /* Block the stop signals in every thread (MHD's threads inherit the mask);
     * main() takes them with sigwait(). */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0) {
        fputs("fakeapi: cannot block signals\n", stderr);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)(FAKE_MAX_HANG_MS / 1000 + 60),
        MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "fakeapi: cannot listen on 127.0.0.1:%lld\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned int bound = info != NULL ? info->port : (unsigned int)port;
    fprintf(stderr, "fakeapi: listening on 127.0.0.1:%u\n", bound);
    if (ready_path != NULL && write_ready(ready_path, bound) == -1) {
        MHD_stop_daemon(d);
        return 1;
    }

    int sig = 0;
    if (sigwait(&stop, &sig) != 0)
        fputs("fakeapi: sigwait failed; stopping\n", stderr);

    pthread_mutex_lock(&g.mu);
    g.is_stopping = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    MHD_stop_daemon(d);

    for (size_t i = 0; i < g.nscript; i++)
        step_release(&g.script[i]);
    free(g.script);
    step_release(&g.deflt);
    for (size_t i = 0; i < g.nkeys; i++)
        free(g.keys[i]);
    free(g.keys);
    buf_release(&g.image);
    if (fclose(g.record) != 0)
        fprintf(stderr, "fakeapi: %s: %s\n", record_path, strerror(errno));
    fprintf(stderr, "fakeapi: stopped after %lld requests\n", g.seq);
    return 0;
}
