/*
 * staff.h - staff accounts and the audit trail (issue 18). One account per
 * staff member (username, display name, organisation, role, area for a
 * report handler), its password as an Argon2id string from libsodium, the
 * chats linked to it (admin chat commands), and the append-only audit rows
 * every admin action writes. The workflow (password rules, hashing, the
 * /admin/api/staff, /password and /audit routes) is in staff.c; the SQL in
 * store_staff.c. Every store call runs inside the caller's transaction.
 */
#ifndef BOT_STAFF_H
#define BOT_STAFF_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct store;
struct admin_req;
struct http_resp;

#define STAFF_NAME_MAX 48  /* username: [a-z0-9._-], 2..47 */
#define STAFF_TEXT_MAX 128 /* display name, area */
#define STAFF_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define STAFF_PW_MIN 10    /* characters of a new password at least */
#define STAFF_PW_MAX 128

struct staff {
    int64_t id;
    char username[STAFF_NAME_MAX];
    char display[STAFF_TEXT_MAX];
    char org[16];              /* union | university */
    char role[16];             /* an ADMIN_ROLE_* name */
    char area[STAFF_TEXT_MAX]; /* "" unless a report handler */
    char hash[STAFF_HASH_MAX]; /* Argon2id string */
    bool disabled;
};

/* A one-time sign-in code, kept as a BLAKE2b hex digest (STAFF_CODE_HASH). */
#define STAFF_CODE_HASH 65
#define STAFF_CODE_TRIES 5        /* wrong codes before the code is void */
#define STAFF_CODE_MS (5 * 60000) /* a code is good this long */
struct staff_code {
    char hash[STAFF_CODE_HASH];
    int64_t expires_ms;
    int tries;
};

/* --- staff.c --- */

/* libsodium's one-time set-up; call before any thread uses it. 0 or -1. */
int staff_init(void);
/* An Argon2id string (crypto_pwhash_str, interactive limits) for pw into out.
 * 0, or -1 (out of memory). Slow on purpose: ~0.1 s and 64 MiB. */
int staff_hash(const char *pw, char out[STAFF_HASH_MAX]);
/* Does pw match the stored string hash? */
bool staff_verify(const char *hash, const char *pw);
/* NULL when username is acceptable, else why not (static). */
const char *staff_username_bad(const char *username);
/* NULL when pw is acceptable as a new password, else why not (static). */
const char *staff_password_bad(const char *pw);
/* Create an account (CLI and the admin route). 1 created (*id set), 0 the
 * username is taken, -1 store error; *why is set (static) and nothing stored
 * when a field is bad (then returns 0 too). */
int staff_create(struct store *st, const struct staff *s, const char *pw, int64_t now, int64_t *id,
                 const char **why);

/* The account linked to chat channel:user. 1 (out filled, maybe disabled),
 * 0 none, -1 error. */
int staff_of_chat(struct store *st, const char *channel, const char *user, struct staff *out);
/* May enabled account s call method path ("/reports/x/status")? The role x
 * route table decides for chat commands too. */
bool staff_may(const struct staff *s, const char *method, const char *path);
/* The chat-command side of the audit trail: one row for a staff command
 * (handler.h h->staff) that ran in turn t; actor the linked account
 * ("staff:<username>"), else the sender's person row ("person:<id>"). 0 or -1. */
struct turn;
int staff_chat_audit(const struct turn *t, const char *what);

/* A fresh six-digit code into code (7 bytes) and its digest into hash. */
void staff_code_new(char code[7], char hash[STAFF_CODE_HASH]);
/* The digest of code into hash (crypto_generichash, hex). */
void staff_code_hash(const char *code, char hash[STAFF_CODE_HASH]);
/* Does code match c, unexpired at now, with tries left? Constant time. */
bool staff_code_ok(const struct staff_code *c, const char *code, int64_t now);
/* Store a code for account username (enabled, with a linked chat) and push
 * code to its first linked chat (content key staff.login_code), in the
 * caller's transaction. 1 sent, 0 no such account or chat, -1 error. */
int staff_code_send(const struct app *app, struct store *st, const char *username, const char *code,
                    const char *hash, int64_t now);

