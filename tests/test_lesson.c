/*
 * test_lesson.c - the lesson loader: the shipped content/lessons loads clean,
 * every kind of mistake in a lesson file is reported as path:line, lookup and
 * rendering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lesson.h"
#include "t.h"
#include "util.h"

/* A valid lesson; line numbers: id 1, title 2, topic 3, question 4, A 5, B 6,
 * C 7, answer 8, points 9, explain 10, --- 11, body 12. */
#define GOOD_HEAD                                                                                   \
    "id: 1\ntitle: 标题\ntopic: 安全\nquestion: 问题？\nA: 甲\nB: 乙\nC: 丙\nanswer: B\n" \
    "points: 5\nexplain: 解释\n"
#define GOOD GOOD_HEAD "---\n第一句。第二句。\n"

/* GOOD with its first line ("id: 1") replaced by idline; caller frees. */
static char *good_with(const char *idline)
{
    return xasprintf("%s%s", idline, GOOD + strlen("id: 1"));
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK_INT(fwrite(text, 1, strlen(text), f), strlen(text));
        CHECK_INT(fclose(f), 0);
    }
    free(path);
}

/* Load dir, expect failure, and return the errors (caller frees). */
static char *load_fails(const char *dir)
{
    struct buf err;
    buf_init(&err, 0);
    struct lesson_set *set = lesson_load(dir, &err);
    CHECK(set == NULL);
    lesson_set_free(set);
    return buf_take(&err);
}

/* One file 01-x.txt with text must fail with exactly "path:<want>\n". */
static void expect_error(const char *text, const char *want)
{
    char *dir = xstrdup(t_tmpdir());
    write_file(dir, "01-x.txt", text);
    char *got = load_fails(dir);
    char *exp = xasprintf("%s/01-x.txt:%s\n", dir, want);
    CHECK_STR(got, exp);
    free(exp);
    free(got);
    free(dir);
}

static void test_lesson_content_dir_loads(void)
{
    struct buf err;
    buf_init(&err, 0);
    struct lesson_set *set = lesson_load("content/lessons", &err);
    CHECK(set != NULL);
    CHECK_STR(err.data ? err.data : "", "");
    CHECK(lesson_count(set) >= 30);
    for (size_t i = 0; i < lesson_count(set); i++) {
        const struct lesson *l = lesson_at(set, i);
        if (i > 0)
            CHECK(lesson_at(set, i - 1)->id < l->id); /* sorted, so ids are unique */
        CHECK(lesson_find(set, l->id) == l);
        CHECK(utf8_len(l->body) <= LESSON_BODY_MAX);
        CHECK(l->nopts >= 3); /* the brief for shipped lessons: 3 or 4 options */
        CHECK(l->points == 5 || l->points == 10);
        CHECK(str_has_prefix(l->file, "content/lessons/"));
    }
    lesson_set_free(set);
    buf_release(&err);
}

static void test_lesson_duplicate_id_names_both(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *a = good_with("id: 7"), *b = good_with("\nid: 7");
    write_file(dir, "01-a.txt", a);
    write_file(dir, "02-b.txt", b);
    free(a);
    free(b);
    char *got = load_fails(dir);
    char *want = xasprintf("%s/02-b.txt:2: duplicate id 7 (first in %s/01-a.txt:1)\n", dir, dir);
    CHECK_STR(got, want);
    free(want);
    free(got);
    free(dir);
}

static void test_lesson_missing_answer(void)
{
    expect_error("id: 1\ntitle: 标题\ntopic: 安全\nquestion: 问题？\nA: 甲\nB: 乙\n"
                 "points: 5\nexplain: 解释\n---\n正文。\n",
                 "9: missing key 'answer'");
}

static void test_lesson_answer_not_an_option(void)
{
    expect_error("id: 1\ntitle: 标题\ntopic: 安全\nquestion: 问题？\nA: 甲\nB: 乙\nC: 丙\n"
                 "answer: D\npoints: 5\nexplain: 解释\n---\n正文。\n",
                 "8: answer 'D' is not among the options");
    expect_error("id: 1\ntitle: 标题\ntopic: 安全\nquestion: 问题？\nA: 甲\nB: 乙\nC: 丙\n"
                 "answer: b\npoints: 5\nexplain: 解释\n---\n正文。\n",
                 "8: answer 'b' is not one letter A to D");
}

static void test_lesson_unknown_key(void)
{
    expect_error(GOOD_HEAD "colour: red\n---\n正文。\n", "11: unknown key 'colour'");
}

static void test_lesson_duplicate_key(void)
{
    expect_error(GOOD_HEAD "title: 又一个\n---\n正文。\n",
                 "11: duplicate key 'title' (first on line 2)");
}

