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
#include "conf.h"
#include "desk.h"
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
    size_t cap = len * 3 + 4, inleft = len, outleft = cap; /* a byte makes at most 3 */
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
enum col {
    C_NAME, C_PHONE, C_ORG, C_CITY, C_DISTRICT, C_PLATFORM, C_TAGS, C_DESKS, C_HOURS,
    C_MENTOR_PHONE, C_MENTOR_NAME, NCOLS
};
static const char *const col_names[NCOLS][6] = {
    [C_NAME] = {"name", "姓名", "名字", "工友姓名", NULL},
    [C_PHONE] = {"phone", "手机", "手机号", "手机号码", "工友手机", NULL},
    [C_ORG] = {"org", "组织", "支部", "所在支部", "单位", NULL},
    [C_CITY] = {"city", "城市", "所在城市", NULL},
    [C_DISTRICT] = {"district", "区", "区县", "所在区", "街道", NULL},
    [C_PLATFORM] = {"platform", "平台", "工作平台", "所属平台", NULL},
    [C_TAGS] = {"tags", "标签", NULL},
    [C_DESKS] = {"desks", "服务", "服务台", "服务项目", NULL},
    [C_HOURS] = {"hours", "值班时间", NULL},
    [C_MENTOR_PHONE] = {"mentor_phone", "导师手机", "导师电话", NULL},
    [C_MENTOR_NAME] = {"mentor_name", "导师姓名", "导师", NULL},
};
static const char *const col_field[NCOLS] = {
    [C_NAME] = "name", [C_CITY] = "city", [C_DISTRICT] = "district", [C_PLATFORM] = "platform"};

/* What a roster is: each kind's required columns (C_PHONE always) and tag. */
enum kind { K_PEOPLE, K_MEMBERS, K_VOLUNTEERS, K_MENTORING };
static const struct {
    const char *name, *tag;
    enum col need[2]; /* NCOLS: none */
} kinds[] = {
    [K_PEOPLE] = {"people", NULL, {NCOLS, NCOLS}},
    [K_MEMBERS] = {"members", "member", {C_ORG, NCOLS}},
    [K_VOLUNTEERS] = {"volunteers", "volunteer", {C_NAME, C_DESKS}},
    [K_MENTORING] = {"mentoring", "mentee", {C_MENTOR_PHONE, C_MENTOR_NAME}},
};

/* The desks a volunteer serves, by their Chinese or API names. */
static const char *const desk_words[][4] = {
    {"legal", "法律", "法律咨询", NULL},
    {"tutoring", "课业", "课业辅导", "辅导"},
    {"counsel", "心理", "心理咨询", NULL},
    {"general", "人工", "人工服务", NULL},
};
#define SEPARATORS ",; \xE3\x80\x81\xEF\xBC\x8C\xEF\xBC\x9B" /* and 、，； */

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
    if (in == NULL)
        return -1;
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

/* ",legal,counsel," from "法律、心理", or -1 at a word that is no desk. */
static int desks_parse(const char *v, char *out, size_t n, char *bad, size_t badn)
{
    char *copy = xstrdup(v ? v : ""), *save = NULL;
    int rc = 0;
    snprintf(out, n, ",");
    for (char *w = strtok_r(copy, SEPARATORS, &save); w && rc == 0;
         w = strtok_r(NULL, SEPARATORS, &save)) {
        size_t d = 0;
        while (d < 4 && !(strcmp(desk_words[d][0], w) == 0 || strcmp(desk_words[d][1], w) == 0 ||
                          (desk_words[d][2] && strcmp(desk_words[d][2], w) == 0) ||
                          (desk_words[d][3] && strcmp(desk_words[d][3], w) == 0)))
            d++;
        if (d == 4) {
            snprintf(bad, badn, "%.40s", w);
            rc = -1;
        } else if (strstr(out, desk_words[d][0]) == NULL) {
            size_t used = strlen(out); /* 4 names of <= 8 bytes: fits */
            snprintf(out + used, n - used, "%s,", desk_words[d][0]);
        }
    }
    free(copy);
    return rc == 0 && strlen(out) > 1 ? 0 : -1;
}

