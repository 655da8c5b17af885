/*
 * store_pg.c - the store's statements as PostgreSQL text: SQLite's
 * placeholders translated once, and the overrides, the one place for the
 * statements whose SQLite text is not PostgreSQL (docs/design.md, "The
 * store's SQL"). Nothing here talks to a server: store.c prepares these
 * texts when the store runs on PostgreSQL, and tests/pg/pgprep prepares
 * every one and compares its shape with SQLite's.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "store_int.h"

/* SQLite's date(ms/1000, 'unixepoch', 'localtime'): the day in the
 * server's time zone (SQLite: the process's TZ; PostgreSQL: the session's
 * TimeZone). */
#define PG_DAY(col) "to_char(to_timestamp(" col " / 1000), 'YYYY-MM-DD')"
/* SQLite's instr(a, b) > 0 */
#define PG_HAS(a, b) "strpos(" a ", " b ") > 0"

/*
 * PostgreSQL's text of statements that cannot share one text with SQLite,
 * keyed by the statement's registry key (SQL(name, ...) in file: "file
 * name"; a key must name exactly one statement, which `tests/run sql`
 * and tests/pg/pgprep check). The text uses PostgreSQL's $N with the
 * numbers of the SQLite text's ?N, so the same binds serve both. Prefer one
 * shared text: an entry here is for what has no common spelling.
 */
