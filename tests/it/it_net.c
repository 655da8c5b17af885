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
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

const struct t_case it_net_tests[] = {
    T(test_net_per_ip_limit),
    T_END,
};
