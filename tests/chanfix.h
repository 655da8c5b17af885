/*
 * chanfix.h - fixture runner shared by the channel adapter tests.
 * NAME.req is a request: first line "METHOD /path?query", then header lines
 * "Name: value", a blank line and the raw body. NAME.expect is either the
 * parsed message one field per line (ext_id, user, name, text, media,
 * location, event, reply_ctx; \n and \\ escaped) or "status: N" with
 * optional "error: substring" and "body: exact body" lines.
 * render_NAME.json ({"user", "reply_ctx", "replies"}) sits beside
 * render_NAME.out, the exact bytes the platform must get.
 */
#ifndef TESTS_CHANFIX_H
#define TESTS_CHANFIX_H

struct channel;
struct conf;

/* Load the config from defaults plus "key=value" settings (NULL-terminated). 0 or -1. */
int chanfix_conf(struct conf *c, const char *const *sets);
/* Run every NAME.req and render_NAME.json under dir; returns how many ran. */
int chanfix_run_dir(const struct channel *ch, const struct conf *c, const char *dir);
/* Parse one .req file through ch; returns the status (0: a message, described
 * into *desc, a new string) or -1 when the file is unreadable. *body gets the
 * response body (new string) when not NULL. */
int chanfix_parse_file(const struct channel *ch, const struct conf *c, const char *path,
                       char **desc, char **body);

#endif
