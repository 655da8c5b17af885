/*
 * courses.h - training courses with seats and a waitlist, activities with
 * check-in codes, and redemption items. The SQL is in store_courses.c; the
 * seat policy shared by handlers, the tick and the admin API (offer a freed
 * seat to the first on the waitlist) is in handle_courses.c.
 *
 * Rows come back as C structs (a row reader per struct, next to its SQL, in
 * store_courses.c); strings are owned by the struct and freed by its
 * *_clear, arrays by *_free_all. A nullable time or count reads 0 for NULL
 * (no real time is 0). Every call runs inside the caller's
 * transaction. A course's "no" is its short number: the smallest number not
 * used by another course that has not ended, so lists stay 1, 2, 3.
 */
#ifndef BOT_COURSES_H
#define BOT_COURSES_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct store;

/* Booking states: a seat, a seat held for a waitlisted person until they
 * confirm, a waitlist place; then cancelled, expired (offer not confirmed in
 * time) or declined (offer given back). */
#define BOOKING_LIVE "('seat','offered','waiting')"

/* --- store_courses.c --- */

/* A course with its counts. */
struct course {
    int64_t id, no, start_ms, end_ms, capacity, cost, deadline_ms, created_ms;
    int64_t cancelled_ms; /* 0: not cancelled */
    int64_t taken;        /* seats and offers */
    int64_t waiting;      /* waitlist places */
    char *title, *provider, *place, *description;
    char *checkin_code; /* the code of its first activity, NULL when none */
};
void course_clear(struct course *c);
void course_free_all(struct course *v, size_t n);

/* A booking with its course's no, title, place and start, and its waitlist
 * position (0 unless waiting). who ("channel:id") and name are set by
 * bookings_of_course only. */
struct booking {
    int64_t id, course_id, person_id, cost, created_ms, updated_ms;
    int64_t offer_until_ms, attended_ms, seat_ms; /* 0: NULL */
    char *status;
    char *paid_ref; /* NULL when not paid */
    int64_t no, start_ms, position;
    char *title, *place;
    char *who, *name;
};
void booking_clear(struct booking *b);
void booking_free_all(struct booking *v, size_t n);
bool booking_is(const struct booking *b, const char *status);

/* An activity with a check-in code; checkins is counted by activities_list only. */
struct activity {
    int64_t id, start_ms, end_ms, points, created_ms;
    int64_t course_id; /* 0: not a course's */
    int64_t checkins;
    char *title, *kind, *code;
};
void activity_clear(struct activity *a);
void activity_free_all(struct activity *v, size_t n);

struct item {
    int64_t id, cost, stock, active, created_ms;
    char *name, *description;
};
void item_clear(struct item *it);
void item_free_all(struct item *v, size_t n);

/* A redemption as the admin list shows it. */
struct redemption {
    int64_t id, item_id, cost, created_ms;
    int64_t picked_ms; /* 0: not picked up */
    char *item, *who, *name;
};
void redemption_free_all(struct redemption *v, size_t n);

/* Single rows: 1 found (*out filled), 0 none, -1 error; *out is zeroed
 * first, so its *_clear is always safe. Lists: 0 with *v (NULL when *n is
 * 0) and *n, or -1 with nothing allocated. */

/* Create a course from c's title, provider, place, start_ms, end_ms,
 * capacity, cost, deadline_ms, description (NULL provider and description:
 * ""). 0 with *id and *no set, or -1. */
int courses_add(struct store *st, const struct course *c, int64_t now, int64_t *id, int64_t *no);
/* One course by id, or by short number among courses not cancelled and not
 * ended at now. */
int courses_get(struct store *st, int64_t id, struct course *out);
int courses_by_no(struct store *st, int64_t no, int64_t now, struct course *out);
/* Courses not cancelled that start after now, soonest first, at most limit. */
int courses_upcoming(struct store *st, int64_t now, int limit, struct course **v, size_t *n);
/* Admin: every course ending after since. */
int courses_list(struct store *st, int64_t since, struct course **v, size_t *n);
/* Mark cancelled. 0 or -1. */
int courses_set_cancelled(struct store *st, int64_t id, int64_t now);

/* The live booking (seat, offered or waiting) of person for course. */
int bookings_live(struct store *st, int64_t course, int64_t person, struct booking *out);
/* Add a booking in status; 0 with *id, or -1. */
int bookings_add(struct store *st, int64_t course, int64_t person, const char *status, int64_t cost,
                 int64_t now, int64_t *id);
/* Change a booking: status, the ledger ref of its payment (NULL keeps it),
 * offer deadline (0 clears it). seat_ms is set when status becomes seat. */
int bookings_set(struct store *st, int64_t id, const char *status, const char *paid_ref,
                 int64_t offer_until, int64_t now);
