/*
 * it.h - what integration-test suites share (tests/it/it.c): a running
 * ./yizhan serve, HTTP requests to it, its database and log.
 */
#ifndef TESTS_IT_H
#define TESTS_IT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct content;
extern struct content *ct; /* the real content/, for expected reply texts */

/* post() and say_to() sign with this [generic] secret; a test whose server
 * must see authenticated messages (staff commands) sets it. A server
 * without a secret ignores the signature. */
#define IT_SECRET "it-generic-secret"

struct server {
    pid_t pid;
    int port;
    char dir[128], log[192], db[192];
    char pg[512]; /* $YIZHAN_TEST_PG: this server's own PostgreSQL database (conninfo) */
    bool shared;  /* server_start_beside: the database is another server's */
    uid_t run_as; /* when running as root: the uid (and gid) to serve as; 0: root */
};
/*
 * On PostgreSQL ($YIZHAN_TEST_PG, a libpq connection string to a server
 * where databases may be created: `make test-pg`) every server gets a fresh
 * database, dropped by server_cleanup, and db_count queries it. A test of
 * SQLite's file itself (WAL, backup of the file, old SQLite schemas) starts
 * with IT_SQLITE_ONLY("why"): on PostgreSQL it prints `skip NAME: why` and
 * is counted as skipped, neither passed nor failed.
 */
extern int t_skipped;
#define IT_PG_ONLY(why)                                                                            \
    do {                                                                                           \
        if (getenv("YIZHAN_TEST_PG") == NULL) {                                                    \
            printf("skip %s: %s (make test-pg)\n", t_current, why);                                \
            t_skipped = 1;                                                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#define IT_SQLITE_ONLY(why)                                                                        \
    do {                                                                                           \
        if (getenv("YIZHAN_TEST_PG") != NULL) {                                                    \
            printf("skip %s: %s\n", t_current, why);                                               \
            t_skipped = 1;                                                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)
/* A test whose checks are about time (watchdog periods, a backup racing
 * live load) says so: under valgrind ($YIZHAN_WRAP, make valgrind) the
 * server runs 20-50 times slower and those checks measure valgrind, so it is
 * skipped there with the reason; make test and make asan run it. */
#define IT_NOT_WRAPPED(why)                                                                        \
    do {                                                                                           \
        if (getenv("YIZHAN_WRAP") != NULL) {                                                       \
            printf("skip %s: %s (timing; not under $YIZHAN_WRAP)\n", t_current, why);              \
            t_skipped = 1;                                                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)
/* Start ./yizhan serve on 127.0.0.1:0 with a temp database plus extra
 * "key=value" settings (NULL-terminated, may be NULL). 0 or -1. */
int server_start(struct server *s, const char *const *sets);
/* Another server on first's PostgreSQL database (a second node: make
 * test-pg), in a directory of its own; server_cleanup leaves the database to
 * first's. 0 or -1. */
int server_start_beside(struct server *s, const struct server *first, const char *const *sets);
/* Like server_start but reusing s->dir (its database): a restart. */
int server_restart(struct server *s, const char *const *sets);
/* Send sig, wait for the exit; fails the test on an error line in the log.
 * Returns the exit status, or -1 (killed or still running). */
int server_stop(struct server *s, int sig);
void server_cleanup(struct server *s);

struct resp {
    long status;
    char *body; /* owned */
};
/* One request; headers NULL-terminated "Name: value" (may be NULL). */
struct resp request(int port, const char *method, const char *path, const char *body,
                    const char *const *headers);
struct resp post(int port, const char *body);
/* One request keeping the response headers; the path is sent as is (no
 * normalising); from: the local address to send from ("127.0.0.2"), or NULL. */
struct hresp {
    long status;
    char *body, *headers; /* owned */
};
struct hresp hrequest(int port, const char *method, const char *path, const char *body,
                      const char *const *headers);
struct hresp hrequest_from(int port, const char *from, const char *method, const char *path,
                           const char *body, const char *const *headers);
void hresp_release(struct hresp *r);
/* POST {"id","from","text"} to /webhook/generic; the first reply's text. */
char *say_to(int port, const char *id, const char *from, const char *text);
/* A number from the server's database (read-only), or -1. */
long long db_count(const struct server *s, const char *sql);
/* Wall-clock milliseconds (CLOCK_REALTIME), to compare with stored times. */
int64_t wall_ms(void);
/* How long a test waits for the server to get somewhere: ms, or six times
 * that under $YIZHAN_WRAP (valgrind runs the server 20-50 times slower; a
 * wait is a deadline, not a measurement, so stretching it hides nothing). */
int it_patience(int ms);
/* Poll sql every 100 ms until it gives want or it_patience(ms) pass; the
 * last value. */
long long wait_db(const struct server *s, const char *sql, long long want, int ms);
/* Run sql (one or more statements) on s's database, as another writer
 * would; 0, or -1 (printed). */
int db_exec(const struct server *s, const char *sql);
/* The command-line settings that point another ./yizhan command at s's
 * PostgreSQL database (" --set store.engine=postgres --set '...'"), or "". */
const char *it_store_args(const struct server *s);
/* Run sql on $YIZHAN_TEST_PG's own database (CREATE DATABASE and the like);
 * 0, or -1 (printed). */
int it_pg_admin(const char *sql);
/* The content text of key without placeholders filled. */
char *text_of(const char *key);
void check_status(int port, const char *method, const char *path, const char *body,
                  const char *const *headers, long want, const char *want_error);
void msleep(int ms);
/* Create staff account user (role, area "" for none; password "pw-<user>-0123")
 * with the super admin's bearer token sup (an existing account is kept),
 * then sign in as it: the "Cookie: yz_sid=..." header into cookie and the
 * "X-CSRF-Token: ..." header into csrf (each at least 120 bytes). 0 or -1. */
int it_staff_sign_in(int port, const char *sup, const char *user, const char *role,
                     const char *area, char *cookie, char *csrf);
char *read_file(const char *path); /* "" when missing */
/* The wire shape of a JSON object: its keys in order, each with its jansson
 * type ("key:t ", t: 0 object, 1 array, 2 string, 3 integer, 4 real, 5 true,
 * 6 false, 7 null); "" for NULL. The caller frees it. */
char *it_key_types(const json_t *o);

/* tests/it/fakeapi: a stand-in for every platform's API, recording what it
 * gets (see its header comment for the control API and the record format). */
struct fake {
    pid_t pid;
    int port;
    char dir[128]; /* its own directory when fake_start got none */
    char record[192], ready[192];
};
/* Start it on a free port, recording into dir (NULL: a temp dir of its own,
 * removed by fake_stop). 0 or -1. */
int fake_start(struct fake *f, const char *dir);
void fake_stop(struct fake *f);
/* POST a control request; fails the test unless it answers 200. */
void fake_control(const struct fake *f, const char *path, const char *body);
/* Requests the fake has answered (control requests not included), or -1. */
long long fake_requests(const struct fake *f);
/* The record file as a JSON array of its lines (new reference). */
json_t *fake_records(const struct fake *f);

#endif
