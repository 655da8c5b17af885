/*
 * test_migrate.c - upgrades: a database left by every earlier schema version
 * (migrations[0..k) applied, as an older build did), with representative rows
 * in every table it had, is opened by the current store; every row and every
 * column it had must still be there, unchanged. And store_pending() (`yizhan
 * migrate --check`) lists what an upgrade would run without running it.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "routing.h"
#include "store.h"
#include "t.h"
#include "util.h"

/* The schema this test knows every table of: a table created later with no
 * row in samples[] is named in a note (add its rows), not a failure. */
#define KNOWN_SCHEMA 13

/* Representative rows, each run on databases of schema `since` and later:
 * the tables' own rows when they appear, and values in columns that later
 * migrations added. Foreign keys hold. */
static const struct {
    int since;
    const char *sql;
} samples[] = {
    {1, "INSERT INTO people(id, channel, ext_id, name, opted_out, opt_changed_ms, created_ms,"
        " last_seen_ms) VALUES (1, 'generic', 'u-1', '张师傅', 0, NULL, 1000, 2000),"
        " (2, 'twilio', '+8613800000002', NULL, 1, 1500, 1100, 2100),"
        " (3, 'wechat', 'oX3', '李', 0, NULL, 1200, 2200)"},
    {1, "INSERT INTO inbound(channel, ext_id, person_id, text, intent, replies, created_ms)"
        " VALUES ('generic', 'm-1', 1, '积分', 'points', '[{\"text\":\"你有 5 分\"}]', 2000),"
        " ('twilio', 'SM2', 2, 'STOP', 'optout', '[]', 2100)"},
    {1, "INSERT INTO state(person_id, key, value, expires_ms) VALUES (1, 'menu', '1,2,3', 9000)"},
    {1, "INSERT INTO unknown(text, count, first_ms, last_ms) VALUES ('你好吗', 3, 1000, 3000)"},
    {1, "INSERT INTO meta(k, v) VALUES ('installed', 'yes')"},
    {2, "INSERT INTO broadcasts(id, text, audience, at_ms, spread_ms, recipients, sms_parts,"
        " created_ms, cancelled_ms) VALUES (1, '明天培训', 'all', 5000, 60000, 2, 1, 4000, NULL)"},
    {2, "INSERT INTO outbox(id, person_id, channel, to_ext, klass, text, sent_text, idem_key,"
        " broadcast_id, status, attempts, next_at_ms, last_error, ext_msg_id, created_ms,"
        " updated_ms, sent_ms) VALUES"
        " (1, 1, 'generic', 'u-1', 'bulk', '明天培训', '明天培训', 'bc1-1', 1, 'sent', 1, 5000,"
        " NULL, 'x1', 4000, 5001, 5001),"
        " (2, 3, 'wechat', 'oX3', 'bulk', '明天培训', NULL, 'bc1-3', 1, 'dead', 8, 9000,"
        " 'http 500', NULL, 4000, 9000, NULL),"
        " (3, 1, 'generic', 'u-1', 'reply', '好的', NULL, 'r-1', NULL, 'queued', 0, 6000, NULL,"
        " NULL, 6000, 6000, NULL)"},
    {2, "INSERT INTO tags(person_id, tag) VALUES (1, '骑手'), (3, '家政')"},
    {3, "INSERT INTO points(person_id, delta, reason, ref, created_ms) VALUES"
        " (1, 5, 'lesson', 'lesson:1', 2500), (1, -2, 'redeem', 'redeem:1', 2600)"},
    {4, "INSERT INTO lesson_progress(person_id, lesson_id, shown_ms, answers, wrong, first_right,"
        " done_ms, retry_at_ms) VALUES (1, 1, 2400, 2, 1, 0, 2500, 90000)"},
    {4, "INSERT INTO lesson_days(person_id, day) VALUES (1, '2026-12-01')"},
    {4, "INSERT INTO lesson_subs(person_id, minute, last_day, created_ms) VALUES"
        " (1, 1200, '2026-12-01', 2400)"},
    {5, "INSERT INTO courses(id, no, title, provider, place, start_ms, end_ms, capacity, cost,"
        " deadline_ms, description, created_ms) VALUES (1, 1, '劳动法入门', '总工会', '驿站',"
        " 100000, 110000, 20, 10, 90000, '两小时', 3000)"},
    {5, "INSERT INTO bookings(course_id, person_id, status, cost, paid_ref, seat_ms, created_ms,"
        " updated_ms) VALUES (1, 1, 'seat', 10, 'book:1', 3100, 3100, 3100),"
        " (1, 3, 'waiting', 0, NULL, NULL, 3200, 3200)"},
    {5, "INSERT INTO activities(id, title, kind, code, start_ms, end_ms, points, course_id,"
        " created_ms) VALUES (1, '签到', 'course', 'K7Q2', 99000, 110000, 3, 1, 3000)"},
    {5, "INSERT INTO checkins(activity_id, person_id, created_ms) VALUES (1, 1, 100500)"},
    {5, "INSERT INTO items(id, name, description, cost, stock, active, created_ms) VALUES"
        " (1, '雨衣', '骑手雨衣', 2, 9, 1, 3000)"},
    {5, "INSERT INTO redemptions(item_id, person_id, cost, created_ms, handed_ms) VALUES"
        " (1, 1, 2, 2600, NULL)"},
    {6, "INSERT INTO desk_volunteers(id, person_id, name, desks, hours, active, last_offer_ms,"
        " created_ms) VALUES (1, 3, '王律师', ',legal,', '', 1, 0, 3000)"},
    {6, "INSERT INTO desk_tickets(id, desk, person_id, status, volunteer_id, offers, crisis,"
        " created_ms, taken_ms, rating) VALUES (1, 'legal', 1, 'taken', 1, 1, 0, 3300, 3400, 5)"},
    {6, "INSERT INTO mentoring(id, worker_id, mentor_id, mentor_name, active, created_ms) VALUES"
        " (1, 1, 3, '李', 1, 3000)"},
    {6, "INSERT INTO desk_messages(ticket_id, pair_id, side, text, created_ms) VALUES"
        " (1, NULL, 'worker', '工资被拖欠', 3300), (NULL, 1, 'mentor', '加油', 3500)"},
    {6, "INSERT INTO members(person_id, name, org, contact, city, lat, lon, checkin_ms,"
        " created_ms) VALUES (1, '张师傅', '美团', '138', '杭州', 30.25, 120.16, 3600, 3000)"},
    {7, "INSERT INTO reports(id, code, person_id, description, lat, lon, loc_source, status,"
        " photo_status, created_ms, updated_ms) VALUES (1, 'SP0001', 1, '井盖缺失', 30.2, 120.1,"
        " 'gps', 'accepted', 'ok', 4000, 4100)"},
    {7, "INSERT INTO report_history(report_id, status, actor, note, created_ms) VALUES"
        " (1, 'accepted', 'admin', '已转市政', 4100)"},
    {7, "INSERT INTO report_media(report_id, person_id, url, declared_type, status, attempts,"
        " next_at_ms, sha256, mime, bytes, created_ms, updated_ms) VALUES (1, 1,"
        " 'https://example.com/p.jpg', 'image/jpeg', 'ok', 1, 4000, 'ab12', 'image/jpeg', 2048,"
        " 4000, 4050)"},
    {8, "UPDATE courses SET owner = 'desk' WHERE id = 1"},
    {8, "INSERT INTO admin_credits(role, person_id, delta, ref, created_ms) VALUES"
        " ('union', 1, 10, 'credit:1', 4200)"},
    {9, "UPDATE people SET account_id = 1 WHERE id = 3"},
    {9, "INSERT INTO link_codes(code, account_id, expires_ms) VALUES ('482913', 1, 99000)"},
    {9, "INSERT INTO link_fails(person_id, at_ms) VALUES (2, 4300)"},
    {9, "UPDATE outbox SET delivery_status = 'delivered', delivered_ms = 5002 WHERE id = 1"},
    {10, "UPDATE outbox SET extra = '{\"url\":\"https://example.com/l/1\"}' WHERE id = 3"},
};

