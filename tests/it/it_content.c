/*
 * it_content.c - issue 19 "content the office edits, live" and issue 21's
 * ExecReload, against the real server: an edit in the admin API changes the
 * next reply with no restart, an invalid edit is 400 with the file, line and
 * problem and changes nothing, revert restores, only the super admin may,
 * SIGHUP reloads the files (a broken file keeps the old content and logs
 * file:line), and a second process on the same database follows a save
 * within a tick.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "t.h"
#include "util.h"

#define SUP "sup-token-0123456789"
#define FILE_URL "/admin/api/content/files/content:messages.txt"

static const char *const bearer[] = {"Authorization: Bearer " SUP, NULL};

/* The text of content:messages.txt as the API gives it (the caller frees it). */
static char *messages_text(int port)
{
    struct resp r = request(port, "GET", FILE_URL, NULL, bearer);
    json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
    const char *t = json_string_value(json_object_get(o, "text"));
    char *out = xstrdup(t ? t : "");
    CHECK_INT(r.status, 200);
    json_decref(o);
    free(r.body);
    return out;
}

/* text with the first from replaced by to (the caller frees it). */
static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    CHECK(at != NULL);
    if (at == NULL)
        return xstrdup(text);
    return xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

/* POST text as content:messages.txt; the status, the body into *body when not NULL. */
static long save_messages(int port, const char *text, char **body)
{
    json_t *o = json_pack("{s:s,s:s}", "text", text, "note", "it");
    char *b = json_dumps(o, 0);
    struct resp r = request(port, "POST", FILE_URL, b, bearer);
    long st = r.status;
    if (body != NULL)
        *body = r.body;
    else
        free(r.body);
    free(b);
    json_decref(o);
    return st;
}

/* The first reply to 帮助 from user, as message id (a fresh one each call). */
static char *help_reply(int port, const char *user)
{
    static int seq;
    char id[32];
    snprintf(id, sizeof id, "help-%d", ++seq);
    return say_to(port, id, user, "帮助");
}

/* Wait up to ms for the reply to 帮助 to contain want. */
static bool reply_becomes(int port, const char *want, int ms)
{
    ms = it_patience(ms);
    for (int waited = 0;; waited += 100) {
        char *r = help_reply(port, "u-wait");
        bool ok = strstr(r, want) != NULL;
        free(r);
        if (ok || waited >= ms)
            return ok;
        msleep(100);
    }
}

