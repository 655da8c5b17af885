/*
 * web.c - dashboard sessions kept in memory (a small table behind a mutex:
 * a restart signs everyone out, which is fine for an office tool), the role
 * of a bearer token, and the strict static-file path check for /admin/.
 */
#include "web.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "conf.h"
#include "crypto.h"
#include "log.h"
#include "util.h"

/* Each role has its own share of the table: a flood of sign-ins in one role
 * evicts that role's least recently used session, never another role's. */
#define SESSIONS_PER_ROLE 128
#define MAX_ROLES 8
#define MAX_SESSIONS (SESSIONS_PER_ROLE * MAX_ROLES)
#define MAX_REL 128

struct sess {
    char id[WEB_ID_HEX], csrf[WEB_ID_HEX];
    const char *role; /* NULL: free slot */
    int64_t last_ms;
    struct web_who who; /* the account signed in */
};

struct websess {
    pthread_mutex_t mu;
    int64_t idle_ms;
    struct sess s[MAX_SESSIONS];
};

struct websess *websess_new(int64_t idle_ms)
{
    struct websess *ws = xcalloc(1, sizeof *ws);
    pthread_mutex_init(&ws->mu, NULL);
    ws->idle_ms = idle_ms;
    return ws;
}

void websess_free(struct websess *ws)
{
    if (ws == NULL)
        return;
    pthread_mutex_destroy(&ws->mu);
    free(ws);
}

static void random_hex(char out[WEB_ID_HEX], const unsigned char *b)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[64] = '\0';
}

/* Drop expired sessions; the caller holds the mutex. */
static void expire(struct websess *ws, int64_t now)
{
    for (int i = 0; i < MAX_SESSIONS; i++)
        if (ws->s[i].role != NULL && now - ws->s[i].last_ms > ws->idle_ms)
            memset(&ws->s[i], 0, sizeof ws->s[i]);
}

/* A slot for a new session of role: a free one while the role has fewer than
 * SESSIONS_PER_ROLE, else the role's own least recently used. -1 when the
 * table is full of other roles (more than MAX_ROLES roles). Mutex held. */
static int pick_slot(struct websess *ws, const char *role)
{
    int free_slot = -1, lru = -1, mine = 0;
    for (int i = 0; i < MAX_SESSIONS; i++) {
        const struct sess *s = &ws->s[i];
        if (s->role == NULL) {
            if (free_slot == -1)
                free_slot = i;
            continue;
        }
        if (strcmp(s->role, role) != 0)
            continue;
        mine++;
        if (lru == -1 || s->last_ms < ws->s[lru].last_ms)
            lru = i;
    }
    if (mine >= SESSIONS_PER_ROLE || free_slot == -1)
        return lru;
    return free_slot;
}

int websess_open(struct websess *ws, const char *role, int64_t now, char id[WEB_ID_HEX],
                 char csrf[WEB_ID_HEX])
{
    struct web_who who = {.role = role};
    return websess_open_who(ws, &who, now, id, csrf);
}

int websess_open_who(struct websess *ws, const struct web_who *who, int64_t now,
                     char id[WEB_ID_HEX], char csrf[WEB_ID_HEX])
{
    const char *role = who->role;
    unsigned char b[64];
    if (crypto_random(b, sizeof b) == -1)
        return log_fail("web: no random bytes for a session");
    random_hex(id, b);
    random_hex(csrf, b + 32);
    pthread_mutex_lock(&ws->mu);
    expire(ws, now);
    int pick = pick_slot(ws, role);
    if (pick == -1) {
        pthread_mutex_unlock(&ws->mu);
        return log_fail("web: no session slot for role %s", role);
    }
    struct sess *s = &ws->s[pick];
    memcpy(s->id, id, WEB_ID_HEX);
    memcpy(s->csrf, csrf, WEB_ID_HEX);
    s->role = role;
    s->last_ms = now;
    s->who = *who;
    pthread_mutex_unlock(&ws->mu);
    return 0;
}

void websess_end_staff(struct websess *ws, int64_t staff_id)
{
    if (staff_id == 0)
        return;
    pthread_mutex_lock(&ws->mu);
    for (int i = 0; i < MAX_SESSIONS; i++)
        if (ws->s[i].role != NULL && ws->s[i].who.staff_id == staff_id)
            memset(&ws->s[i], 0, sizeof ws->s[i]);
    pthread_mutex_unlock(&ws->mu);
}

const char *websess_check(struct websess *ws, const char *id, int64_t now,
                          char csrf[WEB_ID_HEX])
{
    return websess_who(ws, id, now, csrf, NULL);
}

const char *websess_who(struct websess *ws, const char *id, int64_t now, char csrf[WEB_ID_HEX],
                        struct web_who *who)
{
    const char *role = NULL;
    if (id == NULL || strlen(id) != WEB_ID_HEX - 1)
        return NULL;
    pthread_mutex_lock(&ws->mu);
    expire(ws, now);
    for (int i = 0; i < MAX_SESSIONS; i++) {
        struct sess *s = &ws->s[i];
        if (s->role != NULL && crypto_str_eq(s->id, id)) {
            role = s->role;
            s->last_ms = now;
            if (csrf != NULL)
                memcpy(csrf, s->csrf, WEB_ID_HEX);
            if (who != NULL)
                *who = s->who;
            break;
        }
    }
    pthread_mutex_unlock(&ws->mu);
    return role;
}

void websess_close(struct websess *ws, const char *id)
{
    if (id == NULL)
        return;
    pthread_mutex_lock(&ws->mu);
    for (int i = 0; i < MAX_SESSIONS; i++)
        if (ws->s[i].role != NULL && crypto_str_eq(ws->s[i].id, id))
            memset(&ws->s[i], 0, sizeof ws->s[i]);
    pthread_mutex_unlock(&ws->mu);
}

