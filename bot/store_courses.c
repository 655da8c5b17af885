/*
 * store_courses.c - SQL of courses, bookings, activities, check-ins,
 * redemption items and redemptions (see courses.h). Rows come back as C
 * structs: each query names its columns, and one reader per column list,
 * next to it, reads them by index.
 */
#include "courses.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

/* The course columns with their counts, shared by the course queries and
 * read by course_read. */
#define COURSE_COLS                                                                                \
    "c.id, c.no, c.title, c.provider, c.place, c.start_ms, c.end_ms, c.capacity, c.cost,"          \
    " c.deadline_ms, c.description, c.created_ms, c.cancelled_ms,"                                 \
    " (SELECT count(*) FROM bookings WHERE course_id=c.id AND status IN ('seat','offered'))"       \
    " AS taken,"                                                                                   \
    " (SELECT count(*) FROM bookings WHERE course_id=c.id AND status='waiting') AS waiting,"       \
    " (SELECT code FROM activities WHERE course_id=c.id ORDER BY id LIMIT 1) AS checkin_code"

static void course_read(struct store_stmt *s, void *out)
{
    struct course *c = out;
    c->id = store_col_int64(s, 0);
    c->no = store_col_int64(s, 1);
    c->title = store_col_text(s, 2);
    c->provider = store_col_text(s, 3);
    c->place = store_col_text(s, 4);
    c->start_ms = store_col_int64(s, 5);
    c->end_ms = store_col_int64(s, 6);
    c->capacity = store_col_int64(s, 7);
    c->cost = store_col_int64(s, 8);
    c->deadline_ms = store_col_int64(s, 9);
    c->description = store_col_text(s, 10);
    c->created_ms = store_col_int64(s, 11);
    c->cancelled_ms = store_col_int64(s, 12);
    c->taken = store_col_int64(s, 13);
    c->waiting = store_col_int64(s, 14);
    c->checkin_code = store_col_text(s, 15);
}

void course_clear(struct course *c)
{
    free(c->title);
    free(c->provider);
    free(c->place);
    free(c->description);
    free(c->checkin_code);
    memset(c, 0, sizeof *c);
}

static void course_clear_v(void *c)
{
    course_clear(c);
}

void course_free_all(struct course *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, course_clear_v);
}

static int courses_read_all(struct store *st, struct store_stmt *s, const char *what, struct course **v,
                            size_t *n)
{
    return store_read_all(st, s, what, course_read, course_clear_v, sizeof **v, (void **)v, n);
}

/* The booking columns with its course's and its waitlist position, read by
 * booking_read; FROM bookings b JOIN courses c. */
#define BOOKING_COLS                                                                               \
    "b.id, b.course_id, b.person_id, b.status, b.cost, b.paid_ref, b.offer_until_ms,"              \
    " b.attended_ms, b.seat_ms, b.created_ms, b.updated_ms, c.no, c.title, c.place, c.start_ms,"   \
    " CASE WHEN b.status='waiting' THEN (SELECT count(*) FROM bookings w"                          \
    " WHERE w.course_id=b.course_id AND w.status='waiting' AND w.id<=b.id) END AS position"
#define BOOKING_FROM " FROM bookings b JOIN courses c ON c.id=b.course_id"

static void booking_read(struct store_stmt *s, void *out)
{
    struct booking *b = out;
    b->id = store_col_int64(s, 0);
    b->course_id = store_col_int64(s, 1);
    b->person_id = store_col_int64(s, 2);
    b->status = store_col_text(s, 3);
    b->cost = store_col_int64(s, 4);
    b->paid_ref = store_col_text(s, 5);
    b->offer_until_ms = store_col_int64(s, 6);
    b->attended_ms = store_col_int64(s, 7);
    b->seat_ms = store_col_int64(s, 8);
    b->created_ms = store_col_int64(s, 9);
    b->updated_ms = store_col_int64(s, 10);
    b->no = store_col_int64(s, 11);
    b->title = store_col_text(s, 12);
    b->place = store_col_text(s, 13);
    b->start_ms = store_col_int64(s, 14);
    b->position = store_col_int64(s, 15);
}

void booking_clear(struct booking *b)
{
    free(b->status);
    free(b->paid_ref);
    free(b->title);
    free(b->place);
    free(b->who);
    free(b->name);
    memset(b, 0, sizeof *b);
}

static void booking_clear_v(void *b)
{
    booking_clear(b);
}

void booking_free_all(struct booking *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, booking_clear_v);
}

bool booking_is(const struct booking *b, const char *status)
{
    return b->status != NULL && strcmp(b->status, status) == 0;
}

