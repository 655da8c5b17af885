/*
 * courses.h - training courses with seats and a waitlist, activities with
 * check-in codes, and redemption items. The SQL is in store_courses.c; the
 * seat policy shared by handlers, the tick and the admin API (offer a freed
 * seat to the first on the waitlist) is in handle_courses.c.
 *
 * Rows come back as JSON objects whose keys are the column names (new
 * references the caller decrefs); every call runs inside the caller's
 * transaction. A course's "no" is its short number: the smallest number not
 * used by another course that has not ended, so lists stay 1, 2, 3.
 */
#ifndef BOT_COURSES_H
#define BOT_COURSES_H
#include <jansson.h>
#include <stdint.h>

struct app;
struct store;

/* Booking states: a seat, a seat held for a waitlisted person until they
 * confirm, a waitlist place; then cancelled, expired (offer not confirmed in
 * time) or declined (offer given back). */
#define BOOKING_LIVE "('seat','offered','waiting')"

/* --- store_courses.c --- */

/* Create a course from c's fields (title, provider, place, start_ms, end_ms,
 * capacity, cost, deadline_ms, description). 0 with *id and *no set, or -1. */
int courses_add(struct store *st, json_t *c, int64_t now, int64_t *id, int64_t *no);
/* One course with its counts (taken: seats and offers, waiting), by id, or by
 * short number among courses not cancelled and not ended at now. NULL with
 * *found 0 when there is none, NULL with *found -1 on error. */
json_t *courses_get(struct store *st, int64_t id, int *found);
json_t *courses_by_no(struct store *st, int64_t no, int64_t now, int *found);
/* Courses not cancelled that start after now, soonest first, at most limit;
 * with counts. NULL on error. */
json_t *courses_upcoming(struct store *st, int64_t now, int limit);
/* Admin: every course ending after since, with counts. NULL on error. */
json_t *courses_list(struct store *st, int64_t since);
/* Mark cancelled. 0 or -1. */
int courses_set_cancelled(struct store *st, int64_t id, int64_t now);

/* The live booking (seat, offered or waiting) of person for course. */
json_t *bookings_live(struct store *st, int64_t course, int64_t person, int *found);
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
json_t *bookings_first_waiting(struct store *st, int64_t course, int *found);
/* Offers whose time ran out at now. NULL on error. */
json_t *bookings_expired_offers(struct store *st, int64_t now);
/* Courses not cancelled and not started that have free seats and a waitlist. */
json_t *courses_to_fill(struct store *st, int64_t now);
/* Seats of courses starting within (now, now + within_ms], with the course's
 * no, title, place, start_ms and the seat's seat_ms. NULL on error. */
json_t *bookings_upcoming_seats(struct store *st, int64_t now, int64_t within_ms);
/* A person's live bookings of courses not ended, soonest first, with the
 * course fields and the waitlist position. NULL on error. */
json_t *bookings_of(struct store *st, int64_t person, int64_t now);
/* Admin: a course's bookings with the person ("channel:id"), name, status,
 * position, times. NULL on error. */
json_t *bookings_of_course(struct store *st, int64_t course);
/* Every live booking of a course (to cancel it). NULL on error. */
json_t *bookings_live_of_course(struct store *st, int64_t course);

/* Activities: code is upper case. 0 with *id, 1 when the code is taken, -1. */
int activities_add(struct store *st, const char *title, const char *kind, const char *code,
                   int64_t start_ms, int64_t end_ms, int64_t points, int64_t course, int64_t now,
                   int64_t *id);
/* By code (upper case), or by the course it belongs to. */
json_t *activities_by_code(struct store *st, const char *code, int *found);
json_t *activities_of_course(struct store *st, int64_t course, int *found);
/* Admin: activities ending after since, with check-in counts. */
json_t *activities_list(struct store *st, int64_t since);
/* Record a check-in: 0 recorded, 1 already there, -1 error. */
int checkins_add(struct store *st, int64_t activity, int64_t person, int64_t now);

/* Redemption items. */
int items_add(struct store *st, const char *name, const char *description, int64_t cost,
              int64_t stock, int64_t now, int64_t *id);
/* Set stock and/or active (a negative value keeps the field). 1 done, 0 no such item, -1. */
int items_update(struct store *st, int64_t id, int64_t stock, int active);
json_t *items_get(struct store *st, int64_t id, int *found);
/* Active items, by id; all items when all != 0. NULL on error. */
json_t *items_list(struct store *st, int all);
/* Take one from the stock: 1 taken, 0 none left (or inactive), -1 error. */
int items_take(struct store *st, int64_t id);
int redemptions_add(struct store *st, int64_t item, int64_t person, int64_t cost, int64_t now,
                    int64_t *id);
/* Admin: the newest redemptions, at most limit. */
json_t *redemptions_list(struct store *st, int limit);
/* Mark redemption id picked up (handed over) at now, once: *picked_ms the
 * time it was. 2 marked now, 1 it was already, 0 no such redemption, -1. */
int redemption_picked(struct store *st, int64_t id, int64_t now, int64_t *picked_ms);
/* Course seats that cost points, upcoming and open at now (for 兑换). */
json_t *courses_paid_open(struct store *st, int64_t now);

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
int admin_courses_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