int bookings_set_attended(struct store *st, int64_t id, int64_t now);
/* Waitlist position (1-based) of booking id, or -1. */
int64_t bookings_position(struct store *st, int64_t course, int64_t id);
/* The first waiting booking of a course. */
int bookings_first_waiting(struct store *st, int64_t course, struct booking *out);
/* Offers whose time ran out at now. */
int bookings_expired_offers(struct store *st, int64_t now, struct booking **v, size_t *n);
/* Ids of courses not cancelled and not started that have free seats and a
 * waitlist (*v freed with free). */
int courses_to_fill(struct store *st, int64_t now, int64_t **v, size_t *n);
/* Seats of courses not cancelled starting within (now, now + within_ms]. */
int bookings_upcoming_seats(struct store *st, int64_t now, int64_t within_ms, struct booking **v,
                            size_t *n);
/* A person's live bookings of courses not ended and not cancelled, soonest first. */
int bookings_of(struct store *st, int64_t person, int64_t now, struct booking **v, size_t *n);
/* Admin: all of a course's bookings with who and name: seats, offers,
 * waiting, then the rest. */
int bookings_of_course(struct store *st, int64_t course, struct booking **v, size_t *n);
/* Every live booking of a course (to cancel it). */
int bookings_live_of_course(struct store *st, int64_t course, struct booking **v, size_t *n);

/* Activities: code is upper case. 0 with *id, 1 when the code is taken, -1. */
int activities_add(struct store *st, const char *title, const char *kind, const char *code,
                   int64_t start_ms, int64_t end_ms, int64_t points, int64_t course, int64_t now,
                   int64_t *id);
/* By code (upper case). */
int activities_by_code(struct store *st, const char *code, struct activity *out);
/* Admin: activities ending after since, with check-in counts. */
int activities_list(struct store *st, int64_t since, struct activity **v, size_t *n);
/* Record a check-in: 0 recorded, 1 already there, -1 error. */
int checkins_add(struct store *st, int64_t activity, int64_t person, int64_t now);

/* Redemption items. */
int items_add(struct store *st, const char *name, const char *description, int64_t cost,
              int64_t stock, int64_t now, int64_t *id);
/* Set stock and/or active (a negative value keeps the field). 1 done, 0 no such item, -1. */
int items_update(struct store *st, int64_t id, int64_t stock, int active);
int items_get(struct store *st, int64_t id, struct item *out);
/* Active items, by id; all items when all != 0. */
int items_list(struct store *st, int all, struct item **v, size_t *n);
/* Take one from the stock: 1 taken, 0 none left (or inactive), -1 error. */
int items_take(struct store *st, int64_t id);
int redemptions_add(struct store *st, int64_t item, int64_t person, int64_t cost, int64_t now,
                    int64_t *id);
/* Admin: the newest redemptions, at most limit. */
int redemptions_list(struct store *st, int limit, struct redemption **v, size_t *n);
/* Mark redemption id picked up (handed over) at now, once: *picked_ms the
 * time it was. 2 marked now, 1 it was already, 0 no such redemption, -1. */
int redemption_picked(struct store *st, int64_t id, int64_t now, int64_t *picked_ms);
/* Course seats that cost points, upcoming and open at now (for 兑换). */
int courses_paid_open(struct store *st, int64_t now, struct course **v, size_t *n);

/* --- handle_courses.c --- */

/* Offer free seats of course to the first on its waitlist (a transactional
 * push each, with a confirm deadline), while seats are free and the course
 * has not started. 0 or -1. */
int courses_offer_next(const struct app *app, struct store *st, int64_t course, int64_t now);
/* For the profile (我的): seats (and seats offered) in courses not ended, and
 * waitlist places. 0 or -1. */
int courses_profile_summary(struct store *st, int64_t person, int64_t now, int *seats,
                            int *waitlist);
/* Admin cancels a course: every live booking is cancelled, paid seats are
 * refunded, and everyone is told by a transactional push. Returns the
 * bookings cancelled, or -1. */
int courses_cancel(const struct app *app, struct store *st, int64_t course, int64_t now);
/* A fresh check-in code (4 characters, no 0/O/1/I) not used yet, into out[5]. 0 or -1. */
int courses_new_code(struct store *st, char out[5]);
/* True when code (any case) could be a check-in code; upper-cases it into out[9]. */
int courses_code_norm(const char *code, char out[9]);

/* --- admin_courses.c: the admin routes points, courses, activities, items,
 * redemptions (an admin_route_fn, see admin.h) --- */
struct admin_req;
struct http_resp;
/* The admin API's JSON of each row (new references): the keys and types the
 * API has always sent (docs/api-courses.md), nullable ones as null. */
json_t *course_json(const struct course *c);
json_t *booking_json(const struct booking *b); /* a row of bookings_of_course */
json_t *activity_json(const struct activity *a);
json_t *item_json(const struct item *it);
json_t *redemption_json(const struct redemption *r);
struct point_entry;
json_t *point_entry_json(const struct point_entry *e); /* points.h */
int admin_courses_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