static sqlite3 *open_raw(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        printf("%s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
        t_failed++;
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Every user table of db, with the query that dumps it: each row as its
 * columns quote()d and joined, sorted. */
struct table {
    char *name, *query;
    long long rows;
};

static int tables_of(sqlite3 *db, struct table *out, int max)
{
    sqlite3_stmt *s = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                           " 'sqlite_%' ORDER BY name",
                           -1, &s, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(s) == SQLITE_ROW && n < max) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        char *pragma = xasprintf("SELECT name FROM pragma_table_info('%s') ORDER BY cid", name);
        sqlite3_stmt *c = NULL;
        struct buf q;
        buf_init(&q, 0);
        buf_puts(&q, "SELECT ");
        int ncols = 0;
        if (sqlite3_prepare_v2(db, pragma, -1, &c, NULL) == SQLITE_OK)
            while (sqlite3_step(c) == SQLITE_ROW)
                buf_printf(&q, "%squote(\"%s\")", ncols++ ? " || '|' || " : "",
                           (const char *)sqlite3_column_text(c, 0));
        sqlite3_finalize(c);
        free(pragma);
        buf_printf(&q, " FROM \"%s\" ORDER BY 1", name);
        out[n].name = xstrdup(name);
        out[n].query = buf_take(&q);
        buf_release(&q);
        n++;
    }
    sqlite3_finalize(s);
    return n;
}

