/*
 * staff.c - staff accounts: password rules and hashing (libsodium's Argon2id,
 * crypto_pwhash_str; nothing hand-written), creation (CLI and API), and the
 * /admin/api/ routes for accounts, one's own password and the audit trail.
 *
 * Hashing runs where the route runs, on the writer thread: creating an
 * account, resetting or changing a password are rare office actions (~0.1 s
 * each). Sign-in verifies on an HTTP thread instead (http.c), because anyone
 * can ask for that.
 */
#include "staff.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "channel.h"
#include "content.h"
#include "csv.h"
#include "feature.h"
#include "handler.h"
#include "msg.h"
#include "outbox.h"
#include "store.h"
#include "util.h"
#include "web.h"

int staff_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

int staff_hash(const char *pw, char out[STAFF_HASH_MAX])
{
    _Static_assert(STAFF_HASH_MAX == crypto_pwhash_STRBYTES, "hash buffer size");
    return crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0
               ? 0
               : -1;
}

bool staff_verify(const char *hash, const char *pw)
{
    return hash != NULL && hash[0] != '\0' && pw != NULL &&
           crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

const char *staff_username_bad(const char *u)
{
    size_t n = u ? strlen(u) : 0;
    if (n < 2 || n >= STAFF_NAME_MAX)
        return "'username' must be 2 to 47 characters";
    for (const char *p = u; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return "'username' may only have a-z, 0-9, '.', '_' and '-'";
    return NULL;
}

const char *staff_password_bad(const char *pw)
{
    size_t n = pw ? utf8_len(pw) : 0;
    if (n < STAFF_PW_MIN)
        return "the password must have at least 10 characters";
    if (strlen(pw) > STAFF_PW_MAX)
        return "the password must have at most 128 bytes";
    return NULL;
}

/* NULL when s's role, organisation and area fit together, else why not. */
static const char *fields_bad(const struct staff *s)
{
    if (admin_role_find(s->role) == NULL)
        return "'role' must be admin, union, desk, counsel, reports or viewer";
    if (strcmp(s->org, "union") != 0 && strcmp(s->org, "university") != 0)
        return "'org' must be union or university";
    if (s->display[0] == '\0')
        return "'display' (the person's name) must not be empty";
    if ((strcmp(s->role, ADMIN_ROLE_REPORTS) == 0) != (s->area[0] != '\0'))
        return "a report handler (role reports) needs an 'area'; other roles have none";
    return NULL;
}

int staff_create(struct store *st, const struct staff *in, const char *pw, int64_t now, int64_t *id,
                 const char **why)
{
    struct staff s = *in;
    *why = staff_username_bad(s.username);
    if (*why == NULL)
        *why = fields_bad(&s);
    if (*why == NULL)
        *why = staff_password_bad(pw);
    if (*why != NULL)
        return 0;
    if (staff_hash(pw, s.hash) == -1) {
        *why = "cannot hash the password (out of memory)";
        return 0;
    }
    return store_staff_add(st, &s, now, id);
}

/* A string field of b into out (size bytes), when present. 0, or -1 (not a
 * string or too long: resp set). */
static int take_str(json_t *b, const char *key, char *out, size_t size, struct http_resp *resp)
{
    json_t *v = json_object_get(b, key);
    char why[120];
    if (v == NULL)
        return 0;
    if (!json_is_string(v) || json_string_length(v) >= size) {
        snprintf(why, sizeof why, "'%s' must be a string of at most %zu bytes", key, size - 1);
        http_resp_error(resp, 400, why);
        return -1;
    }
    snprintf(out, size, "%s", json_string_value(v));
    return 0;
}

/* "chats": an array of up to 8 "<channel>:<id>" of known channels. */
static bool chats_ok(json_t *chats)
{
    size_t i;
    json_t *v;
    if (!json_is_array(chats) || json_array_size(chats) > 8)
        return false;
    json_array_foreach(chats, i, v)
    {
        const char *c = json_string_value(v);
        const char *colon = c ? strchr(c, ':') : NULL;
        if (colon == NULL || colon[1] == '\0' || strlen(c) > 128)
            return false;
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(colon - c), c);
        if (channel_by_name(name) == NULL)
            return false;
    }
    return true;
}

/* Check b's "chats" (when it has them) for account id (0: a new one):
 * well-formed and linked to no other account. 0 fine, 1 refused (resp set), -1. */
static int chats_check(struct store *st, int64_t id, json_t *b, struct http_resp *resp)
{
    json_t *chats = json_object_get(b, "chats");
    char why[200];
    size_t i;
    json_t *v;
    if (chats == NULL)
        return 0;
    if (!chats_ok(chats)) {
        http_resp_error(resp, 400, "'chats' must be up to 8 \"<channel>:<id>\" of known channels");
        return 1;
    }
    json_array_foreach(chats, i, v)
    {
        struct staff other;
        int f = store_staff_by_chat(st, json_string_value(v), &other);
        if (f == -1)
            return -1;
        if (f == 1 && other.id != id) {
            snprintf(why, sizeof why, "chat %.100s is linked to account %s", json_string_value(v),
                     other.username);
            http_resp_error(resp, 409, why);
            return 1;
        }
    }
    return 0;
}

/* Link b's chats (checked by chats_check) to id. 0 or -1. */
static int chats_set(struct store *st, int64_t id, json_t *b)
{
    json_t *chats = json_object_get(b, "chats");
    const char *taken = NULL;
    if (chats == NULL)
        return 0;
    return store_staff_chats_set(st, id, chats, &taken) == 1 ? 0 : -1;
}

static int staff_add_route(struct store *st, int64_t now, const struct admin_req *rq,
                           struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    struct staff s = {0};
    char pw[STAFF_PW_MAX + 2] = "";
    const char *why = NULL;
    int64_t id = 0;
    int rc = 0;
    if (b == NULL)
        return 0;
    if (take_str(b, "username", s.username, sizeof s.username, resp) ||
        take_str(b, "display", s.display, sizeof s.display, resp) ||
        take_str(b, "org", s.org, sizeof s.org, resp) ||
        take_str(b, "role", s.role, sizeof s.role, resp) ||
        take_str(b, "area", s.area, sizeof s.area, resp) ||
        take_str(b, "password", pw, sizeof pw, resp))
        goto out;
    rc = chats_check(st, 0, b, resp);
    if (rc != 0)
        goto out;
    rc = staff_create(st, &s, pw, now, &id, &why);
    if (rc == -1)
        goto out;
    if (why != NULL) {
        http_resp_error(resp, 400, why);
    } else if (rc == 0) {
        http_resp_error(resp, 409, "that username is taken");
    } else if (chats_set(st, id, b) == -1) {
        rc = -1;
        goto out;
    } else {
        admin_reply(resp, 201,
                    json_pack("{s:I,s:s}", "id", (json_int_t)id, "username", s.username));
    }
    rc = 0;
out:
    rc = rc == -1 ? -1 : 0;
    sodium_memzero(pw, sizeof pw);
    json_decref(b);
    return rc;
}

/* Would changing account s (now super, enabled) leave no enabled super admin? */
static int last_super(struct store *st, const struct staff *before, const struct staff *after)
{
    bool was = !before->disabled && strcmp(before->role, ADMIN_ROLE_SUPER) == 0;
    bool is = !after->disabled && strcmp(after->role, ADMIN_ROLE_SUPER) == 0;
    if (!was || is)
        return 0;
    int n = store_staff_count_role(st, ADMIN_ROLE_SUPER);
    return n == -1 ? -1 : n <= 1;
}

/* POST /staff/<id>: display, role, area, disabled, chats, password (a reset). */
static int staff_edit_route(struct store *st, int64_t now, const struct admin_req *rq, int64_t id,
                            struct http_resp *resp)
{
    struct staff before, s;
    char pw[STAFF_PW_MAX + 2] = "";
    const char *why = NULL;
    int rc = 0;
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    int f = store_staff_get(st, id, NULL, &before);
    if (f != 1) {
        if (f == 0)
            http_resp_error(resp, 404, "no such account");
        rc = f;
        goto out;
    }
    s = before;
    json_t *dis = json_object_get(b, "disabled");
    if (dis != NULL && !json_is_boolean(dis)) {
        http_resp_error(resp, 400, "'disabled' must be true or false");
        goto out;
    }
    if (take_str(b, "display", s.display, sizeof s.display, resp) ||
        take_str(b, "role", s.role, sizeof s.role, resp) ||
        take_str(b, "area", s.area, sizeof s.area, resp) ||
        take_str(b, "password", pw, sizeof pw, resp))
        goto out;
    if (dis != NULL)
        s.disabled = json_is_true(dis);
    why = fields_bad(&s);
    if (why == NULL && pw[0] != '\0')
        why = staff_password_bad(pw);
    if (why == NULL && pw[0] != '\0' && staff_hash(pw, s.hash) == -1)
        why = "cannot hash the password (out of memory)";
    if (why != NULL) {
        http_resp_error(resp, 400, why);
        goto out;
    }
    int last = last_super(st, &before, &s);
    if (last != 0) {
        if (last == 1)
            http_resp_error(resp, 409, "this is the last super admin: add another one first");
        rc = last == -1 ? -1 : 0;
        goto out;
    }
    rc = chats_check(st, id, b, resp);
    if (rc != 0) {
        rc = rc == -1 ? -1 : 0;
        goto out;
    }
    if (store_staff_update(st, &s, now) == -1 || chats_set(st, id, b) == -1) {
        rc = -1;
        goto out;
    }
    /* a disabled account, a new role or area, a reset password: its
     * sessions carry the old facts, so they end at once */
    if (rq->sess != NULL && (s.disabled || strcmp(s.role, before.role) != 0 ||
                             strcmp(s.area, before.area) != 0 || pw[0] != '\0'))
        websess_end_staff(rq->sess, id);
    admin_reply(resp, 200,
                json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)id, "username", s.username,
                          "role", s.role, "area", s.area, "disabled", s.disabled));
