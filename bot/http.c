/*
 * http.c - libmicrohttpd glue. Per-request memory hangs off struct req and is
 * freed in the completed callback only. Adapters see struct http_req, never MHD.
 */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "crypto.h"
#include "conf.h"
#include "engine.h"
#include "handler.h"
#include "live.h"
#include "log.h"
#include "metrics.h"
#include "staff.h"
#include "throttle.h"
#include "timer.h"
#include "util.h"
#include "web.h"

struct http_server {
    struct MHD_Daemon *d;
    const struct app *app;
    struct engine *engine;
    struct throttle *throttle; /* NULL when off */
    atomic_int active;
    int port;
    struct websess *sess; /* dashboard sign-ins (web.h) */
    struct webfail *fail; /* wrong admin tokens per client address (web.h) */
    struct timer *timer;  /* reply deadlines (channel.reply_deadline_ms) */
    pthread_mutex_t late_mu; /* struct req's late and refs */
    atomic_int hashing;   /* password checks running now (Argon2id: 64 MiB, 0.1 s each) */
    atomic_bool draining; /* stopping: new requests get 503 (http_quiesce) */
};

enum phase { P_BODY, P_WAIT, P_DONE };

/*
 * A turn on a channel with a reply deadline (WeChat) has three owners: the
 * connection, the job and the deadline's timer call, each holding a ref.
 * Under late_mu, whichever comes first decides: the turn starting to run
 * (L_INBAND: it answers in-band, the deadline does nothing), the job ending
 * before it ran (L_DONE), or the deadline (L_LATE: the connection is
 * answered with no replies at once, and the turn, when it runs, queues its
 * replies as a push: engine_reply_later). A late job that fails (the store
 * locked past its busy timeout) runs again, up to LATE_TRIES times: the
 * platform was told the message arrived.
 */
enum late { L_WAIT, L_INBAND, L_DONE, L_LATE };
#define LATE_TRIES 24

struct req {
    struct http_server *srv;
    struct MHD_Connection *conn;
    const struct channel *ch;
    const char *route; /* static: for metrics */
    char method[8];
    char *path;
    char from[24]; /* masked sender id for the log line */
    struct buf body;
    bool too_large;
    enum phase phase;
    int status;
    double t0;
    struct job job;
    struct inmsg msg;
    struct turn_result res;
    bool admin;
    json_t *query;          /* admin: query arguments */
    struct http_resp aresp; /* admin: the answer built on the writer thread */
    bool web;               /* POST /admin/login or /admin/logout: the body is read */
    const char *role;       /* admin: who asks (ADMIN_ROLE_*) */
    long long deadline_ms;  /* the channel's reply deadline; 0: none (refs unused) */
    enum late late;         /* under srv->late_mu */
    int refs;               /* under srv->late_mu */
    int tries;              /* runs of a late job */
    struct web_who who;     /* admin: the account (staff_id 0: a machine client's token) */
    char addr[64];          /* admin, sign-in: the client's address (the audit's origin) */
    struct login *login;    /* POST /admin/login in progress */
};

/* A sign-in: looked up on the writer thread, the password checked on this
 * HTTP thread (Argon2id is slow on purpose; the writer must not wait for
 * it), then the outcome written to the audit trail before the answer. */
enum login_kind { L_PASSWORD, L_CODE, L_ASK_CODE };
struct login {
    enum login_kind kind;
    char user[STAFF_NAME_MAX];
    char pw[STAFF_PW_MAX + 1];
    char code[8];                    /* L_CODE: typed; L_ASK_CODE: the new one */
    char code_hash[STAFF_CODE_HASH]; /* L_ASK_CODE */
    struct staff acct;
    struct staff_code sc; /* L_CODE: the stored code */
    int found;            /* 1 the username exists */
    int step;             /* 0 lookup, 1 audit row */
    int status;           /* 200, 401 wrong, 403 disabled; L_ASK_CODE: 200 sent, 404 not */
};

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum MHD_Result send_resp(struct req *r, const struct http_resp *hr, const char *allow)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(hr->len, hr->body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    if (hr->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, hr->content_type);
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (r->admin || r->web) /* API answers, CSV exports, photos: personal data */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    for (int i = 0; i < 4 && hr->headers[i]; i++) {
        const char *colon = strchr(hr->headers[i], ':');
        if (colon == NULL)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(colon - hr->headers[i]), hr->headers[i]);
        MHD_add_response_header(resp, name, colon[1] == ' ' ? colon + 2 : colon + 1);
    }
    r->status = hr->status;
    enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned int)hr->status, resp);
    MHD_destroy_response(resp);
    r->phase = P_DONE;
    return rc;
}

static enum MHD_Result send_text(struct req *r, int status, const char *type, const char *body)
{
    struct http_resp hr = {0};
    http_resp_set(&hr, status, type, body);
    enum MHD_Result rc = send_resp(r, &hr, NULL);
    http_resp_release(&hr);
    return rc;
}

