/*
 * it_net.c - network-facing limits against the real server: one client
 * address cannot hold every HTTP connection (per_ip_connections), the photo
 * fetcher serves people fairly (several downloads at once, round-robin by
 * person) and caps photos per report and per person per day, and the photo
 * address guard refuses a private address before connecting to it.
 * Client addresses other than 127.0.0.1 are other addresses of loopback
 * (127.0.0.2, 127.0.0.3: bind before connect), all inside 127.0.0.0/8.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "content.h"
#include "it.h"
#include "t.h"
#include "util.h"

/* A TCP connection from the loopback address src to 127.0.0.1:port, or -1. */
static int connect_from(const char *src, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (inet_pton(AF_INET, src, &a.sin_addr) != 1 || bind(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* True when the server closed fd (EOF or reset) within ms. */
static bool closed_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    if (poll(&p, 1, ms) != 1)
        return false;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* GET /healthz on fd; true when the answer's status line says 200. */
static bool healthz_on(int fd)
{
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    char got[64] = "";
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1))
        return false;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 5000) != 1 || recv(fd, got, sizeof got - 1, 0) <= 0)
        return false;
    return strncmp(got, "HTTP/1.1 200", 12) == 0;
}

#define PER_IP_DEFAULT 256

/* One address holding the default per-address limit of idle connections gets
 * its next connection closed at once, while other addresses are served. */
static void test_net_per_ip_limit(void)
{
    struct server s;
    static int fds[PER_IP_DEFAULT];
    CHECK_INT(server_start(&s, NULL), 0);
    int open = 0;
    for (int i = 0; i < PER_IP_DEFAULT; i++) {
        fds[i] = connect_from("127.0.0.2", s.port);
        if (fds[i] >= 0) {
            open++;
            (void)send(fds[i], "GET /", 5, MSG_NOSIGNAL); /* dawdles in the request line */
        }
    }
    CHECK_INT(open, PER_IP_DEFAULT);
    msleep(300); /* all accepted */
    int extra = connect_from("127.0.0.2", s.port);
    CHECK(extra >= 0);
    CHECK(closed_within(extra, 3000)); /* one over the limit: closed unanswered */
    close(extra);
    int kept = 0; /* the ones within the limit stay open */
    for (int i = 0; i < PER_IP_DEFAULT; i++)
        kept += fds[i] >= 0 && !closed_within(fds[i], 0);
    CHECK_INT(kept, PER_IP_DEFAULT);
    int other = connect_from("127.0.0.3", s.port); /* another address is served */
    CHECK(other >= 0 && healthz_on(other));
    if (other >= 0)
        close(other);
    struct resp r = request(s.port, "GET", "/healthz", NULL, NULL);
    CHECK_INT(r.status, 200);
    free(r.body);
    for (int i = 0; i < PER_IP_DEFAULT; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* ---- the photo fetcher ----------------------------------------------------- */

/* A loopback photo host: /fast.jpg answers a real JPEG at once; /trickle/...
 * sends one byte of it every 200 ms and never finishes (the fetcher's
 * media.timeout ends it). Counts the requests it got. */
struct photohost {
    struct MHD_Daemon *d;
    int port;
    char *jpg;
    size_t jpg_len;
    atomic_int requests;
};

static ssize_t trickle(void *cls, uint64_t pos, char *out, size_t max)
{
    const struct photohost *h = cls;
    if (pos >= 300 || max == 0) /* a minute at most, whatever the client does */
        return MHD_CONTENT_READER_END_WITH_ERROR;
    msleep(200);
    out[0] = h->jpg[pos % h->jpg_len];
    return 1;
}

static enum MHD_Result photo_serve(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **ctx)
{
    struct photohost *h = cls;
    struct MHD_Response *r;
    (void)method, (void)version, (void)upload, (void)upload_size, (void)ctx;
    atomic_fetch_add(&h->requests, 1);
    if (strncmp(url, "/trickle/", 9) == 0)
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1, trickle, h, NULL);
    else if (strcmp(url, "/fast.jpg") == 0)
        r = MHD_create_response_from_buffer(h->jpg_len, h->jpg, MHD_RESPMEM_PERSISTENT);
    else
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "image/jpeg");
    enum MHD_Result rc = MHD_queue_response(
        c, strcmp(url, "/fast.jpg") == 0 || strncmp(url, "/trickle/", 9) == 0 ? 200 : 404, r);
    MHD_destroy_response(r);
    return rc;
}

static int photohost_start(struct photohost *h)
{
    FILE *f = fopen("tests/data/reports/gps.jpg", "rb");
    struct buf b;
    char chunk[4096];
    size_t k;
    memset(h, 0, sizeof *h);
    atomic_init(&h->requests, 0);
    buf_init(&b, 0);
    if (f == NULL)
        return -1;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, k);
    fclose(f);
    h->jpg_len = b.len;
    h->jpg = buf_take(&b);
    h->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
                            NULL, NULL, photo_serve, h, MHD_OPTION_END);
    const union MHD_DaemonInfo *i =
        h->d ? MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    h->port = i ? i->port : 0;
    return h->port > 0 && h->jpg_len > 0 ? 0 : -1;
}

