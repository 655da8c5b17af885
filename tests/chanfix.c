/*
 * chanfix.c - the channel fixture runner (see chanfix.h).
 */
#include "chanfix.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "form.h"
#include "t.h"
#include "util.h"

struct fixreq {
    char method[8];
    char *path;
    struct form query;
    char *names[16], *values[16];
    int nh;
    const char *body;
    size_t len;
};

static const char *fix_header(void *ctx, const char *name)
{
    struct fixreq *f = ctx;
    for (int i = 0; i < f->nh; i++)
        if (strcasecmp(f->names[i], name) == 0)
            return f->values[i];
    return NULL;
}

static const char *fix_arg_len(void *ctx, const char *name, size_t *len)
{
    struct fixreq *f = ctx;
    return form_get(&f->query, name, len);
}

static const char *fix_arg(void *ctx, const char *name)
{
    size_t len;
    return fix_arg_len(ctx, name, &len);
}

/* Split the .req text (kept alive by the caller) into f. 0 or -1. */
static int fix_load(struct fixreq *f, char *text, size_t len)
{
    memset(f, 0, sizeof *f);
    char *eol = strchr(text, '\n');
    if (eol == NULL)
        return -1;
    *eol = '\0';
    char *sp = strchr(text, ' ');
    if (sp == NULL || sp - text >= (long)sizeof f->method)
        return -1;
    snprintf(f->method, sizeof f->method, "%.*s", (int)(sp - text), text);
    char *q = strchr(sp + 1, '?');
    f->path = xstrndup(sp + 1, q ? (size_t)(q - sp - 1) : strlen(sp + 1));
    if (form_parse(q ? q + 1 : "", q ? strlen(q + 1) : 0, &f->query) == -1)
        return -1;
    char *p = eol + 1;
    while (*p != '\n' && *p != '\0') {
        char *end = strchr(p, '\n'), *colon = strchr(p, ':');
        if (end == NULL || colon == NULL || colon > end || f->nh == 16)
            return -1;
        *end = '\0';
        f->names[f->nh] = xstrndup(p, (size_t)(colon - p));
        f->values[f->nh] = xstrdup(colon[1] == ' ' ? colon + 2 : colon + 1);
        f->nh++;
        p = end + 1;
    }
    if (*p == '\n')
        p++;
    f->body = p;
    f->len = len - (size_t)(p - text);
    return 0;
}

static void fix_release(struct fixreq *f)
{
    free(f->path);
    form_release(&f->query);
    for (int i = 0; i < f->nh; i++) {
        free(f->names[i]);
        free(f->values[i]);
    }
}

static void put_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            buf_puts(b, "\\n");
        else if (*s == '\\')
            buf_puts(b, "\\\\");
        else
            buf_append(b, s, 1);
    }
}

static char *describe(const struct inmsg *m)
{
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, "ext_id: %s\nuser: %s\n", m->ext_id, m->user);
    if (m->name != NULL)
        buf_printf(&b, "name: %s\n", m->name);
    if (m->text != NULL) {
        buf_puts(&b, "text: ");
        put_escaped(&b, m->text);
        buf_puts(&b, "\n");
    }
    for (int i = 0; i < m->nmedia; i++)
        buf_printf(&b, "media: %s%s%s\n", m->media[i].url, m->media[i].type ? " " : "",
                   m->media[i].type ? m->media[i].type : "");
    if (m->has_location)
        buf_printf(&b, "location: %.10g %.10g\n", m->lat, m->lon);
    if (m->event != NULL)
        buf_printf(&b, "event: %s\n", m->event);
    if (m->reply_ctx != NULL) {
        buf_puts(&b, "reply_ctx: ");
        put_escaped(&b, m->reply_ctx);
        buf_puts(&b, "\n");
    }
    return buf_take(&b);
}

int chanfix_conf(struct conf *c, const char *const *sets)
{
    struct buf errs;
    int n = 0;
    while (sets && sets[n])
        n++;
    buf_init(&errs, 0);
    int rc = conf_load(c, NULL, (char *const *)sets, n, &errs);
    CHECK_STR(errs.data ? errs.data : "", "");
    buf_release(&errs);
    return rc;
}