static const struct {
    const char *key, *text;
} pg_overrides[] = {
    /* BEGIN IMMEDIATE takes SQLite's write lock at once; PostgreSQL locks rows */
    {"bot/store.c sql_begin", "BEGIN"},
    /* scalar max(a, b) is greatest(a, b) */
    {"bot/store.c touch",
     "UPDATE people SET last_seen_ms=greatest($2, coalesce((SELECT max(q.last_seen_ms) + 1"
     " FROM people q WHERE coalesce(q.account_id, q.id)=$4 AND q.id<>$1), 0)),"
     " name=coalesce($3, name), consent=CASE WHEN $5<>0 THEN coalesce(consent, 'contact')"
     " ELSE consent END WHERE id=$1"},
    /* length(CAST(x AS BLOB)) is octet_length(x); char(10) is chr(10) */
    {"bot/store_content.c history",
     "SELECT id, actor, created_ms, note, body IS NULL, octet_length(body),"
     " length(body) - length(replace(body, chr(10), '')) FROM content_versions"
     " WHERE file=$1 ORDER BY id DESC LIMIT $2"},
    {"bot/store_desk.c volunteer_of",
     "SELECT id, person_id, hours FROM desk_volunteers WHERE person_id=$1 AND active=1"
     " AND (CAST($2 AS text) IS NULL OR " PG_HAS("desks", "',' || $2 || ','") ")"},
    {"bot/store_desk.c volunteers_for",
     "SELECT id, person_id, hours FROM desk_volunteers WHERE active=1"
     " AND " PG_HAS("desks", "',' || $1 || ','") " ORDER BY last_offer_ms, id LIMIT $2"},
    /* json_set / json_extract / json_each are jsonb operators and functions */
    {"bot/store_outbox.c article_sent",
     "UPDATE outbox SET extra=CAST(CAST(extra AS jsonb) || '{\"article_sent\": true}' AS text),"
     " updated_ms=$2 WHERE id=$1 AND extra IS NOT NULL"},
    /* Several nodes: a row another node's claim holds is skipped, not waited
     * for and then claimed again (without SKIP LOCKED the second UPDATE
     * re-checks only id IN (...) and sends the row twice) */
    {"bot/store_outbox.c claim",
     "UPDATE outbox SET status='sending', lease_until_ms=$1+$2, attempts=attempts+1,"
     " updated_ms=$1 WHERE id IN (SELECT id FROM outbox WHERE status IN ('queued','held')"
     " AND next_at_ms<=$1 ORDER BY next_at_ms, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
     " RETURNING id, person_id, coalesce(broadcast_id, 0), channel, to_ext,"
     " coalesce(sent_text, text), idem_key, klass, attempts, extra,"
     " CASE WHEN CAST(extra AS jsonb)->'article_sent' = 'true' THEN 1 ELSE 0 END"},
    {"bot/store_outbox.c find",
     "SELECT id, coalesce(sent_text, text) FROM outbox WHERE channel=$1 AND to_ext=$2"
     " AND id<>$3 AND (status IN ('queued','held')"
     " OR (status='sending' AND id IN (SELECT CAST(j.value AS bigint)"
     " FROM jsonb_array_elements_text(CAST($5 AS jsonb)) AS j(value))))"
     " AND next_at_ms<=$4 AND klass<>'reply' AND extra IS NULL"
     " AND ($6=0 OR klass<>$7) ORDER BY id"},
    /* Several nodes' senders: every sender transaction locks all the
     * channels' rows first, in name order (bot/sender.c sender_begin) */
    {"bot/store_outbox.c rate_lock", "SELECT channel, tokens, last_ms, paused_until_ms"
                                     " FROM send_rate ORDER BY channel FOR UPDATE"},
    {"bot/store_report.c media_claim",
     "UPDATE report_media SET status='fetching', attempts=attempts+1, lease_until_ms=$1,"
     " updated_ms=$2 WHERE id=(SELECT id FROM report_media WHERE status='pending'"
     " AND next_at_ms<=$2 AND person_id NOT IN (SELECT person_id FROM report_media"
     " WHERE status='fetching' GROUP BY person_id HAVING count(*)>=$4)"
     " ORDER BY person_id<=$3, person_id, next_at_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
     " RETURNING id, report_id, person_id, url, attempts,"
     " (SELECT channel FROM people WHERE people.id=person_id)"},
    /* a periodic job on one node at a time (bot/store_nodes.c) */
    {"bot/store_nodes.c sql_job",
     "SELECT pg_try_advisory_xact_lock(hashtext($1)) AS got"},
    /* a batch's people locked in one statement, in the arrays' order
     * (bot/store_nodes.c, lock_people: why ORDER BY k.n is the lock order) */
    {"bot/store_nodes.c sql_people",
     "SELECT count(*) AS locked FROM (SELECT lock_person(k.c, k.u) FROM"
     " unnest(CAST($1 AS text[]), CAST($2 AS text[])) WITH ORDINALITY AS k(c, u, n)"
     " ORDER BY k.n) l"},
    /* people locked by id outside their own turns, sorted as the batches
     * sort theirs (bot/store_nodes.c, store_people_lock_ids) */
    {"bot/store_nodes.c sql_ids",
     "SELECT count(*) AS locked FROM (SELECT lock_person(p.channel, p.ext_id) FROM people p"
     " WHERE p.id = ANY(CAST($1 AS bigint[])) ORDER BY p.channel COLLATE \"C\","
     " p.ext_id COLLATE \"C\") l"},
    /* a batch's arrivals in one statement (bot/store.c, store_arrivals_load):
     * store_arrival's row for each message, and its account's state rows.
     * Each message's rows come from a LATERAL subquery with LIMIT 1 (the
     * keys are unique), which the planner cannot flatten into a join: a
     * lookup by index per message, as store_arrival's statement did. As
     * plain LEFT JOINs the statement cost 86 us of execution a message in
     * bench/inbound-pg (pg_stat_statements; the plan under load was not
     * caught), this form 4.7. */
    {"bot/store.c sql_arrivals",
     "SELECT k.n AS n, p.id AS id, p.account AS account, p.last_seen_ms AS seen,"
     " p.name AS name, p.consent AS consent, p.linked AS linked, i.created_ms AS created,"
     " i.replies AS replies, i.intent AS intent,"
     " (SELECT json_agg(json_build_array(s.key, s.value, s.expires_ms)) FROM state s"
     " WHERE s.person_id=p.account) AS states"
     " FROM unnest(CAST($1 AS text[]), CAST($2 AS text[]), CAST($3 AS text[]))"
     " WITH ORDINALITY AS k(c, u, e, n)"
     " LEFT JOIN LATERAL (SELECT q.id, coalesce(q.account_id, q.id) AS account, q.last_seen_ms,"
     " q.name, q.consent IS NOT NULL AS consent, q.account_id IS NOT NULL OR EXISTS(SELECT 1"
     " FROM people r WHERE r.account_id=q.id) AS linked FROM people q"
     " WHERE q.channel=k.c AND q.ext_id=k.u LIMIT 1) p ON true"
     " LEFT JOIN LATERAL (SELECT j.created_ms, j.replies, j.intent FROM inbound j"
     " WHERE j.channel=k.c AND j.ext_id=k.e AND j.person_id=p.id LIMIT 1) i ON true"},
    {"bot/store_people.c list_sql",
     "SELECT id, name, phone, district, platform, city, org, channels, tags, joined_ms,"
     " last_seen_ms, opted_out, consent, count(*) OVER () AS total FROM person_dir d WHERE"
     " (CAST($1 AS text) IS NULL OR d.id=$2 OR " PG_HAS("d.name", "$1")
     " OR ($12<>0 AND " PG_HAS("d.phone", "$1") "))"
     " AND (CAST($3 AS text) IS NULL OR d.id IN"
     " (SELECT coalesce(account_id, id) FROM people WHERE channel=$3))"
     " AND (CAST($4 AS text) IS NULL OR d.id IN (SELECT coalesce(c.account_id, c.id) FROM tags t"
     "  JOIN people c ON c.id=t.person_id WHERE t.tag=$4))"
     " AND (CAST($5 AS text) IS NULL OR d.district=$5)"
     " AND (CAST($6 AS text) IS NULL OR d.platform=$6)"
     " AND (CAST($7 AS bigint) IS NULL OR d.joined_ms>=$7)"
     " AND (CAST($8 AS bigint) IS NULL OR d.joined_ms<$8)"
     " AND (CAST($9 AS bigint) IS NULL OR d.last_seen_ms>=$9)"
     " AND (CAST($10 AS bigint) IS NULL OR d.last_seen_ms<$10)"
     " AND (CAST($11 AS bigint) IS NULL OR (d.opted_out<>0)=($11<>0))"
     " ORDER BY d.id DESC LIMIT $13 OFFSET $14"},
    {"bot/store_privacy.c outbox",
     "UPDATE outbox SET text='', sent_text=NULL, extra=NULL, last_error=NULL,"
     " status=CASE WHEN status IN ('queued','held') THEN 'cancelled' ELSE status END"
     " WHERE " PG_HAS("text", "$1") " OR " PG_HAS("sent_text", "$1")},
    {"bot/store_privacy.c replies",
     "UPDATE inbound SET replies='[]' WHERE " PG_HAS("replies", "$1")},
    {"bot/store_staff.c audit_list",
     "SELECT id, at_ms, actor, action, object, origin, status FROM audit"
     " WHERE (CAST($1 AS text) IS NULL OR actor=$1)"
     " AND (CAST($2 AS text) IS NULL OR " PG_HAS("action", "$2") ")"
     " AND at_ms>=$3 AND at_ms<$4 ORDER BY id DESC LIMIT $5"},
    {"bot/store_stats.c messages",
     "SELECT " PG_DAY("created_ms") " AS d, count(*) FROM inbound"
     " WHERE created_ms>=$1 GROUP BY d"},
    {"bot/store_stats.c people",
     "SELECT " PG_DAY("created_ms") " AS d, count(*) FROM people WHERE created_ms>=$1 GROUP BY d"},
    {"bot/store_stats.c pushes",
     "SELECT " PG_DAY("sent_ms") " AS d, count(*) FROM outbox"
     " WHERE sent_ms>=$1 AND status='sent' GROUP BY d"},
    {"bot/store_stats.c bookings",
     "SELECT " PG_DAY("created_ms") " AS d, count(*) FROM bookings"
     " WHERE created_ms>=$1 GROUP BY d"},
    {NULL, NULL},
};

