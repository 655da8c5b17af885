/*
 * test_conf.c - bot.conf: defaults, sections and comments, path:line errors
 * (every one, not just the first), --set overrides, and the checked-in
 * bot.conf.example kept byte-identical to conf_write_example().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "conf.h"
#include "t.h"
#include "util.h"

/* Write text to dir/name; returns the path (caller frees). */
static char *write_conf(const char *dir, const char *name, const char *text)
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

/* conf_load with a file and overrides; *errs gets the error text (caller frees). */
static int load(struct conf *c, const char *path, char *const *sets, int n, char **errs)
{
    struct buf b;
    buf_init(&b, 0);
    int rc = conf_load(c, path, sets, n, &b);
    *errs = buf_take(&b);
    return rc;
}

static void test_conf_defaults(void)
{
    struct conf c;
    char *errs = NULL;
    CHECK_INT(load(&c, NULL, NULL, 0, &errs), 0);
    CHECK_STR(errs, "");
    CHECK_STR(c.listen, "127.0.0.1:8080");
    CHECK_STR(c.database, "var/yizhan.db");
    CHECK_STR(c.media_dir, "var/media");
    CHECK_STR(c.timezone, "Asia/Shanghai");
    CHECK_STR(c.content_dir, "content");
    CHECK_STR(c.intents_dir, "intents");
    CHECK_STR(c.log_level, "info");
    CHECK_INT(c.max_body, 65536);
    CHECK_INT(c.http_threads, 2);
    CHECK_INT(c.max_connections, 4096);
    CHECK_INT(c.conn_timeout, 15);
    CHECK_INT(c.state_ttl, 1800);
    CHECK_INT(c.batch_max, 256);
    CHECK(c.sync_full);
    CHECK_STR(c.generic.secret, "");
    CHECK_STR(c.generic.outbound_url, "");
    CHECK_INT(c.generic.max_reply_chars, 0);
    conf_release(&c);
    CHECK(c.listen == NULL);
    free(errs);
}

static void test_conf_file_sections_comments(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf",
                            "# a comment\n"
                            "; another comment\n"
                            "\n"
                            "  listen = 0.0.0.0:9090  \n"
                            "database=/tmp/x.db\n"
                            "timezone = UTC\n"
                            "log_level = debug\n"
                            "max_body = 2048\n"
                            "sync_full = no\n"
                            "   # indented comment\n"
                            "[generic]\n"
                            "secret = \"two words\"\n"
                            "outbound_url = https://example.org/push\n"
                            "max_reply_chars = 70\n");
    CHECK_INT(load(&c, path, NULL, 0, &errs), 0);
    CHECK_STR(errs, "");
    CHECK_STR(c.listen, "0.0.0.0:9090");
    CHECK_STR(c.database, "/tmp/x.db");
    CHECK_STR(c.timezone, "UTC");
    CHECK_STR(c.log_level, "debug");
    CHECK_INT(c.max_body, 2048);
    CHECK(!c.sync_full);
    CHECK_STR(c.generic.secret, "two words");
    CHECK_STR(c.generic.outbound_url, "https://example.org/push");
    CHECK_INT(c.generic.max_reply_chars, 70);
    CHECK_STR(c.media_dir, "var/media"); /* untouched keys keep their defaults */
    conf_release(&c);
    free(path);
    free(errs);
}

static void test_conf_unknown_key(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf",
                            "# listen port\n"
                            "listen_prot = 8080\n");
    char *want = xasprintf("%s:2: unknown key 'listen_prot'\n", path);
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    CHECK_STR(errs, want);
    conf_release(&c);
    free(want);
    free(path);
    free(errs);
}

static void test_conf_unknown_key_in_section(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf", "[generic]\nlisten = 1.2.3.4:5\n");
    char *want = xasprintf("%s:2: unknown key 'generic.listen'\n", path);
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    CHECK_STR(errs, want);
    conf_release(&c);
    free(want);
    free(path);
    free(errs);
}

static void test_conf_bad_int(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf", "\nhttp_threads = lots\n");
    char *want = xasprintf("%s:2: bad value 'lots' for 'http_threads'", path);
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    CHECK(str_has_prefix(errs, want));
    CHECK_HAS(errs, "1..64");
    CHECK_INT(c.http_threads, 2); /* the default stays */
    conf_release(&c);
    free(want);
    free(path);
    free(errs);
}

static void test_conf_int_out_of_range(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf", "max_body = 100\n");
    char *want = xasprintf("%s:1: bad value '100' for 'max_body'", path);
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    CHECK(str_has_prefix(errs, want));
    conf_release(&c);
    free(want);
    free(path);
    free(errs);
}

static void test_conf_bad_timezone(void)
{
    static const char *const bad[] = {"Mars/Olympus", "../etc/passwd", "/etc/localtime", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct conf c;
        char *errs = NULL;
        char *line = xasprintf("timezone = %s\n", bad[i]);
        char *path = write_conf(t_tmpdir(), "bot.conf", line);
        char *want =
            xasprintf("%s:1: bad value '%s' for 'timezone': unknown time zone\n", path, bad[i]);
        CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
        CHECK_STR(errs, want);
        CHECK_STR(c.timezone, "Asia/Shanghai");
        conf_release(&c);
        free(want);
        free(path);
        free(line);
        free(errs);
    }
}

