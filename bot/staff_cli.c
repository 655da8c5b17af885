/*
 * staff_cli.c - `yizhan staff add USER --role ROLE [--name NAME] [--org ORG]
 * [--area AREA] [-c bot.conf] [--set k=v]`: create an account on the
 * command line, so a fresh install has a first super admin to sign in with.
 * The password is read from standard input (first line; a terminal gets a
 * prompt without echo), never from argv, which other users can see in ps.
 */
#include "staff_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "staff.h"
#include "store.h"
#include "util.h"

static int cli_usage(void)
{
    fputs("usage: yizhan staff add USER --role admin|union|desk|counsel|reports|viewer\n"
          "                          [--name NAME] [--org union|university] [--area AREA]\n"
          "                          [-c bot.conf] [--set section.key=value ...]\n"
          "       (the password is read from standard input)\n",
          stderr);
    return 2;
}

/* The first line of stdin into pw (size bytes), without echo on a terminal. */
static int read_password(char *pw, size_t size)
{
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs("password: ", stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(pw, (int)size, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (got == NULL)
        return -1;
    pw[strcspn(pw, "\r\n")] = '\0';
    return 0;
}

int staff_cli(int argc, char **argv)
{
    struct staff s = {0};
    const char *conf_path = NULL;
    char **sets = xcalloc((size_t)argc, sizeof *sets);
    int nsets = 0, rc = 1;
    if (argc < 4 || strcmp(argv[2], "add") != 0) {
        free(sets);
        return cli_usage();
    }
    snprintf(s.username, sizeof s.username, "%s", argv[3]);
    snprintf(s.org, sizeof s.org, "union");
    for (int i = 4; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *dst = NULL;
        size_t n = 0;
        if (v == NULL) {
            free(sets);
            return cli_usage();
        }
        if (strcmp(o, "--role") == 0)
            dst = s.role, n = sizeof s.role;
        else if (strcmp(o, "--name") == 0)
            dst = s.display, n = sizeof s.display;
        else if (strcmp(o, "--org") == 0)
            dst = s.org, n = sizeof s.org;
        else if (strcmp(o, "--area") == 0)
            dst = s.area, n = sizeof s.area;
        if (dst != NULL)
            snprintf(dst, n, "%s", v);
        else if (strcmp(o, "-c") == 0 || strcmp(o, "--config") == 0)
            conf_path = v;
        else if (strcmp(o, "--set") == 0)
            sets[nsets++] = argv[i + 1];
        else {
            free(sets);
            return cli_usage();
        }
        i++;
    }
    if (s.display[0] == '\0')
        snprintf(s.display, sizeof s.display, "%s", s.username);
    if (conf_path == NULL && access("bot.conf", R_OK) == 0)
        conf_path = "bot.conf";
    struct conf c;
    struct buf errors;
    buf_init(&errors, 0);
    char pw[STAFF_PW_MAX + 2];
    struct store *st = NULL;
    if (conf_load(&c, conf_path, sets, nsets, &errors) == -1) {
        fputs(errors.data ? errors.data : "bad config\n", stderr);
        goto out;
    }
    if (staff_init() == -1 || read_password(pw, sizeof pw) == -1) {
        fputs("staff: no password on standard input\n", stderr);
        goto out;
    }
    umask(077);
    st = store_open_engine(c.store.engine, c.database, c.store.conninfo,
                           c.sync_full);
    int64_t id = 0;
    const char *why = NULL;
    int made = st == NULL || store_begin(st) == -1 ? -1 : staff_create(st, &s, pw, now_ms(), &id, &why);
    memset(pw, 0, sizeof pw);
    if (made == 1 && store_commit(st) == 0) {
        printf("staff: account %s (%s) created with id %lld\n", s.username, s.role, (long long)id);
        rc = 0;
    } else {
        if (st != NULL)
            store_rollback(st);
        fprintf(stderr, "staff: %s\n",
                why           ? why
                : made == 0   ? "that username is taken"
                : st == NULL  ? "cannot open the database"
                              : "the database refused the account");
    }
out:
    if (st != NULL)
        store_close(st);
    conf_release(&c);
    buf_release(&errors);
    free(sets);
    return rc;
}