static enum MHD_Result send_error(struct req *r, int status, const char *why, const char *allow)
{
    struct http_resp hr = {0};
    http_resp_error(&hr, status, why);
    enum MHD_Result rc = send_resp(r, &hr, allow);
    http_resp_release(&hr);
    return rc;
}

static const char *get_header(void *ctx, const char *name)
{
    struct req *r = ctx;
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *get_arg(void *ctx, const char *name)
{
    struct req *r = ctx;
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *get_arg_len(void *ctx, const char *name, size_t *len)
{
    struct req *r = ctx;
    const char *v = NULL;
    if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v,
                                      len) != MHD_YES)
        return NULL;
    return v;
}

static bool method_allowed(const char *methods, const char *m)
{
    size_t n = strlen(m);
    for (const char *p = methods; (p = strstr(p, m)) != NULL; p += n)
        if ((p == methods || p[-1] == ' ') && (p[n] == '\0' || p[n] == ','))
            return true;
    return false;
}

static void req_free(struct req *r)
{
    inmsg_release(&r->msg);
    turn_result_release(&r->res);
    http_resp_release(&r->aresp);
    json_decref(r->query);
    if (r->login != NULL)
        sodium_memzero(r->login, sizeof *r->login);
    free(r->login);
    buf_release(&r->body);
    free(r->path);
    free(r);
}

/* Drop one owner's ref of a request with a deadline; the last frees it. */
static void req_unref(struct req *r)
{
    struct http_server *s = r->srv;
    pthread_mutex_lock(&s->late_mu);
    int left = --r->refs;
    pthread_mutex_unlock(&s->late_mu);
    if (left == 0)
        req_free(r);
}

/* Whether the deadline passed before the turn ran; else the turn claims the answer. */
static bool claim_inband(struct req *r)
{
    pthread_mutex_lock(&r->srv->late_mu);
    bool late = r->late == L_LATE;
    if (!late)
        r->late = L_INBAND;
    pthread_mutex_unlock(&r->srv->late_mu);
    return !late;
}

/* On the writer thread, inside the batch transaction. */
static int run_turn(struct job *j, struct store *st, int64_t now)
{
    struct req *r = j->arg;
    bool inband = r->deadline_ms == 0 || claim_inband(r);
    turn_result_release(&r->res); /* from a run rolled back with its batch */
    if (engine_turn(r->srv->app, st, r->ch, &r->msg, now, &r->res) == -1)
        return -1;
    return inband ? 0 : engine_reply_later(r->srv->app, st, r->ch, &r->msg, &r->res, now);
}

/* A late job ended: again when it failed, while tries are left. */
static void late_done(struct req *r, int status)
{
    if (status != 200 && ++r->tries < LATE_TRIES) {
        log_warn("http: a late message from=%s could not be stored yet (try %d); again",
                 r->from, r->tries);
        if (engine_submit(r->srv->engine, &r->job) == 0)
            return;
    }
    if (status != 200)
        log_err("http: a late message from=%s was answered but could not be stored", r->from);
    req_unref(r);
}

/* Called by the engine's completer thread after COMMIT: wake the suspended connection. */
static void job_done(struct job *j)
{
    struct req *r = j->arg;
    if (r->deadline_ms == 0) {
        MHD_resume_connection(r->conn);
        return;
    }
    pthread_mutex_lock(&r->srv->late_mu);
    bool late = r->late == L_LATE;
    if (!late)
        r->late = L_DONE;
    pthread_mutex_unlock(&r->srv->late_mu);
    if (late) {
        late_done(r, j->status);
        return;
    }
    MHD_resume_connection(r->conn);
    req_unref(r);
}

/* The timer's call at a request's deadline: answer now unless the turn has begun. */
static void on_deadline(void *arg, bool cancelled)
{
    struct req *r = arg;
    pthread_mutex_lock(&r->srv->late_mu);
    bool fire = !cancelled && r->late == L_WAIT;
    if (fire)
        r->late = L_LATE;
    pthread_mutex_unlock(&r->srv->late_mu);
    if (fire)
        MHD_resume_connection(r->conn);
    req_unref(r);
}

static int run_admin(struct job *j, struct store *st, int64_t now)
{
    struct req *r = j->arg;
    bool person = r->who.staff_id != 0;
    struct admin_req rq = {r->method,
                           r->path + strlen("/admin/api"),
                           r->query,
                           r->body.data ? r->body.data : "",
                           r->body.len,
                           r->role,
                           person ? r->who.user : NULL,
                           r->who.staff_id,
                           r->who.area,
                           r->addr,
                           r->srv->sess};
    http_resp_release(&r->aresp);
    if (admin_handle(r->srv->app, st, now, &rq, &r->aresp) == -1) {
        http_resp_release(&r->aresp);
        return -1;
    }
    return 0;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    json_object_set_new(cls, key, json_string(value ? value : ""));
    return MHD_YES;
}

