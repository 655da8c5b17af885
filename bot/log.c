/*
 * log.c - stderr logger. A mutex keeps lines whole when threads log at once.
 * Every message is escaped on its way out (put_escaped), so text from the
 * network (a path with %0a, a name with ESC) can never start a line of its
 * own or drive a terminal.
 */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static enum log_level level = LOG_INFO;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static const char *names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level lvl)
{
    level = lvl;
}

int log_level_parse(const char *s, enum log_level *out)
{
    for (int i = 0; i <= LOG_DEBUG; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

/* s with control characters written as \n, \r, \t or \xNN and a backslash
 * doubled, so an escape in the log is never ambiguous, into out (4 bytes per
 * byte of s at most, plus the NUL). Bytes of 0x80 and up (UTF-8: names and
 * texts in Chinese) pass as they are. Returns the length. */
static size_t escape(const char *s, char *out)
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *named = *p == '\\'   ? "\\\\"
                            : *p == '\n' ? "\\n"
                            : *p == '\r' ? "\\r"
                            : *p == '\t' ? "\\t"
                                         : NULL;
        if (named != NULL) {
            *o++ = named[0];
            *o++ = named[1];
        } else if (*p < 0x20 || *p == 0x7f) {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* Format the message, escape it and write it with prefix and a newline in one
 * fwrite: stderr is unbuffered, and a write a character would cost a system
 * call each. */
static void put_line(const char *prefix, const char *fmt, va_list ap)
{
    char small[512], line[2048], *msg = small, *out = line;
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0)
        small[0] = '\0';
    else if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1)) != NULL)
        vsnprintf(msg, (size_t)n + 1, fmt, again);
    va_end(again);
    if (msg == NULL)
        msg = small; /* cut short, but still a line */
    size_t plen = strlen(prefix), need = plen + 4 * strlen(msg) + 2;
    if (need > sizeof line && (out = malloc(need)) == NULL) {
        out = line;
        msg[(sizeof line - plen - 2) / 4] = '\0';
    }
    memcpy(out, prefix, plen);
    size_t len = plen + escape(msg, out + plen);
    out[len++] = '\n';
    fwrite(out, 1, len, stderr);
    if (out != line)
        free(out);
    if (msg != small)
        free(msg);
}

static void vlog(enum log_level lvl, const char *fmt, va_list ap)
{
    if (lvl > level)
        return;
    struct timeval tv;
    struct tm tm;
    char ts[32];
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s.%03dZ %s ", ts, (int)(tv.tv_usec / 1000), names[lvl]);
    pthread_mutex_lock(&log_mu);
    put_line(prefix, fmt, ap);
    fflush(stderr);
    pthread_mutex_unlock(&log_mu);
}

#define LOG_FN(fn, lvl)                                                                           \
    void fn(const char *fmt, ...)                                                                  \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        vlog(lvl, fmt, ap);                                                                        \
        va_end(ap);                                                                                \
    }
LOG_FN(log_err, LOG_ERR)
LOG_FN(log_warn, LOG_WARN)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_debug, LOG_DEBUG)

int log_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(LOG_ERR, fmt, ap);
    va_end(ap);
    return -1;
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_line("", fmt, ap);
    va_end(ap);
    exit(1);
}