static void photohost_stop(struct photohost *h)
{
    if (h->d)
        MHD_stop_daemon(h->d);
    free(h->jpg);
}

/* POST a message from `from` with the photo URLs (n of them, at most 8);
 * the parsed answer (new reference, NULL unless 200). */
static json_t *send_photos(int port, const char *id, const char *from, char *const *urls, int n)
{
    json_t *media = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(media, json_pack("{s:s,s:s}", "url", urls[i], "type", "image/jpeg"));
    json_t *o = json_pack("{s:s,s:s,s:o}", "id", id, "from", from, "media", media);
    char *body = json_dumps(o, 0);
    struct resp r = post(port, body);
    json_t *j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
    if (j == NULL)
        printf("%s: %s got %ld %s\n", t_current, id, r.status, r.body);
    json_decref(o);
    free(body);
    free(r.body);
    return j;
}

/* The i-th reply's text of an answer ("" when there is none). */
static const char *reply_text(json_t *answer, size_t i)
{
    const char *t = json_string_value(
        json_object_get(json_array_get(json_object_get(answer, "replies"), i), "text"));
    return t ? t : "";
}

static char *url_of(int port, const char *path, int n)
{
    return xasprintf("http://127.0.0.1:%d%s%d", port, path, n);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 12 slow-trickling photos from worker A, then one quick photo from B: B's
 * is fetched while almost all of A's still wait (the old fetcher took them
 * one at a time, first in first out: B waited 12 timeouts). A never has more
 * than media.per_person (2) downloads at once. */
static void test_net_fetcher_fair(void)
{
    struct server s;
    struct photohost h;
    CHECK_INT(photohost_start(&h), 0);
    const char *sets[] = {"media.allow_private=true", "media.timeout=2", "media.max_attempts=1",
                          "report.max_photos=20", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    char *urls[12];
    for (int i = 0; i < 12; i++)
        urls[i] = url_of(h.port, "/trickle/", i);
    json_t *a1 = send_photos(s.port, "fair-a1", "worker-a", urls, 6);
    json_t *a2 = send_photos(s.port, "fair-a2", "worker-a", urls + 6, 6);
    CHECK(a1 != NULL && a2 != NULL);
    char *fast = xasprintf("http://127.0.0.1:%d/fast.jpg", h.port);
    double t0 = mono_s();
    json_t *b = send_photos(s.port, "fair-b", "worker-b", &fast, 1);
    CHECK(b != NULL);
    long long a_waiting = -1, a_max_running = 0;
    const char *b_done = "SELECT count(*) FROM report_media m JOIN people p ON p.id=m.person_id"
                         " WHERE p.ext_id='worker-b' AND m.status='ok'";
    for (int i = 0; i < 600 && db_count(&s, b_done) != 1; i++) {
        long long run = db_count(&s, "SELECT count(*) FROM report_media m JOIN people p ON"
                                     " p.id=m.person_id WHERE p.ext_id='worker-a' AND"
                                     " m.status='fetching'");
        a_max_running = run > a_max_running ? run : a_max_running;
        msleep(50);
    }
    double dt = mono_s() - t0;
    a_waiting = db_count(&s, "SELECT count(*) FROM report_media m JOIN people p ON"
                             " p.id=m.person_id WHERE p.ext_id='worker-a' AND"
                             " m.status IN ('pending','fetching')");
    printf("%s: B's photo fetched after %.2f s; %lld of A's 12 still waiting or running\n",
           t_current, dt, a_waiting);
    CHECK_INT(db_count(&s, b_done), 1);
    CHECK(a_waiting >= 10); /* at most A's first two had ended: B waited one fetch at most */
    CHECK(a_max_running <= 2);
    for (int i = 0; i < 12; i++)
        free(urls[i]);
    free(fast);
    json_decref(a1);
    json_decref(a2);
    json_decref(b);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
    photohost_stop(&h);
}

static void check_reply(json_t *answer, size_t i, const char *key, const char *const *kv)
{
    char *want = content_render(ct, key, kv);
    CHECK_STR(reply_text(answer, i), want);
    free(want);
}

/* report.max_photos 3, report.daily_photos 5: 4 photos open a report with 3
 * (the 4th refused, told once), 3 more open a second with 2 (the day's
 * limit, told), and another photo opens no report. Refused photos are
 * recorded and never fetched. */
static void test_net_photo_caps(void)
{
    struct server s;
    struct photohost h;
    CHECK_INT(photohost_start(&h), 0);
    const char *sets[] = {"media.allow_private=true", "report.max_photos=3",
                          "report.daily_photos=5", "report.join_seconds=1", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    char *urls[8];
    for (int i = 0; i < 8; i++)
        urls[i] = xasprintf("http://127.0.0.1:%d/fast.jpg?n=%d", h.port, i);
    json_t *r1 = send_photos(s.port, "cap-1", "worker-c", urls, 4);
    check_reply(r1, 1, "report.photos_capped",
                (const char *const[]){"code", "SP0001", "max", "3", NULL});
    CHECK(json_array_size(json_object_get(r1, "replies")) == 3); /* and the category question */
    msleep(1300); /* past join_seconds: the next photos open a new report */
    json_t *r2 = send_photos(s.port, "cap-2", "worker-c", urls + 4, 3);
    check_reply(r2, 1, "report.photos_daily", (const char *const[]){"max", "5", NULL});
    msleep(1300);
    json_t *r3 = send_photos(s.port, "cap-3", "worker-c", urls + 7, 1);
    check_reply(r3, 0, "report.photos_daily", (const char *const[]){"max", "5", NULL});
    CHECK(json_array_size(json_object_get(r3, "replies")) == 1);
    for (int i = 0; i < 200; i++) {
        if (db_count(&s, "SELECT count(*) FROM report_media WHERE status IN"
                         " ('pending','fetching')") == 0)
            break;
        msleep(100);
    }
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports"), 2);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_media WHERE report_id=1 AND status='ok'"),
              3);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_media WHERE report_id=2 AND status='ok'"),
              2);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_media WHERE status='failed' AND"
                           " attempts=0 AND last_error LIKE 'refused:%'"),
              2);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE photo_status='ok'"), 2);
    CHECK_INT(atomic_load(&h.requests), 5); /* refused photos are never fetched */
    for (int i = 0; i < 8; i++)
        free(urls[i]);
    json_decref(r1);
    json_decref(r2);
    json_decref(r3);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
    photohost_stop(&h);
}

