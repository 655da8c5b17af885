/*
 * abuse.c - hostile load against one server: a 1 MiB and a 100 MiB body
 * (413 without reading; server memory must stay small), a 100 MiB chunked
 * body (drained, 413), 2,000 slow-loris connections sending a byte a second,
 * and a flood of 10,000 messages from one sender while other senders' latency
 * is measured (the flooder is throttled with a 200 answer). The slow-loris
 * connections come from ten loopback addresses (127.0.0.2-11, 200 each: under
 * the default per_ip_connections of 256); one more address opens 50 beyond
 * that limit and must see those 50 closed at once. Prints memory and
 * latency; exit 1 when a check fails.
 * Usage: tests/soak/abuse [loris-seconds] (default 30).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "soak.h"

#define LORIS 2000
#define LORIS_PER_ADDR 200 /* under the default per_ip_connections */
#define PER_IP 256         /* the default per_ip_connections */
#define OVER 50            /* connections one address opens beyond it */
#define FLOOD 10000
#define FLOOD_CONNS 4

static struct srv S;
static int fails, passes;
static atomic_long peak_rss;
static atomic_bool sampling;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: " __VA_ARGS__);                                                          \
            printf("\n");                                                                          \
            fails++;                                                                               \
        } else {                                                                                   \
            passes++;                                                                              \
        }                                                                                          \
    } while (0)

/* A connection to 127.0.0.1:port from the loopback address 127.0.0.<src>. */
static int connect_from(int src, int port)
{
    struct sockaddr_in a = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + (uint32_t)src);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

/* The status of the answer on fd (waits up to ms), or 0. */
static int read_status(int fd, int ms)
{
    char buf[256];
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, ms) != 1)
        return 0;
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    if (n < 12)
        return 0;
    buf[n] = '\0';
    return atoi(buf + 9);
}

static void *sample_main(void *arg)
{
    (void)arg;
    while (atomic_load(&sampling)) {
        long r = rss_kib(S.pid);
        if (r > atomic_load(&peak_rss))
            atomic_store(&peak_rss, r);
        msleep(20);
    }
    return NULL;
}

static void sample_start(pthread_t *th)
{
    atomic_store(&peak_rss, rss_kib(S.pid));
    atomic_store(&sampling, true);
    pthread_create(th, NULL, sample_main, NULL);
}

static long sample_stop(pthread_t th)
{
    atomic_store(&sampling, false);
    pthread_join(th, NULL);
    return atomic_load(&peak_rss);
}

/* Send up to total bytes of body after head; stops when the server closes or
 * answers. Returns the status seen and sets *sent. */
static int big_body(const char *head, size_t total, bool chunked, size_t *sent)
{
    static char chunk[65536];
    char line[32];
    int fd = connect_from(1, S.port), status = 0;
    *sent = 0;
    if (fd < 0)
        return 0;
    memset(chunk, 'a', sizeof chunk);
    if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0)
        goto out;
    while (*sent < total) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 0) == 1) /* an early answer */
            break;
        if (chunked) {
            int n = snprintf(line, sizeof line, "%zx\r\n", sizeof chunk);
            if (send(fd, line, (size_t)n, MSG_NOSIGNAL) < 0)
                break;
        }
        if (send(fd, chunk, sizeof chunk, MSG_NOSIGNAL) < 0 ||
            (chunked && send(fd, "\r\n", 2, MSG_NOSIGNAL) < 0))
            break;
        *sent += sizeof chunk;
    }
    if (chunked && *sent >= total && send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL) < 0)
        goto out;
    status = read_status(fd, 10000);
out:
    close(fd);
    return status;
}

static void test_bodies(long idle)
{
    char head[256];
    size_t sent;
    pthread_t th;
    char *one = malloc((1 << 20) + 1);
    memset(one, 'x', 1 << 20);
    one[1 << 20] = '\0';
    sample_start(&th);
    long st = http(NULL, S.port, "POST", "/webhook/generic", one, NULL, NULL);
    EXPECT(st == 413, "1 MiB body: %ld, want 413", st);
    free(one);
    snprintf(head, sizeof head,
             "POST /webhook/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: %d\r\n\r\n",
             100 << 20);
    double t0 = mono_ms();
    int s100 = big_body(head, (size_t)100 << 20, false, &sent);
    double t1 = mono_ms();
    EXPECT(s100 == 413, "100 MiB body: %d, want 413", s100);
    printf("100 MiB body with Content-Length: %d after %.1f ms, %zu bytes sent before the answer\n",
           s100, t1 - t0, sent);
    snprintf(head, sizeof head,
             "POST /webhook/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Transfer-Encoding: chunked\r\n\r\n");
    t0 = mono_ms();
    int sch = big_body(head, (size_t)100 << 20, true, &sent);
    t1 = mono_ms();
    EXPECT(sch == 413, "100 MiB chunked body: %d, want 413", sch);
    long peak = sample_stop(th);
    printf("100 MiB chunked body: %d after %.1f ms (%zu bytes drained)\n", sch, t1 - t0, sent);
    printf("server RSS: idle %ld KiB, peak during the bodies %ld KiB\n", idle, peak);
    EXPECT(peak - idle < 32 * 1024, "RSS grew by %ld KiB for a refused body", peak - idle);
    EXPECT(http(NULL, S.port, "GET", "/healthz", NULL, NULL, NULL) == 200, "healthz after bodies");
}

