/*
 * main.c - argv, config, rules and content, store; then `serve` (HTTP +
 * writer thread until SIGINT/SIGTERM; SIGHUP reloads content and intents,
 * live.h), `chat` (a terminal channel on the same
 * store and rules), `check` (validate everything, or try one text),
 * `migrate [--check]` (the schema upgrades a database needs, or apply them),
 * `conf-example` (print bot.conf.example), `backup PATH` and `restore PATH`.
 */
#include <curl/curl.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "backup.h"
#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "engine.h"
#include "fetcher.h"
#include "geo.h"
#include "handler.h"
#include "http.h"
#include "intent.h"
#include "lesson.h"
#include "live.h"
#include "log.h"
#include "norm.h"
#include "outbox.h"
#include "safety.h"
#include "scorer.h"
#include "sender.h"
#include "setup.h"
#include "staff.h"
#include "staff_cli.h"
#include "store.h"
#include "understand.h"
#include "util.h"

static volatile sig_atomic_t stop_requested, hup_requested;
static struct sender *the_sender; /* set before the writer starts committing */
static struct fetcher *the_fetcher;

static void wake_sender(void)
{
    sender_wake(the_sender);
    fetcher_wake(the_fetcher); /* new photos to download */
}

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        hup_requested = 1;
    else
        stop_requested = 1;
}

struct args {
    bool check; /* migrate --check */
    const char *cmd, *conf_path, *as, *try_text;
    char **sets;
    int nsets;
    const char *words[2]; /* after the command: "menu", "set-webhook URL" */
    int nwords;
    bool force; /* restore: replace a database that has data */
};

static void usage(void)
{
    fputs("usage: yizhan serve [-c bot.conf] [--set section.key=value ...]\n"
          "       yizhan chat [-c bot.conf] [--as ID] [--set ...]\n"
          "       yizhan check [-c bot.conf] [--try TEXT] [--set ...]\n"
          "       yizhan migrate [--check] [-c bot.conf] [--set ...]\n"
          "       yizhan conf-example\n"
          "       yizhan staff add USER --role ROLE [--name N] [--org O] [--area A] [-c ...]\n"
          "       yizhan wechat menu [-c bot.conf] [--set ...]\n"
          "       yizhan telegram set-webhook URL [-c bot.conf] [--set ...]\n"
          "       yizhan backup PATH [-c bot.conf] [--set ...]\n"
          "       yizhan restore PATH [--force] [-c bot.conf] [--set ...]\n",
          stderr);
    exit(2);
}

static void parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    if (argc < 2)
        usage();
    a->cmd = argv[1];
    a->sets = xcalloc((size_t)argc, sizeof *a->sets);
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if ((strcmp(o, "-c") == 0 || strcmp(o, "--config") == 0) && v)
            a->conf_path = argv[++i];
        else if (strcmp(o, "--set") == 0 && v)
            a->sets[a->nsets++] = argv[++i];
        else if (strcmp(o, "--as") == 0 && v)
            a->as = argv[++i];
        else if (strcmp(o, "--try") == 0 && v)
            a->try_text = argv[++i];
        else if (strcmp(o, "--force") == 0)
            a->force = true;
        else if (strcmp(o, "--check") == 0 && strcmp(a->cmd, "migrate") == 0)
            a->check = true;
        else if (o[0] != '-' && a->nwords < 2)
            a->words[a->nwords++] = o;
        else
            usage();
    }
}

/* Make the parent directory of path (one level), mode 0700. */
static void ensure_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path)
        return;
    char *dir = xstrndup(path, (size_t)(slash - path));
    if (mkdir(dir, 0700) == -1 && errno != EEXIST)
        fatal("%s: cannot create directory: %s", dir, strerror(errno));
    free(dir);
}

/* -c PATH, else ./bot.conf when there is one, else NULL (the defaults). */
static const char *conf_path(const struct args *a)
{
    if (a->conf_path == NULL && access("bot.conf", R_OK) == 0)
        return "bot.conf";
    return a->conf_path;
}

/* Config, then rules and content, then the cross-checks. Every problem is
 * appended to errors; returns 0 or -1. */
/* cached: the example phrases' matched copies may be read from and written
 * to cache_dir (a check writes nothing) */
