/*
 * common.c - helpers for the soak and abuse drivers: start, kill and restart
 * the server on one database and port, the fake platform, HTTP, memory.
 */
#include "soak.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int free_port(void)
{
    struct sockaddr_in a = {0};
    socklen_t n = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

int srv_init(struct srv *s)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/yizhan-soak-XXXXXX");
    if (mkdtemp(s->dir) == NULL)
        return -1;
    snprintf(s->db, sizeof s->db, "%s/y.db", s->dir);
    s->port = free_port();
    return s->port > 0 ? 0 : -1;
}

int srv_start(struct srv *s)
{
    static int run;
    char listen[64], dbset[256], mediaset[256];
    char *argv[80];
    int n = 0;
    snprintf(s->log, sizeof s->log, "%s/serve-%d.log", s->dir, ++run);
    snprintf(listen, sizeof listen, "listen=127.0.0.1:%d", s->port);
    snprintf(dbset, sizeof dbset, "database=%s", s->db);
    snprintf(mediaset, sizeof mediaset, "media_dir=%s/media", s->dir);
    argv[n++] = "./yizhan";
    argv[n++] = "serve";
    argv[n++] = "--set";
    argv[n++] = listen;
    argv[n++] = "--set";
    argv[n++] = dbset;
    argv[n++] = "--set";
    argv[n++] = mediaset;
    for (int i = 0; s->sets[i] != NULL && n < 76; i++) {
        argv[n++] = "--set";
        argv[n++] = (char *)s->sets[i];
    }
    argv[n] = NULL;
    s->pid = fork();
    if (s->pid == -1)
        return -1;
    if (s->pid == 0) {
        if (freopen(s->log, "w", stderr) == NULL)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < 400; i++) { /* 20 s: a restart may recover a big WAL */
        if (http(NULL, s->port, "GET", "/healthz", NULL, NULL, NULL) == 200)
            return 0;
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
            break;
        msleep(50);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tail -20 '%s'", s->log);
    printf("server did not start; log:\n");
    fflush(stdout);
    if (system(cmd) != 0)
        printf("(no log)\n");
    return -1;
}

int srv_stop(struct srv *s, int sig)
{
    int status = 0;
    if (s->pid <= 0)
        return -1;
    kill(s->pid, sig);
    if (waitpid(s->pid, &status, 0) != s->pid)
        return -1;
    s->pid = 0;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int fake_start(struct fake *f, const char *dir)
{
    char ready[192], portarg[16];
    f->port = free_port();
    snprintf(portarg, sizeof portarg, "%d", f->port);
    snprintf(f->record, sizeof f->record, "%s/fake.jsonl", dir);
    snprintf(ready, sizeof ready, "%s/fake.ready", dir);
    f->pid = fork();
    if (f->pid == -1)
        return -1;
    if (f->pid == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(127);
        execl("tests/it/fakeapi", "fakeapi", "--port", portarg, "--record", f->record, "--ready",
              ready, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100; i++) {
        if (access(ready, F_OK) == 0)
            return 0;
        msleep(50);
    }
    printf("fakeapi did not start\n");
    return -1;
}

void fake_stop(struct fake *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
        f->pid = 0;
    }
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    (void)buf_append(ud, p, size * n); /* capped at 1 MiB: more is not kept */
    return size * n;
}

long http(void *curl, int port, const char *method, const char *path, const char *body,
          const char *const *headers, char **body_out)
{
    CURL *c = curl ? curl : curl_easy_init();
    struct curl_slist *hl = NULL;
    struct buf out;
    char url[256];
    long status = 0;
    buf_init(&out, 1 << 20);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    if (curl == NULL)
        curl_easy_cleanup(c);
    if (body_out != NULL)
        *body_out = buf_take(&out);
    else
        buf_release(&out);
    return status;
}

long say(void *curl, int port, const char *id, const char *from, const char *text, char **body_out)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "id", id, "from", from, "text", text);
    char *body = json_dumps(o, JSON_COMPACT);
    long st = http(curl, port, "POST", "/webhook/generic", body, NULL, body_out);
    free(body);
    json_decref(o);
    return st;
}