struct roster {
    enum kind kind;
    int idx[NCOLS];    /* column of each field, -1 absent */
    json_t *errors;    /* [{row, error}] */
    json_t *ok;        /* rows that passed: {row, phone, cells, ...} */
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
    const char *v = col < 0 ? NULL : json_string_value(json_array_get(rec, (size_t)col));
    return v && v[0] ? v : NULL;
}

/* The header row: every column known, the kind's columns present. */
static int check_header(struct roster *r, json_t *head)
{
    for (int c = 0; c < NCOLS; c++)
        r->idx[c] = -1;
    size_t i;
    json_t *h;
    json_array_foreach(head, i, h)
    {
        int c = col_of(json_string_value(h));
        if (c < 0)
            row_error(r, 1, "unknown column '%.60s' (columns: 姓名 手机 组织 城市 区 平台 标签"
                            " 服务 值班时间 导师手机 导师姓名)",
                      json_string_value(h));
        else
            r->idx[c] = (int)i;
    }
    if (r->idx[C_PHONE] < 0)
        row_error(r, 1, "no phone column (手机)");
    for (int k = 0; k < 2; k++) {
        enum col c = kinds[r->kind].need[k];
        if (c != NCOLS && r->idx[c] < 0)
            row_error(r, 1, "no %s column (%s): a %s roster needs it", col_names[c][0],
                      col_names[c][1], kinds[r->kind].name);
    }
    return json_array_size(r->errors) ? -1 : 0;
}

/* The kind's own cells of a row: desks, hours, the mentor. */
static void check_kind_cells(struct roster *r, json_t *rec, size_t row, const char *phone,
                             json_t *ok)
{
    char desks[64], bad[48], mentor[12];
    for (int k = 0; k < 2; k++) {
        enum col c = kinds[r->kind].need[k];
        if (c != NCOLS && cell(rec, r->idx[c]) == NULL)
            row_error(r, row, "%s (%s) is empty", col_names[c][0], col_names[c][1]);
    }
    if (r->kind == K_VOLUNTEERS && cell(rec, r->idx[C_DESKS]) != NULL) {
        bad[0] = '\0';
        if (desks_parse(cell(rec, r->idx[C_DESKS]), desks, sizeof desks, bad, sizeof bad) == -1)
            row_error(r, row, "desk '%s' is not one of 法律 课业 心理 人工", bad);
        else
            json_object_set_new(ok, "desks", json_string(desks));
        const char *hours = cell(rec, r->idx[C_HOURS]);
        if (hours != NULL && conf_windows_parse(hours, NULL, 0) <= 0)
            row_error(r, row, "hours '%.40s' must be HH:MM-HH:MM", hours);
    }
    const char *mp = cell(rec, r->idx[C_MENTOR_PHONE]);
    if (r->kind == K_MENTORING && mp != NULL) {
        if (phone_norm(mp, mentor) == -1)
            row_error(r, row, "mentor phone '%.40s' is not an 11-digit mobile number", mp);
        else if (strcmp(mentor, phone) == 0)
            row_error(r, row, "the mentor's phone is the worker's");
        else
            json_object_set_new(ok, "mentor", json_string(mentor));
    }
}

static void check_row(struct store *st, struct roster *r, json_t *rec, size_t row, json_t *seen,
                      int *err)
{
    char phone[12] = "";
    const char *p = cell(rec, r->idx[C_PHONE]);
    size_t before = json_array_size(r->errors);
    for (int c = 0; c < NCOLS; c++) {
        const char *v = cell(rec, r->idx[c]);
        if (v != NULL && strlen(v) > PEOPLE_FIELD_MAX)
            row_error(r, row, "%s is longer than 200 bytes", col_names[c][1]);
    }
    if (p == NULL)
        row_error(r, row, "phone (手机) is empty");
    else if (phone_norm(p, phone) == -1)
        row_error(r, row, "phone '%.40s' is not an 11-digit mobile number", p);
    else if (json_object_get(seen, phone) != NULL)
        row_error(r, row, "phone %s is already on an earlier row", phone);
    json_t *ok = json_pack("{s:I,s:s,s:O}", "row", (json_int_t)row, "phone", phone, "cells", rec);
    check_kind_cells(r, rec, row, phone, ok);
    int64_t account;
    int found = json_array_size(r->errors) > before ? 0 : store_people_by_phone(st, phone, &account);
    if (found == -1)
        *err = -1;
    if (found == -1 || json_array_size(r->errors) > before) {
        json_decref(ok);
        return;
    }
    found ? r->linked++ : r->fresh++;
    json_object_set_new(seen, phone, json_true());
    json_array_append_new(r->ok, ok);
}