static int bookings_read_all(struct store *st, struct store_stmt *s, const char *what,
                             struct booking **v, size_t *n)
{
    return store_read_all(st, s, what, booking_read, booking_clear_v, sizeof **v, (void **)v, n);
}

int courses_add(struct store *st, const struct course *c, int64_t now, int64_t *id, int64_t *no)
{
    /* The smallest number from 1 not used by a course that has not ended. */
    SQL(pick, "SELECT coalesce(min(n), 1) FROM (SELECT 1 AS n UNION ALL SELECT no + 1 FROM courses"
              " WHERE end_ms > ?1 AND cancelled_ms IS NULL) AS c WHERE n NOT IN"
              " (SELECT no FROM courses WHERE end_ms > ?1 AND cancelled_ms IS NULL)");
    SQL(sql, "INSERT INTO courses(no, title, provider, place, start_ms, end_ms, capacity, cost,"
             " deadline_ms, description, created_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    struct store_stmt *s = store_stmt(st, pick);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    if (store_step(st, s) != SQLITE_ROW) {
        store_reset(s);
        return store_fail(st, "course number");
    }
    *no = store_col_int64(s, 0);
    store_reset(s);
    s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, *no);
    store_bind_text(s, 2, c->title);
    store_bind_text(s, 3, c->provider ? c->provider : "");
    store_bind_text(s, 4, c->place);
    store_bind_int64(s, 5, c->start_ms);
    store_bind_int64(s, 6, c->end_ms);
    store_bind_int64(s, 7, c->capacity);
    store_bind_int64(s, 8, c->cost);
    store_bind_int64(s, 9, c->deadline_ms);
    store_bind_text(s, 10, c->description ? c->description : "");
    store_bind_int64(s, 11, now);
    if (store_step_done(st, s, "course add") == -1)
        return -1;
    *id = store_last_id(st);
    return 0;
}

int courses_get(struct store *st, int64_t id, struct course *out)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c WHERE c.id=?");
    struct store_stmt *s = store_stmt(st, sql);
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    return store_read_one(st, s, "course get", course_read, out, sizeof *out);
}

int courses_by_no(struct store *st, int64_t no, int64_t now, struct course *out)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c"
             " WHERE c.no=? AND c.end_ms>? AND c.cancelled_ms IS NULL"
             " ORDER BY c.id DESC LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, no);
    store_bind_int64(s, 2, now);
    return store_read_one(st, s, "course by no", course_read, out, sizeof *out);
}

int courses_upcoming(struct store *st, int64_t now, int limit, struct course **v, size_t *n)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c"
             " WHERE c.start_ms>? AND c.cancelled_ms IS NULL"
             " ORDER BY c.start_ms, c.no LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int(s, 2, limit);
    return courses_read_all(st, s, "courses upcoming", v, n);
}

int courses_list(struct store *st, int64_t since, struct course **v, size_t *n)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c WHERE c.end_ms>? ORDER BY c.start_ms, c.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, since);
    return courses_read_all(st, s, "courses list", v, n);
}

int courses_set_cancelled(struct store *st, int64_t id, int64_t now)
{
    SQL(sql, "UPDATE courses SET cancelled_ms=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, id);
    return store_step_done(st, s, "course cancel");
}

int bookings_live(struct store *st, int64_t course, int64_t person, struct booking *out)
{
    SQL(sql, "SELECT " BOOKING_COLS BOOKING_FROM " WHERE b.course_id=? AND b.person_id=?"
             " AND b.status IN " BOOKING_LIVE);
    struct store_stmt *s = store_stmt(st, sql);
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, course);
    store_bind_int64(s, 2, person);
    return store_read_one(st, s, "booking live", booking_read, out, sizeof *out);
}