static void test_lesson_body_too_long(void)
{
    struct buf b;
    buf_init(&b, 0);
    CHECK_INT(buf_puts(&b, GOOD_HEAD "---\n\n短句。"), 0); /* the body starts on line 13 */
    for (int i = 0; i < LESSON_BODY_MAX - 2; i++)
        CHECK_INT(buf_puts(&b, "长"), 0);
    CHECK_INT(buf_puts(&b, "\n\n\n"), 0); /* trailing blank lines do not count */
    expect_error(b.data, "13: body is 401 characters, more than 400");
    buf_release(&b);
}

static void test_lesson_body_at_limit_loads(void)
{
    struct buf b;
    buf_init(&b, 0);
    CHECK_INT(buf_puts(&b, GOOD_HEAD "---\n短句。"), 0);
    for (int i = 0; i < LESSON_BODY_MAX - 3; i++)
        CHECK_INT(buf_puts(&b, "长"), 0);
    char *dir = xstrdup(t_tmpdir());
    write_file(dir, "01-x.txt", b.data);
    struct lesson_set *set = lesson_load(dir, NULL);
    CHECK(set != NULL);
    if (set != NULL)
        CHECK_INT(utf8_len(lesson_at(set, 0)->body), LESSON_BODY_MAX);
    lesson_set_free(set);
    buf_release(&b);
    free(dir);
}

static void test_lesson_first_sentence_too_long(void)
{
    struct buf b;
    buf_init(&b, 0);
    CHECK_INT(buf_puts(&b, GOOD_HEAD "---\n"), 0);
    for (int i = 0; i < LESSON_FIRST_MAX; i++)
        CHECK_INT(buf_puts(&b, "长"), 0);
    CHECK_INT(buf_puts(&b, "。短。\n"), 0); /* 70 characters and the 。 */
    expect_error(b.data, "12: first sentence is 71 characters, more than 70");
    buf_release(&b);
}

static void test_lesson_bad_topic(void)
{
    expect_error("id: 1\ntitle: 标题\ntopic: 美食\nquestion: 问题？\nA: 甲\nB: 乙\n"
                 "answer: B\npoints: 5\nexplain: 解释\n---\n正文。\n",
                 "3: unknown topic '美食' (one of 三国文化, 襄阳历史, 隆中精神, 工匠精神, "
                 "劳动权益, 社会保险, 安全, 身心健康, 党史党章)");
}

static void test_lesson_bad_points(void)
{
    expect_error("id: 1\ntitle: 标题\ntopic: 安全\nquestion: 问题？\nA: 甲\nB: 乙\n"
                 "answer: B\npoints: 0\nexplain: 解释\n---\n正文。\n",
                 "8: points '0' is not an integer from 1 to 100");
    expect_error("id: 1\ntitle: 标题\ntopic: 安全\nquestion: 问题？\nA: 甲\nB: 乙\n"
                 "answer: B\npoints: 5分\nexplain: 解释\n---\n正文。\n",
                 "8: points '5分' is not an integer from 1 to 100");
}

static void test_lesson_other_mistakes(void)
{
    char *zero = good_with("id: 0");
    expect_error(zero, "1: id '0' is not a positive integer");
    free(zero);
    expect_error(GOOD_HEAD "---\n\n  \n", "11: empty body");
    expect_error(GOOD_HEAD "正文。\n---\n正文。\n", "11: expected 'key: value' or '---'");
    expect_error(GOOD_HEAD, "10: no '---' line after the header");
    expect_error("id: 1\ntitle: 标题\ntopic: 安全\nquestion: 问题？\nA: 甲\nB: 乙\nD: 丁\n"
                 "answer: B\npoints: 5\nexplain: 解释\n---\n正文。\n",
                 "7: option D without option C");
    expect_error(GOOD_HEAD "link: ftp://x.cn/a\n---\n正文。\n",
                 "11: link 'ftp://x.cn/a' is not an http(s) URL nor a path under [lessons] "
                 "link_base");
    expect_error(GOOD_HEAD "cover: ../img/a.jpg\n---\n正文。\n",
                 "11: cover '../img/a.jpg' is not an http(s) URL nor a path under [lessons] "
                 "link_base");
    expect_error(GOOD_HEAD "cover:\n---\n正文。\n", "11: empty value for 'cover'");
    expect_error("id: 1\n\xff\n---\n", "2: not valid UTF-8 text");
}