static void latency(const char *what, int n, int gap_ms, const char *prefix, double *p50,
                    double *p99, int *bad)
{
    double *ms = calloc((size_t)n, sizeof *ms);
    CURL *c = curl_easy_init();
    *bad = 0;
    for (int i = 0; i < n; i++) {
        char id[64], from[32];
        snprintf(id, sizeof id, "%s-%d", prefix, i);
        snprintf(from, sizeof from, "%s-%d", prefix, i % 100);
        double t0 = mono_ms();
        long st = say(c, S.port, id, from, "积分", NULL);
        ms[i] = mono_ms() - t0;
        if (st != 200)
            (*bad)++;
        msleep(gap_ms);
    }
    for (int i = 1; i < n; i++) /* insertion sort: n is small */
        for (int j = i; j > 0 && ms[j] < ms[j - 1]; j--) {
            double t = ms[j];
            ms[j] = ms[j - 1];
            ms[j - 1] = t;
        }
    *p50 = ms[n / 2];
    *p99 = ms[(n * 99) / 100];
    printf("%-34s %d requests: p50 %.2f ms, p99 %.2f ms, %d not 200\n", what, n, *p50, *p99, *bad);
    curl_easy_cleanup(c);
    free(ms);
}

struct loris_arg {
    int seconds, open_at_end, refused;
    int over_closed;     /* of the OVER connections beyond one address's limit, closed at once */
    int open_in_headers; /* of open_at_end, those still sending headers */
};

static void *loris_main(void *arg)
{
    struct loris_arg *a = arg;
    static int fds[LORIS];
    static const char head[] = "POST /webhook/generic HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < LORIS; i++) {
        fds[i] = connect_from(2 + i / LORIS_PER_ADDR, S.port);
        if (fds[i] < 0) {
            a->refused++;
            continue;
        }
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        /* half dawdle in the headers, half in a promised body */
        if (i % 2 == 0)
            (void)send(fds[i], head, strlen(head), MSG_NOSIGNAL); /* checked on the next byte */
        else
            (void)send(
                fds[i],
                "POST /webhook/generic HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", 68,
                MSG_NOSIGNAL);
    }
    for (int s = 0; s < a->seconds; s++) {
        msleep(1000);
        for (int i = 0; i < LORIS; i++)
            if (fds[i] >= 0 && send(fds[i], "a", 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
                close(fds[i]);
                fds[i] = -1;
            }
    }
    for (int i = 0; i < LORIS; i++)
        if (fds[i] >= 0) {
            a->open_at_end++;
            a->open_in_headers += i % 2 == 0;
            close(fds[i]);
        }
    return NULL;
}

/* One more address opens PER_IP + OVER dawdling connections while the loris
 * holds its own: how many of them the server closed at once (the last OVER
 * should be; the first PER_IP stay open). */
