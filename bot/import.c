/*
 * import.c - POST /admin/api/import: a roster CSV as Chinese offices save it
 * (Excel/WPS: UTF-8 with or without a BOM, or GBK), decoded with iconv,
 * parsed by libcsv, every row checked before anything is written (?preview=1
 * answers the check and writes nothing; without it, a file with any bad row
 * is refused whole). A row is matched to an existing person by phone (a
 * profile field or an SMS channel's id) and linked, else a person is made on
 * the SMS channel; consent to bulk pushes is recorded as
 * "import:<file>:<local date>" for those who have none (people.h).
 */
#include <libcsv.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "handler.h"
#include "http.h"
#include "member.h"
#include "people.h"
#include "store.h"
#include "util.h"

#define MAX_ROWS 5000
#define MAX_COLS 32

char *people_to_utf8(const char *data, size_t len, const char **enc)
{
    if (memchr(data, '\0', len) != NULL)
        return NULL; /* UTF-16 and binary files: neither */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        *enc = "UTF-8 BOM";
        return utf8_valid(data + 3, len - 3) ? xstrndup(data + 3, len - 3) : NULL;
    }
    if (utf8_valid(data, len)) {
        *enc = "UTF-8";
        return xstrndup(data, len);
    }
    iconv_t cd = iconv_open("UTF-8", "GBK");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 3 / 2 + 4, inleft = len, outleft = cap;
    char *out = xmalloc(cap + 1), *in = (char *)data, *o = out;
    size_t rc = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (rc == (size_t)-1 || inleft != 0) { /* EILSEQ, EINVAL: not GBK either */
        free(out);
        return NULL;
    }
    *o = '\0';
    *enc = "GBK";
    return out;
}

/* libcsv callbacks: records as arrays of strings. */
struct parse {
    json_t *rows, *cur;
};

static void on_field(void *s, size_t n, void *data)
{
    struct parse *p = data;
    if (p->cur == NULL)
        p->cur = json_array();
    json_array_append_new(p->cur, json_stringn(s ? s : "", s ? n : 0));
}

static void on_row(int c, void *data)
{
    (void)c;
    struct parse *p = data;
    if (p->cur == NULL)
        p->cur = json_array();
    json_array_append_new(p->rows, p->cur);
    p->cur = NULL;
}

static json_t *parse_csv(const char *text)
{
    struct csv_parser cp;
    struct parse p = {json_array(), NULL};
    if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return NULL;
    size_t n = strlen(text);
    bool ok = csv_parse(&cp, text, n, on_field, on_row, &p) == n &&
              csv_fini(&cp, on_field, on_row, &p) == 0;
    csv_free(&cp);
    json_decref(p.cur);
    if (!ok) {
        json_decref(p.rows);
        return NULL;
    }
    return p.rows;
}

/* The columns a roster may have, by the names offices use. */
enum col { C_NAME, C_PHONE, C_ORG, C_CITY, C_DISTRICT, C_PLATFORM, C_TAGS, NCOLS };
static const char *const col_names[NCOLS][6] = {
    [C_NAME] = {"name", "姓名", "名字", NULL},
    [C_PHONE] = {"phone", "手机", "手机号", "手机号码", "电话", NULL},
    [C_ORG] = {"org", "组织", "支部", "所在支部", "单位", NULL},
    [C_CITY] = {"city", "城市", "所在城市", NULL},
    [C_DISTRICT] = {"district", "区", "区县", "所在区", "街道", NULL},
    [C_PLATFORM] = {"platform", "平台", "工作平台", "所属平台", NULL},
    [C_TAGS] = {"tags", "标签", NULL},
};
static const char *const col_field[NCOLS] = {"name", "phone", NULL, "city", "district", "platform",
                                             NULL};

static int col_of(const char *h)
{
    for (int c = 0; c < NCOLS; c++)
        for (int i = 0; col_names[c][i]; i++)
            if (strcmp(col_names[c][i], h) == 0)
                return c;
    return -1;
}

/* A mainland mobile number in 11 digits (spaces, dashes, +86 dropped), or -1. */
static int phone_norm(const char *in, char out[12])
{
    size_t k = 0;
    if (str_has_prefix(in, "+86"))
        in += 3;
    for (; *in; in++) {
        if (*in == ' ' || *in == '-')
            continue;
        if (*in < '0' || *in > '9' || k == 11)
            return -1;
        out[k++] = *in;
    }
    out[k] = '\0';
    return k == 11 && out[0] == '1' ? 0 : -1;
}