static int load_all(const struct args *a, struct conf *c, struct app *app, bool cached,
                    struct buf *errors)
{
    const char *path = conf_path(a);
    int rc = 0;
    memset(app, 0, sizeof *app);
    if (conf_load(c, path, a->sets, a->nsets, errors) == -1)
        return -1; /* paths below come from the config */
    if (!cached) {
        free(c->cache_dir);
        c->cache_dir = xstrdup("");
    }
    enum log_level lvl;
    if (log_level_parse(c->log_level, &lvl) == 0)
        log_set_level(lvl);
    setenv("TZ", c->timezone, 1);
    tzset();
    app->conf = c;
    if (app_load_content(app, errors) == -1)
        rc = -1;
    if (c->report.boundaries[0] != '\0') {
        app->districts = geo_load(c->report.boundaries, errors);
        if (app->districts == NULL)
            rc = -1;
    }
    int minute;
    if (lesson_parse_hhmm(c->lessons.default_time, &minute) == -1) {
        buf_printf(errors, "lessons.default_time: bad value '%s': want HH:MM\n",
                   c->lessons.default_time);
        rc = -1;
    }
    if (lesson_url_is_placeholder(c->lessons.link_base)) {
        buf_printf(errors,
                   "lessons.link_base: '%s' has a placeholder host that never serves "
                   "anything: give the deployment's real address or leave it empty\n",
                   c->lessons.link_base);
        rc = -1;
    }
    return rc;
}

static void free_app(struct app *app)
{
    app_free_content(app);
    live_free(app->live);
    geo_free(app->districts);
}

static int cmd_check(const struct args *a)
{
    struct conf c;
    struct app app;
    struct buf errors;
    buf_init(&errors, 0);
    int rc = load_all(a, &c, &app, false, &errors);
    long nsql = rc == -1 ? 0 : store_sql_check();
    if (nsql == -1) {
        buf_printf(&errors, "check: a statement of the store does not compile (above)\n");
        rc = -1;
    }
    if (rc == -1) {
        fputs(errors.data ? errors.data : "check failed\n", stderr);
        buf_release(&errors);
        free_app(&app);
        conf_release(&c);
        return 1;
    }
    if (a->try_text) {
        char *norm = norm_text(a->try_text);
        struct intent_match m = {0};
        char *canon = norm_canon(intent_lexicon(app.intents), norm);
        enum understood_via via;
        static const char *const how[] = {"",
                                          "rule",
                                          "rule on the matched copy",
                                          "closest example",
                                          "closest example: ask",
                                          "rule on one clause",
                                          "rule on one clause's matched copy"};
        printf("text: %s\nnormalised: %s\nmatched copy: %s\n", a->try_text, norm, canon);
        free(canon);
        struct scored why[SAFETY_NET_PARTS + 1], against[SAFETY_NET_PARTS + 1];
        int parts = abs(safety_net_scores(app.ct, app.intents, norm, why, against,
                                          SAFETY_NET_PARTS + 1));
        /* the net's view either way: how far a text and its parts are from it */
        for (int i = 0; i < parts; i++)
            printf("crisis net%s: closest crisis example %.2f (%s:%d), closest other %.2f (%s, %s:%d)\n",
                   i ? " (a part)" : "", why[i].score, why[i].file ? why[i].file : "-",
                   why[i].line, against[i].score, against[i].intent ? against[i].intent : "-",
                   against[i].file ? against[i].file : "-", against[i].line);
        enum safety_level level = safety_level(app.ct, app.intents, norm);
        if (level == SAFETY_CRISIS)
            printf("crisis: yes (desk_crisis.txt, the crisis patterns or the crisis net)\n");
        int mr = understand(app.intents, norm, &m, &via);
        if (mr == 1) {
            printf("intent: %s (%s, %s:%d)\n", m.intent, how[via], m.file, m.line);
            for (int i = 0; i < m.ncaps; i++)
                printf("capture: %s=%s\n", m.caps[i].name, m.caps[i].value);
        } else if (level == SAFETY_NEAR) {
            printf("intent: (none: fallback, near a crisis: the check-in, crisisnear)\n");
        } else {
            printf("intent: (none: fallback)\n");
        }
        intent_match_release(&m);
        free(norm);
    } else {
        for (size_t i = 0; i < lesson_count(app.lessons); i++) {
            const struct lesson *l = lesson_at(app.lessons, i);
            char *text = lesson_text(&app, l, false, true); /* as an SMS reply */
            int units = 0;
            int parts = sms_parts(text, &units, NULL);
            printf("lesson %d (%s): %d SMS part%s, %d characters\n", l->id, l->file, parts,
                   parts == 1 ? "" : "s", units);
            free(text);
        }
        printf("ok: %zu rules for %zu intents, %zu lessons, %ld SQL statements,"
               " config and content valid\n",
               intent_rule_count(app.intents), intent_count(app.intents),
               lesson_count(app.lessons), nsql);
    }
    buf_release(&errors);
    free_app(&app);
    conf_release(&c);
    return 0;
}

