/*
 * store_courses.c - SQL of courses, bookings, activities, check-ins,
 * redemption items and redemptions (see courses.h). Rows come back as JSON
 * objects keyed by column name.
 */
#include "courses.h"

#include <string.h>

#include "store.h"
#include "store_int.h"

/* The current row as an object keyed by column name. */
/* The course columns with their counts, shared by the course queries. */
#define COURSE_COLS                                                                                \
    "c.id, c.no, c.title, c.provider, c.place, c.start_ms, c.end_ms, c.capacity, c.cost,"          \
    " c.deadline_ms, c.description, c.created_ms, c.cancelled_ms,"                                 \
    " (SELECT count(*) FROM bookings WHERE course_id=c.id AND status IN ('seat','offered'))"       \
    " AS taken,"                                                                                   \
    " (SELECT count(*) FROM bookings WHERE course_id=c.id AND status='waiting') AS waiting,"       \
    " (SELECT code FROM activities WHERE course_id=c.id ORDER BY id LIMIT 1) AS checkin_code"

static int64_t int_of(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

int courses_add(struct store *st, json_t *c, int64_t now, int64_t *id, int64_t *no)
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
    store_bind_text(s, 2, json_string_value(json_object_get(c, "title")));
    const char *provider = json_string_value(json_object_get(c, "provider"));
    store_bind_text(s, 3, provider ? provider : "");
    store_bind_text(s, 4, json_string_value(json_object_get(c, "place")));
    store_bind_int64(s, 5, int_of(c, "start_ms"));
    store_bind_int64(s, 6, int_of(c, "end_ms"));
    store_bind_int64(s, 7, int_of(c, "capacity"));
    store_bind_int64(s, 8, int_of(c, "cost"));
    store_bind_int64(s, 9, int_of(c, "deadline_ms"));
    const char *desc = json_string_value(json_object_get(c, "description"));
    store_bind_text(s, 10, desc ? desc : "");
    store_bind_int64(s, 11, now);
    if (store_step_done(st, s, "course add") == -1)
        return -1;
    *id = store_last_id(st);
    return 0;
}

json_t *courses_get(struct store *st, int64_t id, int *found)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c WHERE c.id=?");
    struct store_stmt *s = store_stmt(st, sql);
    *found = -1;
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, id);
    return store_one_row(st, s, "course get", found);
}

json_t *courses_by_no(struct store *st, int64_t no, int64_t now, int *found)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c"
             " WHERE c.no=? AND c.end_ms>? AND c.cancelled_ms IS NULL"
             " ORDER BY c.id DESC LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    *found = -1;
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, no);
    store_bind_int64(s, 2, now);
    return store_one_row(st, s, "course by no", found);
}

json_t *courses_upcoming(struct store *st, int64_t now, int limit)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c"
             " WHERE c.start_ms>? AND c.cancelled_ms IS NULL"
             " ORDER BY c.start_ms, c.no LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, now);
    store_bind_int(s, 2, limit);
    return store_rows_json(st, s, "courses upcoming");
}

json_t *courses_list(struct store *st, int64_t since)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c WHERE c.end_ms>? ORDER BY c.start_ms, c.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, since);
    return store_rows_json(st, s, "courses list");
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

json_t *bookings_live(struct store *st, int64_t course, int64_t person, int *found)
{
    SQL(sql, "SELECT * FROM bookings WHERE course_id=? AND person_id=?"
             " AND status IN " BOOKING_LIVE);
    struct store_stmt *s = store_stmt(st, sql);
    *found = -1;
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, course);
    store_bind_int64(s, 2, person);
    return store_one_row(st, s, "booking live", found);
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

json_t *bookings_first_waiting(struct store *st, int64_t course, int *found)
{
    SQL(sql, "SELECT * FROM bookings WHERE course_id=? AND status='waiting' ORDER BY id LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    *found = -1;
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, course);
    return store_one_row(st, s, "booking first waiting", found);
}

