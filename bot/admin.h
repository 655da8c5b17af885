/*
 * admin.h - the JSON admin API under /admin/api/. http.c checks the bearer
 * token and hands the request over; admin_handle() runs on the writer thread
 * inside the batch transaction, like a webhook turn.
 */
#ifndef BOT_ADMIN_H
#define BOT_ADMIN_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outbox.h"

struct app;
struct store;
struct http_resp;
struct buf;
struct websess;

struct admin_req {
    const char *method;
    const char *path; /* after "/admin/api", e.g. "/broadcasts/3" */
    json_t *query;    /* object of query arguments (borrowed) */
    const char *body; /* raw body, NUL-terminated */
    size_t len;
    const char *role; /* who asks: an ADMIN_ROLE_* (static) */
    /* The authenticated identity (all may be NULL/0 in unit tests):
     * a staff account signed in on the dashboard, or a machine client's
     * bearer token ([admin] token, union_token, ...: actor "admin:<role>"). */
    const char *user;     /* the staff account's username; NULL for a machine client */
    int64_t staff_id;     /* its id; 0 for a machine client */
    const char *area;     /* a report handler's area: the code of the handling body whose
                             reports they see (routing.h reports_visible_to); "" or NULL: none */
    const char *origin;   /* the client's address, for the audit trail */
    struct websess *sess; /* the dashboard sessions (a disabled account's end); may be NULL */
};

/* Roles (dashboard.h): the super-admin ([admin] token) sees and changes
 * everything; the union office and the university desk each only their own
 * courses, and credit points within their monthly budget. */
#define ADMIN_ROLE_SUPER "admin"
#define ADMIN_ROLE_UNION "union"
#define ADMIN_ROLE_DESK "desk"
#define ADMIN_ROLE_COUNSEL "counsel" /* the counselling desk: counselling and crisis tickets */
#define ADMIN_ROLE_REPORTS "reports" /* a report handler: one area's 随手拍 only */
#define ADMIN_ROLE_VIEWER "viewer"   /* leadership: read-only, no personal contact details */

/* The roles: each staff account has one; the first four also have a machine
 * client, a bearer token under its own [admin] key (key NULL: none). */
struct admin_role {
    const char *name; /* ADMIN_ROLE_* */
    const char *key;  /* its token's config key, for startup messages; NULL: no token */
    size_t token_off; /* offsetof(struct conf, admin.<key>) */
    unsigned bit;     /* its column in the route table */
};
extern const struct admin_role admin_roles[];
extern const int admin_nroles;
/* The row of role name, or NULL. */
const struct admin_role *admin_role_find(const char *name);
/* May role read counselling tickets and crisis texts? */
bool admin_role_sensitive(const char *role);

/* Whether role may call method path ("/broadcasts/3", after /admin/api):
 * the role x route table in admin.c, the one place a route's roles are
 * written (docs/security.md has the same table). */
enum admin_acl { ACL_OK, ACL_FORBIDDEN, ACL_NO_ROUTE, ACL_NO_METHOD };
/* allow (size n) gets the route's methods for ACL_NO_METHOD. */
enum admin_acl admin_acl_check(const char *method, const char *path, const char *role,
                               char *allow, size_t n);
/* The rows role may use, as an array of "METHOD /path" strings ("*" for a
 * segment): GET /admin/api/me hands it to the dashboard. New reference. */
json_t *admin_acl_routes(const char *role);

/*
 * A feature's routes (admin_<feature>.c): seg[0..nseg) are the path segments
 * after /admin/api. Returns 1 when the route was the feature's (resp set, any
 * status), 0 when it was not, -1 when the store failed (rolled back, 500).
 */
typedef int (*admin_route_fn)(const struct app *app, struct store *st, int64_t now,
                              const struct admin_req *rq, char **seg, int nseg,
                              struct http_resp *resp);

/* The audit actor of rq: "staff:<username>" for a signed-in account,
 * "client:<token key>" ("client:admin.union_token") for a machine client;
 * the authenticated identity, never a name the caller sends. */
void admin_actor(const struct admin_req *rq, char *out, size_t size);

/* Helpers for routes. admin_reply takes o (a new reference) and sends it. */
void admin_reply(struct http_resp *resp, int status, json_t *o);
/* The JSON object body, or NULL with a 400 already set in resp. New reference. */
json_t *admin_body(const struct admin_req *rq, struct http_resp *resp);
/* A positive integer id from a path segment. 0 or -1. */
int admin_parse_id(const char *s, int64_t *id);
/* "at": Unix ms, or local "YYYY-MM-DD HH:MM[:SS]" (also with T). 0 or -1. */
int admin_parse_time(json_t *v, int64_t *out);
/* ?limit=N (1..1000), or def. */
int admin_query_limit(const struct admin_req *rq, int def);
/* A CSV answer: rows of string cells, quoted as RFC 4180 says. */
void admin_reply_csv(struct http_resp *resp, json_t *rows, const char *const *columns);

/*
 * What every broadcast route (POST /broadcasts, POST /lessons/<id>/broadcast)
 * takes besides its text: "audience", "at", "spread_minutes", "max_parts",
 * "preview". admin_broadcast_plan() checks them and counts the audience; a
 * preview is answered there (200, the counts), so no route can send one.
 */
struct bc_plan {
    const char *audience; /* borrowed from the body */
    int64_t at, start, first_at, spread, cap, sms;
    int64_t unreachable;  /* recipients this configuration cannot push to (rows fail at once) */
    json_t *cannot;       /* unreachable by channel, owned: bc_plan_release() */
    int parts, units;
    bool ucs2, preview, over_cap;
    struct audience_count ac; /* ac.by_channel owned: bc_plan_release() */
};
/* Returns 1: go on and create (not a preview); 0: resp is set (a 400, or the
 * preview's answer), create nothing; -1: store error. cap_sms_only: max_parts
 * binds only when the audience has SMS recipients (lessons). Always call
 * bc_plan_release(). */
int admin_broadcast_plan(const struct app *app, struct store *st, int64_t now, json_t *b,
                         const char *text, bool cap_sms_only, struct bc_plan *p,
                         struct http_resp *resp);
void bc_plan_release(struct bc_plan *p);

/* The area whose reports rq may see: a report handler's (its `area`; "" when
 * it has none, which matches nothing), or NULL for the roles that see every
 * report. Pass it to reports_visible_to() (routing.h) and the list filter. */
const char *admin_report_area(const struct admin_req *rq);

/* Answer one admin request into resp (any status). 0, or -1 when the store
 * failed (the caller rolls back and answers 500). */
int admin_handle(const struct app *app, struct store *st, int64_t now, const struct admin_req *rq,
                 struct http_resp *resp);

/* admin_lesson.c: GET /lessons (rates per lesson), POST /lessons/<id>/broadcast */
int admin_lessons(const struct app *app, struct store *st, int64_t now,
                  const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

/* admin_content.c: /content/files (list, read, save, history, revert; live.h) */
int admin_content_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg,
                        struct http_resp *resp);

#endif