static void test_lesson_every_problem_reported(void)
{
    char *dir = xstrdup(t_tmpdir());
    write_file(dir, "01-a.txt",
               "id: 1\ntitle: 标题\ntopic: 美食\nquestion: 问题？\nA: 甲\n"
               "points: 500\nexplain: 解释\nfoo: bar\n---\n正文。\n");
    write_file(dir, "02-b.txt", GOOD_HEAD "---\n");
    write_file(dir, "03-c.txt", GOOD); /* fine, but the set is still refused */
    char *got = load_fails(dir);
    char *want =
        xasprintf("%s/01-a.txt:8: unknown key 'foo'\n"
                  "%s/01-a.txt:9: missing key 'B'\n"
                  "%s/01-a.txt:9: missing key 'answer'\n"
                  "%s/01-a.txt:3: unknown topic '美食' (one of 三国文化, 襄阳历史, 隆中精神, "
                  "工匠精神, 劳动权益, 社会保险, 安全, 身心健康, 党史党章)\n"
                  "%s/01-a.txt:6: points '500' is not an integer from 1 to 100\n"
                  "%s/02-b.txt:11: empty body\n",
                  dir, dir, dir, dir, dir, dir);
    CHECK_STR(got, want);
    free(want);
    free(got);
    free(dir);
}

static void test_lesson_dir_problems(void)
{
    char *dir = xstrdup(t_tmpdir());
    write_file(dir, "README.md", "not a lesson");
    write_file(dir, ".01-hidden.txt", "not a lesson either");
    char *got = load_fails(dir);
    char *want = xasprintf("%s: no lesson files (*.txt)\n", dir);
    CHECK_STR(got, want);
    free(want);
    free(got);

    char *missing = xasprintf("%s/nope", dir);
    got = load_fails(missing);
    want = xasprintf("%s: cannot open directory: No such file or directory\n", missing);
    CHECK_STR(got, want);
    free(want);
    free(got);
    free(missing);
    free(dir);
}

static void test_lesson_find_and_at(void)
{
    char *dir = xstrdup(t_tmpdir());
    const char *ids[] = {"id: 5", "id: 2", "id: 9"},
               *names[] = {"01-a.txt", "02-b.txt", "03-c.txt"};
    for (int i = 0; i < 3; i++) {
        char *text = good_with(ids[i]);
        write_file(dir, names[i], text);
        free(text);
    }
    write_file(dir, "notes.md", "ignored");
    struct lesson_set *set = lesson_load(dir, NULL);
    CHECK(set != NULL);
    CHECK_INT(lesson_count(set), 3);
    CHECK_INT(lesson_at(set, 0)->id, 2);
    CHECK_INT(lesson_at(set, 1)->id, 5);
    CHECK_INT(lesson_at(set, 2)->id, 9);
    CHECK(lesson_at(set, 3) == NULL);
    const struct lesson *l = lesson_find(set, 9);
    CHECK(l != NULL);
    if (l != NULL) {
        char *want = xasprintf("%s/03-c.txt", dir);
        CHECK_STR(l->file, want);
        free(want);
    }
    CHECK(lesson_find(set, 4) == NULL);
    CHECK(lesson_find(set, 10) == NULL);
    lesson_set_free(set);
    free(dir);
}

static void test_lesson_fields_crlf_bom(void)
{
    char *dir = xstrdup(t_tmpdir());
    write_file(dir, "01-a.txt",
               "\xEF\xBB\xBFid: 3\r\ntitle:  头盔要戴对 \r\n# a comment\r\ntopic: 安全\r\n"
               "question: 带子要怎样？\r\nA: 不扣\r\nB: 扣好\r\nC: 随便\r\nD: 拿在手里\r\n"
               "answer: B\r\npoints: 10\r\nexplain: 扣好才有用。\r\n"
               "link: https://v.xy-yizhan.cn/v/03-toukui\r\n"
               "cover: img/03-toukui.jpg\r\n---\r\n\r\n"
               "第一行。\r\n第二行：a: b\r\n\r\n\r\n");
    struct lesson_set *set = lesson_load(dir, NULL);
    CHECK(set != NULL);
    const struct lesson *l = lesson_find(set, 3);
    CHECK(l != NULL);
    if (l != NULL) {
        CHECK_STR(l->title, "头盔要戴对");
        CHECK_STR(l->topic, "安全");
        CHECK_STR(l->question, "带子要怎样？");
        CHECK_INT(l->nopts, 4);
        CHECK_STR(l->opts[3], "拿在手里");
        CHECK_INT(l->answer, 'B');
        CHECK_INT(l->points, 10);
        CHECK_STR(l->explain, "扣好才有用。");
        CHECK_STR(l->link, "https://v.xy-yizhan.cn/v/03-toukui");
        CHECK_STR(l->cover, "img/03-toukui.jpg");
        CHECK_STR(l->body, "第一行。\n第二行：a: b");
    }
    lesson_set_free(set);
    free(dir);
}

static void test_lesson_render(void)
{
    char *dir = xstrdup(t_tmpdir());
    write_file(dir, "01-a.txt", GOOD "\n\n");
    struct lesson_set *set = lesson_load(dir, NULL);
    CHECK(set != NULL);
    if (set != NULL) {
        const struct lesson *l = lesson_at(set, 0);
        CHECK(l->link == NULL && l->cover == NULL && l->opts[3] == NULL);
        char *s = lesson_render(l);
        CHECK_STR(s, "标题\n第一句。第二句。\n\n问题？\nA. 甲\nB. 乙\nC. 丙");
        free(s);
    }
    lesson_set_free(set);
    free(dir);
}