out:
    sodium_memzero(pw, sizeof pw);
    json_decref(b);
    return rc;
}

/* POST /password {"old","new"}: a signed-in account changes its own. */
static int password_route(struct store *st, int64_t now, const struct admin_req *rq,
                          struct http_resp *resp)
{
    struct staff s;
    int rc = 0;
    if (rq->staff_id == 0) {
        http_resp_error(resp, 400, "a machine client's token has no password: sign in as a person");
        return 0;
    }
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    const char *old = json_string_value(json_object_get(b, "old"));
    const char *pw = json_string_value(json_object_get(b, "new"));
    const char *why = staff_password_bad(pw);
    int f = why != NULL ? 0 : store_staff_get(st, rq->staff_id, NULL, &s);
    if (why != NULL) {
        http_resp_error(resp, 400, why);
    } else if (f != 1) {
        if (f == 0)
            http_resp_error(resp, 404, "no such account");
        rc = f;
    } else if (!staff_verify(s.hash, old)) {
        http_resp_error(resp, 403, "the old password is wrong");
    } else if (staff_hash(pw, s.hash) == -1) {
        http_resp_error(resp, 500, "cannot hash the password (out of memory)");
    } else if (store_staff_update(st, &s, now) == -1) {
        rc = -1;
    } else {
        admin_reply(resp, 200, json_pack("{s:b}", "changed", 1));
    }
    json_decref(b);
    return rc;
}