static void print_replies(json_t *replies)
{
    size_t i;
    json_t *r;
    json_array_foreach(replies, i, r)
    {
        const char *text = json_string_value(json_object_get(r, "text"));
        printf("%s\n\n", text ? text : "");
    }
    fflush(stdout);
}

static int cmd_chat(const struct args *a, struct app *app, struct store *st)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int seq = 0;
    bool tty = isatty(0);
    char user[128];
    snprintf(user, sizeof user, "%s", a->as ? a->as : "me");
    if (tty)
        printf("yizhan chat as '%s' (Ctrl-D to quit). Try 帮助.\n> ", user);
    fflush(stdout);
    while ((len = getline(&line, &cap, stdin)) != -1) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || !utf8_valid(line, (size_t)len)) {
            if (tty)
                fputs("> ", stdout);
            fflush(stdout);
            continue;
        }
        struct inmsg msg = {0};
        struct turn_result res;
        msg.channel = chan_console.name;
        msg.authenticated = true; /* the terminal: whoever runs it owns the store */
        msg.ext_id = xasprintf("c%lld-%d-%d", (long long)now_ms(), (int)getpid(), ++seq);
        msg.user = xstrdup(user);
        msg.text = xstrdup(line);
        if (store_begin(st) == 0 &&
            engine_turn(app, st, &chan_console, &msg, now_ms(), &res) == 0) {
            if (store_commit(st) == 0)
                print_replies(res.replies);
            else
                fputs("(could not save: see the log)\n", stdout);
            turn_result_release(&res);
        } else {
            store_rollback(st);
            fputs("(error: see the log)\n", stdout);
        }
        inmsg_release(&msg);
        if (tty)
            fputs("> ", stdout);
        fflush(stdout);
    }
    free(line);
    return 0;
}

/* The periodic tick runs as a job on the writer thread, one at a time. */
struct tick_job {
    struct job job;
    const struct app *app;
    atomic_bool busy;
};

/* Another process on the database saved a content version: it is live here
 * within a tick (live.h); then the tick's work on the current generation. */
static int run_tick(struct job *j, struct store *st, int64_t now)
{
    struct tick_job *t = j->arg;
    if (t->app->live != NULL)
        (void)live_reload(t->app->live, st, false, now); /* problems are logged and kept */
    const struct app *g = app_acquire(t->app);
    int rc = handler_tick(g, st, now);
    app_release(g);
    return rc;
}

/* SIGHUP: the files read again (with the saved versions) on the writer
 * thread, between turns; systemd hears RELOADING=1 then READY=1. */
struct reload_job {
    struct job job;
    const struct app *app;
    atomic_bool busy;
    int64_t since; /* when it was asked for (the main thread's only) */
};

/* A reload rebuilds the rules and examples on the writer: ~0.3 s, tens of
 * seconds under valgrind. Longer than this, it is stuck. */
#define RELOAD_MAX_MS 120000

static int run_reload(struct job *j, struct store *st, int64_t now)
{
    struct reload_job *r = j->arg;
    return live_reload(r->app->live, st, true, now) == -2 ? -1 : 0;
}

static void reload_done(struct job *j)
{
    struct reload_job *r = j->arg;
    if (j->status != 200)
        log_warn("serve: SIGHUP: the reload could not read the store; send SIGHUP again");
    sd_notify(0, "READY=1");
    atomic_store(&r->busy, false);
}

