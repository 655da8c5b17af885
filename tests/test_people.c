/*
 * test_people.c - the roster import's decoding (people_to_utf8) and the
 * broadcast field checks (content_placeholder_unknown, content_fill).
 */
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "people.h"
#include "store.h"
#include "store_int.h"
#include "t.h"

static void test_import_decodes_utf8_bom_gbk(void)
{
    const char *enc = NULL;
    char *s = people_to_utf8("姓名\n", strlen("姓名\n"), &enc);
    CHECK_STR(s, "姓名\n");
    CHECK_STR(enc, "UTF-8");
    free(s);
    s = people_to_utf8("\xEF\xBB\xBF姓名", strlen("\xEF\xBB\xBF姓名"), &enc);
    CHECK_STR(s, "姓名");
    CHECK_STR(enc, "UTF-8 BOM");
    free(s);
    s = people_to_utf8("\xD0\xD5\xC3\xFB", 4, &enc); /* 姓名 in GBK */
    CHECK_STR(s, "姓名");
    CHECK_STR(enc, "GBK");
    free(s);
    /* GBK 0x80 is the euro sign: one byte, three in UTF-8 (the buffer grows 3x) */
    char euros[200];
    memset(euros, 0x80, sizeof euros);
    s = people_to_utf8(euros, sizeof euros, &enc);
    CHECK(s != NULL && strlen(s) == 3 * sizeof euros && memcmp(s, "€", 3) == 0);
    free(s);
    CHECK(people_to_utf8("\xFF\xFF", 2, &enc) == NULL);     /* neither */
    CHECK(people_to_utf8("a\0b\0", 4, &enc) == NULL);       /* UTF-16: NUL bytes */
    CHECK(people_to_utf8("\xD0", 1, &enc) == NULL);         /* a cut GBK pair */
}

static void test_broadcast_fields_known(void)
{
    size_t len = 0;
    CHECK(content_placeholder_unknown("{name}，{district}的{{活动}", people_fields, &len) == NULL);
    const char *p = content_placeholder_unknown("你好 {name}{nmae}", people_fields, &len);
    CHECK(p != NULL && len == 6 && strncmp(p, "{nmae}", 6) == 0);
    CHECK(content_placeholder_unknown("a { b", people_fields, &len) == NULL);
    const char *kv[] = {"name", "李师傅", "district", "", NULL};
    char *out = content_fill("{name}，{district}的{{活动}", kv);
    CHECK_STR(out, "李师傅，的{活动}");
    free(out);
}

/* The schedule readers: every field, a NULL tag and cancel time read NULL
 * and 0 and are written null; the ids due come back as ids. */
static void test_schedule_rows_and_json(void)
{
    struct store *st = store_open(":memory:", false);
    struct schedule a = {.kind = "monthly_checkin", .text = "报到 {name}", .day = 5, .minute = 600};
    struct schedule b = {.kind = "after_join", .text = "第 2 课", .day = 0, .tag = "骑手"};
    int64_t ida, idb, person;
    int n;
    CHECK_INT(store_schedule_add(st, &a, 1000, &ida), 0);
    CHECK_INT(store_schedule_add(st, &b, 1000, &idb), 0);
    CHECK_INT(store_schedule_cancel(st, ida, 1500), 1);
    struct schedule *v = store_schedule_list(st, &n);
    CHECK_INT(n, 2);
    if (n == 2) { /* newest first */
        CHECK_INT(v[0].id, idb);
        CHECK_STR(v[0].kind, "after_join");
        CHECK_STR(v[0].text, "第 2 课");
        CHECK_STR(v[0].tag, "骑手");
        CHECK_INT(v[0].day, 0);
        CHECK_INT(v[0].active, 1);
        CHECK_INT(v[0].cancelled_ms, 0);
        CHECK_INT(v[0].created_ms, 1000);
        CHECK_INT(v[0].pushes, 0);
        CHECK_INT(v[1].id, ida);
        CHECK(v[1].tag == NULL);
        CHECK_INT(v[1].day, 5);
        CHECK_INT(v[1].minute, 600);
        CHECK_INT(v[1].active, 0);
        CHECK_INT(v[1].cancelled_ms, 1500);
        json_t *j = schedule_json(&v[1]);
        const char *keys[] = {"id",     "kind",       "text",         "day",    "minute", "tag",
                              "active", "created_ms", "cancelled_ms", "pushes", NULL};
        size_t k = 0;
        for (; keys[k]; k++)
            CHECK(json_object_get(j, keys[k]) != NULL);
        CHECK_INT(json_object_size(j), k);
        CHECK(json_is_null(json_object_get(j, "tag")));
        CHECK_INT(json_integer_value(json_object_get(j, "cancelled_ms")), 1500);
        json_decref(j);
        j = schedule_json(&v[0]);
        CHECK(json_is_null(json_object_get(j, "cancelled_ms")));
        CHECK_STR(json_string_value(json_object_get(j, "tag")), "骑手");
        json_decref(j);
    }
    store_schedules_free(v, n);
    v = store_schedules_active(st, &n);
    CHECK_INT(n, 1);
    CHECK_INT(n == 1 ? v[0].id : 0, idb);
    store_schedules_free(v, n);
    /* after_join, day 0, tag 骑手: a person who joined after it, with consent */
    CHECK_INT(store_person_ensure(st, "generic", "u-1", NULL, 2000, &person), 0);
    CHECK(sqlite3_exec(store_db(st), "UPDATE people SET consent=2000", NULL, NULL, NULL) ==
          SQLITE_OK);
    CHECK(sqlite3_exec(store_db(st),
                       "INSERT INTO tags(person_id, tag)"
                       " SELECT id, '骑手' FROM people",
                       NULL, NULL, NULL) == SQLITE_OK);
    b.id = idb;
    b.created_ms = 1000;
    int64_t *ids;
    size_t nids;
    CHECK_INT(store_schedule_due(st, &b, "", 0, 3000, 10, &ids, &nids), 0);
    CHECK_INT(nids, 1);
    CHECK_INT(nids == 1 ? ids[0] : 0, person);
    free(ids);
    store_close(st);
}

const struct t_case people_tests[] = {T(test_import_decodes_utf8_bom_gbk),
                                      T(test_broadcast_fields_known),
                                      T(test_schedule_rows_and_json), T_END};