/* A web answer with the dashboard's headers, and Set-Cookie when cookie is not NULL. */
static enum MHD_Result send_web(struct req *r, int status, const char *type, const void *body,
                                size_t len, const char *cookie)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    /* static files may be revalidated; JSON answers carry personal data */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            str_has_prefix(type, "application/json") ? "no-store" : "no-cache");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data: blob:; "
                            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    if (cookie != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    r->status = status;
    enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    r->phase = P_DONE;
    return rc;
}

static enum MHD_Result send_web_json(struct req *r, int status, json_t *o, const char *cookie)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (s == NULL)
        return send_error(r, 500, "cannot encode the answer", NULL);
    enum MHD_Result rc = send_web(r, status, "application/json; charset=utf-8", s, strlen(s), cookie);
    free(s);
    return rc;
}

/* The role of a live dashboard session from the Cookie header, its csrf into csrf. */
static const char *cookie_role(struct req *r, char sid[WEB_ID_HEX], char csrf[WEB_ID_HEX])
{
    const char *cookie = get_header(r, MHD_HTTP_HEADER_COOKIE);
    sid[0] = '\0';
    if (cookie == NULL || web_cookie(cookie, WEB_COOKIE, sid, WEB_ID_HEX) == -1)
        return NULL;
    return websess_check(r->srv->sess, sid, now_ms(), csrf);
}

/* The client's address as text into out ("?" when unknown). */
static const char *client_addr(struct req *r, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    snprintf(out, size, "?");
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
    return out;
}

/* The role of a bearer or sign-in token, NULL when wrong; *limited when the
 * client's address sent too many wrong ones this minute (not checked then). */
static const char *token_role(struct req *r, const char *token, bool *limited)
{
    char addr[64];
    int64_t now = now_ms();
    client_addr(r, addr, sizeof addr);
    *limited = webfail_blocked(r->srv->fail, addr, now);
    if (*limited)
        return NULL;
    const char *role = web_token_role(r->srv->app->conf, token);
    if (role == NULL) {
        webfail_add(r->srv->fail, addr, now);
        log_info("http: wrong admin token from %s", addr);
    }
    return role;
}

/* "; Secure" when the service is reached over https ([top] public_url, else
 * [twilio] public_url): the browser then never sends the cookie in clear. */
static const char *cookie_secure(const struct conf *c)
{
    const char *u = c->public_url[0] ? c->public_url : c->twilio.public_url;
    return str_has_prefix(u, "https://") ? "; Secure" : "";
}

static bool is_safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* Queue r's job with run; the connection waits until it is done (job_done). */
static enum MHD_Result submit(struct req *r, int (*run)(struct job *, struct store *, int64_t),
                              bool rerun_safe)
{
    r->job.run = run;
    r->job.rerun_safe = rerun_safe;
    r->job.done = job_done;
    r->job.arg = r;
    r->phase = P_WAIT;
    MHD_suspend_connection(r->conn);
    if (engine_submit(r->srv->engine, &r->job) == -1) {
        MHD_resume_connection(r->conn);
        r->phase = P_DONE;
        r->status = 503;
    }
    return MHD_YES;
}

/* On the writer thread: step 0 reads the account, step 1 writes the audit row. */
static int run_login(struct job *j, struct store *st, int64_t now)
{
    struct req *r = j->arg;
    struct login *l = r->login;
    char actor[80];
    if (l->kind == L_ASK_CODE) { /* one step: the code stored and pushed, and its row */
        const struct app *g = app_acquire(r->srv->app);
        int sent = staff_code_send(g, st, l->user, l->code, l->code_hash, now);
        app_release(g);
        l->status = sent == 1 ? 200 : 404;
        struct audit_row a = {now, "anonymous", "POST /login/code", l->user, r->addr, l->status};
        return sent == -1 ? -1 : store_audit_add(st, &a);
    }
    if (l->step == 0) {
        l->found = store_staff_get(st, 0, l->user, &l->acct);
        if (l->found == 1 && l->kind == L_CODE &&
            store_staff_code_get(st, l->acct.id, &l->sc) == -1)
            return -1;
        return l->found == -1 ? -1 : 0;
    }
    if (l->found == 1 && l->kind == L_CODE &&
        store_staff_code_used(st, l->acct.id, l->status == 200) == -1)
        return -1;
    snprintf(actor, sizeof actor, l->found == 1 ? "staff:%s" : "anonymous", l->user);
    struct audit_row a = {now, actor, l->kind == L_CODE ? "POST /login code" : "POST /login",
                          l->user, r->addr, l->status};
    return store_audit_add(st, &a);
}

/* An Argon2id string no password matches, checked against when the username
 * does not exist, so the answer takes as long as for a wrong password. */
static char dummy[STAFF_HASH_MAX];

