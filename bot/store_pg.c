/*
 * store_pg.c - the store's statements as PostgreSQL text: SQLite's
 * placeholders translated once, and the overrides, the one place for the
 * statements whose SQLite text is not PostgreSQL (docs/design.md, "The
 * store's SQL"). Nothing here talks to a server yet: tests/pg/pgprep
 * prepares every statement through this on a real PostgreSQL, and the
 * engine that runs the store on PostgreSQL will prepare the same texts.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "store_int.h"

/*
 * PostgreSQL's text of statements that cannot share one text with SQLite,
 * keyed by the statement's registry key (SQL(name, ...) in file: "file
 * name"; a key must name exactly one statement, which tests/pg/pgprep
 * checks). The text uses PostgreSQL's $N with the numbers of the SQLite
 * text's ?N, so the same binds serve both. Prefer one shared text: an entry
 * here is for what has no common spelling.
 */
static const struct {
    const char *key, *text;
} pg_overrides[] = {
    {NULL, NULL},
};

const char *store_pg_override_key(size_t i)
{
    return i < sizeof pg_overrides / sizeof pg_overrides[0] ? pg_overrides[i].key : NULL;
}

/* Copy a quoted literal or identifier starting at *p (quote q, doubled to
 * escape it) or a comment; returns the first byte after it. */
static const char *copy_quoted(struct buf *b, const char *p, char q)
{
    const char *s = p++;
    for (;;) {
        if (*p == '\0')
            break;
        if (*p++ == q) {
            if (*p != q)
                break;
            p++;
        }
    }
    buf_append(b, s, (size_t)(p - s));
    return p;
}

static const char *copy_comment(struct buf *b, const char *p)
{
    const char *s = p;
    if (p[0] == '-')
        p += strcspn(p, "\n");
    else {
        const char *e = strstr(p + 2, "*/");
        p = e ? e + 2 : p + strlen(p);
    }
    buf_append(b, s, (size_t)(p - s));
    return p;
}

/*
 * By hand: neither libpq nor SQLite offers this translation (libpq takes
 * only $N; sqlite3_bind_parameter_name() names a parameter but does not say
 * where it stands in the text). SQLite's rules: ?NNN is parameter NNN
 * (1..32766); a bare ? is one more than the largest number assigned so far.
 * Quoted literals ('...' with '' inside), quoted identifiers and comments are
 * copied untouched, so a ? inside them stays a character.
 */
char *store_pg_placeholders(const char *sql)
{
    struct buf b;
    buf_init(&b, 0);
    long max = 0;
    const char *p = sql;
    while (*p != '\0') {
        if (*p == '\'' || *p == '"') {
            p = copy_quoted(&b, p, *p);
        } else if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')) {
            p = copy_comment(&b, p);
        } else if (*p == '?') {
            long n = max + 1;
            p++;
            if (isdigit((unsigned char)*p)) {
                char *end;
                n = strtol(p, &end, 10);
                p = end;
            }
            if (n < 1 || n > 32766) {
                buf_release(&b);
                return NULL;
            }
            if (n > max)
                max = n;
            buf_printf(&b, "$%ld", n);
        } else {
            buf_append(&b, p++, 1);
        }
    }
    return buf_take(&b);
}

char *store_pg_text(const struct store_sql *q)
{
    for (size_t i = 0; pg_overrides[i].key != NULL; i++)
        if (q->key != NULL && strcmp(pg_overrides[i].key, q->key) == 0)
            return strdup(pg_overrides[i].text);
    char *t = store_pg_placeholders(q->text);
    if (t == NULL)
        log_err("store: %s: a placeholder PostgreSQL cannot take: %s", q->where, q->text);
    return t;
}
