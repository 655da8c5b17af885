/*
 * test_content.c - content/: loading [key] sections (comments, trimming, {{),
 * rendering placeholders, file:line errors from content_load and
 * content_check, and the shipped content/ against the handlers' needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "content.h"
#include "feature.h"
#include "handler.h"
#include "t.h"
#include "util.h"

/* Write text to dir/name; returns the path (caller frees). */
static char *write_txt(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        CHECK_INT(fclose(f), 0);
    }
    return path;
}

/* content_load on dir; *errs gets the error text (caller frees). */
static struct content *load(const char *dir, char **errs)
{
    struct buf b;
    buf_init(&b, 0);
    struct content *ct = content_load(dir, &b);
    *errs = buf_take(&b);
    return ct;
}

/* content_check with needs; *errs gets the error text (caller frees). */
static int check(const struct content *ct, const struct content_need *const *needs, char **errs)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = content_check(ct, needs, &b);
    *errs = buf_take(&b);
    return rc;
}

static void test_content_load_keys(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "messages.txt",
                        "# messages - a comment before the first key\n"
                        "#\n"
                        "\n"
                        "[greet]\n"
                        "\n"
                        "\n"
                        "你好，{name}！\n"
                        "\n"
                        "第二段。\n"
                        "\n"
                        "\n"
                        "# a comment inside a text is not part of it\n"
                        "[brace]\n"
                        "用 {{name}} 写占位符。\n"
                        "[empty]\n"
                        "[hash.text]\n"
                        "#1 not a comment (no space)\n");
    char *q = write_txt(dir, "other.txt", "[z.other]\n别的文件。\n");
    char *r = write_txt(dir, "ignored.md", "[not.loaded]\nx\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    CHECK_STR(errs, "");
    if (ct != NULL) {
        CHECK_STR(content_get(ct, "greet"), "你好，{name}！\n\n第二段。");
        CHECK_STR(content_get(ct, "brace"), "用 {{name}} 写占位符。");
        CHECK_STR(content_get(ct, "empty"), "");
        CHECK_STR(content_get(ct, "hash.text"), "#1 not a comment (no space)");
        CHECK_STR(content_get(ct, "z.other"), "别的文件。");
        CHECK(content_get(ct, "not.loaded") == NULL);
        CHECK(content_get(ct, "missing") == NULL);
    }
    content_free(ct);
    free(p);
    free(q);
    free(r);
    free(errs);
}

static void test_content_crlf(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt", "[a]\r\n一行。\r\n二行。\r\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    if (ct != NULL)
        CHECK_STR(content_get(ct, "a"), "一行。\n二行。");
    content_free(ct);
    free(p);
    free(errs);
}

static void test_content_render(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt",
                        "[points]\n"
                        "{name}，你有 {points} 分，{name}！\n"
                        "[lit]\n"
                        "{{points}} 和 {unknown} 和 {open\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    if (ct != NULL) {
        const char *kv[] = {"name", "张师傅", "points", "12", NULL};
        char *s = content_render(ct, "points", kv);
        CHECK_STR(s, "张师傅，你有 12 分，张师傅！");
        free(s);
        /* {{ is a literal {; unfilled placeholders stay as written */
        s = content_render(ct, "lit", kv);
        CHECK_STR(s, "{points}} 和 {unknown} 和 {open");
        free(s);
        s = content_render(ct, "points", NULL);
        CHECK_STR(s, "{name}，你有 {points} 分，{name}！");
        free(s);
        /* a missing key renders as the key itself */
        s = content_render(ct, "no.such.key", kv);
        CHECK_STR(s, "no.such.key");
        free(s);
    }
    content_free(ct);
    free(p);
    free(errs);
}

static void test_content_duplicate_key(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *a = write_txt(dir, "a.txt", "# first\n[greet]\n你好。\n");
    char *b = write_txt(dir, "b.txt", "[other]\nx\n\n[greet]\n再见。\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct == NULL);
    char *want = xasprintf("%s:4: duplicate key 'greet' (first at %s:2)\n", b, a);
    CHECK_STR(errs, want);
    content_free(ct);
    free(want);
    free(a);
    free(b);
    free(errs);
}

static void test_content_text_before_first_key(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt", "# ok\n\n没有键的文字\n[a]\nx\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct == NULL);
    char *want = xasprintf("%s:3: text before the first [key]\n", p);
    CHECK_STR(errs, want);
    free(want);
    free(p);
    free(errs);
}

static void test_content_bad_header_and_utf8(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt", "[Bad Key]\nx\n[ok]\n\xe7\xa7\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct == NULL);
    char *w1 = xasprintf("%s:1: bad key header", p);
    char *w2 = xasprintf("%s:4: not valid UTF-8\n", p);
    CHECK(str_has_prefix(errs, w1));
    CHECK_HAS(errs, w2);
    free(w1);
    free(w2);
    free(p);
    free(errs);
}

static void test_content_empty_dir(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    struct content *ct = load(dir, &errs);
    CHECK(ct == NULL);
    CHECK_HAS(errs, "no content");
    free(errs);
}

/* Needs declared in this file: errors must point here, at these lines. */
static const struct content_need test_needs[] = {
    CONTENT_NEED("greet", "name"),
    CONTENT_NEED("bye", ""),
    CONTENT_NEED_END,
};
enum { GREET_NEED_LINE = __LINE__ - 4 }; /* the "greet" row above */
static const struct content_need more_needs[] = {
    CONTENT_NEED("points", "points name"),
    CONTENT_NEED_END,
};
enum { POINTS_NEED_LINE = __LINE__ - 3 };
static const struct content_need *const needs[] = {test_needs, more_needs, NULL};