/* [store] engine is sqlite (the default) or postgres, and postgres needs a
 * conninfo. */
static void test_conf_store_engine(void)
{
    struct conf c;
    char *errs = NULL;
    CHECK_INT(load(&c, NULL, NULL, 0, &errs), 0);
    CHECK_STR(c.store.engine, "sqlite");
    CHECK_STR(c.store.conninfo, "");
    conf_release(&c);
    free(errs);
    char *path = write_conf(t_tmpdir(), "bot.conf", "[store]\nengine = mysql\n");
    char *want =
        xasprintf("%s:2: bad value 'mysql' for 'store.engine': want sqlite or postgres\n", path);
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    CHECK_STR(errs, want);
    conf_release(&c);
    free(want);
    free(errs);
    free(path);
    path = write_conf(t_tmpdir(), "bot.conf", "[store]\nengine = postgres\n");
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    CHECK_HAS(errs, "store.engine is postgres but store.conninfo is empty");
    conf_release(&c);
    free(errs);
    char *const sets[] = {"store.conninfo=host=db1,db2 dbname=yizhan"};
    CHECK_INT(load(&c, path, sets, 1, &errs), 0);
    CHECK_STR(c.store.engine, "postgres");
    CHECK_STR(c.store.conninfo, "host=db1,db2 dbname=yizhan");
    conf_release(&c);
    free(errs);
    free(path);
}

static void test_conf_bad_url(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf", "[generic]\noutbound_url = ftp://x/y\n");
    char *want = xasprintf("%s:2: bad value 'ftp://x/y' for 'generic.outbound_url': want an "
                           "http:// or https:// URL\n",
                           path);
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    CHECK_STR(errs, want);
    CHECK_STR(c.generic.outbound_url, "");
    conf_release(&c);
    free(want);
    free(path);
    free(errs);
}

static void test_conf_bad_lines(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf",
                            "just words\n"
                            "[generic\n"
                            "sync_full = maybe\n"
                            "listen = nocolon\n"
                            "log_level = loud\n");
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    char *w1 = xasprintf("%s:1: want key = value\n", path);
    char *w2 = xasprintf("%s:2: bad section header\n", path);
    char *w3 = xasprintf("%s:3: bad value 'maybe' for 'sync_full'", path);
    char *w4 = xasprintf("%s:4: bad value 'nocolon' for 'listen'", path);
    char *w5 = xasprintf("%s:5: bad value 'loud' for 'log_level'", path);
    CHECK_HAS(errs, w1);
    CHECK_HAS(errs, w2);
    CHECK_HAS(errs, w3);
    CHECK_HAS(errs, w4);
    CHECK_HAS(errs, w5);
    conf_release(&c);
    free(w1);
    free(w2);
    free(w3);
    free(w4);
    free(w5);
    free(path);
    free(errs);
}

static void test_conf_missing_file(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = xasprintf("%s/nope.conf", t_tmpdir());
    CHECK_INT(load(&c, path, NULL, 0, &errs), -1);
    char *want = xasprintf("%s: cannot open:", path);
    CHECK(str_has_prefix(errs, want));
    conf_release(&c);
    free(want);
    free(path);
    free(errs);
}

static void test_conf_overrides(void)
{
    struct conf c;
    char *errs = NULL;
    char *sets[] = {"generic.secret=x", "http_threads=4", "generic.max_reply_chars=30"};
    CHECK_INT(load(&c, NULL, sets, 3, &errs), 0);
    CHECK_STR(errs, "");
    CHECK_STR(c.generic.secret, "x");
    CHECK_INT(c.http_threads, 4);
    CHECK_INT(c.generic.max_reply_chars, 30);
    conf_release(&c);
    free(errs);
}

static void test_conf_override_beats_file(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf", "[generic]\nsecret = fromfile\n");
    char *sets[] = {"generic.secret=fromcli"};
    CHECK_INT(load(&c, path, sets, 1, &errs), 0);
    CHECK_STR(c.generic.secret, "fromcli");
    conf_release(&c);
    free(path);
    free(errs);
}

static void test_conf_override_errors(void)
{
    struct conf c;
    char *errs = NULL;
    char *sets[] = {"generic.sekret=x", "noequals", "http_threads=0", "generic.secret="};
    CHECK_INT(load(&c, NULL, sets, 4, &errs), -1);
    CHECK_STR(errs, "--set generic.sekret=x: unknown key 'generic.sekret'\n"
                    "--set noequals: want section.key=value\n"
                    "--set http_threads=0: bad value '0' for 'http_threads': want an integer "
                    "1..64\n");
    CHECK_STR(c.generic.secret, ""); /* an empty value is allowed */
    conf_release(&c);
    free(errs);
}