static void make_dummy(void)
{
    unsigned char b[24];
    char pw[64];
    if (crypto_random(b, sizeof b) == -1)
        memset(b, 0x5a, sizeof b); /* verified against only: any fixed value would do */
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(pw + 2 * i, 3, "%02x", b[i]);
    if (staff_hash(pw, dummy) == -1)
        dummy[0] = '\0';
}

static const char *dummy_hash(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_dummy);
    return dummy;
}

/*
 * POST /admin/login {"username","password"}: a staff account's session
 * cookie (HttpOnly, SameSite=Strict, Path=/admin) and {"role","user","csrf",
 * "idle_minutes"}. Wrong passwords count per client address like wrong
 * tokens ([admin] fail_limit, then 429). POST /admin/logout ends it.
 */
static enum MHD_Result answer_session(struct req *r)
{
    const struct conf *c = r->srv->app->conf;
    char sid[WEB_ID_HEX], csrf[WEB_ID_HEX], cookie[200];
    r->route = "/admin/login";
    if (strcmp(r->method, "POST") != 0)
        return send_error(r, 405, "method not allowed", "POST");
    if (r->too_large)
        return send_error(r, 413, "body too large", NULL);
    if (strcmp(r->path, "/admin/logout") == 0) {
        const char *role = cookie_role(r, sid, csrf);
        const char *h = get_header(r, "X-CSRF-Token");
        if (role != NULL && (h == NULL || !crypto_str_eq(h, csrf)))
            return send_error(r, 403, "missing or wrong X-CSRF-Token", NULL);
        if (role != NULL)
            websess_close(r->srv->sess, sid);
        snprintf(cookie, sizeof cookie,
                 WEB_COOKIE "=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0%s",
                 cookie_secure(c));
        return send_web_json(r, 200, json_pack("{s:b}", "signed_out", 1), cookie);
    }
    client_addr(r, r->addr, sizeof r->addr);
    if (webfail_blocked(r->srv->fail, r->addr, now_ms()))
        return send_error(r, 429, "too many wrong sign-ins from this address; wait a minute",
                          NULL);
    json_t *b = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
    const char *u = json_string_value(json_object_get(b, "username"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    const char *code = json_string_value(json_object_get(b, "code"));
    bool ask = strcmp(r->path, "/admin/login/code") == 0;
    if (u == NULL || u[0] == '\0' || strlen(u) >= STAFF_NAME_MAX ||
        (!ask && (pw == NULL) == (code == NULL)) || (pw != NULL && strlen(pw) > STAFF_PW_MAX) ||
        (code != NULL && strlen(code) > 6)) {
        json_decref(b);
        return send_error(r, 400,
                          ask ? "want {\"username\": ...}"
                              : "want {\"username\": ..., \"password\": ...} or {\"username\","
                                " \"code\"}",
                          NULL);
    }
    struct login *l = r->login = xcalloc(1, sizeof *r->login);
    snprintf(l->user, sizeof l->user, "%s", u);
    l->kind = ask ? L_ASK_CODE : code != NULL ? L_CODE : L_PASSWORD;
    if (l->kind == L_PASSWORD)
        snprintf(l->pw, sizeof l->pw, "%s", pw);
    if (l->kind == L_CODE)
        snprintf(l->code, sizeof l->code, "%s", code);
    if (l->kind == L_ASK_CODE) { /* each one asked for counts like a wrong password */
        webfail_add(r->srv->fail, r->addr, now_ms());
        staff_code_new(l->code, l->code_hash);
    }
    json_decref(b);
    return submit(r, run_login, true);
}

/* The sign-in after each writer step (see struct login). */
static enum MHD_Result finish_login(struct req *r)
{
    const struct conf *c = r->srv->app->conf;
    struct login *l = r->login;
    char sid[WEB_ID_HEX], csrf[WEB_ID_HEX], cookie[200];
    if (r->status == 503)
        return send_error(r, 503, "shutting down, retry later", NULL);
    if (r->job.status != 200)
        return send_error(r, 500, "could not read the accounts, retry later", NULL);
    if (l->kind == L_ASK_CODE) { /* the same answer whether an account got one or not */
        log_info("web: sign-in code asked: %s", l->status == 200 ? "sent" : "no account or chat");
        return send_web_json(r, 200, json_pack("{s:b,s:i}", "asked", 1, "minutes",
                                               STAFF_CODE_MS / 60000),
                             NULL);
    }
    if (l->step == 0) {
        /* at most half the HTTP threads check a password at once: a flood of
         * sign-ins must not hold every thread (webhooks) or much memory */
        int most = (int)(c->http_threads / 2 > 0 ? c->http_threads / 2 : 1);
        if (l->kind == L_PASSWORD && atomic_fetch_add(&r->srv->hashing, 1) >= most) {
            atomic_fetch_sub(&r->srv->hashing, 1);
            return send_error(r, 503, "busy signing someone in; retry in a second", NULL);
        }
        bool ok = l->kind == L_CODE
                      ? l->found == 1 && staff_code_ok(&l->sc, l->code, now_ms())
                      : staff_verify(l->found == 1 ? l->acct.hash : dummy_hash(), l->pw);
        if (l->kind == L_PASSWORD)
            atomic_fetch_sub(&r->srv->hashing, 1);
        sodium_memzero(l->pw, sizeof l->pw);
        sodium_memzero(l->code, sizeof l->code);
        l->status = !ok || l->found != 1 ? 401 : l->acct.disabled ? 403 : 200;
        if (l->status == 401)
            webfail_add(r->srv->fail, r->addr, now_ms());
        l->step = 1;
        return submit(r, run_login, true);
    }
    log_info("web: sign-in %s: %d", l->status == 200 ? l->acct.username : "refused", l->status);
    if (l->status == 401)
        return send_error(r, 401, "wrong username or password", NULL);
    if (l->status == 403)
        return send_error(r, 403, "this account is disabled", NULL);
    struct web_who who = {.role = NULL, .staff_id = l->acct.id};
    const struct admin_role *role = admin_role_find(l->acct.role);
    if (role == NULL)
        return send_error(r, 403, "this account has no known role", NULL);
    who.role = role->name;
    snprintf(who.user, sizeof who.user, "%s", l->acct.username);
    snprintf(who.area, sizeof who.area, "%s", l->acct.area);
    if (websess_open_who(r->srv->sess, &who, now_ms(), sid, csrf) == -1)
        return send_error(r, 500, "cannot open a session", NULL);
    snprintf(cookie, sizeof cookie, WEB_COOKIE "=%s; Path=/admin; HttpOnly; SameSite=Strict%s",
             sid, cookie_secure(c));
    return send_web_json(r, 200,
                         json_pack("{s:s,s:s,s:s,s:s,s:I}", "role", who.role, "user", who.user,
                                   "display", l->acct.display, "csrf", csrf, "idle_minutes",
                                   (json_int_t)c->admin.session_idle_minutes),
                         cookie);
}

/* GET /admin/, /admin/<file>: a file under [admin] web_dir, nothing else. */
static enum MHD_Result answer_static(struct req *r, const char *method)
{
    const char *dir = r->srv->app->conf->admin.web_dir;
    char path[1024];
    size_t len = 0;
    r->route = "/admin/";
    if (!is_safe_method(method))
        return send_error(r, 405, "method not allowed", "GET, HEAD");
    const char *type = web_static_path(dir, r->path + strlen("/admin/"), path, sizeof path);
    char *data = type ? web_static_read(dir, path, &len) : NULL;
    if (data == NULL)
        return send_error(r, 404, "no such file", NULL);
    enum MHD_Result rc = send_web(r, 200, type, data, len, NULL);
    free(data);
    return rc;
}

/*
 * Who asks: a machine client's bearer token ([admin] token, union_token,
 * desk_token, counsel_token, each compared in constant time), else a staff
 * account's dashboard session cookie, whose changes must carry X-CSRF-Token.
 * GET /admin/api/me answers here: the role, the account, the csrf value.
 */
static enum MHD_Result start_admin(struct req *r)
{
    const struct conf *c = r->srv->app->conf;
    char sid[WEB_ID_HEX], csrf[WEB_ID_HEX] = "";
    bool by_cookie = false;
    const char *auth = get_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    client_addr(r, r->addr, sizeof r->addr);
    if (auth != NULL) {
        bool limited = false;
        if (!web_admin_on(c))
            return send_error(r, 403,
                              "the admin API is off for machine clients: set [admin] token",
                              NULL);
        r->role = token_role(r, strncasecmp(auth, "Bearer ", 7) == 0 ? auth + 7 : "", &limited);
        if (limited)
            return send_error(r, 429, "too many wrong tokens from this address; wait a minute",
                              NULL);
        if (r->role == NULL)
            return send_error(r, 401, "missing or wrong bearer token", NULL);
        r->who.role = r->role;
    } else {
        const char *cookie = get_header(r, MHD_HTTP_HEADER_COOKIE);
        sid[0] = '\0';
        if (cookie != NULL && web_cookie(cookie, WEB_COOKIE, sid, WEB_ID_HEX) == 0)
            r->role = websess_who(r->srv->sess, sid, now_ms(), csrf, &r->who);
        /* the page asks on load whether it is signed in: not an error */
        if (r->role == NULL && strcmp(r->path, "/admin/api/me") == 0 &&
            strcmp(r->method, "GET") == 0)
            return send_web_json(r, 200, json_pack("{s:n}", "role"), NULL);
        if (r->role == NULL)
            return send_error(r, 401, "missing or wrong bearer token, or signed out", NULL);
        by_cookie = true;
        const char *h = get_header(r, "X-CSRF-Token");
        if (!is_safe_method(r->method) && (h == NULL || !crypto_str_eq(h, csrf)))
            return send_error(r, 403, "missing or wrong X-CSRF-Token", NULL);
    }
    if (strcmp(r->path, "/admin/api/me") == 0) {
        if (strcmp(r->method, "GET") != 0)
            return send_error(r, 405, "method not allowed", "GET");
        bool person = r->who.staff_id != 0;
        return send_web_json(r, 200,
                             json_pack("{s:s,s:s?,s:s?,s:s?,s:I,s:s,s:o}", "role", r->role, "user",
                                       person ? r->who.user : NULL, "area",
                                       person && r->who.area[0] ? r->who.area : NULL, "csrf",
                                       by_cookie ? csrf : NULL, "idle_minutes",
                                       (json_int_t)c->admin.session_idle_minutes, "timezone",
                                       c->timezone, "routes", admin_acl_routes(r->role)),
                             NULL);
    }
    /* a roster import may be GBK: import.c decodes and checks it */
    if (strcmp(r->method, "POST") == 0 && r->body.len > 0 &&
        strcmp(r->path, "/admin/api/import") != 0 && !utf8_valid(r->body.data, r->body.len))
        return send_error(r, 400, "body is not UTF-8", NULL);
    r->query = json_object();
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_arg, r->query);
    return submit(r, run_admin, false); /* an admin action may do more than write the store */
}

static enum MHD_Result answer_builtin(struct req *r, const char *method)
{
    struct http_server *s = r->srv;
    if (strcmp(r->path, "/healthz") == 0) {
        r->route = "/healthz";
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_error(r, 405, "method not allowed", "GET, HEAD");
        if (engine_healthy(s->engine))
            return send_text(r, 200, "text/plain; charset=utf-8", "ok\n");
        return send_text(r, 503, "text/plain; charset=utf-8", "store not writable\n");
    }
    if (strcmp(r->path, "/metrics") == 0) {
        r->route = "/metrics";
        if (strcmp(method, "GET") != 0)
            return send_error(r, 405, "method not allowed", "GET");
        struct buf out;
        buf_init(&out, 0);
        metrics_render(&out);
        enum MHD_Result rc = send_text(r, 200, "text/plain; version=0.0.4", out.data);
        buf_release(&out);
        return rc;
    }
    if (strcmp(r->path, "/admin") == 0) {
        r->route = "/admin/";
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (resp == NULL)
            return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, "/admin/");
        r->status = 301;
        enum MHD_Result rc = MHD_queue_response(r->conn, 301, resp);
        MHD_destroy_response(resp);
        r->phase = P_DONE;
        return rc;
    }
    if (str_has_prefix(r->path, "/admin/"))
        return answer_static(r, method);
    r->route = "other";
    return send_error(r, 404, "no such route", NULL);
}

