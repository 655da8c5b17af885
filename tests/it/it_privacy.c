/*
 * it_privacy.c - integration tests of privacy and backup against a real
 * server: the first-contact notice and erasure over HTTP, the admin erase
 * route, `yizhan backup` while messages pour in, `yizhan restore` into a new
 * place and a server started on it holding every message acknowledged
 * before the backup began; restore refusing a live or existing database.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "it.h"
#include "t.h"
#include "util.h"

/* Run ./yizhan with args (NULL-terminated) and its output to log; the exit status. */
static int run_yizhan(const char *log, const char *const *args)
{
    char *argv[32];
    int n = 0;
    argv[n++] = "./yizhan";
    for (int i = 0; args[i] != NULL && n < 31; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "a", stdout);
        if (f == NULL || dup2(fileno(stdout), 2) == -1)
            _exit(98);
        execv(argv[0], argv);
        _exit(99);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_privacy_notice_and_erase_over_http(void)
{
    struct server s;
    const char *sets[] = {"privacy.notice=true", "admin.token=it-privacy-token-9999", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    struct resp r = post(s.port, "{\"id\":\"p-1\",\"from\":\"wx-erase-me\",\"name\":\"柳青禾\","
                                 "\"text\":\"我的工资被扣了两千三百元\"}");
    CHECK_INT(r.status, 200);
    char *notice = text_of("privacy.notice");
    json_t *o = json_loads(r.body ? r.body : "{}", 0, NULL);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(o, "replies"), 0),
                                                "text")),
              notice);
    json_decref(o);
    free(r.body);
    free(notice);
    char *t = say_to(s.port, "p-2", "wx-erase-me", "删除我的信息");
    CHECK_HAS(t, "确认删除");
    free(t);
    t = say_to(s.port, "p-3", "wx-erase-me", "确认删除");
    CHECK_HAS(t, "已删除");
    free(t);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE instr(text, '两千三百') > 0"), 0);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM people WHERE ext_id='wx-erase-me' OR"
                           " name='柳青禾'"),
              0);
    /* the office erases someone who phoned in */
    free(say_to(s.port, "p-4", "sms-13800001111", "积分"));
    long long id = db_count(&s, "SELECT id FROM people WHERE ext_id='sms-13800001111'");
    CHECK(id > 0);
    char path[96];
    const char *auth[] = {"Authorization: Bearer it-privacy-token-9999", NULL};
    snprintf(path, sizeof path, "/admin/api/people/%lld/erase", id);
    check_status(s.port, "POST", path, "{}", auth, 400, "reason");
    check_status(s.port, "POST", path, "{\"reason\":\"phoned 2026-12-04\"}", NULL, 401, NULL);
    check_status(s.port, "POST", path, "{\"reason\":\"phoned 2026-12-04\"}", auth, 200, "erased");
    CHECK_INT(db_count(&s, "SELECT count(*) FROM people WHERE ext_id='sms-13800001111'"), 0);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    char *slog = read_file(s.log);
    CHECK_HAS(slog, "erased (asked by admin: phoned 2026-12-04)");
    free(slog);
    server_cleanup(&s);
}

struct load {
    int port;
    atomic_int sent, acked; /* acked: messages 1..acked all answered 200 */
    atomic_bool stop;
};

static void *pour(void *arg)
{
    struct load *l = arg;
    char body[160];
    for (int i = 1; !atomic_load(&l->stop); i++) {
        snprintf(body, sizeof body, "{\"id\":\"load-%d\",\"from\":\"u-%d\",\"text\":\"积分 %d\"}",
                 i, i % 50, i);
        atomic_store(&l->sent, i);
        struct resp r = post(l->port, body);
        free(r.body);
        if (r.status != 200)
            break;
        atomic_store(&l->acked, i);
    }
    return NULL;
}

static void test_backup_under_load_and_restore(void)
{
    struct server s, s2;
    struct load l = {0};
    pthread_t th;
    char bdir[192], dbset[256], mediaset[256], log[256];
    IT_NOT_WRAPPED("a backup racing 300 messages a second without a lock error");
    IT_SQLITE_ONLY("yizhan backup and restore copy the SQLite file; PostgreSQL's are pg_dump's");
    CHECK_INT(server_start(&s, NULL), 0);
    l.port = s.port;
    CHECK_INT(pthread_create(&th, NULL, pour, &l), 0);
    while (atomic_load(&l.acked) < 300)
        msleep(10);
    snprintf(bdir, sizeof bdir, "%s/backup", s.dir);
    snprintf(dbset, sizeof dbset, "database=%s", s.db);
    snprintf(mediaset, sizeof mediaset, "media_dir=%s/media", s.dir);
    snprintf(log, sizeof log, "%s/backup.log", s.dir);
    mkdir(mediaset + strlen("media_dir="), 0700);
    int before = atomic_load(&l.acked); /* all of these were answered before it began */
    const char *backup[] = {"backup", bdir, "--set", dbset, "--set", mediaset, NULL};
    CHECK_INT(run_yizhan(log, backup), 0);
    int during = atomic_load(&l.acked) - before;
    msleep(200);
    atomic_store(&l.stop, true);
    pthread_join(th, NULL);
    CHECK(during > 0 || atomic_load(&l.acked) > before); /* the server kept answering */
    /* a restore onto the live database is refused, with or without --force */
    const char *live[] = {"restore", bdir, "--force", "--set", dbset, "--set", mediaset, NULL};
    CHECK(run_yizhan(log, live) != 0);
    char *out = read_file(log);
    CHECK_HAS(out, "is in use");
    free(out);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    const char *noforce[] = {"restore", bdir, "--set", dbset, "--set", mediaset, NULL};
    CHECK(run_yizhan(log, noforce) != 0);
    out = read_file(log);
    CHECK_HAS(out, "add --force");
    free(out);

    memset(&s2, 0, sizeof s2);
    snprintf(s2.dir, sizeof s2.dir, "/tmp/yizhan-it-XXXXXX");
    CHECK(mkdtemp(s2.dir) != NULL);
    char db2[256], media2[256];
    snprintf(db2, sizeof db2, "database=%s/y.db", s2.dir);
    snprintf(media2, sizeof media2, "media_dir=%s/media", s2.dir);
    const char *restore[] = {"restore", bdir, "--set", db2, "--set", media2, NULL};
    CHECK_INT(run_yizhan(log, restore), 0);
    CHECK_INT(server_restart(&s2, NULL), 0);
    long long n = db_count(&s2, "SELECT count(*) FROM inbound WHERE ext_id LIKE 'load-%'");
    char sql[160];
    CHECK(n >= before);
    /* every message acknowledged before the backup began: load-1 .. load-<before> */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM inbound WHERE ext_id LIKE 'load-%%'"
             " AND CAST(substr(ext_id, 6) AS INTEGER) BETWEEN 1 AND %d",
             before);
    CHECK_INT(db_count(&s2, sql), before);
    check_status(s2.port, "GET", "/healthz", NULL, NULL, 200, "ok");
    char *t = say_to(s2.port, "after-1", "u-1", "积分"); /* the restored one takes messages */
    CHECK(t != NULL && t[0] != '\0');
    free(t);
    CHECK_INT(server_stop(&s2, SIGTERM), 0);
    printf("  backup under load: %d answered before, %d while it ran\n", before, during);
    server_cleanup(&s2);
    server_cleanup(&s);
}

const struct t_case it_privacy_tests[] = {
    T(test_privacy_notice_and_erase_over_http),
    T(test_backup_under_load_and_restore),
    T_END,
};