/* Tags of a cell: split at , ; 、 ， ； and spaces. */
static int add_tags(struct store *st, int64_t account, const char *v)
{
    char *copy = xstrdup(v ? v : ""), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r(copy, SEPARATORS, &save); t && rc == 0;
         t = strtok_r(NULL, SEPARATORS, &save))
        if (strlen(t) <= 64)
            rc = store_people_add_tag(st, account, t);
    free(copy);
    return rc;
}

/* The account of phone, made on channel when there is none; consent and
 * the phone (and name, when given) recorded. 0 or -1. */
static int ensure_phone(struct store *st, const char *phone, const char *name,
                        const char *channel, const char *consent, int64_t now, int64_t *account)
{
    int found = store_people_by_phone(st, phone, account);
    if (found == -1 || (found == 0 && store_person_ensure(st, channel, phone, name, now,
                                                          account) == -1))
        return -1;
    if (store_person_set_consent(st, *account, consent) == -1 ||
        store_people_set_field(st, *account, "phone", phone, now) == -1)
        return -1;
    return name ? store_people_set_field(st, *account, "name", name, now) : 0;
}

/* A person a roster names, as the batches name them for their lock. */
struct person_key {
    char *channel, *user; /* owned */
};

/* The batches' order (bot/engine.c by_person): strcmp of channel, then user. */
static int by_key(const void *a, const void *b)
{
    const struct person_key *x = a, *y = b;
    int c = strcmp(x->channel, y->channel);
    return c != 0 ? c : strcmp(x->user, y->user);
}

/* The key of phone into *k: its account's own row when someone has that
 * phone, else the row commit_row makes on channel. 0 or -1. */
static int phone_key(struct store *st, const char *phone, const char *channel, struct person_key *k)
{
    int found = store_people_key_by_phone(st, phone, &k->channel, &k->user);
    if (found == 0) {
        k->channel = xstrdup(channel);
        k->user = xstrdup(phone);
    }
    return found == -1 ? -1 : 0;
}

/*
 * Several nodes on one database (docs/scaling.md): every person the rows
 * name (each row's phone, and a mentoring row's mentor) locked before any
 * row is written, in one statement, in the order the batches take theirs
 * (store_people_lock, sorted as engine.c sorts a batch). Row by row, the
 * import held the people of the rows written so far while waiting for the
 * next one's lock (store_person_set_consent takes it): a batch holding
 * that one and waiting for one of those waited in a cycle with it, and
 * PostgreSQL failed one of the two (the whole import, or the batch).
 * People with no row yet are locked in the same statement by the key
 * their row will have (channel, phone): lock_person takes the advisory
 * lock that a turn making them holds (their first SMS at another node),
 * so the import waits for that turn there, in order, and not later at the
 * unique index on (channel, ext_id) when it inserts them, holding everyone
 * before; a batch that comes after finds the row. Whoever gets a phone
 * between the check and this lock is found by it (lock_person looks again
 * after the wait). A no-op on SQLite: the transaction holds the write lock.
 * 0 or -1.
 */
static int lock_roster(struct store *st, const struct roster *r, const char *channel)
{
    if (!store_shared(st))
        return 0;
    size_t cap = 2 * json_array_size(r->ok) + 1, n = 0, m = 0, i;
    struct person_key *k = xcalloc(cap, sizeof *k);
    const char **c = xmalloc(cap * sizeof *c), **u = xmalloc(cap * sizeof *u);
    json_t *ok;
    int rc = 0;
    json_array_foreach(r->ok, i, ok)
    {
        const char *phone = json_string_value(json_object_get(ok, "phone"));
        const char *mentor = json_string_value(json_object_get(ok, "mentor"));
        if (rc == 0 && (rc = phone_key(st, phone, channel, &k[n])) == 0)
            n++;
        if (rc == 0 && mentor != NULL && (rc = phone_key(st, mentor, channel, &k[n])) == 0)
            n++;
    }
    if (rc == 0) {
        qsort(k, n, sizeof *k, by_key);
        for (i = 0; i < n; i++)
            if (i == 0 || by_key(&k[i - 1], &k[i]) != 0) {
                c[m] = k[i].channel;
                u[m++] = k[i].user;
            }
        rc = store_people_lock(st, c, u, m, false);
    }
    for (i = 0; i < cap; i++) {
        free(k[i].channel);
        free(k[i].user);
    }
    free(k);
    free(c);
    free(u);
    return rc;
}