static void test_content_check_ok(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt",
                        "[greet]\n你好，{name}！{{不是占位符}\n"
                        "[bye]\n再见。\n"
                        "[points]\n{name} 有 {points} 分。\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    free(errs);
    if (ct != NULL) {
        CHECK_INT(check(ct, needs, &errs), 0);
        CHECK_STR(errs, "");
        free(errs);
    }
    content_free(ct);
    free(p);
}

static void test_content_check_missing_key(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt", "[bye]\n再见。\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    free(errs);
    if (ct != NULL) {
        CHECK_INT(check(ct, needs, &errs), -1);
        char *w1 = xasprintf("%s:%d: content key 'greet' is missing from content/*.txt\n", __FILE__,
                             GREET_NEED_LINE);
        char *w2 = xasprintf("%s:%d: content key 'points' is missing from content/*.txt\n",
                             __FILE__, POINTS_NEED_LINE);
        char *want = xasprintf("%s%s", w1, w2);
        CHECK_STR(errs, want);
        free(w1);
        free(w2);
        free(want);
        free(errs);
    }
    content_free(ct);
    free(p);
}

static void test_content_check_unknown_placeholder(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt",
                        "# comment\n"
                        "[greet]\n"
                        "你好，{name}！\n"
                        "\n"
                        "你有 {points} 分。\n"
                        "[bye]\n"
                        "再见 {name}\n"
                        "[points]\n"
                        "{points}\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    free(errs);
    if (ct != NULL) {
        CHECK_INT(check(ct, needs, &errs), -1);
        char *w1 =
            xasprintf("%s:5: [greet] uses unknown placeholder {points} (allowed: name)\n", p);
        char *w2 = xasprintf("%s:7: [bye] uses unknown placeholder {name} (allowed: none)\n", p);
        char *want = xasprintf("%s%s", w1, w2);
        CHECK_STR(errs, want);
        free(w1);
        free(w2);
        free(want);
        free(errs);
    }
    content_free(ct);
    free(p);
}

/* The line of an unknown placeholder counts the blank lines trimmed from the
 * start of the text and comment lines inside it. */
static void test_content_check_placeholder_line_after_blanks(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt",
                        "[greet]\n"
                        "\n"
                        "\n"
                        "你好。\n"
                        "# a note for the office\n"
                        "今天 {day}。\n"
                        "[bye]\n再见。\n"
                        "[points]\n{points}\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    free(errs);
    if (ct != NULL) {
        CHECK_INT(check(ct, needs, &errs), -1);
        char *want = xasprintf("%s:6: [greet] uses unknown placeholder {day} (allowed: name)\n", p);
        CHECK_STR(errs, want);
        free(want);
        free(errs);
    }
    content_free(ct);
    free(p);
}

static void test_content_check_unclosed_placeholder(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt", "[greet]\n你好 {name\n[bye]\nx\n[points]\ny\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    free(errs);
    if (ct != NULL) {
        CHECK_INT(check(ct, needs, &errs), -1);
        char *want = xasprintf("%s:2: [greet] uses unknown placeholder { (allowed: name)\n", p);
        CHECK_STR(errs, want);
        free(want);
        free(errs);
    }
    content_free(ct);
    free(p);
}

static void test_content_check_unknown_key(void)
{
    const char *dir = t_tmpdir();
    char *errs = NULL;
    char *p = write_txt(dir, "m.txt",
                        "[greet]\n你好\n[bye]\n再见\n[points]\n{points}\n\n# typo\n[piont]\nx\n");
    struct content *ct = load(dir, &errs);
    CHECK(ct != NULL);
    free(errs);
    if (ct != NULL) {
        CHECK_INT(check(ct, needs, &errs), -1);
        char *want = xasprintf("%s:9: unknown content key 'piont'\n", p);
        CHECK_STR(errs, want);
        free(want);
        free(errs);
    }
    content_free(ct);
    free(p);
}

/* The shipped content/ has every key the handlers need, and nothing else. */
static void test_content_shipped_passes_check(void)
{
    char *errs = NULL;
    struct content *ct = load("content", &errs);
    CHECK(ct != NULL);
    CHECK_STR(errs, "");
    free(errs);
    if (ct != NULL) {
        struct buf b;
        buf_init(&b, 0);
        CHECK_INT(features_check_content(ct, &b), 0);
        CHECK_STR(b.data ? b.data : "", "");
        buf_release(&b);
    }
    content_free(ct);
}

const struct t_case content_tests[] = {T(test_content_load_keys),
                                       T(test_content_crlf),
                                       T(test_content_render),
                                       T(test_content_duplicate_key),
                                       T(test_content_text_before_first_key),
                                       T(test_content_bad_header_and_utf8),
                                       T(test_content_empty_dir),
                                       T(test_content_check_ok),
                                       T(test_content_check_missing_key),
                                       T(test_content_check_unknown_placeholder),
                                       T(test_content_check_placeholder_line_after_blanks),
                                       T(test_content_check_unclosed_placeholder),
                                       T(test_content_check_unknown_key),
                                       T(test_content_shipped_passes_check),
                                       T_END};