static enum MHD_Result start_webhook(struct req *r)
{
    struct http_req hr = {
        .method = r->method,
        .path = r->path,
        .body = r->body.data ? r->body.data : "",
        .len = r->body.len,
        .remote_ip = NULL,
        .header = get_header,
        .arg = get_arg,
        .arg_len = get_arg_len,
        .ctx = r,
    };
    struct http_resp resp = {0};
    int status = r->ch->parse(r->srv->app->conf, &hr, &r->msg, &resp);
    if (status != 0) {
        if (resp.body == NULL)
            http_resp_error(&resp, status, "rejected");
        enum MHD_Result rc = send_resp(r, &resp, NULL);
        http_resp_release(&resp);
        return rc;
    }
    http_resp_release(&resp);
    mask_id(r->msg.user, r->from, sizeof r->from);
    /* A sender over its rate still goes to the engine, which answers a
     * replay of a stored message with its replies and anything else with
     * throttle.slow (200, so the platform does not retry), storing nothing:
     * replays first, always. Its request lines are not logged; a line a
     * minute a sender counts them. */
    long report = 0;
    r->msg.throttled = !throttle_take(r->srv->throttle, r->msg.channel, r->msg.user,
                                      (int64_t)(mono_now() * 1000), &report);
    if (report > 0)
        log_info("http: throttled from=%s messages=%ld (a line a minute a sender)", r->from,
                 report);
    r->job.run = run_turn;
    r->job.rerun_safe = true;
    r->job.channel = r->ch->name;
    r->job.user = r->msg.user;
    r->job.ext_id = r->msg.ext_id;
    r->job.done = job_done;
    r->job.arg = r;
    r->phase = P_WAIT;
    r->deadline_ms = r->ch->reply_deadline_ms && r->srv->timer
                         ? r->ch->reply_deadline_ms(r->srv->app->conf)
                         : 0;
    r->refs = 2; /* the connection and the job; the timer's is added below */
    MHD_suspend_connection(r->conn);
    if (engine_submit(r->srv->engine, &r->job) == -1) {
        MHD_resume_connection(r->conn);
        r->phase = P_DONE;
        r->status = 503;
        r->refs = 1;
        r->late = L_DONE;
        return MHD_YES;
    }
    if (r->deadline_ms > 0) {
        /* the connection cannot complete while this callback runs: r lives */
        pthread_mutex_lock(&r->srv->late_mu);
        r->refs++;
        pthread_mutex_unlock(&r->srv->late_mu);
        timer_add(r->srv->timer, (int64_t)(r->t0 * 1000) + r->deadline_ms, on_deadline, r);
    }
    return MHD_YES;
}

