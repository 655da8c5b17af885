/*
 * routing.h - 随手拍 routed like FixMyStreet: report categories the office
 * edits (a worker picks one by number after a photo, staff set it), the
 * district a report lies in (from its position against [report] boundaries,
 * or set by staff), handling bodies that take (category, district) pairs, and
 * 社区民情观察员 (community observers) whose reports are marked and counted.
 *
 * A report's body is decided whenever its category or district is set: the
 * active body with a route matching both, the most specific route first (a
 * route's category or district NULL means any). SQL in store_routing.c, the
 * admin routes in admin_routing.c (docs/reports.md).
 */
#ifndef BOT_ROUTING_H
#define BOT_ROUTING_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct app;
struct store;
struct admin_req;
struct http_resp;

#define ROUTING_NAME_MAX 64 /* bytes of a category or body name */

/* Outcomes besides 0 (done) and -1 (store failed). */
enum routing_rc { ROUTING_NOT_FOUND = 1, ROUTING_TAKEN = 2, ROUTING_BAD = 3 };

/* --- categories --- */
/* A report category. */
struct category {
    int64_t id;
    char *name;
    bool active;
};
/* By id; active_only: the worker's numbered list. 0 with *v (NULL when *n
 * is 0) and *n, or -1. */
int store_category_list(struct store *st, bool active_only, struct category **v, size_t *n);
void category_free_all(struct category *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","name","active"}. */
json_t *category_json(const struct category *c);
/* 0 (*id set), ROUTING_TAKEN (the name exists), -1. */
int store_category_add(struct store *st, const char *name, int64_t now, int64_t *id);
/* Rename (name not NULL) and/or enable or disable (active 0 or 1; -1 keeps).
 * 0, ROUTING_NOT_FOUND, ROUTING_TAKEN, -1. */
int store_category_update(struct store *st, int64_t id, const char *name, int active);
/* The n-th (1-based) active category: 1 (*id, name[] set), 0 none, -1. */
int store_category_nth(struct store *st, int n, int64_t *id, char name[ROUTING_NAME_MAX]);
/* An active category by name: 1 (*id), 0, -1. */
int store_category_find(struct store *st, const char *name, int64_t *id);

/* --- districts --- */
/* The districts' names in their order (pos), as *v of *n: 0 (free with
 * store_free_strings), -1. */
int store_district_list(struct store *st, char ***v, size_t *n);
/* 1 known, 0 not, -1. */
int store_district_known(struct store *st, const char *name);

/* --- bodies --- */
/* A handling body and the (category, district) pairs it takes, in the
 * order they were given; NULL in a route is "any". */
struct body_route {
    char *category, *district;
};
struct body {
    int64_t id;
    char *code, *name;
    bool active;
    struct body_route *routes;
    size_t nroutes;
};
/* Every body by id, as *v of *n: 0 (free with body_free_all), -1. */
int store_body_list(struct store *st, struct body **v, size_t *n);
void body_free_all(struct body *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","code","name",
 * "active","routes":[{"category","district"}]}, "any" as null. */
json_t *body_json(const struct body *b);
/* routes: array of {"category"?: name, "district"?: name}, checked by the
 * caller. 0 (*id), ROUTING_TAKEN (code exists), -1. */
int store_body_add(struct store *st, const char *code, const char *name, json_t *routes,
                   int64_t now, int64_t *id);
/* name NULL keeps; active -1 keeps; routes NULL keeps, else replaces.
 * 0, ROUTING_NOT_FOUND, -1. Reports keep the body they were routed to. */
int store_body_update(struct store *st, int64_t id, const char *name, int active, json_t *routes);
/* 1 a body has this code, 0 not, -1. */
int store_body_known(struct store *st, const char *code);

/* --- a report's category, district, body --- */
/* Set and re-route. category_id 0 clears. 0, ROUTING_NOT_FOUND, -1. */
int store_report_set_category(struct store *st, int64_t report, int64_t category_id, int64_t now);
int store_report_set_district(struct store *st, int64_t report, const char *district, int64_t now);
/* A report's routing: its category's name, district, body code and name
 * (NULL when unset), and whether its reporter is an observer. */
struct report_routing {
    char *category, *district, *body, *body_name;
    bool observer;
};
/* Into *out (zeroed first): 1, 0 no such report, -1. */
int store_report_routing(struct store *st, int64_t report, struct report_routing *out);
void report_routing_clear(struct report_routing *r);
/* The admin API's JSON of it (new reference): {"category","district","body",
 * "body_name","observer"}, a key absent when unset, observer a boolean. */
json_t *report_routing_json(const struct report_routing *r);

/*
 * Who may see which report. area is what the signed-in role carries: NULL
 * for every role but a report handler (admin.c roles), who carries the code
 * of their handling body (report_bodies.code) and sees only reports routed to
 * it. 1 report visible, 0 not (answered as 404, like a missing report), -1.
 * The list route passes the same area as its body filter.
 */
int reports_visible_to(struct store *st, const char *area, int64_t report);

/* --- observers (社区民情观察员) --- */
/* Mark or unmark person. 0, ROUTING_NOT_FOUND, -1. */
int store_person_set_observer(struct store *st, int64_t person, bool on, int64_t now);
/* A person marked observer, since when, and the reports they made since. */
struct observer {
    int64_t id;
    char *name, *channel; /* name "" when unknown */
    int64_t since_ms, reports;
};
/* Every observer by id, as *v of *n: 0 (free with observer_free_all), -1. */
int store_observer_list(struct store *st, struct observer **v, size_t *n);
void observer_free_all(struct observer *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","name","channel",
 * "since_ms","reports"}. */
json_t *observer_json(const struct observer *o);

/* A report got a position (a location message, a photo's GPS): flag nearby
 * duplicates (report_flag_nearby) and set its district from the boundaries
 * when it has none. 0 or -1. */
int report_placed(const struct app *app, struct store *st, int64_t id, int64_t now);

/* admin_routing.c: /report-categories, /districts, /bodies, /observers,
 * /reports/<code>/category, /reports/<code>/district, /people/<id>/observer. */
int admin_routing_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