static int over_limit(int *kept)
{
    static int fds[PER_IP + OVER];
    int closed = 0;
    *kept = 0;
    for (int i = 0; i < PER_IP + OVER; i++) {
        fds[i] = connect_from(200, S.port);
        if (fds[i] >= 0)
            (void)send(fds[i], "GET /", 5, MSG_NOSIGNAL);
    }
    msleep(1000);
    for (int i = 0; i < PER_IP + OVER; i++) {
        char c;
        if (fds[i] < 0)
            continue;
        ssize_t n = recv(fds[i], &c, 1, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            closed++;
        else if (i < PER_IP)
            ++*kept;
        close(fds[i]);
    }
    return closed;
}

static void test_loris(int seconds, double base99)
{
    struct loris_arg a = {seconds, 0, 0, 0, 0};
    pthread_t th, sm;
    double p50, p99;
    int bad;
    sample_start(&sm);
    pthread_create(&th, NULL, loris_main, &a);
    msleep(1500); /* all connected */
    int kept = 0;
    a.over_closed = over_limit(&kept);
    latency("others during slow-loris", seconds * 10 > 400 ? 400 : seconds * 10, 50, "loris", &p50,
            &p99, &bad);
    pthread_join(th, NULL);
    long peak = sample_stop(sm);
    printf("slow-loris: %d connections for %d s, %d refused, %d still open at the end (%d of them "
           "in the headers); server RSS peak %ld KiB\n",
           LORIS, seconds, a.refused, a.open_at_end, a.open_in_headers, peak);
    printf("one more address: %d connections, %d closed at once, %d of the first %d kept\n",
           PER_IP + OVER, a.over_closed, kept, PER_IP);
    EXPECT(a.refused == 0, "%d slow-loris connections refused", a.refused);
    EXPECT(a.over_closed == OVER && kept == PER_IP,
           "one address over per_ip_connections: %d closed (want %d), %d kept (want %d)",
           a.over_closed, OVER, kept, PER_IP);
    EXPECT(bad == 0, "%d requests failed during slow-loris", bad);
    EXPECT(p99 < base99 * 5 + 20, "p99 %.2f ms during slow-loris (alone %.2f)", p99, base99);
}

struct flood_arg {
    int from, to;
    int not200;
};

static void *flood_main(void *arg)
{
    struct flood_arg *a = arg;
    CURL *c = curl_easy_init();
    char id[32];
    for (int i = a->from; i < a->to; i++) {
        snprintf(id, sizeof id, "flood-%d", i);
        if (say(c, S.port, id, "flooder", "你好", NULL) != 200)
            a->not200++;
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void test_flood(double base99)
{
    struct flood_arg fa[FLOOD_CONNS];
    pthread_t th[FLOOD_CONNS], sm;
    double p50, p99;
    int bad, not200 = 0;
    sample_start(&sm);
    double t0 = mono_ms();
    for (int i = 0; i < FLOOD_CONNS; i++) {
        fa[i] = (struct flood_arg){i * FLOOD / FLOOD_CONNS, (i + 1) * FLOOD / FLOOD_CONNS, 0};
        pthread_create(&th[i], NULL, flood_main, &fa[i]);
    }
    latency("others during a 10,000 flood", 200, 10, "victim", &p50, &p99, &bad);
    for (int i = 0; i < FLOOD_CONNS; i++) {
        pthread_join(th[i], NULL);
        not200 += fa[i].not200;
    }
    double t1 = mono_ms();
    long peak = sample_stop(sm);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long handled = -1;
    if (sqlite3_open_v2(S.db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM inbound WHERE ext_id LIKE 'flood-%'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        handled = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    printf("flood: %d messages from one sender in %.1f s, %d not 200, %lld handled, %lld "
           "throttled; server RSS peak %ld KiB\n",
           FLOOD, (t1 - t0) / 1000, not200, handled, FLOOD - handled, peak);
    EXPECT(not200 == 0, "%d flood messages not answered 200", not200);
    EXPECT(handled >= 0 && handled < 200,
           "%lld flood messages handled; the throttle should stop most", handled);
    EXPECT(bad == 0, "%d other requests failed during the flood", bad);
    EXPECT(p99 < base99 * 5 + 20, "p99 %.2f ms during the flood (alone %.2f)", p99, base99);
}

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 30;
    struct rlimit rl;
    double p50, base99;
    int bad;
    pthread_t sm;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192) {
        rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
        (void)setrlimit(RLIMIT_NOFILE, &rl); /* checked by the loris count */
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *sets[] = {"log_level=warn", NULL};
    memcpy(S.sets, sets, sizeof sets);
    if (srv_init(&S) == -1 || srv_start(&S) == -1)
        return 1;
    msleep(500);
    long idle = rss_kib(S.pid);
    printf("abuse: server %s, RSS idle %ld KiB\n", S.dir, idle);
    latency("others alone", 200, 10, "base", &p50, &base99, &bad);
    test_bodies(idle);
    test_loris(seconds, base99);
    test_flood(base99);
    sample_start(&sm);
    msleep(100);
    printf("server RSS at the end %ld KiB\n", sample_stop(sm));
    int rc = srv_stop(&S, SIGTERM);
    EXPECT(rc == 0, "server exit status %d on SIGTERM", rc);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "grep -h ' error ' '%s'/serve-*.log | head -5", S.dir);
    if (system(cmd) != 0)
        printf("(grep failed)\n");
    printf("abuse: %s\n", fails ? "FAILED" : "ok");
    printf("%d passed, %d failed\n", passes, fails);
    if (fails == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", S.dir);
        if (system(cmd) != 0)
            printf("could not remove %s\n", S.dir);
    }
    curl_global_cleanup();
    return fails ? 1 : 0;
}