/* The rows of t as text, one line each; NULL when the query fails (a table or
 * column that went away). */
static char *dump(sqlite3 *db, struct table *t)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, t->query, -1, &s, NULL) != SQLITE_OK) {
        printf("%s: %s\n", t->name, sqlite3_errmsg(db));
        return NULL;
    }
    struct buf b;
    buf_init(&b, 0);
    t->rows = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        buf_printf(&b, "%s\n", (const char *)sqlite3_column_text(s, 0));
        t->rows++;
    }
    sqlite3_finalize(s);
    char *text = buf_take(&b);
    buf_release(&b);
    return text;
}

static void count_pending(int version, const char *note, const char *statements, void *ctx)
{
    int *seen = ctx;
    CHECK_INT(version, seen[0] + seen[1] + 1); /* in order, from the next version */
    /* a migration for PostgreSQL only (25: lock_person) runs nothing on
     * SQLite, and its note says so */
    CHECK(statements[0] != '\0' || strstr(note, "PostgreSQL only") != NULL);
    if (version <= KNOWN_SCHEMA)
        CHECK(note[0] != '\0');
    seen[1]++;
}

/* Rows a migration drops on purpose: (table, the migration that empties it).
 * 14: the 6-digit 绑定 codes (10-minute secrets, guessable by design, issue
 * 15); their owners ask for a new one. Every other row must survive. */
static const struct {
    const char *table;
    int version;
} dropped[] = {{"link_codes", 14}};

static bool dropped_on_purpose(const char *table, int k, int latest)
{
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        if (strcmp(dropped[i].table, table) == 0 && k < dropped[i].version &&
            dropped[i].version <= latest)
            return true;
    return false;
}

/* A database of schema k, its rows, then the current store on it. */
static void upgrade_from(int k, int latest)
{
    char *path = xasprintf("%s/schema-%d.db", t_tmpdir(), k);
    CHECK_INT(store_migrate_to(path, k), 0);
    sqlite3 *db = open_raw(path);
    if (db == NULL)
        goto out;
    CHECK_INT(user_version(db), k);
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char *err = NULL;
        if (samples[i].since <= k && sqlite3_exec(db, samples[i].sql, NULL, NULL, &err) != 0) {
            printf("schema %d: %s: %s\n", k, samples[i].sql, err);
            t_failed++;
        }
        sqlite3_free(err);
    }
    struct table t[128];
    int n = tables_of(db, t, 128);
    char *before[128] = {0};
    for (int i = 0; i < n; i++) {
        before[i] = dump(db, &t[i]);
        if (t[i].rows == 0 && k <= KNOWN_SCHEMA) {
            printf("schema %d: table %s has no sample row\n", k, t[i].name);
            t_failed++;
        } else if (t[i].rows == 0) {
            printf("note: schema %d: table %s has no sample row in tests/test_migrate.c\n", k,
                   t[i].name);
        }
    }
    sqlite3_close(db);

    int seen[2] = {k, 0}; /* migrate --check: what would run, nothing run */
    CHECK_INT(store_pending(path, count_pending, seen), k);
    CHECK_INT(seen[1], latest - k);

    struct store *st = store_open(path, true);
    CHECK(st != NULL);
    if (st != NULL)
        CHECK_INT(store_version(st), latest);
    store_close(st);
    db = open_raw(path);
    for (int i = 0; i < n && db != NULL; i++) {
        char *after = dump(db, &t[i]);
        if (dropped_on_purpose(t[i].name, k, latest)) {
            if (after == NULL || after[0] != '\0') { /* emptied, not kept by mistake */
                printf("schema %d -> %d: table %s should be empty:\n%s", k, latest, t[i].name,
                       after ? after : "(none)\n");
                t_failed++;
            }
        } else if (after == NULL || before[i] == NULL || strcmp(after, before[i]) != 0) {
            printf("schema %d -> %d: table %s changed:\n--- before\n%s--- after\n%s", k, latest,
                   t[i].name, before[i] ? before[i] : "(none)\n", after ? after : "(none)\n");
            t_failed++;
        }
        free(after);
    }
    sqlite3_close(db);
    for (int i = 0; i < n; i++) {
        free(before[i]);
        free(t[i].name);
        free(t[i].query);
    }
