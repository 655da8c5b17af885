/*
 * test_points.c - the points ledger (points.h): a reference counts once, a
 * spend never takes the balance below zero, entries cannot be edited, and
 * both hold with several connections writing at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "courses.h"
#include "points.h"
#include "store.h"
#include "store_int.h"
#include "t.h"

static long long q(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static int64_t person(struct store *st, const char *user)
{
    int64_t id = 0;
    CHECK_INT(store_person_ensure(st, "generic", user, NULL, 1000, &id), 0);
    return id;
}

static void test_points_ref_counts_once(void)
{
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    int64_t p = person(st, "u-1"), other = person(st, "u-2");
    CHECK_INT(points_award(st, p, 5, "lesson", "lesson:12", 1000), 0);
    CHECK_INT(points_award(st, p, 5, "lesson", "lesson:12", 2000), 1);
    CHECK_INT(points_award(st, other, 5, "lesson", "lesson:12", 2000), 0); /* per person */
    CHECK_INT(points_balance(st, p), 5);
    CHECK_INT(points_award(st, p, 0, "x", "zero", 1000), -1);
    CHECK_INT(points_spend(st, p, -3, "x", "neg", 1000), -1);
    store_close(st);
}

static void test_points_spend_never_negative(void)
{
    struct store *st = store_open(":memory:", false);
    int64_t p = person(st, "u-1");
    CHECK_INT(points_award(st, p, 10, "lesson", "lesson:1", 1000), 0);
    CHECK_INT(points_spend(st, p, 11, "redeem", "redeem:1", 1000), 2);
    CHECK_INT(points_balance(st, p), 10);
    CHECK_INT(points_spend(st, p, 10, "redeem", "redeem:2", 1000), 0);
    CHECK_INT(points_spend(st, p, 10, "redeem", "redeem:2", 1000), 1); /* a retry */
    CHECK_INT(points_balance(st, p), 0);
    CHECK_INT(points_entry(st, p, -1, "admin fix", "admin:9", 1000), 2);
    CHECK_INT(points_entry(st, p, 3, "admin fix", "admin:9", 1000), 0);
    struct point_entry *r;
    size_t n;
    CHECK_INT(points_recent(st, p, 2, &r, &n), 0);
    CHECK_INT(n, 2);
    if (n == 2) { /* the reader: newest first, every field */
        CHECK_STR(r[0].ref, "admin:9");
        CHECK_STR(r[0].reason, "admin fix");
        CHECK_INT(r[0].delta, 3);
        CHECK_INT(r[0].ms, 1000);
        CHECK_STR(r[1].ref, "redeem:2");
        CHECK_INT(r[1].delta, -10);
        json_t *j = point_entry_json(&r[0]);
        CHECK_INT(json_object_size(j), 4);
        CHECK_STR(json_string_value(json_object_get(j, "reason")), "admin fix");
        CHECK_INT(json_integer_value(json_object_get(j, "ms")), 1000);
        json_decref(j);
    }
    point_entry_free_all(r, n);
    CHECK_INT(points_recent(st, p + 1, 2, &r, &n), 0);
    CHECK_INT(n, 0);
    point_entry_free_all(r, n);
    store_close(st);
}

static void test_points_entries_append_only(void)
{
    struct store *st = store_open(":memory:", false);
    int64_t p = person(st, "u-1");
    CHECK_INT(points_award(st, p, 10, "lesson", "lesson:1", 1000), 0);
    CHECK(sqlite3_exec(store_db(st), "UPDATE points SET delta=100", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(store_db(st), "DELETE FROM points", NULL, NULL, NULL) != SQLITE_OK);
    CHECK_INT(points_balance(st, p), 10);
    store_close(st);
}

#define THREADS 8
#define ROUNDS 40

struct worker {
    const char *path;
    int64_t person;
    int n;
    int awarded, spent, failed;
};

/* Each worker awards the same ROUNDS references (only one of each may
 * count) and spends 1 point with its own references as often as it can. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct store *st = store_open(w->path, false);
    if (st == NULL) {
        w->failed++;
        return NULL;
    }
    for (int i = 0; i < ROUNDS; i++) {
        char ref[64];
        if (store_begin(st) == -1) {
            w->failed++;
            continue;
        }
        snprintf(ref, sizeof ref, "lesson:%d", i);
        int a = points_award(st, w->person, 1, "lesson", ref, 1000 + i);
        snprintf(ref, sizeof ref, "redeem:%d:%d", w->n, i);
        int s = points_spend(st, w->person, 1, "redeem", ref, 1000 + i);
        if (a == -1 || s == -1) {
            store_rollback(st);
            w->failed++;
            continue;
        }
        if (store_commit(st) == -1) {
            store_rollback(st);
            w->failed++;
            continue;
        }
        w->awarded += a == 0;
        w->spent += s == 0;
    }
    store_close(st);
    return NULL;
}

static void test_points_concurrent_no_double_award_no_negative(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/points.db", t_tmpdir());
    struct store *st = store_open(path, false);
    CHECK(st != NULL);
    int64_t p = person(st, "u-1");
    struct worker w[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.path = path, .person = p, .n = i};
        CHECK_INT(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    int awarded = 0, spent = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(w[i].failed, 0);
        awarded += w[i].awarded;
        spent += w[i].spent;
    }
    CHECK_INT(awarded, ROUNDS); /* each reference once, whoever won it */
    CHECK_INT(q(st, "SELECT count(*) FROM points WHERE delta > 0"), ROUNDS);
    CHECK_INT(q(st, "SELECT count(*) FROM points WHERE delta < 0"), spent);
    CHECK_INT(points_balance(st, p), ROUNDS - spent);
    /* the running balance in entry order never dipped below zero */
    CHECK_INT(q(st, "SELECT count(*) FROM (SELECT sum(delta) OVER (ORDER BY id) AS run"
                    " FROM points) WHERE run < 0"),
              0);
    store_close(st);
}

const struct t_case points_tests[] = {
    T(test_points_ref_counts_once),
    T(test_points_spend_never_negative),
    T(test_points_entries_append_only),
    T(test_points_concurrent_no_double_award_no_negative),
    T_END,
};