static void test_content_edit_is_live_checked_and_reverted(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, NULL};
    CHECK_INT(server_start(&s, sets), 0);
    char *before = help_reply(s.port, "u-1");
    CHECK_HAS(before, "驿站服务，回复数字");
    char *orig = messages_text(s.port);
    /* a valid edit: the next reply says it, no restart */
    char *edited = replace(orig, "驿站服务，回复数字", "新版驿站服务，回复数字");
    CHECK_INT(save_messages(s.port, edited, NULL), 200);
    char *after = help_reply(s.port, "u-1");
    CHECK_HAS(after, "新版驿站服务");
    /* an invalid edit: 400 naming file, line and problem; nothing changes */
    char *bad = replace(edited, "{items}", "{itemz}"), *why = NULL;
    CHECK_INT(save_messages(s.port, bad, &why), 400);
    CHECK_HAS(why, "\"file\":\"content:messages.txt\"");
    CHECK_HAS(why, "\"line\":6");
    CHECK_HAS(why, "{itemz}");
    char *still = help_reply(s.port, "u-1");
    CHECK_HAS(still, "新版驿站服务");
    CHECK_INT(db_count(&s, "SELECT count(*) FROM content_versions"), 1);
    /* a key removed is found too (a needed key missing) */
    char *nokey = replace(edited, "[help.menu]", "[help.menuu]"), *why2 = NULL;
    CHECK_INT(save_messages(s.port, nokey, &why2), 400);
    CHECK_HAS(why2, "unknown content key 'help.menuu'");
    /* history, then revert to the shipped file in one call */
    struct resp h = request(s.port, "GET", FILE_URL "/history", NULL, bearer);
    CHECK_HAS(h.body, "\"actor\":\"client:admin.token\"");
    CHECK_HAS(h.body, "\"note\":\"it\"");
    check_status(s.port, "POST", FILE_URL "/revert", "{\"version\":0}", bearer, 200, NULL);
    char *reverted = help_reply(s.port, "u-1");
    CHECK_STR(reverted, before);
    /* and back to version 1, by its number */
    check_status(s.port, "POST", FILE_URL "/revert", "{\"version\":1}", bearer, 200, NULL);
    char *again = help_reply(s.port, "u-1");
    CHECK_HAS(again, "新版驿站服务");
    check_status(s.port, "POST", FILE_URL "/revert", "{\"version\":99}", bearer, 404, NULL);
    check_status(s.port, "POST", FILE_URL "/revert", "{\"version\":\"x\"}", bearer, 400, NULL);
    check_status(s.port, "POST", FILE_URL, "{\"note\":\"no text\"}", bearer, 400, "text");
    check_status(s.port, "GET", "/admin/api/content/files/content:nope.txt", NULL, bearer, 404,
                 "no such content file");
    check_status(s.port, "GET", "/admin/api/content/files/intents:..", NULL, bearer, 404, NULL);
    /* every save, refusal and revert is in the audit trail, with the file */
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action='POST /content/files/*'"
                           " AND object='content:messages.txt' AND status=400"),
              3);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action="
                           "'POST /content/files/*/revert' AND status=200"),
              2);
    free(h.body);
    free(before);
    free(orig);
    free(edited);
    free(after);
    free(bad);
    free(why);
    free(still);
    free(nokey);
    free(why2);
    free(reverted);
    free(again);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* The station's address and hours are content the office keeps: 驿站在哪
 * answers them, and an edit in the dashboard changes the answer at once. */
static void test_content_station_address_edited_live(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, NULL};
    CHECK_INT(server_start(&s, sets), 0);
    char *before = say_to(s.port, "st-1", "u-st", "驿站在哪里");
    CHECK_HAS(before, "开放时间");
    char *orig = messages_text(s.port);
    char *edited = replace(orig, "开放时间：每天 8:00-20:00", "开放时间：每天 7:30-21:30");
    CHECK_INT(save_messages(s.port, edited, NULL), 200);
    char *after = say_to(s.port, "st-2", "u-st", "你们驿站几点开门");
    CHECK_HAS(after, "7:30-21:30");
    free(before);
    free(orig);
    free(edited);
    free(after);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
}