int chanfix_parse_file(const struct channel *ch, const struct conf *c, const char *path,
                       char **desc, char **body)
{
    size_t len = 0;
    char *text = t_slurp(path, &len);
    struct fixreq f;
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    int status = -1;
    *desc = NULL;
    if (body)
        *body = NULL;
    if (text == NULL || fix_load(&f, text, len) == -1) {
        printf("%s: cannot read fixture %s\n", t_current, path);
        t_failed++;
        if (text != NULL)
            fix_release(&f);
        free(text);
        return -1;
    }
    struct http_req req = {.method = f.method,
                           .path = f.path,
                           .body = f.body,
                           .len = f.len,
                           .remote_ip = "127.0.0.1",
                           .header = fix_header,
                           .arg = fix_arg,
                           .arg_len = fix_arg_len,
                           .ctx = &f};
    status = ch->parse(c, &req, &msg, &resp);
    if (status == 0) {
        CHECK_STR(msg.channel, ch->name);
        *desc = describe(&msg);
    } else {
        CHECK(msg.ext_id == NULL && msg.user == NULL && msg.text == NULL && msg.nmedia == 0 &&
              msg.event == NULL && msg.reply_ctx == NULL);
        CHECK_INT(resp.status, status);
    }
    if (body)
        *body = xstrdup(resp.body ? resp.body : "");
    inmsg_release(&msg);
    http_resp_release(&resp);
    fix_release(&f);
    free(text);
    return status;
}

static void check_req(const struct channel *ch, const struct conf *c, const char *dir,
                      const char *name)
{
    char *rpath = xasprintf("%s/%s.req", dir, name), *epath = xasprintf("%s/%s.expect", dir, name);
    char *expect = t_slurp(epath, NULL), *desc = NULL, *body = NULL;
    int before = t_failed, want = 0;
    CHECK(expect != NULL);
    int status = chanfix_parse_file(ch, c, rpath, &desc, &body);
    if (expect != NULL && sscanf(expect, "status: %d", &want) == 1) {
        CHECK_INT(status, want);
        const char *err = strstr(expect, "\nerror: "), *b = strstr(expect, "\nbody: ");
        if (err != NULL) {
            char *w = xstrndup(err + 8, strcspn(err + 8, "\n"));
            CHECK_HAS(body, w);
            free(w);
        }
        if (b != NULL) {
            char *w = xstrndup(b + 7, strcspn(b + 7, "\n"));
            CHECK_STR(body, w);
            free(w);
        }
    } else if (expect != NULL) {
        CHECK_INT(status, 0);
        CHECK_STR(desc, expect);
    }
    if (t_failed != before)
        printf("%s: fixture %s (response %s)\n", t_current, rpath, body ? body : "");
    free(desc);
    free(body);
    free(expect);
    free(rpath);
    free(epath);
}

static void check_render(const struct channel *ch, const struct conf *c, const char *dir,
                         const char *name)
{
    char *jpath = xasprintf("%s/%s.json", dir, name), *opath = xasprintf("%s/%s.out", dir, name);
    size_t olen = 0;
    char *want = t_slurp(opath, &olen);
    json_t *spec = json_load_file(jpath, 0, NULL);
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    int before = t_failed;
    CHECK(want != NULL && spec != NULL);
    if (want != NULL && spec != NULL) {
        msg.channel = ch->name;
        msg.user = xstrdup(json_string_value(json_object_get(spec, "user")));
        msg.reply_ctx = xstrdup(json_string_value(json_object_get(spec, "reply_ctx")));
        ch->render(c, &msg, json_object_get(spec, "replies"), NULL, &resp);
        CHECK_INT(resp.status, 200);
        CHECK_INT(resp.len, olen);
        CHECK_STR(resp.body, want);
        const char *type = json_string_value(json_object_get(spec, "content_type"));
        if (type != NULL)
            CHECK_STR(resp.content_type, type);
    }
    if (t_failed != before)
        printf("%s: fixture %s\n", t_current, jpath);
    inmsg_release(&msg);
    http_resp_release(&resp);
    json_decref(spec);
    free(want);
    free(jpath);
    free(opath);
}

static int fixture_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return (n > 4 && strcmp(d->d_name + n - 4, ".req") == 0) ||
           (n > 12 && strncmp(d->d_name, "render_", 7) == 0 &&
            strcmp(d->d_name + n - 5, ".json") == 0);
}

int chanfix_run_dir(const struct channel *ch, const struct conf *c, const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, fixture_filter, alphasort);
    for (int i = 0; i < n; i++) {
        const char *d = names[i]->d_name;
        size_t len = strlen(d);
        bool req = strcmp(d + len - 4, ".req") == 0;
        char *name = xstrndup(d, len - (req ? 4 : 5));
        if (req)
            check_req(ch, c, dir, name);
        else
            check_render(ch, c, dir, name);
        free(name);
        free(names[i]);
    }
    free(names);
    return n;
}