json_t *bookings_expired_offers(struct store *st, int64_t now)
{
    SQL(sql, "SELECT b.*, c.no, c.title FROM bookings b JOIN courses c ON c.id=b.course_id"
             " WHERE b.status='offered' AND b.offer_until_ms<=? ORDER BY b.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, now);
    return store_rows_json(st, s, "bookings expired offers");
}

json_t *courses_to_fill(struct store *st, int64_t now)
{
    SQL(sql, "SELECT c.id FROM courses c WHERE c.start_ms>? AND c.cancelled_ms IS NULL"
             " AND EXISTS(SELECT 1 FROM bookings WHERE course_id=c.id AND status='waiting')"
             " AND (SELECT count(*) FROM bookings WHERE course_id=c.id"
             " AND status IN ('seat','offered')) < c.capacity ORDER BY c.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, now);
    return store_rows_json(st, s, "courses to fill");
}

json_t *bookings_upcoming_seats(struct store *st, int64_t now, int64_t within_ms)
{
    SQL(sql, "SELECT b.id, b.person_id, b.seat_ms, c.id AS course_id, c.no, c.title, c.place,"
             " c.start_ms FROM bookings b JOIN courses c ON c.id=b.course_id"
             " WHERE b.status='seat' AND c.cancelled_ms IS NULL AND c.start_ms>?1"
             " AND c.start_ms<=?1 + ?2 ORDER BY b.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, within_ms);
    return store_rows_json(st, s, "bookings upcoming seats");
}

json_t *bookings_of(struct store *st, int64_t person, int64_t now)
{
    SQL(sql, "SELECT b.id, b.status, b.offer_until_ms, c.id AS course_id, c.no, c.title, c.place,"
             " c.start_ms, (SELECT count(*) FROM bookings w WHERE w.course_id=b.course_id"
             " AND w.status='waiting' AND w.id<=b.id) AS position"
             " FROM bookings b JOIN courses c ON c.id=b.course_id"
             " WHERE b.person_id=? AND b.status IN " BOOKING_LIVE
             " AND c.end_ms>? AND c.cancelled_ms IS NULL ORDER BY c.start_ms, c.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, person);
    store_bind_int64(s, 2, now);
    return store_rows_json(st, s, "bookings of");
}

json_t *bookings_of_course(struct store *st, int64_t course)
{
    SQL(sql,
        "SELECT b.id, p.channel || ':' || p.ext_id AS person, coalesce(p.name, '') AS name,"
        " b.status, CASE WHEN b.status='waiting' THEN (SELECT count(*) FROM bookings w"
        " WHERE w.course_id=b.course_id AND w.status='waiting' AND w.id<=b.id) END AS position,"
        " b.cost, b.paid_ref, b.created_ms, b.seat_ms, b.offer_until_ms, b.attended_ms,"
        " b.updated_ms FROM bookings b JOIN people p ON p.id=b.person_id"
        " WHERE b.course_id=? ORDER BY CASE b.status WHEN 'seat' THEN 0 WHEN 'offered' THEN 1"
        " WHEN 'waiting' THEN 2 ELSE 3 END, b.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, course);
    return store_rows_json(st, s, "bookings of course");
}

json_t *bookings_live_of_course(struct store *st, int64_t course)
{
    SQL(sql, "SELECT * FROM bookings WHERE course_id=? AND status IN " BOOKING_LIVE " ORDER BY id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, course);
    return store_rows_json(st, s, "bookings live of course");
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

json_t *activities_by_code(struct store *st, const char *code, int *found)
{
    SQL(sql, "SELECT * FROM activities WHERE code=?");
    struct store_stmt *s = store_stmt(st, sql);
    *found = -1;
    if (s == NULL)
        return NULL;
    store_bind_text(s, 1, code);
    return store_one_row(st, s, "activity by code", found);
}

json_t *activities_of_course(struct store *st, int64_t course, int *found)
{
    SQL(sql, "SELECT * FROM activities WHERE course_id=? ORDER BY id LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    *found = -1;
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, course);
    return store_one_row(st, s, "activity of course", found);
}

json_t *activities_list(struct store *st, int64_t since)
{
    SQL(sql, "SELECT a.*, (SELECT count(*) FROM checkins WHERE activity_id=a.id) AS checkins"
             " FROM activities a WHERE a.end_ms>? ORDER BY a.start_ms, a.id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, since);
    return store_rows_json(st, s, "activities list");
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

json_t *items_get(struct store *st, int64_t id, int *found)
{
    SQL(sql, "SELECT * FROM items WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    *found = -1;
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, id);
    return store_one_row(st, s, "item get", found);
}

json_t *items_list(struct store *st, int all)
{
    SQL(sql, "SELECT * FROM items WHERE active<>0 OR ?<>0 ORDER BY id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int(s, 1, all != 0);
    return store_rows_json(st, s, "items list");
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

json_t *redemptions_list(struct store *st, int limit)
{
    SQL(sql, "SELECT r.id, r.item_id, i.name AS item, p.channel || ':' || p.ext_id AS person,"
             " coalesce(p.name, '') AS name, r.cost, r.created_ms, r.handed_ms AS picked_ms"
             " FROM redemptions r"
             " JOIN items i ON i.id=r.item_id JOIN people p ON p.id=r.person_id"
             " ORDER BY r.id DESC LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int(s, 1, limit);
    return store_rows_json(st, s, "redemptions list");
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

json_t *courses_paid_open(struct store *st, int64_t now)
{
    SQL(sql, "SELECT " COURSE_COLS " FROM courses c WHERE c.cost>0"
             " AND c.cancelled_ms IS NULL AND c.deadline_ms>?1"
             " AND c.start_ms>?1 ORDER BY c.start_ms, c.no");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, now);
    return store_rows_json(st, s, "courses paid open");
}