/* A listening socket on 127.0.0.1 that never accepts: a connection that
 * reaches it makes it readable. fd or -1; *port set. */
static int listener(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t n = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &n) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static bool was_connected(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

/* Send the photo URLs from worker-g and wait until all are failed; the
 * number failed as refused private addresses at the first try. */
static long long refused_photos(const struct server *s, char *const *urls, int n)
{
    json_t *r = send_photos(s->port, "guard-1", "worker-g", urls, n);
    CHECK(r != NULL);
    json_decref(r);
    for (int i = 0; i < 100; i++) {
        if (db_count(s, "SELECT count(*) FROM report_media WHERE status='failed'") == n)
            break;
        msleep(100);
    }
    return db_count(s, "SELECT count(*) FROM report_media WHERE status='failed' AND"
                       " last_error LIKE 'refused: %private%' AND attempts=1");
}

/* The guard decides before connecting: photo URLs to a loopback port
 * (https, http by name, an IPv4-mapped literal) are refused without a single
 * connection reaching it, so no TLS ClientHello either. */
static void test_net_guard_before_connect(void)
{
    struct server s;
    int port = 0;
    int fd = listener(&port);
    CHECK(fd >= 0);
    const char *sets[] = {"media.timeout=2", "media.backoff_base=1", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    char *urls[3] = {xasprintf("https://127.0.0.1:%d/a.jpg", port),
                     xasprintf("http://localhost:%d/b.jpg", port),
                     xasprintf("http://[::ffff:127.0.0.1]:%d/c.jpg", port)};
    CHECK_INT(refused_photos(&s, urls, 3), 3);
    CHECK(!was_connected(fd));
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    for (int i = 0; i < 3; i++)
        free(urls[i]);
    close(fd);
    server_cleanup(&s);
}

/* A proxy in the environment is named at startup and never used: through it
 * the guard would see only the proxy's address, and allow_private could not
 * be held to the addresses it names. */
static void test_net_guard_ignores_proxy(void)
{
    struct server s;
    int port = 0, proxy_port = 0;
    int fd = listener(&port), proxy = listener(&proxy_port);
    CHECK(fd >= 0 && proxy >= 0);
    char *proxy_url = xasprintf("http://127.0.0.1:%d", proxy_port);
    setenv("http_proxy", proxy_url, 1);
    setenv("https_proxy", proxy_url, 1);
    const char *sets[] = {"media.timeout=2", "media.backoff_base=1", NULL};
    int started = server_start(&s, sets);
    unsetenv("http_proxy");
    unsetenv("https_proxy");
    CHECK_INT(started, 0);
    char *urls[2] = {xasprintf("https://127.0.0.1:%d/a.jpg", port),
                     xasprintf("http://127.0.0.1:%d/b.jpg", port)};
    CHECK_INT(refused_photos(&s, urls, 2), 2);
    CHECK(!was_connected(fd));
    CHECK(!was_connected(proxy));
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    char *log = read_file(s.log);
    CHECK_HAS(log, "http_proxy is set but photos are never fetched through a proxy");
    CHECK_HAS(log, "https_proxy is set but photos are never fetched through a proxy");
    free(log);
    for (int i = 0; i < 2; i++)
        free(urls[i]);
    free(proxy_url);
    close(fd);
    close(proxy);
    server_cleanup(&s);
}

const struct t_case it_net_tests[] = {
    T(test_net_per_ip_limit),         T(test_net_fetcher_fair),        T(test_net_photo_caps),
    T(test_net_guard_before_connect), T(test_net_guard_ignores_proxy), T_END,
};