/* The admin routes: GET /staff, POST /staff, POST /staff/<id> (display, role,
 * area, disabled, chats, password reset), POST /password (own, with the old),
 * GET /audit[?who=&what=&since=&until=&format=csv]. An admin_route_fn. */
int admin_staff_routes(const struct app *app, struct store *st, int64_t now,
                       const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

/* --- store_staff.c --- */

/* 1 created (*id set), 0 the username exists, -1 error. */
int store_staff_add(struct store *st, const struct staff *s, int64_t now, int64_t *id);
/* By id (username NULL) or by username. 1 found (out filled), 0 none, -1 error. */
int store_staff_get(struct store *st, int64_t id, const char *username, struct staff *out);
/* The account linked to chat ("telegram:123"), disabled ones too. 1, 0, -1. */
int store_staff_by_chat(struct store *st, const char *chat, struct staff *out);
/* Write display, role, area, disabled and hash of s (by s->id). 0 or -1. */
int store_staff_update(struct store *st, const struct staff *s, int64_t now);
/* Replace the chats linked to id by chats (array of strings). 1, or 0 when a
 * chat is linked to another account (*taken names it), -1 error. */
int store_staff_chats_set(struct store *st, int64_t id, json_t *chats, const char **taken);
/* The chats linked to account id ("telegram:123"), sorted, as *v of *n: 0
 * (free with store_free_strings), -1. */
int store_staff_list_chats(struct store *st, int64_t id, char ***v, size_t *n);
/* An account as listed: without its hash (s.hash ""), with its chats. */
struct staff_entry {
    struct staff s;
    int64_t created_ms;
    char **chats;
    size_t nchats;
};
/* Every account by username, as *v of *n: 0 (free with
 * staff_entry_free_all), -1. */
int store_staff_list(struct store *st, struct staff_entry **v, size_t *n);
void staff_entry_free_all(struct staff_entry *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","username","display",
 * "org","role","area","disabled","created_ms","chats":[...]}. */
json_t *staff_entry_json(const struct staff_entry *e);
/* Linked chats of enabled accounts whose role is one of roles (NULL-ended),
 * role by role, as *v of *n: 0 (free with store_free_strings), -1. */
int store_staff_chats_of_roles(struct store *st, const char *const *roles, char ***v, size_t *n);
/* How many enabled accounts have role. -1 on error. */
int store_staff_count_role(struct store *st, const char *role);

/* Store (or replace) account id's code. 0 or -1. */
int store_staff_code_set(struct store *st, int64_t id, const char *hash, int64_t expires_ms);
/* Account id's code. 1, 0 none, -1. */
int store_staff_code_get(struct store *st, int64_t id, struct staff_code *out);
/* After a sign-in with account id's code: ok deletes it (once only), else one
 * more wrong try. 0 or -1. */
int store_staff_code_used(struct store *st, int64_t id, bool ok);

/* One audit row. 0 or -1. */
struct audit_row {
    int64_t at_ms;
    const char *actor, *action, *object, *origin; /* object, origin may be NULL */
    int status;
};
int store_audit_add(struct store *st, const struct audit_row *a);
/* Which rows: actor equal to who (NULL any), action containing what (NULL
 * any), at_ms in [since, until), at most limit (-1 all). */
struct audit_query {
    const char *who, *what;
    int64_t since, until;
    int limit;
};
/* A row of the trail as read back; object and origin NULL when none. */
struct audit_entry {
    int64_t id, at_ms;
    char *actor, *action, *object, *origin;
    int status;
};
/* The rows aq picks, newest first, as *v of *n: 0 (free with
 * audit_free_all), -1. */
int store_audit_list(struct store *st, const struct audit_query *aq, struct audit_entry **v,
                     size_t *n);
void audit_free_all(struct audit_entry *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","at_ms","actor",
 * "action","object","origin","status"}, object and origin null when none. */
json_t *audit_json(const struct audit_entry *e);

/* The area of report id into out ("" none). 1 found, 0 no report, -1 error. */
int store_report_area(struct store *st, int64_t id, char *out, size_t size);
/* Set it (NULL or "" clears). 1, 0 no report, -1. */
int store_report_area_set(struct store *st, int64_t id, const char *area);
/* Is photo sha (original or shareable) of a report in area? 1, 0, -1. */
int store_media_in_area(struct store *st, const char *sha, const char *area);

#endif
