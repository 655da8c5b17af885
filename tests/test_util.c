/*
 * test_util.c - x-helpers, UTF-8 helpers, capped buffer.
 */
#include <stdlib.h>

#include "buf.h"
#include "t.h"
#include "util.h"

static void test_parse_int_range(void)
{
    long long v = 0;
    CHECK_INT(parse_int("42", 0, 100, &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(parse_int("101", 0, 100, &v), -1);
    CHECK_INT(parse_int("4x", 0, 100, &v), -1);
    CHECK_INT(parse_int("", 0, 100, &v), -1);
    CHECK_INT(parse_int("99999999999999999999", 0, 100, &v), -1);
}

static void test_utf8_len_and_valid(void)
{
    CHECK_INT(utf8_len("积分abc"), 5);
    CHECK(utf8_valid("积分", 6));
    CHECK(!utf8_valid("\xe7\xa7", 2));
    CHECK(!utf8_valid("\xc0\xaf", 2)); /* overlong '/' */
}

static void test_mask_id(void)
{
    char b[32];
    CHECK_STR(mask_id("13800001234", b, sizeof b), "…1234");
    CHECK_STR(mask_id("ab", b, sizeof b), "…ab");
}

static void test_buf_cap(void)
{
    struct buf b;
    buf_init(&b, 8);
    CHECK_INT(buf_append(&b, "12345", 5), 0);
    CHECK_INT(buf_append(&b, "6789", 4), -1);
    CHECK_INT(buf_append(&b, "678", 3), 0);
    CHECK_STR(b.data, "12345678");
    char *s = buf_take(&b);
    CHECK_STR(s, "12345678");
    free(s);
    buf_release(&b);
}

const struct t_case util_tests[] = {T(test_parse_int_range), T(test_utf8_len_and_valid),
                                    T(test_mask_id), T(test_buf_cap), T_END};