int websess_count(struct websess *ws, int64_t now)
{
    int n = 0;
    pthread_mutex_lock(&ws->mu);
    expire(ws, now);
    for (int i = 0; i < MAX_SESSIONS; i++)
        n += ws->s[i].role != NULL;
    pthread_mutex_unlock(&ws->mu);
    return n;
}

#define FAIL_SLOTS 4096
#define FAIL_WINDOW_MS 60000

struct failslot {
    char addr[48]; /* "" free */
    int64_t since; /* start of its minute */
    int count;
};

struct webfail {
    pthread_mutex_t mu;
    int limit;
    struct failslot s[FAIL_SLOTS];
};

struct webfail *webfail_new(int limit)
{
    struct webfail *wf = xcalloc(1, sizeof *wf);
    pthread_mutex_init(&wf->mu, NULL);
    wf->limit = limit;
    return wf;
}

void webfail_free(struct webfail *wf)
{
    if (wf == NULL)
        return;
    pthread_mutex_destroy(&wf->mu);
    free(wf);
}

/* addr's slot (FNV-1a; a collision with a live slot of another address
 * takes it over only after its minute). Mutex held. */
static struct failslot *fail_slot(struct webfail *wf, const char *addr, int64_t now)
{
    uint32_t h = 2166136261u;
    for (const char *p = addr; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    struct failslot *f = &wf->s[h % FAIL_SLOTS];
    if (strcmp(f->addr, addr) != 0 || now - f->since >= FAIL_WINDOW_MS) {
        if (f->addr[0] && strcmp(f->addr, addr) != 0 && now - f->since < FAIL_WINDOW_MS)
            return NULL; /* held by another address this minute */
        snprintf(f->addr, sizeof f->addr, "%s", addr);
        f->since = now;
        f->count = 0;
    }
    return f;
}

bool webfail_blocked(struct webfail *wf, const char *addr, int64_t now)
{
    pthread_mutex_lock(&wf->mu);
    struct failslot *f = fail_slot(wf, addr, now);
    bool blocked = f != NULL && f->count >= wf->limit;
    pthread_mutex_unlock(&wf->mu);
    return blocked;
}

void webfail_add(struct webfail *wf, const char *addr, int64_t now)
{
    pthread_mutex_lock(&wf->mu);
    struct failslot *f = fail_slot(wf, addr, now);
    if (f != NULL)
        f->count++;
    pthread_mutex_unlock(&wf->mu);
}

int web_cookie(const char *header, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    const char *p = header;
    while (p != NULL && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            if (len - n - 1 >= size)
                return -1;
            memcpy(out, p + n + 1, len - n - 1);
            out[len - n - 1] = '\0';
            return 0;
        }
        p = end;
    }
    return -1;
}

/* The role's machine-client token ("" when it has none). */
static const char *role_token(const struct conf *c, const struct admin_role *r)
{
    if (r->key == NULL)
        return "";
    return *(char *const *)((const char *)c + r->token_off);
}

const char *web_token_role(const struct conf *c, const char *token)
{
    const char *role = NULL;
    if (token == NULL || token[0] == '\0')
        return NULL;
    /* every candidate is compared, so the time does not tell which matched */
    for (int i = 0; i < admin_nroles; i++) {
        const char *t = role_token(c, &admin_roles[i]);
        if (t[0] && crypto_str_eq(token, t) && role == NULL)
            role = admin_roles[i].name;
    }
    return role;
}

bool web_admin_on(const struct conf *c)
{
    for (int i = 0; i < admin_nroles; i++)
        if (role_token(c, &admin_roles[i])[0])
            return true;
    return false;
}

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".json", "application/json; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
};

const char *web_static_path(const char *dir, const char *rel, char *out, size_t size)
{
    if (rel[0] == '\0')
        rel = "index.html";
    size_t n = strlen(rel);
    if (n > MAX_REL || rel[0] == '/')
        return NULL;
    for (const char *p = rel; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' || *p == '/';
        if (!ok)
            return NULL;
        /* a segment starts here: not empty, not hidden (".", "..", ".git") */
        if ((p == rel || p[-1] == '/') && (*p == '/' || *p == '.'))
            return NULL;
    }
    if (rel[n - 1] == '/')
        return NULL;
    const char *dot = strrchr(rel, '.'), *slash = strrchr(rel, '/');
    if (dot == NULL || (slash != NULL && dot < slash))
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(dot, types[i].ext) != 0)
            continue;
        int w = snprintf(out, size, "%s/%s", dir, rel);
        if (w < 0 || (size_t)w >= size)
            return NULL;
        return types[i].type;
    }
    return NULL;
}

char *web_static_read(const char *dir, const char *path, size_t *len)
{
    char rdir[PATH_MAX], rfile[PATH_MAX];
    char *data = NULL;
    int fd = -1;
    struct stat sb;
    if (realpath(dir, rdir) == NULL || realpath(path, rfile) == NULL)
        goto out;
    size_t dl = strlen(rdir);
    /* resolved, the file must still be inside the folder (no symlink out) */
    if (strncmp(rfile, rdir, dl) != 0 || rfile[dl] != '/')
        goto out;
    fd = open(rfile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1 || fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size > WEB_MAX_FILE)
        goto out;
    data = xmalloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, data + got, (size_t)sb.st_size - got);
        if (r == -1 && errno == EINTR)
            continue;
        if (r <= 0) {
            log_warn("web: read %s: %s", rfile, r == 0 ? "short file" : strerror(errno));
            free(data);
            data = NULL;
            goto out;
        }
        got += (size_t)r;
    }
    data[got] = '\0';
    *len = got;
out:
    if (fd != -1)
        close(fd);
    return data;
}
