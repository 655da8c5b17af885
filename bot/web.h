/*
 * web.h - what the dashboard at /admin/ needs from http.c, kept apart so unit
 * tests can reach it: browser sessions (a random id in an HttpOnly cookie, a
 * CSRF value, a role, idle expiry), the role a bearer token stands for, and
 * the strict mapping of a URL path to a static file under [admin] web_dir.
 */
#ifndef BOT_WEB_H
#define BOT_WEB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct websess;

#define WEB_COOKIE "yz_sid"
#define WEB_ID_HEX 65 /* 32 random bytes as hex + NUL */
#define WEB_MAX_FILE (4 * 1024 * 1024)

/* An empty session table; sessions idle for more than idle_ms end. Never NULL. */
struct websess *websess_new(int64_t idle_ms);
void websess_free(struct websess *ws);
/* Open a session for role (a static string) at now: id and csrf (random 32
 * bytes each, hex) into the caller's buffers. 0, or -1 when no randomness. */
int websess_open(struct websess *ws, const char *role, int64_t now, char id[WEB_ID_HEX],
                 char csrf[WEB_ID_HEX]);
/* The live session id at now: its role (static), and a copy of its csrf
 * value when csrf is not NULL; refreshes its idle time. NULL when there is
 * none or it expired (then it is dropped). Safe from several threads. */
const char *websess_check(struct websess *ws, const char *id, int64_t now,
                          char csrf[WEB_ID_HEX]);
/* Who a session stands for: a staff account (staff_id > 0) or, from the
 * older token sign-in kept for tests, a bare role. */
struct web_who {
    const char *role; /* static ADMIN_ROLE_* */
    int64_t staff_id;
    char user[48];  /* STAFF_NAME_MAX */
    char area[128]; /* STAFF_TEXT_MAX; "" none */
};
/* Open a session for who (copied), as websess_open does. */
int websess_open_who(struct websess *ws, const struct web_who *who, int64_t now,
                     char id[WEB_ID_HEX], char csrf[WEB_ID_HEX]);
/* websess_check, and a copy of the session's identity into who (when not NULL). */
const char *websess_who(struct websess *ws, const char *id, int64_t now, char csrf[WEB_ID_HEX],
                        struct web_who *who);
/* End every session of account staff_id (disabled, role changed): at once. */
void websess_end_staff(struct websess *ws, int64_t staff_id);
/* End the session id (nothing when there is none). */
void websess_close(struct websess *ws, const char *id);
/* Live sessions (expired ones are dropped first). */
int websess_count(struct websess *ws, int64_t now);

/*
 * Wrong admin tokens per client address: after limit wrong ones within a
 * minute that address is answered 429 for the rest of the minute, without
 * its token being checked (so guessing stops). Other addresses and existing
 * dashboard sessions are not affected. Safe from several threads.
 */
struct webfail;
struct webfail *webfail_new(int limit);
void webfail_free(struct webfail *wf);
/* Is addr over its limit at now (ms)? */
bool webfail_blocked(struct webfail *wf, const char *addr, int64_t now);
/* Count one wrong token from addr at now. */
void webfail_add(struct webfail *wf, const char *addr, int64_t now);

/* The value of cookie name in a Cookie header, into out (size bytes). 0 or -1. */
int web_cookie(const char *header, const char *name, char *out, size_t size);
/* The role a token stands for under c ([admin] token, union_token,
 * desk_token; empty ones never match), compared in constant time; NULL when
 * none. */
const char *web_token_role(const struct conf *c, const char *token);
/* True when any admin token is set (else the admin API is off). */
bool web_admin_on(const struct conf *c);

/*
 * Map rel (the URL path after "/admin/", "" for the index) to a file path
 * under dir, into out. Only [A-Za-z0-9._-/] characters, no empty, "." or
 * ".." segment, no segment starting with a dot, no leading slash, at most 128
 * bytes, and an extension of a known type. Returns the Content-Type (static)
 * or NULL when the path is refused.
 */
const char *web_static_path(const char *dir, const char *rel, char *out, size_t size);
/* Read the regular file path (not a symlink, at most WEB_MAX_FILE bytes) that
 * lies under dir once both are resolved. A new buffer the caller frees, with
 * *len set, or NULL (missing, refused or unreadable). */
char *web_static_read(const char *dir, const char *path, size_t *len);

#endif
