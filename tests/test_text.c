/*
 * test_text.c - text_cut: where a reply too long for its channel is cut.
 */
#include <string.h>

#include "t.h"
#include "text.h"
#include "util.h"

static void test_text_cut_fits(void)
{
    CHECK_INT(text_cut("你好。", 10), strlen("你好。"));
    CHECK_INT(text_cut("abcde", 5), 5); /* exactly max */
    CHECK_INT(text_cut("", 5), 0);
    CHECK_INT(text_cut("驿站为你服务", 6), strlen("驿站为你服务"));
}

static void test_text_cut_after_last_sentence_end(void)
{
    /* two sentence ends in the span: cut after the later one */
    const char *s = "一二三四。五六七八。九十一二三四五六";
    CHECK_INT(text_cut(s, 12), strlen("一二三四。五六七八。"));
    /* full-width ！？； and ASCII !?; end sentences too */
    CHECK_INT(text_cut("一二三四！五六七八九十", 8), strlen("一二三四！"));
    CHECK_INT(text_cut("一二三四？五六七八九十", 8), strlen("一二三四？"));
    CHECK_INT(text_cut("一二三四；五六七八九十", 8), strlen("一二三四；"));
    CHECK_INT(text_cut("Hello! World again", 10), strlen("Hello!"));
    CHECK_INT(text_cut("Why? Because it is", 8), strlen("Why?"));
    /* a sentence end as the last character that fits */
    CHECK_INT(text_cut("一二三四。五", 5), strlen("一二三四。"));
    /* commas are not sentence ends */
    CHECK_INT(text_cut("一二三，四五六，七八九", 7), strlen("一二三，四五六"));
}

static void test_text_cut_ignores_early_sentence_end(void)
{
    /* the only 。 is in the first half of the span: cut at the limit */
    const char *s = "一。二三四五六七八九十一二";
    CHECK_INT(text_cut(s, 10), strlen("一。二三四五六七八九"));
}

static void test_text_cut_at_limit_without_sentence_end(void)
{
    CHECK_INT(text_cut("abcdefghij", 4), 4);
    CHECK_INT(text_cut("一二三四五六", 4), strlen("一二三四"));
}

/* Platform limits counted in UTF-16 units (Telegram, UCS-2 SMS) and UTF-8
 * bytes (WeChat): the same sentence rule, another measure. */
static void test_text_cut_units(void)
{
    /* 😀 is two UTF-16 units: four of them fill 8 */
    CHECK_INT(text_cut_units("😀😀😀😀😀", 8, TEXT_UTF16), strlen("😀😀😀😀"));
    CHECK_INT(text_cut_units("一二三四五", 5, TEXT_UTF16), strlen("一二三四五"));
    /* 9 bytes hold three Chinese characters; the 。 ends the sentence */
    CHECK_INT(text_cut_units("一二。三四", 9, TEXT_BYTES), strlen("一二。"));
    CHECK_INT(text_cut_units("一二三四", 8, TEXT_BYTES), strlen("一二"));
    CHECK_INT(text_cut_units("abc", 3, TEXT_BYTES), 3);
    CHECK_INT(text_cut_units("一二三", 3, TEXT_CHARS), text_cut("一二三", 3));
}

/* Whatever the limit, the cut lands on a code point boundary. */
static void test_text_cut_never_inside_utf8(void)
{
    const char *s = "a驿b站😀为c你服务ab，工匠精神😀😀。隆中";
    size_t n = strlen(s);
    for (size_t max = 1; max <= utf8_len(s) + 1; max++) {
        size_t at = text_cut(s, max);
        CHECK(at <= n);
        CHECK(at == n || ((unsigned char)s[at] & 0xC0) != 0x80);
        char head[128];
        memcpy(head, s, at);
        head[at] = '\0';
        CHECK(utf8_valid(head, at));
        CHECK(utf8_len(head) <= max);
    }
    /* four-byte emoji count as one character */
    CHECK_INT(text_cut("😀😀😀😀", 2), 8);
}

static void test_text_cut_newline_is_sentence_end(void)
{
    CHECK_INT(text_cut("第一行很长的\n第二行", 8), strlen("第一行很长的\n"));
    CHECK_INT(text_cut("1 查积分\n2 学微课\n3 培训报名", 12), strlen("1 查积分\n2 学微课\n"));
}

const struct t_case text_tests[] = {T(test_text_cut_fits),
                                    T(test_text_cut_after_last_sentence_end),
                                    T(test_text_cut_ignores_early_sentence_end),
                                    T(test_text_cut_at_limit_without_sentence_end),
                                    T(test_text_cut_units),
    T(test_text_cut_never_inside_utf8),
                                    T(test_text_cut_newline_is_sentence_end),
                                    T_END};