struct roster {
    bool members;      /* kind=members: org required, a members row */
    int idx[NCOLS];    /* column of each field, -1 absent */
    json_t *errors;    /* [{row, error}] */
    json_t *ok;        /* rows that passed: {row, phone, cells...} */
    int linked, fresh;
};

__attribute__((format(printf, 3, 4))) static void row_error(struct roster *r, size_t row,
                                                            const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    json_array_append_new(r->errors, json_pack("{s:I,s:s}", "row", (json_int_t)row, "error", why));
}

static const char *cell(json_t *rec, int col)
{
    return col < 0 ? NULL : json_string_value(json_array_get(rec, (size_t)col));
}

/* The header row: every column known, phone (and org for members) present. */
static int check_header(struct roster *r, json_t *head)
{
    for (int c = 0; c < NCOLS; c++)
        r->idx[c] = -1;
    size_t i;
    json_t *h;
    json_array_foreach(head, i, h)
    {
        int c = col_of(json_string_value(h));
        if (c < 0) {
            row_error(r, 1, "unknown column '%.60s' (columns: 姓名 手机 组织 城市 区 平台 标签)",
                      json_string_value(h));
            continue;
        }
        r->idx[c] = (int)i;
    }
    if (r->idx[C_PHONE] < 0)
        row_error(r, 1, "%s", "no phone column (手机)");
    if (r->members && r->idx[C_ORG] < 0)
        row_error(r, 1, "%s", "no org column (组织): a member roster needs it");
    return json_array_size(r->errors) ? -1 : 0;
}

static void check_row(struct store *st, struct roster *r, json_t *rec, size_t row, json_t *seen,
                      int *err)
{
    char phone[12];
    const char *p = cell(rec, r->idx[C_PHONE]);
    size_t before = json_array_size(r->errors);
    for (int c = 0; c < NCOLS; c++) {
        const char *v = cell(rec, r->idx[c]);
        if (v != NULL && strlen(v) > PEOPLE_FIELD_MAX)
            row_error(r, row, "%s is longer than 200 bytes", col_names[c][1]);
    }
    if (p == NULL || p[0] == '\0')
        row_error(r, row, "%s", "phone (手机) is empty");
    else if (phone_norm(p, phone) == -1)
        row_error(r, row, "phone '%.40s' is not an 11-digit mobile number", p);
    else if (json_object_get(seen, phone) != NULL)
        row_error(r, row, "phone %s is already on an earlier row", phone);
    const char *org = cell(rec, r->idx[C_ORG]);
    if (r->members && (org == NULL || org[0] == '\0'))
        row_error(r, row, "%s", "org (组织) is empty");
    if (json_array_size(r->errors) > before)
        return;
    int64_t account;
    int found = store_people_by_phone(st, phone, &account);
    if (found == -1) {
        *err = -1;
        return;
    }
    found ? r->linked++ : r->fresh++;
    json_object_set_new(seen, phone, json_true());
    json_array_append_new(r->ok, json_pack("{s:I,s:s,s:O,s:I}", "row", (json_int_t)row, "phone",
                                           phone, "cells", rec, "account",
                                           (json_int_t)(found ? account : 0)));
}

/* Tags of a cell: split at , ; 、 ， ； and spaces. */
static int add_tags(struct store *st, int64_t account, const char *v)
{
    char *copy = xstrdup(v ? v : ""), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r(copy, ",; \xE3\x80\x81\xEF\xBC\x8C\xEF\xBC\x9B", &save); t && rc == 0;
         t = strtok_r(NULL, ",; \xE3\x80\x81\xEF\xBC\x8C\xEF\xBC\x9B", &save))
        if (strlen(t) <= 64)
            rc = store_people_add_tag(st, account, t);
    free(copy);
    return rc;
}