static void reload_request(struct engine *e, struct reload_job *r)
{
    struct timespec ts;
    if (atomic_exchange(&r->busy, true))
        return; /* one under way reads the files after this signal came */
    r->since = now_ms();
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
               (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
    log_info("serve: SIGHUP: reloading content and intents");
    if (engine_submit(e, &r->job) == -1) {
        atomic_store(&r->busy, false);
        sd_notify(0, "READY=1");
    }
}

static void tick_done(struct job *j)
{
    struct tick_job *t = j->arg;
    if (j->status != 200)
        log_warn("serve: scheduled work failed; it runs again at the next tick");
    atomic_store(&t->busy, false);
}

/* systemd (Type=notify, docs/operations.md): READY=1 once the store is open
 * and the port listens; WATCHDOG=1 every half WatchdogSec while the writer is
 * healthy (its last commit or probe worked, and the tick it was given came
 * back within WatchdogSec), so a stuck or failing writer gets the service
 * restarted. Without NOTIFY_SOCKET, sd_notify does nothing. */
struct watchdog {
    int64_t period_ms; /* WatchdogSec in ms; 0: no watchdog */
    int64_t next_ms;
    bool unhealthy; /* logged once per spell */
};

static void watchdog_init(struct watchdog *w)
{
    uint64_t usec = 0;
    memset(w, 0, sizeof *w);
    if (sd_watchdog_enabled(0, &usec) > 0)
        w->period_ms = (int64_t)(usec / 1000);
}

static void watchdog_pet(struct watchdog *w, bool healthy, int64_t now)
{
    if (w->period_ms == 0 || now < w->next_ms)
        return;
    w->next_ms = now + w->period_ms / 2;
    if (healthy) {
        if (w->unhealthy)
            log_info("serve: the writer is healthy again: watchdog pings resume");
        w->unhealthy = false;
        sd_notify(0, "WATCHDOG=1");
    } else if (!w->unhealthy) {
        w->unhealthy = true;
        log_err("serve: the writer is not healthy (store not writable or stuck):"
                " no watchdog ping; systemd restarts the service after WatchdogSec");
    }
}

static int cmd_serve(struct app *app, struct store *st)
{
    /* Every request allocates and frees a few hundred KiB across threads;
     * glibc's defaults hand freed memory back to the kernel at once
     * (madvise, then page faults on the next request). Keeping it costs a
     * few MiB and was worth about 19% of throughput in bench/inbound. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    struct tick_job tick = {.job = {.run = run_tick, .done = tick_done}, .app = app};
    tick.job.arg = &tick;
    atomic_init(&tick.busy, false);
    struct reload_job reload = {.job = {.run = run_reload, .done = reload_done}, .app = app};
    reload.job.arg = &reload;
    atomic_init(&reload.busy, false);
    int64_t next_tick = now_ms();
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct watchdog wd;
    watchdog_init(&wd);
    int64_t tick_since = 0; /* when the running tick was submitted */

    the_sender = sender_start(app);
    if (the_sender == NULL)
        fatal("cannot start the sender thread");
    the_fetcher = fetcher_start(app, the_sender);
    if (the_fetcher == NULL)
        fatal("cannot start the photo fetcher thread");
    struct engine *e = engine_start(app, st, wake_sender);
    if (e == NULL)
        fatal("cannot start the writer thread");
    struct backup_thread *backups = backup_start(app->conf); /* [backup] dir; NULL when off */
    struct http_server *srv = http_start(app, e);
    if (srv == NULL) {
        engine_stop(e);
        fatal("cannot listen on %s", app->conf->listen);
    }
    if (app->conf->generic.secret[0] == '\0')
        log_warn("serve: [generic] secret is empty: unsigned requests to /webhook/generic are"
                 " accepted (%s), never as staff; set a secret before exposing the port",
                 conf_listen_loopback(app->conf->listen) ? "loopback only"
                                                         : "generic.allow_unsigned is true");
    const char *colon = strrchr(app->conf->listen, ':');
    log_info("serve: listening on %.*s:%d", (int)(colon - app->conf->listen), app->conf->listen,
             http_port(srv));
    sd_notifyf(0, "READY=1\nSTATUS=listening on port %d", http_port(srv));
    while (!stop_requested) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        int64_t now = now_ms();
        /* no tick behind a reload, and a tick's wait does not count while
         * one runs (a tick in the reload's batch ends with it): the watchdog
         * would take the rebuild for a stuck writer; a reload that does not
         * end is one */
        bool reloading = atomic_load(&reload.busy);
        if (now >= next_tick && !atomic_load(&tick.busy) && !reloading) {
            atomic_store(&tick.busy, true);
            tick_since = now;
            if (engine_submit(e, &tick.job) == -1)
                atomic_store(&tick.busy, false);
            next_tick = now + app->conf->tick_seconds * 1000;
        }
        bool stuck = (atomic_load(&tick.busy) && now - tick_since > wd.period_ms && !reloading) ||
                     (reloading && now - reload.since > RELOAD_MAX_MS);
        watchdog_pet(&wd, engine_healthy(e) && !stuck, now);
        if (hup_requested) {
            hup_requested = 0;
            reload_request(e, &reload);
        }
    }
    sd_notify(0, "STOPPING=1");
    log_info("serve: stopping: no new connections, finishing %d in flight", http_active(srv));
    http_quiesce(srv);
    for (int i = 0; i < 200 && http_active(srv) > 0; i++) { /* up to 10 s */
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    backup_stop(backups); /* waits for a backup under way */
    engine_stop(e); /* finishes anything still queued, the tick too */
    http_stop(srv);
    fetcher_stop(the_fetcher);
    the_fetcher = NULL;
    sender_stop(the_sender);
    log_info("serve: stopped");
    return 0;
}

/* The config alone (commands that need no rules or content): -c, else
 * ./bot.conf when it exists, then the --set overrides. Problems go to
 * stderr; 0 or -1 (c is to be released either way). */
static int load_conf_only(const struct args *a, struct conf *c)
{
    struct buf errors;
    buf_init(&errors, 0);
    int rc = conf_load(c, conf_path(a), a->sets, a->nsets, &errors);
    if (rc == -1)
        fputs(errors.data ? errors.data : "bad config\n", stderr);
    buf_release(&errors);
    return rc;
}

/* yizhan backup PATH | yizhan restore PATH [--force]: config only; the
 * service may keep running during a backup, not during a restore. */
static int cmd_backup(const struct args *a)
{
    struct conf c;
    struct backup_stats bs;
    bool restore = strcmp(a->cmd, "restore") == 0;
    int rc = 1;
    if (a->nwords != 1)
        usage();
    if (load_conf_only(a, &c) == -1)
        goto out;
    setenv("TZ", c.timezone, 1);
    tzset();
    umask(077);
    if (strcmp(c.store.engine, "postgres") == 0) {
        fprintf(stderr, "%s: the store is on PostgreSQL: use pg_dump and pg_restore for the"
                        " database, and copy %s for the photos (docs/scaling.md)\n",
                a->cmd, c.media_dir);
    } else if (restore) {
        ensure_parent(c.database);
        if (backup_restore(a->words[0], c.database, c.media_dir, a->force, &bs) == 0) {
            printf("restored %s into %s (%lld pages) and %s (%lld photos copied, %lld there)\n",
                   a->words[0], c.database, bs.pages, c.media_dir, bs.photos_new,
                   bs.photos_kept);
            rc = 0;
        }
    } else if (backup_make(c.database, c.media_dir, a->words[0], NULL, &bs) == 0) {
        printf("backed up %s (%lld pages) and %lld photos (%lld copied) into %s\n", c.database,
               bs.pages, bs.photos_new + bs.photos_kept, bs.photos_new, a->words[0]);
        rc = 0;
    }
    if (rc != 0)
        fprintf(stderr, "%s failed: see the log lines above\n", a->cmd);
out:
    conf_release(&c);
    return rc;
}

static void list_pending(int version, const char *note, const char *statements, void *ctx)
{
    buf_printf(ctx, "  %d: %s\n     %s\n", version, note[0] ? note : "(no note)",
               statements[0] ? statements : "(nothing to run on this engine)");
}

/* yizhan migrate [--check]: the configured database's schema version and the
 * migrations this build would apply (their notes and statements); without
 * --check, apply them (serve does too at start). --check exits 0 when
 * nothing is pending, 10 when something is, 1 on an error. The same on
 * PostgreSQL, where an empty database's first step is bot/schema_pg.sql. */
static int cmd_migrate(const struct args *a)
{
    struct conf c;
    struct buf errors, pending;
    int rc = 1;
    buf_init(&errors, 0);
    buf_init(&pending, 0);
    if (conf_load(&c, conf_path(a), a->sets, a->nsets, &errors) == -1) {
        fputs(errors.data ? errors.data : "bad config\n", stderr);
        goto out;
    }
    bool pg = strcmp(c.store.engine, "postgres") == 0;
    int v = pg ? store_pending_pg(c.store.conninfo, list_pending, &pending)
               : store_pending(c.database, list_pending, &pending);
    if (v == -1)
        goto out;
    printf("database: %s\nschema: %d (this build: %d)\n", pg ? "PostgreSQL" : c.database, v,
           store_schema_latest());
    if (v > store_schema_latest()) {
        fprintf(stderr, "migrate: the database is newer than this build: install the newer one\n");
        goto out;
    }
    if (pending.len > 0)
        printf("pending migrations:\n%s", pending.data);
    if (pending.len == 0) {
        printf("up to date\n");
        rc = 0;
        goto out;
    }
    if (a->check) {
        rc = 10;
        goto out;
    }
    umask(077);
    if (!pg)
        ensure_parent(c.database);
    struct store *st =
        store_open_engine(c.store.engine, c.database, c.store.conninfo, c.sync_full);
    if (st != NULL) {
        printf("migrated: schema %d -> %d\n", v, store_version(st));
        store_close(st);
        rc = 0;
    }
out:
    conf_release(&c);
    buf_release(&errors);
    buf_release(&pending);
    return rc;
}

/* yizhan wechat menu | yizhan telegram set-webhook URL: config only. */
static int cmd_setup(const struct args *a)
{
    struct conf c;
    char secret[64];
    int rc = 1;
    bool menu = strcmp(a->cmd, "wechat") == 0 && a->nwords == 1 && strcmp(a->words[0], "menu") == 0;
    bool hook = strcmp(a->cmd, "telegram") == 0 && a->nwords == 2 &&
                strcmp(a->words[0], "set-webhook") == 0;
    if (!menu && !hook)
        usage();
    if (load_conf_only(a, &c) == -1)
        goto out;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        fatal("curl_global_init failed");
    if (menu) {
        char *file = xasprintf("%s/wechat_menu.json", c.content_dir);
        if (setup_wechat_menu(&c, file) == 0) {
            printf("wechat: menu created from %s\n", file);
            rc = 0;
        }
        free(file);
    } else if (setup_telegram_webhook(&c, a->words[1], secret, sizeof secret) == 0) {
        printf("telegram: webhook set to %s\nput this in bot.conf:\n[telegram]\n"
               "secret_token = %s\n",
               a->words[1], secret);
        rc = 0;
    }
    curl_global_cleanup();
out:
    conf_release(&c);
    return rc;
}

int main(int argc, char **argv)
{
    struct args a;
    if (argc >= 2 && strcmp(argv[1], "staff") == 0)
        return staff_cli(argc, argv);
    if (staff_init() == -1)
        fatal("libsodium cannot start");
    parse_args(argc, argv, &a);
    (void)now_ms(); /* fix the clock offset before any thread starts */
    if (strcmp(a.cmd, "conf-example") == 0) {
        struct buf out;
        buf_init(&out, 0);
        conf_write_example(&out);
        fputs(out.data, stdout);
        buf_release(&out);
        free(a.sets);
        return 0;
    }
    if (strcmp(a.cmd, "check") == 0) {
        int rc = cmd_check(&a);
        free(a.sets);
        return rc;
    }
    if (strcmp(a.cmd, "backup") == 0 || strcmp(a.cmd, "restore") == 0) {
        int rc = cmd_backup(&a);
        free(a.sets);
        return rc;
    }
    if (strcmp(a.cmd, "migrate") == 0 && a.nwords == 0) {
        int rc = cmd_migrate(&a);
        free(a.sets);
        return rc;
    }
    if (strcmp(a.cmd, "wechat") == 0 || strcmp(a.cmd, "telegram") == 0) {
        int rc = cmd_setup(&a);
        free(a.sets);
        return rc;
    }
    if (a.nwords > 0 || (strcmp(a.cmd, "serve") != 0 && strcmp(a.cmd, "chat") != 0))
        usage();

    struct conf c;
    struct app app;
    struct buf errors;
    buf_init(&errors, 0);
    if (load_all(&a, &c, &app, true, &errors) == -1) {
        fputs(errors.data ? errors.data : "startup failed\n", stderr);
        exit(1);
    }
    buf_release(&errors);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        fatal("curl_global_init failed");
    umask(077);
    ensure_parent(c.database);
    struct store *st =
        store_open_engine(c.store.engine, c.database, c.store.conninfo, c.sync_full);
    if (st == NULL)
        fatal("cannot open the database %s", c.database);
    store_set_timeout(st, (int)c.store.statement_timeout * 1000);
    live_new(&app); /* then the versions saved in the dashboard, when valid */
    if (live_reload(app.live, st, false, now_ms()) == -2)
        fatal("cannot read the saved content versions from %s", c.database);
    int rc = strcmp(a.cmd, "serve") == 0 ? cmd_serve(&app, st) : cmd_chat(&a, &app, st);
    store_close(st);
    free_app(&app);
    conf_release(&c);
    curl_global_cleanup();
    free(a.sets);
    return rc;
}