/* Write one checked row. 0 or -1. */
static int commit_row(struct store *st, const struct roster *r, json_t *ok, const char *channel,
                      const char *consent, int64_t now)
{
    json_t *rec = json_object_get(ok, "cells");
    const char *name = cell(rec, r->idx[C_NAME]);
    int64_t account, other, id;
    if (ensure_phone(st, json_string_value(json_object_get(ok, "phone")), name, channel, consent,
                     now, &account) == -1)
        return -1;
    for (int c = 0; c < NCOLS; c++) {
        const char *v = cell(rec, r->idx[c]);
        if (c != C_NAME && col_field[c] != NULL && v != NULL &&
            store_people_set_field(st, account, col_field[c], v, now) == -1)
            return -1;
    }
    if (add_tags(st, account, cell(rec, r->idx[C_TAGS])) == -1 ||
        (kinds[r->kind].tag && store_people_add_tag(st, account, kinds[r->kind].tag) == -1))
        return -1;
    switch (r->kind) {
    case K_MEMBERS:
        return store_member_set(st, account, name, cell(rec, r->idx[C_ORG]), NULL, now, &id);
    case K_VOLUNTEERS: {
        const char *hours = cell(rec, r->idx[C_HOURS]);
        return store_desk_volunteer_set(st, account, name,
                                        json_string_value(json_object_get(ok, "desks")),
                                        hours ? hours : "", now, &id);
    }
    case K_MENTORING: {
        const char *mname = cell(rec, r->idx[C_MENTOR_NAME]);
        if (ensure_phone(st, json_string_value(json_object_get(ok, "mentor")), mname, channel,
                         consent, now, &other) == -1 ||
            store_people_add_tag(st, other, "mentor") == -1)
            return -1;
        return store_mentor_add(st, account, other, mname, now, &id);
    }
    case K_PEOPLE:
        break;
    }
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
    r->kind = K_PEOPLE;
    while (kind != NULL && kind[0] != '\0' && strcmp(kinds[r->kind].name, kind) != 0)
        if (++r->kind > K_MENTORING)
            return "'kind' must be people, members, volunteers or mentoring";
    if (*file == NULL || (*file)[0] == '\0')
        *file = "upload.csv";
    if (strlen(*file) > 100 || strchr(*file, ':') != NULL)
        return "'file' must be a name of at most 100 bytes without ':'";
    const struct channel *ch = channel_by_name(*channel);
    if (ch == NULL || !ch->is_sms)
        return "'channel' must be an SMS channel (new people are made there by phone)";
    return NULL;
}

/* Volunteers and mentoring pairs are the super admin's (as POST /volunteers
 * and /mentoring are): 1 when rq may import this kind, else 0 with a 403. */
static int kind_allowed(const struct roster *r, const struct admin_req *rq,
                        struct http_resp *resp)
{
    if (r->kind < K_VOLUNTEERS || (rq->role && strcmp(rq->role, ADMIN_ROLE_SUPER) == 0))
        return 1;
    http_resp_error(resp, 403, "only the super admin imports volunteers and mentoring pairs");
    return 0;
}

int people_import(const struct app *app, struct store *st, int64_t now,
                  const struct admin_req *rq, struct http_resp *resp)
{
    (void)app;
    struct roster r = {.errors = json_array(), .ok = json_array()};
    const char *file, *channel, *enc = NULL;
    const char *why = import_args(rq, &r, &file, &channel);
    if (why == NULL && !kind_allowed(&r, rq, resp))
        why = ""; /* the 403 is set */
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
        if (why[0] != '\0')
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
    rc = lock_roster(st, &r, channel);
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
