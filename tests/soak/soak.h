/*
 * soak.h - what the soak and abuse drivers share (tests/soak/common.c): the
 * real ./yizhan serve on a fixed loopback port and a temp dir that survives
 * restarts, the fake platform API, HTTP from libcurl, resident memory.
 */
#ifndef TESTS_SOAK_H
#define TESTS_SOAK_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct srv {
    pid_t pid;
    int port;
    char dir[128], db[192], log[192];
    const char *sets[32]; /* extra "key=value" settings, NULL-terminated */
};

struct fake {
    pid_t pid;
    int port;
    char record[192];
};

/* A free loopback port, or 0. */
int free_port(void);
/* Make s->dir and pick s->port. 0 or -1. */
int srv_init(struct srv *s);
/* Start ./yizhan serve on s (same dir, database and port every time) and wait
 * for /healthz. 0 or -1 (the log is printed). */
int srv_start(struct srv *s);
/* Send sig and wait for the exit. Returns the exit status, 128+signal, or -1. */
int srv_stop(struct srv *s, int sig);
/* Start tests/it/fakeapi recording into dir. 0 or -1. */
int fake_start(struct fake *f, const char *dir);
void fake_stop(struct fake *f);
/* Resident memory of pid in KiB (VmRSS), or -1. */
long rss_kib(pid_t pid);
/* Milliseconds on the monotonic clock. */
double mono_ms(void);
void msleep(int ms);

/* One HTTP request on a reusable handle (curl may be NULL: a new one).
 * Returns the status (0 on a transport error); *body, when not NULL, gets
 * the answer (caller frees). */
long http(void *curl, int port, const char *method, const char *path, const char *body,
          const char *const *headers, char **body_out);
/* POST {"id","from","text"} to /webhook/generic. */
long say(void *curl, int port, const char *id, const char *from, const char *text, char **body_out);

#endif