/* Whether the deadline answered this request (the turn's results are the job's now). */
static bool answered_late(struct req *r)
{
    if (r->deadline_ms == 0)
        return false;
    pthread_mutex_lock(&r->srv->late_mu);
    bool late = r->late == L_LATE;
    pthread_mutex_unlock(&r->srv->late_mu);
    return late;
}

static enum MHD_Result finish_webhook(struct req *r)
{
    struct http_resp resp = {0};
    if (r->admin && r->status != 503 && r->job.status == 200)
        return send_resp(r, &r->aresp, NULL);
    bool late = r->status != 503 && answered_late(r);
    /* Not handled because the store could not write (down, failing over) or
     * the engine was stopping: the platform sends it again, and that retry
     * is no flood. A turn that failed on a writable store keeps its token,
     * or a message that always fails would bypass the throttle. */
    if (!r->admin && !r->msg.throttled && !late &&
        (r->status == 503 || (r->job.status != 200 && !engine_healthy(r->srv->engine))))
        throttle_refund(r->srv->throttle, r->msg.channel, r->msg.user);
    if (r->status == 503) /* the engine was stopping */
        http_resp_error(&resp, 503, "shutting down, retry later");
    else if (late) {
        json_t *none = json_array();
        metrics_intent("(late)");
        log_info("http: no answer within %lld ms from=%s: the reply follows as a push",
                 r->deadline_ms, r->from);
        r->ch->render(r->srv->app->conf, &r->msg, none, NULL, &resp);
        json_decref(none);
    } else if (r->job.status != 200)
        http_resp_error(&resp, 500, "could not store the message, retry later");
    else
    {
        metrics_intent(r->res.replay ? "(replay)" : r->res.intent);
        r->ch->render(r->srv->app->conf, &r->msg, r->res.replies, r->res.replies_json, &resp);
    }
    enum MHD_Result rc = send_resp(r, &resp, NULL);
    http_resp_release(&resp);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct http_server *s = cls;
    struct req *r = *con_cls;
    (void)version;
    if (r == NULL) {
        r = xcalloc(1, sizeof *r);
        r->srv = s;
        r->conn = conn;
        r->t0 = mono_now();
        r->route = "other";
        snprintf(r->method, sizeof r->method, "%s", method);
        r->path = xstrdup(url);
        buf_init(&r->body, (size_t)s->app->conf->max_body);
        *con_cls = r;
        atomic_fetch_add(&s->active, 1);
        r->ch = channel_by_route(url);
        if (r->ch != NULL)
            r->route = r->ch->route;
        if (strcmp(url, "/admin/api") == 0 || str_has_prefix(url, "/admin/api/")) {
            r->admin = true;
            r->route = "/admin/api";
        } else if (strcmp(url, "/admin/login") == 0 || strcmp(url, "/admin/logout") == 0 ||
                   strcmp(url, "/admin/login/code") == 0) {
            r->web = true;
        }
        if (atomic_load(&s->draining)) /* the platform retries; nothing was read */
            return send_error(r, 503, "stopping: try again", NULL);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        long long len;
        if (cl != NULL && parse_int(cl, 0, INT64_MAX, &len) == 0 &&
            len > s->app->conf->max_body)
            return send_error(r, 413, "body too large", NULL); /* not read at all */
        /* Answer from the second call on: a response queued in the first one
         * makes libmicrohttpd close the connection instead of keeping it alive. */
        return MHD_YES;
    }
    if (r->phase == P_BODY && *upload_data_size > 0) {
        /* Past the cap keep draining, answer 413 at the end (chunked bodies);
         * bodies sent to routes that take none are drained and dropped. */
        if ((r->ch != NULL || r->admin || r->web) && !r->too_large &&
            buf_append(&r->body, upload_data, *upload_data_size) == -1) {
            r->too_large = true;
            buf_release(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->phase == P_BODY) {
        if (r->admin)
            return r->too_large ? send_error(r, 413, "body too large", NULL) : start_admin(r);
        if (r->web)
            return answer_session(r);
        if (r->ch == NULL)
            return answer_builtin(r, method);
        if (!method_allowed(r->ch->methods, method))
            return send_error(r, 405, "method not allowed", r->ch->methods);
        if (r->too_large)
            return send_error(r, 413, "body too large", NULL);
        return start_webhook(r);
    }
    if (r->login != NULL && (r->phase == P_WAIT || (r->phase == P_DONE && r->status == 503)))
        return finish_login(r);
    if (r->phase == P_WAIT || (r->phase == P_DONE && r->status == 503))
        return finish_webhook(r);
    return MHD_YES;
}

/*
 * The path as logged: a segment naming a person ("twilio:+8613800001234", or
 * a bare number of 7 or more digits such as a phone) keeps only its last four
 * characters, as mask_id does for senders; the rest is kept for debugging.
 */
static void log_path(const char *path, char *out, size_t size)
{
    struct buf b;
    buf_init(&b, 0);
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        char seg[256], masked[64];
        snprintf(seg, sizeof seg, "%.*s", (int)n, p);
        const char *colon = strchr(seg, ':');
        size_t digits = strspn(seg[0] == '+' ? seg + 1 : seg, "0123456789");
        if (colon != NULL) {
            buf_printf(&b, "%.*s:%s", (int)(colon - seg), seg, mask_id(colon + 1, masked,
                                                                     sizeof masked));
        } else if (digits >= 7 && digits + (seg[0] == '+') == strlen(seg)) {
            buf_puts(&b, mask_id(seg, masked, sizeof masked));
        } else {
            buf_puts(&b, seg);
        }
        p += n;
        if (*p == '/') {
            buf_puts(&b, "/");
            p++;
        }
    }
    snprintf(out, size, "%s", b.data ? b.data : "");
    buf_release(&b);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct req *r = *con_cls;
    (void)conn;
    if (r == NULL)
        return;
    double secs = mono_now() - r->t0;
    int status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? r->status : 0;
    metrics_request(r->route, status, secs);
    char path[300];
    log_path(r->path, path, sizeof path);
    if (r->msg.throttled) {
        /* counted by start_webhook's line a minute a sender */
    } else if (r->from[0])
        log_info("http: %s %s %d ms=%.1f from=%s", r->method, path, status, secs * 1000, r->from);
    else
        log_info("http: %s %s %d ms=%.1f", r->method, path, status, secs * 1000);
    if (r->deadline_ms > 0)
        req_unref(r); /* a late job may still hold it */
    else
        req_free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->active, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    log_warn("http: libmicrohttpd: %s", line);
}

struct http_server *http_start(const struct app *app, struct engine *e)
{
    struct http_server *s = xcalloc(1, sizeof *s);
    struct addrinfo hints = {0}, *ai = NULL;
    pthread_mutex_init(&s->late_mu, NULL);
    s->timer = timer_start(); /* NULL: no reply deadlines, answers wait for the turn */
    const char *listen = app->conf->listen;
    const char *colon = strrchr(listen, ':');
    char *host = xstrndup(listen, (size_t)(colon - listen));
    if (host[0] == '[') { /* [::1]:8080 */
        memmove(host, host + 1, strlen(host));
        host[strcspn(host, "]")] = '\0';
    }
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    int gai = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
    if (gai != 0) {
        log_err("http: listen %s: %s", listen, gai_strerror(gai));
        goto fail;
    }
    s->app = app;
    s->engine = e;
    s->sess = websess_new(app->conf->admin.session_idle_minutes * 60000);
    s->fail = webfail_new((int)app->conf->admin.fail_limit);
    s->throttle = throttle_new(app->conf->throttle.per_minute, app->conf->throttle.burst);
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY |
                         MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    uint16_t port = 0;
    if (ai->ai_family == AF_INET)
        port = ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port);
    else
        port = ntohs(((struct sockaddr_in6 *)ai->ai_addr)->sin6_port);
    s->d = MHD_start_daemon(
        flags, port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)app->conf->http_threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)app->conf->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)app->conf->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)app->conf->conn_timeout,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (s->d == NULL) {
        log_err("http: cannot listen on %s", listen);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    freeaddrinfo(ai);
    free(host);
    return s;
fail:
    if (ai)
        freeaddrinfo(ai);
    free(host);
    websess_free(s->sess);
    webfail_free(s->fail);
    throttle_free(s->throttle);
    timer_stop(s->timer);
    pthread_mutex_destroy(&s->late_mu);
    free(s);
    return NULL;
}

int http_port(struct http_server *s)
{
    return s->port;
}

/* Not MHD_quiesce_daemon: with a thread pool and epoll, libmicrohttpd 0.9.75
 * (Debian 12) races its own workers there and aborts now and then ("Failed to
 * remove listen FD from epoll set", SIGABRT at shutdown; seen in the
 * integration tests). New requests are refused here instead, with a 503 the
 * platforms retry; the listen socket closes in MHD_stop_daemon. */
void http_quiesce(struct http_server *s)
{
    atomic_store(&s->draining, true);
}

int http_active(struct http_server *s)
{
    return atomic_load(&s->active);
}

void http_stop(struct http_server *s)
{
    if (s == NULL)
        return;
    timer_stop(s->timer); /* after engine_stop: no turn waits, so no call resumes */
    MHD_stop_daemon(s->d);
    websess_free(s->sess);
    webfail_free(s->fail);
    throttle_free(s->throttle);
    pthread_mutex_destroy(&s->late_mu);
    free(s);
}