/* A time filter: Unix ms or local "YYYY-MM-DD[ HH:MM]". 0, -1 bad. */
static int query_time(const struct admin_req *rq, const char *key, int64_t *out)
{
    const char *v = json_string_value(json_object_get(rq->query, key));
    long long n;
    char day[40];
    if (v == NULL || v[0] == '\0')
        return 0;
    if (parse_int(v, 0, INT64_MAX, &n) == 0) {
        *out = n;
        return 0;
    }
    snprintf(day, sizeof day, strlen(v) == 10 ? "%s 00:00" : "%s", v);
    json_t *s = json_string(day);
    int rc = admin_parse_time(s, out);
    json_decref(s);
    return rc;
}

static const char *const audit_columns[] = {"id",     "at_ms",  "actor",  "action",
                                            "object", "origin", "status", NULL};

json_t *audit_json(const struct audit_entry *e)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:s?,s:s?,s:i}", "id", (json_int_t)e->id, "at_ms",
                     (json_int_t)e->at_ms, "actor", e->actor ? e->actor : "", "action",
                     e->action ? e->action : "", "object", e->object, "origin", e->origin, "status",
                     e->status);
}

json_t *staff_entry_json(const struct staff_entry *e)
{
    json_t *chats = json_array();
    for (size_t i = 0; i < e->nchats; i++)
        json_array_append_new(chats, json_string(e->chats[i]));
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:o}", "id", (json_int_t)e->s.id, "username",
                     e->s.username, "display", e->s.display, "org", e->s.org, "role", e->s.role,
                     "area", e->s.area, "disabled", e->s.disabled, "created_ms",
                     (json_int_t)e->created_ms, "chats", chats);
}