/* Write one checked row. 0 or -1. */
static int commit_row(struct store *st, const struct roster *r, json_t *ok, const char *channel,
                      const char *consent, int64_t now)
{
    const char *phone = json_string_value(json_object_get(ok, "phone"));
    json_t *rec = json_object_get(ok, "cells");
    int64_t account = json_integer_value(json_object_get(ok, "account")), person = account, mid;
    const char *name = cell(rec, r->idx[C_NAME]);
    if (name != NULL && name[0] == '\0')
        name = NULL;
    if (account == 0) {
        if (store_person_ensure(st, channel, phone, name, now, &person) == -1)
            return -1;
        account = person;
    }
    if (store_person_set_consent(st, account, consent) == -1)
        return -1;
    for (int c = 0; c < NCOLS; c++) {
        const char *v = c == C_PHONE ? phone : cell(rec, r->idx[c]);
        if (col_field[c] != NULL && v != NULL && v[0] != '\0' &&
            store_people_set_field(st, account, col_field[c], v, now) == -1)
            return -1;
    }
    if (add_tags(st, account, cell(rec, r->idx[C_TAGS])) == -1)
        return -1;
    if (r->members && (store_member_set(st, account, name, cell(rec, r->idx[C_ORG]), NULL, now,
                                        &mid) == -1 ||
                       store_people_add_tag(st, account, "member") == -1))
        return -1;
    return 0;
}

/* ?kind=, ?file=, ?channel=: NULL when fine, else the 400 reason. */
static const char *import_args(const struct admin_req *rq, struct roster *r, const char **file,
                               const char **channel)
{
    const char *kind = json_string_value(json_object_get(rq->query, "kind"));
    *file = json_string_value(json_object_get(rq->query, "file"));
    *channel = json_string_value(json_object_get(rq->query, "channel"));
    if (*channel == NULL)
        *channel = "kannel";
    if (kind == NULL || kind[0] == '\0' || strcmp(kind, "people") == 0)
        r->members = false;
    else if (strcmp(kind, "members") == 0)
        r->members = true;
    else
        return "'kind' must be people or members";
    if (*file == NULL || (*file)[0] == '\0')
        *file = "upload.csv";
    if (strlen(*file) > 100 || strchr(*file, ':') != NULL)
        return "'file' must be a name of at most 100 bytes without ':'";
    const struct channel *ch = channel_by_name(*channel);
    if (ch == NULL || !ch->is_sms)
        return "'channel' must be an SMS channel (new people are made there by phone)";
    return NULL;
}

int people_import(const struct app *app, struct store *st, int64_t now,
                  const struct admin_req *rq, struct http_resp *resp)
{
    (void)app;
    struct roster r = {.errors = json_array(), .ok = json_array()};
    const char *file, *channel, *enc = NULL;
    const char *why = import_args(rq, &r, &file, &channel);
    bool preview = json_string_value(json_object_get(rq->query, "preview")) != NULL &&
                   strcmp(json_string_value(json_object_get(rq->query, "preview")), "0") != 0;
    char *text = why ? NULL : people_to_utf8(rq->body, rq->len, &enc);
    json_t *recs = text ? parse_csv(text) : NULL, *seen = json_object();
    int rc = 0;
    if (why == NULL && text == NULL)
        why = "the file is neither UTF-8 nor GBK text (save it from Excel as CSV UTF-8 or CSV)";
    else if (why == NULL && recs == NULL)
        why = "the file is not CSV (a quote is not closed)";
    else if (why == NULL && (json_array_size(recs) < 2 || json_array_size(recs) > MAX_ROWS + 1))
        why = "the file needs a header row and 1..5000 rows";
    if (why != NULL) {
        http_resp_error(resp, 400, why);
        goto out;
    }
    if (check_header(&r, json_array_get(recs, 0)) == 0)
        for (size_t i = 1; i < json_array_size(recs) && rc == 0; i++)
            check_row(st, &r, json_array_get(recs, i), i + 1, seen, &rc);
    if (rc == -1)
        goto out;
    size_t nerr = json_array_size(r.errors);
    json_t *o = json_pack("{s:s,s:s,s:I,s:i,s:i,s:O,s:b}", "file", file, "encoding", enc, "rows",
                          (json_int_t)(json_array_size(recs) - 1), "new", r.fresh, "linked",
                          r.linked, "errors", r.errors, "written", !preview && nerr == 0);
    if (preview || nerr > 0) {
        admin_reply(resp, preview ? 200 : 400, o);
        goto out;
    }
    char consent[160], day[16];
    time_t t = (time_t)(now / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(consent, sizeof consent, "import:%s:%s", file, day);
    size_t i;
    json_t *ok;
    json_array_foreach(r.ok, i, ok)
    {
        if (rc == 0)
            rc = commit_row(st, &r, ok, channel, consent, now);
    }
    if (rc == 0)
        admin_reply(resp, 201, o);
    else
        json_decref(o);
out:
    free(text);
    json_decref(recs);
    json_decref(seen);
    json_decref(r.errors);
    json_decref(r.ok);
    return rc;
}