/* Every problem, from the file and from --set, is reported, not just the first. */
static void test_conf_reports_all_errors(void)
{
    struct conf c;
    char *errs = NULL;
    char *path = write_conf(t_tmpdir(), "bot.conf",
                            "listen_prot = 1\n"
                            "http_threads = 0\n"
                            "# fine\n"
                            "timezone = Nowhere/City\n"
                            "database = ok.db\n"
                            "[generic]\n"
                            "outbound_url = gopher://x\n");
    char *sets[] = {"bogus=1", "conn_timeout=x"};
    CHECK_INT(load(&c, path, sets, 2, &errs), -1);
    char *w1 = xasprintf("%s:1: unknown key 'listen_prot'\n", path);
    char *w2 = xasprintf("%s:2: bad value '0' for 'http_threads'", path);
    char *w4 = xasprintf("%s:4: bad value 'Nowhere/City' for 'timezone'", path);
    char *w7 = xasprintf("%s:7: bad value 'gopher://x' for 'generic.outbound_url'", path);
    CHECK(str_has_prefix(errs, w1));
    CHECK_HAS(errs, w2);
    CHECK_HAS(errs, w4);
    CHECK_HAS(errs, w7);
    CHECK_HAS(errs, "--set bogus=1: unknown key 'bogus'\n");
    CHECK_HAS(errs, "--set conn_timeout=x: bad value 'x'");
    int lines = 0;
    for (const char *p = errs; *p; p++)
        lines += *p == '\n';
    CHECK_INT(lines, 6);
    CHECK_STR(c.database, "ok.db"); /* good lines still apply */
    conf_release(&c);
    free(w1);
    free(w2);
    free(w4);
    free(w7);
    free(path);
    free(errs);
}

/* bot.conf.example at the repository root is generated; regenerate it with
 * `./yizhan conf-example > bot.conf.example` when a key changes. */
static void test_conf_example_up_to_date(void)
{
    struct buf gen;
    size_t len = 0;
    buf_init(&gen, 0);
    conf_write_example(&gen);
    char *file = t_slurp("bot.conf.example", &len);
    CHECK(file != NULL);
    if (file != NULL) {
        CHECK_INT(len, gen.len);
        CHECK(len == gen.len && memcmp(file, gen.data, len) == 0);
    }
    free(file);
    buf_release(&gen);
}

/* The example, read back as a config, gives the defaults with no errors. */
static void test_conf_example_loads(void)
{
    struct buf gen;
    struct conf c;
    char *errs = NULL;
    buf_init(&gen, 0);
    conf_write_example(&gen);
    char *path = write_conf(t_tmpdir(), "bot.conf", gen.data);
    CHECK_INT(load(&c, path, NULL, 0, &errs), 0);
    CHECK_STR(errs, "");
    CHECK_STR(c.listen, "127.0.0.1:8080");
    CHECK_STR(c.generic.secret, "");
    CHECK_INT(c.state_ttl, 1800);
    conf_release(&c);
    free(path);
    free(errs);
    buf_release(&gen);
}

/* An installed binary finds content/, intents/ and web/ in the share
 * directory when the relative defaults are not under its working directory. */
static void test_conf_share_dir_lookup(void)
{
    struct conf c;
    char *errs = NULL;
    char *share = xasprintf("%s/share", t_tmpdir());
    char *dir = xasprintf("%s/yz-installed-content", share);
    CHECK_INT(mkdir(share, 0755), 0);
    CHECK_INT(mkdir(dir, 0755), 0);
    char *sets[] = {"content_dir=yz-installed-content", "admin.web_dir=yz-nowhere",
                    "intents_dir=intents"};
    CHECK_INT(load(&c, NULL, sets, 3, &errs), 0);
    conf_find_data(&c, share);
    CHECK_STR(c.content_dir, dir);           /* missing here, found in share */
    CHECK_STR(c.admin.web_dir, "yz-nowhere"); /* missing in both: left as set */
    CHECK_STR(c.intents_dir, "intents");     /* the checkout's own (make run) */
    conf_release(&c);
    free(errs);
    char *abs = xasprintf("content_dir=%s/none", t_tmpdir());
    char *sets2[] = {abs};
    CHECK_INT(load(&c, NULL, sets2, 1, &errs), 0);
    conf_find_data(&c, share);
    CHECK_STR(c.content_dir, abs + strlen("content_dir=")); /* absolute: as given */
    conf_release(&c);
    free(errs);
    free(abs);
    free(dir);
    free(share);
}

const struct t_case conf_tests[] = {T(test_conf_defaults),
                                    T(test_conf_file_sections_comments),
                                    T(test_conf_unknown_key),
                                    T(test_conf_unknown_key_in_section),
                                    T(test_conf_bad_int),
                                    T(test_conf_int_out_of_range),
                                    T(test_conf_bad_timezone),
                                    T(test_conf_bad_url),
                                    T(test_conf_store_engine),
                                    T(test_conf_bad_lines),
                                    T(test_conf_missing_file),
                                    T(test_conf_overrides),
                                    T(test_conf_override_beats_file),
                                    T(test_conf_override_errors),
                                    T(test_conf_reports_all_errors),
                                    T(test_conf_example_up_to_date),
                                    T(test_conf_example_loads),
                                    T(test_conf_share_dir_lookup),
                                    T_END};
