/*
 * log.h - one line per event on stderr: time, level, message with key=value
 * fields. Secrets are never passed here; ids go through mask_id(). Control
 * characters in a message are escaped (\n, \xNN; a backslash doubled), so
 * text from the network can never start a line of its own.
 */
#ifndef BOT_LOG_H
#define BOT_LOG_H

enum log_level { LOG_OFF = -1, LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level lvl);
/* Parse "error", "warn", "info" or "debug". 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log at error level and return -1, for `return log_fail(...)`. */
int log_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1): only main() during startup uses this. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