/* No placeholder address reaches a worker: a link or cover on a reserved
 * host is refused with path:line, whatever its case or port. */
static void test_lesson_placeholder_link_refused(void)
{
    const char *const bad[] = {"https://yizhan.example.org/v/03-longzhong-dui",
                               "http://EXAMPLE.com/a",
                               "https://a.example.net./v",
                               "http://localhost:8080/v",
                               "https://127.0.0.1/v",
                               "https://video.test/v",
                               "https://x.invalid",
                               "https://user@example.org:443/v",
                               "http://[::1]/v"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(lesson_url_is_placeholder(bad[i]));
        char *text = xasprintf(GOOD_HEAD "link: %s\n---\n正文。\n", bad[i]);
        char *want = xasprintf("11: link '%s' has a placeholder host that never serves anything: "
                               "give the real address, a path under [lessons] link_base, or "
                               "delete the line",
                               bad[i]);
        expect_error(text, want);
        free(text);
        free(want);
    }
    expect_error(GOOD_HEAD "cover: https://yizhan.example.org/img/1.jpg\n---\n正文。\n",
                 "11: cover 'https://yizhan.example.org/img/1.jpg' has a placeholder host that "
                 "never serves anything: give the real address, a path under [lessons] link_base, "
                 "or delete the line");
    const char *const good[] = {"https://v.xy-yizhan.cn/v/1", "https://example.org.cn/v",
                                "https://myexample.org/v", "https://testing.cn/v", ""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(!lesson_url_is_placeholder(good[i]));
    /* and none is in the shipped lessons */
    struct lesson_set *set = lesson_load("content/lessons", NULL);
    CHECK(set != NULL);
    for (size_t i = 0; i < lesson_count(set); i++) {
        const struct lesson *l = lesson_at(set, i);
        CHECK(l->link == NULL || strstr(l->link, "example") == NULL);
        CHECK(l->cover == NULL || strstr(l->cover, "example") == NULL);
    }
    lesson_set_free(set);
}

/* Relative links are under [lessons] link_base; without one they are not sent. */
static void test_lesson_url_resolves_against_base(void)
{
    static const struct {
        const char *base, *v, *want;
    } cases[] = {
        {"https://v.xy-yizhan.cn", "v/03-longzhong-dui",
         "https://v.xy-yizhan.cn/v/03-longzhong-dui"},
        {"https://v.xy-yizhan.cn/media//", "img/03.jpg?w=640",
         "https://v.xy-yizhan.cn/media/img/03.jpg?w=640"},
        {"", "v/03-longzhong-dui", NULL},
        {NULL, "v/03-longzhong-dui", NULL},
        {"", "https://v.xy-yizhan.cn/v/3", "https://v.xy-yizhan.cn/v/3"},
        {"https://b.cn", "https://v.xy-yizhan.cn/v/3", "https://v.xy-yizhan.cn/v/3"},
        {"https://b.cn", "https://yizhan.example.org/v/3", NULL},
        {"https://yizhan.example.org", "v/3", NULL},
        {"https://b.cn", "../etc/passwd", NULL},
        {"https://b.cn", "/v/3", NULL},
        {"https://b.cn", "//evil.cn/v", NULL},
        {"https://b.cn", "javascript:alert(1)", NULL},
        {"https://b.cn", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = lesson_url(cases[i].base, cases[i].v);
        if (cases[i].want == NULL)
            CHECK(got == NULL);
        else
            CHECK_STR(got ? got : "(null)", cases[i].want);
        free(got);
    }
}

const struct t_case lesson_tests[] = {T(test_lesson_content_dir_loads),
                                      T(test_lesson_duplicate_id_names_both),
                                      T(test_lesson_missing_answer),
                                      T(test_lesson_answer_not_an_option),
                                      T(test_lesson_unknown_key),
                                      T(test_lesson_duplicate_key),
                                      T(test_lesson_body_too_long),
                                      T(test_lesson_body_at_limit_loads),
                                      T(test_lesson_first_sentence_too_long),
                                      T(test_lesson_bad_topic),
                                      T(test_lesson_bad_points),
                                      T(test_lesson_other_mistakes),
                                      T(test_lesson_every_problem_reported),
                                      T(test_lesson_dir_problems),
                                      T(test_lesson_find_and_at),
                                      T(test_lesson_fields_crlf_bom),
                                      T(test_lesson_render),
                                      T(test_lesson_placeholder_link_refused),
                                      T(test_lesson_url_resolves_against_base),
                                      T_END};