int bookings_add(struct store *st, int64_t course, int64_t person, const char *status, int64_t cost,
                 int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO bookings(course_id, person_id, status, cost, seat_ms, created_ms,"
             " updated_ms) VALUES(?1, ?2, ?3, ?4,"
             " CASE WHEN ?3='seat' THEN CAST(?5 AS BIGINT) END, ?5, ?5)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, course);
    store_bind_int64(s, 2, person);
    store_bind_text(s, 3, status);
    store_bind_int64(s, 4, cost);
    store_bind_int64(s, 5, now);
    if (store_step_done(st, s, "booking add") == -1)
        return -1;
    *id = store_last_id(st);
    return 0;
}

int bookings_set(struct store *st, int64_t id, const char *status, const char *paid_ref,
                 int64_t offer_until, int64_t now)
{
    SQL(sql, "UPDATE bookings SET status=?2, paid_ref=coalesce(?3, paid_ref),"
             " offer_until_ms=?4, seat_ms=CASE WHEN ?2='seat' THEN ?5 ELSE seat_ms END,"
             " updated_ms=?5 WHERE id=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, status);
    if (paid_ref != NULL)
        store_bind_text(s, 3, paid_ref);
    if (offer_until > 0)
        store_bind_int64(s, 4, offer_until);
    store_bind_int64(s, 5, now);
    return store_step_done(st, s, "booking set");
}

int bookings_set_attended(struct store *st, int64_t id, int64_t now)
{
    SQL(sql,
        "UPDATE bookings SET attended_ms=coalesce(attended_ms, ?2), updated_ms=?2 WHERE id=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now);
    return store_step_done(st, s, "booking attended");
}

int64_t bookings_position(struct store *st, int64_t course, int64_t id)
{
    SQL(sql, "SELECT count(*) FROM bookings WHERE course_id=? AND status='waiting' AND id<=?");
    struct store_stmt *s = store_stmt(st, sql);
    int64_t n = -1;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, course);
    store_bind_int64(s, 2, id);
    if (store_step(st, s) == SQLITE_ROW)
        n = store_col_int64(s, 0);
    else
        store_fail(st, "booking position");
    store_reset(s);
    return n;
}

int bookings_first_waiting(struct store *st, int64_t course, struct booking *out)
{
    SQL(sql, "SELECT " BOOKING_COLS BOOKING_FROM " WHERE b.course_id=? AND b.status='waiting'"
             " ORDER BY b.id LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, course);
    return store_read_one(st, s, "booking first waiting", booking_read, out, sizeof *out);
}

int bookings_expired_offers(struct store *st, int64_t now, struct booking **v, size_t *n)
{
    SQL(sql, "SELECT " BOOKING_COLS BOOKING_FROM " WHERE b.status='offered'"
             " AND b.offer_until_ms<=? ORDER BY b.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    return bookings_read_all(st, s, "bookings expired offers", v, n);
}

int courses_to_fill(struct store *st, int64_t now, int64_t **v, size_t *n)
{
    SQL(sql, "SELECT c.id FROM courses c WHERE c.start_ms>? AND c.cancelled_ms IS NULL"
             " AND EXISTS(SELECT 1 FROM bookings WHERE course_id=c.id AND status='waiting')"
             " AND (SELECT count(*) FROM bookings WHERE course_id=c.id"
             " AND status IN ('seat','offered')) < c.capacity ORDER BY c.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    return store_read_all(st, s, "courses to fill", store_read_id, NULL, sizeof **v, (void **)v, n);
}

int bookings_upcoming_seats(struct store *st, int64_t now, int64_t within_ms, struct booking **v,
                            size_t *n)
{
    SQL(sql, "SELECT " BOOKING_COLS BOOKING_FROM " WHERE b.status='seat' AND c.cancelled_ms IS NULL"
             " AND c.start_ms>?1 AND c.start_ms<=?1 + ?2 ORDER BY b.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, within_ms);
    return bookings_read_all(st, s, "bookings upcoming seats", v, n);
}

int bookings_of(struct store *st, int64_t person, int64_t now, struct booking **v, size_t *n)
{
    SQL(sql,
        "SELECT " BOOKING_COLS BOOKING_FROM " WHERE b.person_id=? AND b.status IN " BOOKING_LIVE
        " AND c.end_ms>? AND c.cancelled_ms IS NULL ORDER BY c.start_ms, c.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int64(s, 2, now);
    return bookings_read_all(st, s, "bookings of", v, n);
}

/* booking_read, then who and name. */
static void booking_who_read(struct store_stmt *s, void *out)
{
    struct booking *b = out;
    booking_read(s, b);
    b->who = store_col_text(s, 16);
    b->name = store_col_text(s, 17);
}

int bookings_of_course(struct store *st, int64_t course, struct booking **v, size_t *n)
{
    SQL(sql,
        "SELECT " BOOKING_COLS ", p.channel || ':' || p.ext_id, coalesce(p.name, '')" BOOKING_FROM
        " JOIN people p ON p.id=b.person_id"
        " WHERE b.course_id=? ORDER BY CASE b.status WHEN 'seat' THEN 0 WHEN 'offered' THEN 1"
        " WHEN 'waiting' THEN 2 ELSE 3 END, b.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, course);
    return store_read_all(st, s, "bookings of course", booking_who_read, booking_clear_v,
                          sizeof **v, (void **)v, n);
}

int bookings_live_of_course(struct store *st, int64_t course, struct booking **v, size_t *n)
{
    SQL(sql, "SELECT " BOOKING_COLS BOOKING_FROM
             " WHERE b.course_id=? AND b.status IN " BOOKING_LIVE " ORDER BY b.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, course);
    return bookings_read_all(st, s, "bookings live of course", v, n);
}

int activities_add(struct store *st, const char *title, const char *kind, const char *code,
                   int64_t start_ms, int64_t end_ms, int64_t points, int64_t course, int64_t now,
                   int64_t *id)
{
    SQL(sql, "INSERT INTO activities(title, kind, code, start_ms, end_ms, points, course_id,"
             " created_ms) VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(code) DO NOTHING");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, title);
    store_bind_text(s, 2, kind);
    store_bind_text(s, 3, code);
    store_bind_int64(s, 4, start_ms);
    store_bind_int64(s, 5, end_ms);
    store_bind_int64(s, 6, points);
    if (course > 0)
        store_bind_int64(s, 7, course);
    store_bind_int64(s, 8, now);
    if (store_step_done(st, s, "activity add") == -1)
        return -1;
    if (store_changes(st) == 0)
        return 1;
    *id = store_last_id(st);
    return 0;
}

/* The activity columns, read by activity_read; the check-in count is the
 * last (0 where not counted). */
#define ACTIVITY_COLS                                                                              \
    "a.id, a.title, a.kind, a.code, a.start_ms, a.end_ms, a.points, a.course_id, a.created_ms"

static void activity_read(struct store_stmt *s, void *out)
{
    struct activity *a = out;
    a->id = store_col_int64(s, 0);
    a->title = store_col_text(s, 1);
    a->kind = store_col_text(s, 2);
    a->code = store_col_text(s, 3);
    a->start_ms = store_col_int64(s, 4);
    a->end_ms = store_col_int64(s, 5);
    a->points = store_col_int64(s, 6);
    a->course_id = store_col_int64(s, 7);
    a->created_ms = store_col_int64(s, 8);
    a->checkins = store_col_int64(s, 9);
}

void activity_clear(struct activity *a)
{
    free(a->title);
    free(a->kind);
    free(a->code);
    memset(a, 0, sizeof *a);
}

static void activity_clear_v(void *a)
{
    activity_clear(a);
}

void activity_free_all(struct activity *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, activity_clear_v);
}

int activities_by_code(struct store *st, const char *code, struct activity *out)
{
    SQL(sql, "SELECT " ACTIVITY_COLS ", 0 FROM activities a WHERE a.code=?");
    struct store_stmt *s = store_stmt(st, sql);
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, code);
    return store_read_one(st, s, "activity by code", activity_read, out, sizeof *out);
}

int activities_list(struct store *st, int64_t since, struct activity **v, size_t *n)
{
    SQL(sql, "SELECT " ACTIVITY_COLS ", (SELECT count(*) FROM checkins WHERE activity_id=a.id)"
             " FROM activities a WHERE a.end_ms>? ORDER BY a.start_ms, a.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, since);
    return store_read_all(st, s, "activities list", activity_read, activity_clear_v, sizeof **v,
                          (void **)v, n);
}

int checkins_add(struct store *st, int64_t activity, int64_t person, int64_t now)
{
    SQL(sql, "INSERT INTO checkins(activity_id, person_id, created_ms)"
             " VALUES(?,?,?) ON CONFLICT DO NOTHING");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, activity);
    store_bind_int64(s, 2, person);
    store_bind_int64(s, 3, now);
    if (store_step_done(st, s, "checkin add") == -1)
        return -1;
    return store_changes(st) == 0 ? 1 : 0;
}

int items_add(struct store *st, const char *name, const char *description, int64_t cost,
              int64_t stock, int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO items(name, description, cost, stock, created_ms) VALUES(?,?,?,?,?)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, name);
    store_bind_text(s, 2, description ? description : "");
    store_bind_int64(s, 3, cost);
    store_bind_int64(s, 4, stock);
    store_bind_int64(s, 5, now);
    if (store_step_done(st, s, "item add") == -1)
        return -1;
    *id = store_last_id(st);
    return 0;
}

int items_update(struct store *st, int64_t id, int64_t stock, int active)
{
    SQL(sql, "UPDATE items SET stock=CASE WHEN ?2>=0 THEN ?2 ELSE stock END,"
             " active=CASE WHEN ?3>=0 THEN ?3 ELSE active END WHERE id=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, stock);
    store_bind_int(s, 3, active);
    if (store_step_done(st, s, "item update") == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}

/* The item columns, read by item_read. */
#define ITEM_COLS "id, name, description, cost, stock, active, created_ms"

static void item_read(struct store_stmt *s, void *out)
{
    struct item *it = out;
    it->id = store_col_int64(s, 0);
    it->name = store_col_text(s, 1);
    it->description = store_col_text(s, 2);
    it->cost = store_col_int64(s, 3);
    it->stock = store_col_int64(s, 4);
    it->active = store_col_int64(s, 5);
    it->created_ms = store_col_int64(s, 6);
}

void item_clear(struct item *it)
{
    free(it->name);
    free(it->description);
    memset(it, 0, sizeof *it);
}

static void item_clear_v(void *it)
{
    item_clear(it);
}

void item_free_all(struct item *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, item_clear_v);
}

int items_get(struct store *st, int64_t id, struct item *out)
{
    SQL(sql, "SELECT " ITEM_COLS " FROM items WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    return store_read_one(st, s, "item get", item_read, out, sizeof *out);
}

int items_list(struct store *st, int all, struct item **v, size_t *n)
{
    SQL(sql, "SELECT " ITEM_COLS " FROM items WHERE active<>0 OR ?<>0 ORDER BY id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, all != 0);
    return store_read_all(st, s, "items list", item_read, item_clear_v, sizeof **v, (void **)v, n);
}

int items_take(struct store *st, int64_t id)
{
    /* One statement: the check and the decrement cannot be split. */
    SQL(sql, "UPDATE items SET stock=stock-1 WHERE id=? AND active<>0 AND stock>0");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    if (store_step_done(st, s, "item take") == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}

int redemptions_add(struct store *st, int64_t item, int64_t person, int64_t cost, int64_t now,
                    int64_t *id)
{
    SQL(sql, "INSERT INTO redemptions(item_id, person_id, cost, created_ms) VALUES(?,?,?,?)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, item);
    store_bind_int64(s, 2, person);
    store_bind_int64(s, 3, cost);
    store_bind_int64(s, 4, now);
    if (store_step_done(st, s, "redemption add") == -1)
        return -1;
    *id = store_last_id(st);
    return 0;
}

static void redemption_read(struct store_stmt *s, void *out)
{
    struct redemption *r = out;
    r->id = store_col_int64(s, 0);
    r->item_id = store_col_int64(s, 1);
    r->item = store_col_text(s, 2);
    r->who = store_col_text(s, 3);
    r->name = store_col_text(s, 4);
    r->cost = store_col_int64(s, 5);
    r->created_ms = store_col_int64(s, 6);
    r->picked_ms = store_col_int64(s, 7);
}

static void redemption_clear(void *out)
{
    struct redemption *r = out;
    free(r->item);
    free(r->who);
    free(r->name);
}

void redemption_free_all(struct redemption *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, redemption_clear);
}

int redemptions_list(struct store *st, int limit, struct redemption **v, size_t *n)
{
    SQL(sql, "SELECT r.id, r.item_id, i.name, p.channel || ':' || p.ext_id,"
             " coalesce(p.name, ''), r.cost, r.created_ms, r.handed_ms"
             " FROM redemptions r"
             " JOIN items i ON i.id=r.item_id JOIN people p ON p.id=r.person_id"
             " ORDER BY r.id DESC LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, limit);
    return store_read_all(st, s, "redemptions list", redemption_read, redemption_clear, sizeof **v,
                          (void **)v, n);
}

int redemption_picked(struct store *st, int64_t id, int64_t now, int64_t *picked_ms)
{
    SQL(hand_out, "UPDATE redemptions SET handed_ms=?2 WHERE id=?1"
                  " AND handed_ms IS NULL");
    struct store_stmt *u = store_stmt(st, hand_out);
    SQL(handed_ms, "SELECT handed_ms FROM redemptions WHERE id=?");
    struct store_stmt *s = store_stmt(st, handed_ms);
    if (u == NULL || s == NULL)
        return -1;
    store_bind_int64(u, 1, id);
    store_bind_int64(u, 2, now);
    if (store_step_done(st, u, "redemption picked") == -1)
        return -1;
    int changed = store_changes(st) == 1;
    store_bind_int64(s, 1, id);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *picked_ms = store_col_int64(s, 0);
    store_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "redemption get");
    return rc == SQLITE_ROW ? 1 + changed : 0;
}

int courses_paid_open(struct store *st, int64_t now, struct course **v, size_t *n)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c WHERE c.cost>0"
             " AND c.cancelled_ms IS NULL AND c.deadline_ms>?1"
             " AND c.start_ms>?1 ORDER BY c.start_ms, c.no");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    return courses_read_all(st, s, "courses paid open", v, n);
}