/* GET /staff: every account, never a hash. */
static int staff_list_route(struct store *st, struct http_resp *resp)
{
    struct staff_entry *v;
    size_t n;
    if (store_staff_list(st, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, staff_entry_json(&v[i]));
    staff_entry_free_all(v, n);
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

/* GET /audit?who=&what=&since=&until=&limit=&format=csv */
static int audit_route(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    int64_t since = 0, until = INT64_MAX;
    const char *who = json_string_value(json_object_get(rq->query, "who"));
    const char *what = json_string_value(json_object_get(rq->query, "what"));
    const char *format = json_string_value(json_object_get(rq->query, "format"));
    if (query_time(rq, "since", &since) == -1 || query_time(rq, "until", &until) == -1) {
        http_resp_error(resp, 400,
                        "'since' and 'until' must be Unix ms or local 'YYYY-MM-DD[ HH:MM]'");
        return 0;
    }
    struct audit_query aq = {who, what, since, until, admin_query_limit(rq, 200)};
    struct audit_entry *v;
    size_t n;
    if (store_audit_list(st, &aq, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, audit_json(&v[i]));
    audit_free_all(v, n);
    if (format != NULL && strcmp(format, "csv") == 0)
        admin_reply_csv(resp, a, audit_columns);
    else
        admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

int admin_staff_routes(const struct app *app, struct store *st, int64_t now,
                       const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    (void)app;
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    int64_t id = 0;
    int rc;
    if (nseg == 1 && strcmp(seg[0], "staff") == 0 && get)
        return staff_list_route(st, resp) == -1 ? -1 : 1;
    if (nseg == 1 && strcmp(seg[0], "staff") == 0 && post)
        rc = staff_add_route(st, now, rq, resp);
    else if (nseg == 2 && strcmp(seg[0], "staff") == 0 && post)
        rc = admin_parse_id(seg[1], &id) == -1 ? (http_resp_error(resp, 404, "no such account"), 0)
                                               : staff_edit_route(st, now, rq, id, resp);
    else if (nseg == 1 && strcmp(seg[0], "password") == 0 && post)
        rc = password_route(st, now, rq, resp);
    else if (nseg == 1 && strcmp(seg[0], "audit") == 0 && get)
        rc = audit_route(st, rq, resp);
    else
        return 0;
    return rc == -1 ? -1 : 1;
}

int staff_of_chat(struct store *st, const char *channel, const char *user, struct staff *out)
{
    char chat[200];
    snprintf(chat, sizeof chat, "%s:%s", channel, user);
    return store_staff_by_chat(st, chat, out);
}

bool staff_may(const struct staff *s, const char *method, const char *path)
{
    char allow[64];
    return !s->disabled && admin_acl_check(method, path, s->role, allow, sizeof allow) == ACL_OK;
}

int staff_chat_audit(const struct turn *t, const char *what)
{
    struct staff s;
    char actor[200], action[96];
    int f = staff_of_chat(t->st, t->ch->name, t->in->user, &s);
    if (f == -1)
        return -1;
    if (f == 1)
        snprintf(actor, sizeof actor, "staff:%s", s.username);
    else /* a volunteer (desk commands) or a [admin] chat_ids entry: the
          * person's row, not the platform id, so erasing the person (which
          * anonymises that row) unlinks this append-only row too */
        snprintf(actor, sizeof actor, "person:%lld", (long long)t->person);
    snprintf(action, sizeof action, "chat %s", what);
    const char *code = turn_cap(t, "code");
    struct audit_row a = {t->now, actor, action, code, t->ch->name, 200};
    return store_audit_add(t->st, &a);
}

static const struct content_need staff_needs[] = {
    CONTENT_NEED("staff.login_code", "code minutes"),
    CONTENT_NEED_END,
};

void staff_code_hash(const char *code, char hash[STAFF_CODE_HASH])
{
    unsigned char d[32];
    /* a plain digest is enough for a six-digit code that lives five minutes
     * and allows five tries: it only keeps the code out of a copied database */
    crypto_generichash(d, sizeof d, (const unsigned char *)code, strlen(code), NULL, 0);
    sodium_bin2hex(hash, STAFF_CODE_HASH, d, sizeof d);
}

void staff_code_new(char code[7], char hash[STAFF_CODE_HASH])
{
    snprintf(code, 7, "%06u", (unsigned)randombytes_uniform(1000000));
    staff_code_hash(code, hash);
}

bool staff_code_ok(const struct staff_code *c, const char *code, int64_t now)
{
    char h[STAFF_CODE_HASH];
    if (code == NULL || strlen(code) != 6 || c->hash[0] == '\0')
        return false;
    staff_code_hash(code, h);
    bool same = sodium_memcmp(h, c->hash, STAFF_CODE_HASH - 1) == 0;
    return same && now < c->expires_ms && c->tries < STAFF_CODE_TRIES;
}

int staff_code_send(const struct app *app, struct store *st, const char *username, const char *code,
                    const char *hash, int64_t now)
{
    struct staff s;
    int f = store_staff_get(st, 0, username, &s);
    if (f != 1 || s.disabled)
        return f == -1 ? -1 : 0;
    char **list;
    size_t nlist;
    if (store_staff_list_chats(st, s.id, &list, &nlist) == -1)
        return -1;
    const char *chat = nlist > 0 ? list[0] : NULL;
    const char *colon = chat ? strchr(chat, ':') : NULL;
    int rc = 0;
    int64_t pid = 0;
    if (colon != NULL) {
        char *channel = xstrndup(chat, (size_t)(colon - chat));
        char minutes[8], key[64];
        snprintf(minutes, sizeof minutes, "%d", STAFF_CODE_MS / 60000);
        snprintf(key, sizeof key, "staff-code:%lld:%lld", (long long)s.id, (long long)now);
        const char *kv[] = {"code", code, "minutes", minutes, NULL};
        char *text = content_render(app->ct, "staff.login_code", kv);
        int found = store_person_find(st, channel, colon + 1, &pid);
        if (found == 0 && store_person_ensure(st, channel, colon + 1, NULL, now, &pid) == -1)
            found = -1;
        rc = found == -1 || text == NULL ||
                     store_staff_code_set(st, s.id, hash, now + STAFF_CODE_MS) == -1 ||
                     outbox_push(st, app->conf, pid, OUT_REPLY, text, 0, now, key) == -1
                 ? -1
                 : 1;
        free(text);
        free(channel);
    }
    store_free_strings(list, nlist);
    return rc;
}

/* Staff accounts: the one-time sign-in code by chat, the staff routes. */
const struct feature feature_staff = {
    .name = "staff",
    .needs = {staff_needs},
    .routes = {admin_staff_routes},
};