out:
    free(path);
}

static void test_migrate_every_earlier_schema_keeps_its_rows(void)
{
    int latest = store_schema_latest();
    CHECK(latest >= KNOWN_SCHEMA);
    for (int k = 0; k < latest; k++)
        upgrade_from(k, latest);
}

static void test_migrate_pending_changes_nothing(void)
{
    char *path = xasprintf("%s/pending.db", t_tmpdir());
    int seen[2] = {0, 0};
    CHECK_INT(store_pending(path, count_pending, seen), 0); /* no file: everything */
    CHECK_INT(seen[1], store_schema_latest());
    CHECK(access(path, F_OK) != 0); /* and still no file */
    CHECK_INT(store_migrate_to(path, 5), 0);
    seen[0] = 5;
    seen[1] = 0;
    CHECK_INT(store_pending(path, count_pending, seen), 5);
    CHECK_INT(seen[1], store_schema_latest() - 5);
    sqlite3 *db = open_raw(path);
    if (db != NULL)
        CHECK_INT(user_version(db), 5);
    sqlite3_close(db);
    CHECK_INT(store_migrate_to(path, store_schema_latest() + 1), -1);
    free(path);
}

/* Each migration written once per engine: those bot/schema_pg.sql holds
 * have SQLite's text only, every later one both, and SQLite's with its note
 * (what migrate --check shows on either engine). */
static void test_migrate_every_later_migration_has_both_engines(void)
{
    const char *lite, *pg;
    int base = store_schema_pg_base(), n = 0;
    CHECK(base >= 22 && base <= store_schema_latest());
    for (int i = 0; store_migration(i, &lite, &pg); i++, n++) {
        CHECK(lite != NULL && lite[0] != '\0');
        if (i < base) {
            CHECK(pg == NULL);
            continue;
        }
        if (pg == NULL || !str_has_prefix(lite, "-- "))
            printf("migration %d: %s\n", i + 1, pg ? "no \"-- \" note" : "no PostgreSQL text");
        CHECK(pg != NULL && str_has_prefix(lite, "-- "));
    }
    CHECK_INT(n, store_schema_latest());
}

/* Migration 23: the districts and a body's routes keep the order they were
 * listed in (rowid) as their explicit position. */
static void test_migrate_positions_keep_the_listed_order(void)
{
    char *path = xasprintf("%s/positions.db", t_tmpdir());
    CHECK_INT(store_migrate_to(path, 22), 0);
    sqlite3 *db = open_raw(path);
    if (db != NULL)
        CHECK_INT(sqlite3_exec(db,
                               "INSERT INTO report_bodies(id, code, name, created_ms)"
                               " VALUES (1, 'b1', '市政', 0);"
                               "INSERT INTO report_routes(body_id, category_id, district) VALUES"
                               " (1, 2, '樊城区'), (1, 1, '襄城区'), (1, 5, NULL);",
                               NULL, NULL, NULL),
                  SQLITE_OK);
    sqlite3_close(db);
    struct store *st = store_open(path, false);
    CHECK(st != NULL);
    if (st != NULL) {
        char **d;
        size_t n;
        CHECK_INT(store_district_list(st, &d, &n), 0);
        CHECK(n == 11 && strcmp(d[0], "襄城区") == 0 && strcmp(d[1], "樊城区") == 0 &&
              strcmp(d[10], "保康县") == 0);
        store_free_strings(d, n);
        struct body *b;
        CHECK_INT(store_body_list(st, &b, &n), 0);
        CHECK(n == 1 && b[0].nroutes == 3);
        if (n == 1 && b[0].nroutes == 3) {
            CHECK_STR(b[0].routes[0].category, "路灯");
            CHECK_STR(b[0].routes[0].district, "樊城区");
            CHECK_STR(b[0].routes[1].category, "井盖");
            CHECK_STR(b[0].routes[2].category, "其他");
            CHECK(b[0].routes[2].district == NULL);
        }
        body_free_all(b, n);
    }
    store_close(st);
    free(path);
}

const struct t_case migrate_tests[] = {
    T(test_migrate_every_later_migration_has_both_engines),
    T(test_migrate_positions_keep_the_listed_order),
    T(test_migrate_every_earlier_schema_keeps_its_rows),
    T(test_migrate_pending_changes_nothing),
    T_END,
};