const char *store_pg_override_key(size_t i)
{
    return i < sizeof pg_overrides / sizeof pg_overrides[0] ? pg_overrides[i].key : NULL;
}

/* When p starts a quoted literal or identifier (its quote doubled inside to
 * escape it) or a comment, the first byte after it; else NULL. */
static const char *skip_quoted(const char *p)
{
    if (*p == '\'' || *p == '"') {
        char q = *p++;
        while (*p != '\0')
            if (*p++ == q && *p++ != q)
                return p - 1;
        return p;
    }
    if (p[0] == '-' && p[1] == '-')
        return p + strcspn(p, "\n");
    if (p[0] == '/' && p[1] == '*') {
        const char *e = strstr(p + 2, "*/");
        return e ? e + 2 : p + strlen(p);
    }
    return NULL;
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
    const char *p = sql, *e;
    while (*p != '\0') {
        if ((e = skip_quoted(p)) != NULL) {
            buf_append(&b, p, (size_t)(e - p));
            p = e;
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

/* Calls fn for each $N of pg_text outside quotes and comments. */
static void each_param(const char *pg_text, void (*fn)(long k, void *ctx), void *ctx)
{
    const char *p = pg_text, *e;
    while (*p != '\0') {
        if ((e = skip_quoted(p)) != NULL) {
            p = e;
        } else if (*p++ == '$' && isdigit((unsigned char)*p)) {
            char *end;
            long k = strtol(p, &end, 10);
            p = end;
            fn(k, ctx);
        }
    }
}

struct types_ctx {
    int n;
    unsigned int *types;
};

static void named(long k, void *ctx)
{
    struct types_ctx *t = ctx;
    if (k >= 1 && k <= t->n)
        t->types[k - 1] = 0; /* inferred from where it stands */
}

void store_pg_param_types(const char *pg_text, int n, unsigned int *types)
{
    for (int i = 0; i < n; i++)
        types[i] = 25; /* text (pg_type.h's TEXTOID) until the text names it */
    struct types_ctx t = {n, types};
    each_param(pg_text, named, &t);
}

static void largest(long k, void *ctx)
{
    int *max = ctx;
    if (k > *max && k <= 32766)
        *max = (int)k;
}

int store_pg_nparams(const char *pg_text)
{
    int max = 0;
    each_param(pg_text, largest, &max);
    return max;
}

/*
 * SQLite reads a negative LIMIT as no limit (callers bind -1 for "all");
 * PostgreSQL refuses one, and its no limit is LIMIT NULL. Each "LIMIT $N"
 * of text becomes "LIMIT nullif(greatest($N, -1), -1)" (text is freed).
 */
static char *pg_limits(char *text)
{
    if (text == NULL || strstr(text, "LIMIT $") == NULL)
        return text;
    struct buf b;
    buf_init(&b, 0);
    const char *p = text, *at;
    while ((at = strstr(p, "LIMIT $")) != NULL) {
        const char *num = at + strlen("LIMIT $");
        size_t n = strspn(num, "0123456789");
        buf_append(&b, p, (size_t)(at - p));
        buf_printf(&b, "LIMIT nullif(greatest($%.*s, -1), -1)", (int)n, num);
        p = num + n;
    }
    buf_printf(&b, "%s", p);
    free(text);
    return buf_take(&b);
}

char *store_pg_text(const struct store_sql *q)
{
    for (size_t i = 0; pg_overrides[i].key != NULL; i++)
        if (q->key != NULL && strcmp(pg_overrides[i].key, q->key) == 0)
            return pg_limits(strdup(pg_overrides[i].text));
    char *t = store_pg_placeholders(q->text);
    if (t == NULL)
        log_err("store: %s: a placeholder PostgreSQL cannot take: %s", q->where, q->text);
    return pg_limits(t);
}
