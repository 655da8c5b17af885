/*
 * test_people.c - the roster import's decoding (people_to_utf8) and the
 * broadcast field checks (content_placeholder_unknown, content_fill).
 */
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "people.h"
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

const struct t_case people_tests[] = {T(test_import_decodes_utf8_bom_gbk),
                                      T(test_broadcast_fields_known), T_END};
