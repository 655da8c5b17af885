/*
 * dashboard.h - what the admin dashboard adds to the admin API: daily
 * figures for "today at a glance" (GET /admin/api/stats), the month's points
 * budget of a role (GET /admin/api/budget), course owners per role, and rule
 * suggestions for not-understood messages. SQL in store_stats.c, routes and
 * policy in admin_dashboard.c. Every call runs inside the caller's
 * transaction; json_t results are new references the caller decrefs.
 */
#ifndef BOT_DASHBOARD_H
#define BOT_DASHBOARD_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct store;
struct admin_req;
struct http_resp;

/* --- store_stats.c --- */

/* A local day "YYYY-MM-DD" and its count. */
struct stats_day {
    char day[16];
    int64_t count;
};
/* Daily counts since since_ms (days with none are absent), as *v of *n
 * (free(*v)): 0, -1 on error or an unknown what. what: "messages"
 * (inbound), "people" (new), "pushes" (sent), "bookings" (made). */
int stats_daily(struct store *st, const char *what, int64_t since_ms, struct stats_day **v,
                size_t *n);
/* Figures for now: live seats in courses not ended (of owner unless NULL),
 * broadcasts with rows still to send, pushes waiting, distinct texts not
 * understood. */
struct stats_figures {
    int64_t seats_booked, broadcasts_going, pushes_waiting, unknown;
};
/* Into *out: 0, -1. */
int stats_now(struct store *st, int64_t now, const char *owner, struct stats_figures *out);
/* The admin API's JSON of them (new reference): {"seats_booked",
 * "broadcasts_going","pushes_waiting","unknown"}. */
json_t *stats_figures_json(const struct stats_figures *f);
/* A broadcast as the dashboard lists it (cancelled_ms only when cancelled). */
struct stats_broadcast {
    int64_t id, at_ms, recipients, sms_parts, created_ms, cancelled_ms;
    char *text, *audience;
    bool cancelled;
};
/* The newest broadcasts, at most limit, as *v of *n: 0 (free with
 * stats_broadcast_free_all), -1. */
int stats_broadcasts(struct store *st, int limit, struct stats_broadcast **v, size_t *n);
void stats_broadcast_free_all(struct stats_broadcast *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","text","audience",
 * "at_ms","recipients","sms_parts","created_ms","cancelled_ms" (null)}. */
json_t *stats_broadcast_json(const struct stats_broadcast *b);
/* The owner ("union" or "desk") of course id into out[8]: 1, 0 no such course, -1. */
int stats_course_owner(struct store *st, int64_t id, char out[8]);
int stats_course_set_owner(struct store *st, int64_t id, const char *owner);
/* Points credited by hand by role since since_ms (positive deltas), or -1. */
int64_t stats_credits_sum(struct store *st, const char *role, int64_t since_ms);
int stats_credits_add(struct store *st, const char *role, int64_t person, int64_t delta,
                      const char *ref, int64_t now);
/* Is there a points entry of person with ref? 1, 0, or -1. */
int stats_points_ref_exists(struct store *st, int64_t person, const char *ref);

/* --- admin_dashboard.c --- */

/* The routes GET /stats and GET /budget (an admin_route_fn, admin.h). */
int admin_dashboard_route(const struct app *app, struct store *st, int64_t now,
                          const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);
/* May rq's role see and change course id? 1 yes, 0 no (also: no such
 * course; the caller answers 404), -1 error. */
int dashboard_course_allowed(struct store *st, const struct admin_req *rq, int64_t id);
/* Keep only rq's role's courses in the array items, and add each "owner". 0 or -1. */
int dashboard_courses_filter(struct store *st, const struct admin_req *rq, json_t *items);
/* The owner of a new course: the role's own, or for the super-admin the
 * body's "owner" ("union" by default). NULL with 400 set in resp. */
const char *dashboard_course_owner(const struct admin_req *rq, json_t *body,
                                   struct http_resp *resp);
/* Before a hand credit of delta points to person under ref: 1 within the
 * role's monthly budget (the super-admin has none; a ref entered before is a
 * retry and costs nothing), 0 over it (403 set in resp), -1 error. */
int dashboard_budget_check(const struct app *app, struct store *st, const struct admin_req *rq,
                           int64_t person, int64_t delta, const char *ref, int64_t now,
                           struct http_resp *resp);
/* After a hand credit was entered: count it against the role's budget. 0 or -1. */
int dashboard_budget_record(struct store *st, const struct admin_req *rq, int64_t person,
                            int64_t delta, const char *ref, int64_t now);
/* Local midnight of the first day of now's month, in ms. */
int64_t dashboard_month_start(int64_t now);
/* Add to each {"text"} of items a "suggest": {"intent", "matched" (the part
 * of the text the rules caught, or null), "rule" (a line the office can copy
 * into intents/)}. */
void dashboard_unknown_suggest(const struct app *app, json_t *items);
/* POST /unknown/teach {text, intent}: the scorer learns text as intent at
 * once (store_taught_add; every process reads it on its next guess). 400 for
 * a bad body, an intent staff may not teach, a staff command or a report
 * code; 409 when the rules already take the text. */
int dashboard_unknown_teach(const struct app *app, struct store *st, int64_t now,
                            const struct admin_req *rq, struct http_resp *resp);

#endif