static void test_content_edit_admin_only(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, NULL};
    char vc[120], vx[120], uc[120], ux[120];
    CHECK_INT(server_start(&s, sets), 0);
    CHECK_INT(it_staff_sign_in(s.port, SUP, "vi", "viewer", "", vc, vx), 0);
    CHECK_INT(it_staff_sign_in(s.port, SUP, "un", "union", "", uc, ux), 0);
    const char *vh[] = {vc, vx, NULL}, *uh[] = {uc, ux, NULL};
    const char *const *who[] = {vh, uh};
    for (int i = 0; i < 2; i++) {
        check_status(s.port, "GET", "/admin/api/content/files", NULL, who[i], 403, NULL);
        check_status(s.port, "GET", FILE_URL, NULL, who[i], 403, NULL);
        check_status(s.port, "POST", FILE_URL, "{\"text\":\"[help.menu]\\nx\\n\"}", who[i], 403,
                     NULL);
        check_status(s.port, "POST", FILE_URL "/revert", "{\"version\":0}", who[i], 403, NULL);
    }
    check_status(s.port, "GET", "/admin/api/content/files", NULL, NULL, 401, NULL);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM content_versions"), 0);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action LIKE '%/content/files%'"
                           " AND status=403"),
              8);
    check_status(s.port, "GET", "/admin/api/content/files", NULL, bearer, 200,
                 "\"content:messages.txt\"");
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* content/ and intents/ copied into dir, for a server that reads them there. */
static int copy_content(const char *dir)
{
    char *cmd = xasprintf("cp -r content intents '%s'/", dir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

/* Replace from with to in the file at path. */
static void edit_file(const char *path, const char *from, const char *to)
{
    char *text = read_file(path), *out = replace(text, from, to);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(out, f);
        fclose(f);
    }
    free(text);
    free(out);
}

static bool log_has(const struct server *s, const char *want, int ms)
{
    ms = it_patience(ms); /* a reload under valgrind: ~20 s of CPU */
    for (int waited = 0;; waited += 100) {
        char *log = read_file(s->log);
        bool ok = strstr(log, want) != NULL;
        free(log);
        if (ok || waited >= ms)
            return ok;
        msleep(100);
    }
}

static void test_content_sighup_reloads_files(void)
{
    char dir[] = "/tmp/yizhan-it-content-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK_INT(copy_content(dir), 0);
    char *cset = xasprintf("content_dir=%s/content", dir);
    char *iset = xasprintf("intents_dir=%s/intents", dir);
    char *path = xasprintf("%s/content/messages.txt", dir);
    const char *sets[] = {"admin.token=" SUP, cset, iset, NULL};
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    CHECK(reply_becomes(s.port, "驿站服务，回复数字", 0));
    /* the file changed on disk: SIGHUP makes it live */
    edit_file(path, "驿站服务，回复数字", "重载后驿站服务，回复数字");
    char *unsignalled = help_reply(s.port, "u-2");
    CHECK(strstr(unsignalled, "重载后") == NULL); /* not before the signal */
    free(unsignalled);
    kill(s.pid, SIGHUP);
    CHECK(reply_becomes(s.port, "重载后驿站服务", 10000));
    /* a broken file: the old content stays, the log names file:line */
    edit_file(path, "{items}", "{bogus}");
    kill(s.pid, SIGHUP);
    char *where = xasprintf("%s:6: [help.menu] uses unknown placeholder {bogus}", path);
    CHECK(log_has(&s, where, 10000));
    char *r = help_reply(s.port, "u-2");
    CHECK_HAS(r, "重载后驿站服务");
    CHECK_HAS(r, "1 查积分"); /* {items} still filled: the old generation */
    /* the office sees the failed reload */
    struct resp st = request(s.port, "GET", "/admin/api/content/files", NULL, bearer);
    CHECK_HAS(st.body, "\"failed_at\"");
    CHECK_HAS(st.body, "{bogus}");
    free(st.body);
    /* a saved version survives a SIGHUP: it is applied over the files again */
    edit_file(path, "{bogus}", "{items}");
    char *text = messages_text(s.port);
    char *saved = replace(text, "重载后驿站服务", "存档驿站服务");
    CHECK_INT(save_messages(s.port, saved, NULL), 200);
    kill(s.pid, SIGHUP);
    CHECK(log_has(&s, "content: reloaded (saved-version counter 1)", 10000));
    CHECK(reply_becomes(s.port, "存档驿站服务", 0));
    struct resp ok = request(s.port, "GET", "/admin/api/content/files", NULL, bearer);
    CHECK(ok.body != NULL && strstr(ok.body, "\"failed_at\"") == NULL);
    free(ok.body);
    free(text);
    free(saved);
    free(r);
    free(where);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
    char *rm = xasprintf("rm -rf '%s'", dir);
    CHECK_INT(system(rm), 0);
    free(rm);
    free(cset);
    free(iset);
    free(path);
}

/* GET the text of file, replace from with to, POST it; the status, the body in *body. */
static long edit_via_api(int port, const char *file, const char *from, const char *to, char **body)
{
    char *url = xasprintf("/admin/api/content/files/%s", file);
    struct resp r = request(port, "GET", url, NULL, bearer);
    json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
    const char *t = json_string_value(json_object_get(o, "text"));
    char *edited = replace(t ? t : "", from, to);
    json_t *b = json_pack("{s:s}", "text", edited);
    char *bs = json_dumps(b, 0);
    struct resp w = request(port, "POST", url, bs, bearer);
    if (body != NULL)
        *body = w.body;
    else
        free(w.body);
    free(bs);
    json_decref(b);
    free(edited);
    json_decref(o);
    free(r.body);
    free(url);
    return w.status;
}

/* Keywords and lessons are edited the same way: a rule learns a word at once,
 * a broken lesson is refused naming its file and line. */
static void test_content_edit_rules_and_lessons(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, NULL};
    CHECK_INT(server_start(&s, sets), 0);
    char *before = say_to(s.port, "r-1", "u-r", "紫色长颈鹿");
    CHECK(strstr(before, "驿站服务，回复数字") == NULL);
    CHECK_INT(edit_via_api(s.port, "intents:00-core.rules", "help        ^(?:帮助|",
                           "help        ^(?:帮助|紫色长颈鹿|", NULL),
              200);
    char *after = say_to(s.port, "r-2", "u-r", "紫色长颈鹿");
    CHECK_HAS(after, "驿站服务，回复数字");
    char *why = NULL;
    CHECK_INT(edit_via_api(s.port, "intents:00-core.rules", "help        ^(?:帮助|",
                           "help        ^(?:(帮助|", &why),
              400);
    CHECK_HAS(why, "\"file\":\"intents:00-core.rules\"");
    free(why);
    CHECK_INT(edit_via_api(s.port, "lessons:01-gonggeng-longzhong.txt", "answer: B\n",
                           "answer: Z\n", &why),
              400);
    CHECK_HAS(why, "\"file\":\"lessons:01-gonggeng-longzhong.txt\"");
    CHECK_HAS(why, "\"line\":");
    free(why);
    CHECK_INT(edit_via_api(s.port, "lessons:01-gonggeng-longzhong.txt", "title: 诸葛亮躬耕隆中",
                           "title: 诸葛亮在隆中种地读书", NULL),
              200);
    struct resp l = request(s.port, "GET", "/admin/api/lessons", NULL, bearer);
    CHECK_HAS(l.body, "诸葛亮在隆中种地读书");
    free(l.body);
    free(before);
    free(after);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* Two processes on one database: a save in one is live in the other within a
 * tick. On PostgreSQL: two nodes on one database. */
static void test_content_save_reaches_other_process(void)
{
    struct server a, b;
    const char *sets[] = {"admin.token=" SUP, "tick_seconds=1", NULL};
    CHECK_INT(server_start(&a, sets), 0);
    char *dbset = a.pg[0] ? xasprintf("store.conninfo=%s", a.pg) : xasprintf("database=%s", a.db);
    const char *bsets[] = {"admin.token=" SUP, "tick_seconds=1", dbset, NULL};
    CHECK_INT(server_start(&b, bsets), 0);
    char *text = messages_text(a.port);
    char *edited = replace(text, "驿站服务，回复数字", "两边驿站服务，回复数字");
    CHECK_INT(save_messages(a.port, edited, NULL), 200);
    CHECK(reply_becomes(b.port, "两边驿站服务", 10000));
    free(text);
    free(edited);
    free(dbset);
    CHECK_INT(server_stop(&b, SIGTERM), 0);
    CHECK_INT(server_stop(&a, SIGTERM), 0);
    server_cleanup(&b);
    server_cleanup(&a);
}

const struct t_case it_content_tests[] = {
    {"content_edit_is_live_checked_and_reverted", test_content_edit_is_live_checked_and_reverted},
    {"content_edit_admin_only", test_content_edit_admin_only},
    {"content_station_address_edited_live", test_content_station_address_edited_live},
    {"content_edit_rules_and_lessons", test_content_edit_rules_and_lessons},
    {"content_sighup_reloads_files", test_content_sighup_reloads_files},
    {"content_save_reaches_other_process", test_content_save_reaches_other_process},
    {NULL, NULL},
};
