/*
 * What the Ruby workloads do, without Ruby: resolve a cluster name on the main thread, run N
 * children with vfork() + execve() (both through the PLT, so a preloaded layer's exec hook runs in
 * each vfork child, on this thread's TLS), resolve again on the same thread, then connect to the
 * address and GET the service's status line. If the layer's guard stays set on this thread, the
 * second lookup skips the layer and fails with "Temporary failure in name resolution"; if a lock
 * leaks instead, the connect after the spawns waits forever.
 *
 * Each step appends one JSON line to $MIRRORD_REGRESS_REPORT, with the fields the Ruby workloads
 * write (scenarios/ruby/lib/regress_report.rb). The first failure ends the run: one line on stderr,
 * exit 1. Bad usage: exit 2.
 *
 * usage: vfork_probe [--children N] [--host NAME] [--port N] [--program PATH]
 */
#define _DEFAULT_SOURCE /* vfork() in glibc */
#ifdef __APPLE__
#define _DARWIN_C_SOURCE /* pthread_threadid_np */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#ifdef __APPLE__
#include <pthread.h>
#endif

extern char **environ;

#define WORKLOAD "vfork_probe"
#define LINE_MAX_BYTES 4096

/* The service's port (--port), as text for getaddrinfo. */
static const char *port = "80";

/* The native id of the calling thread, as Ruby's Thread#native_thread_id reports it. */
static long thread_id(void) {
#if defined(__linux__)
    return (long)syscall(SYS_gettid);
#elif defined(__APPLE__)
    __uint64_t tid = 0;
    pthread_threadid_np(NULL, &tid);
    return (long)tid;
#else
    return (long)getpid();
#endif
}

/* A JSON line under construction; output that does not fit is cut, never overrun. */
struct line {
    char buf[LINE_MAX_BYTES];
    size_t len;
};

static void put(struct line *l, const char *fmt, ...) {
    va_list ap;
    int n;
    if (l->len >= sizeof l->buf - 1) return;
    va_start(ap, fmt);
    n = vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    l->len += (size_t)n;
    if (l->len > sizeof l->buf - 1) l->len = sizeof l->buf - 1;
}

static void put_string(struct line *l, const char *s) {
    put(l, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') put(l, "\\%c", c);
        else if (c < 0x20) put(l, "\\u%04x", c);
        else put(l, "%c", c);
    }
    put(l, "\"");
}

static void field_string(struct line *l, const char *key, const char *value) {
    put(l, ",\"%s\":", key);
    put_string(l, value);
}

static void field_int(struct line *l, const char *key, long value) {
    put(l, ",\"%s\":%ld", key, value);
}

/* Starts a report line with the fields every line carries. */
static void begin(struct line *l, const char *step, int ok) {
    struct timespec ts;
    l->len = 0;
    clock_gettime(CLOCK_REALTIME, &ts);
    put(l, "{\"workload\":\"%s\",\"step\":", WORKLOAD);
    put_string(l, step);
    put(l, ",\"ok\":%s,\"pid\":%ld,\"tid\":%ld,\"thread\":\"main\",\"t_ns\":%lld", ok ? "true" : "false", (long)getpid(), thread_id(),
        (long long)ts.tv_sec * 1000000000LL + (long long)ts.tv_nsec);
}

/* Ends the line and appends it to the report in one write (nothing when the variable is unset). */
static void emit(struct line *l) {
    const char *path = getenv("MIRRORD_REGRESS_REPORT");
    int fd;
    put(l, "}");
    if (l->len > sizeof l->buf - 2) l->len = sizeof l->buf - 2;
    l->buf[l->len++] = '\n';
    if (path == NULL || *path == '\0') return;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0666);
    if (fd < 0) return;
    if (write(fd, l->buf, l->len) < 0) { /* a report we cannot write is no reason to stop the workload */ }
    close(fd);
}

/* The first failure, for the one stderr line. */
static void fail(const char *what, const char *message) {
    fprintf(stderr, "%s: %s failed: %s\n", WORKLOAD, what, message);
    exit(1);
}

static const char *gai_code(int rc) {
    switch (rc) {
    case EAI_AGAIN: return "EAI_AGAIN";
    case EAI_BADFLAGS: return "EAI_BADFLAGS";
    case EAI_FAIL: return "EAI_FAIL";
    case EAI_FAMILY: return "EAI_FAMILY";
    case EAI_MEMORY: return "EAI_MEMORY";
    case EAI_NONAME: return "EAI_NONAME";
    case EAI_SERVICE: return "EAI_SERVICE";
    case EAI_SOCKTYPE: return "EAI_SOCKTYPE";
    case EAI_SYSTEM: return "EAI_SYSTEM";
    default: return "EAI_OTHER";
    }
}

static void address_text(const struct sockaddr *sa, char *out, size_t size) {
    const void *raw = sa->sa_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr
                                                : (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    if (inet_ntop(sa->sa_family, raw, out, (socklen_t)size) == NULL) snprintf(out, size, "?");
}

/* Resolves `host` (the service's port, TCP), reports step "lookup" with its phase; returns the addresses or exits. */
static struct addrinfo *lookup(const char *host, const char *phase) {
    struct addrinfo hints, *res = NULL, *ai;
    struct line l;
    char what[64], message[512], addr[INET6_ADDRSTRLEN];
    int rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    errno = 0;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(message, sizeof message, "getaddrinfo: %s", rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        begin(&l, "lookup", 0);
        field_string(&l, "host", host);
        field_string(&l, "phase", phase);
        field_string(&l, "error", "getaddrinfo");
        field_string(&l, "code", gai_code(rc));
        field_string(&l, "message", message);
        emit(&l);
        snprintf(what, sizeof what, "lookup %s spawning", phase);
        fail(what, message);
    }
    begin(&l, "lookup", 1);
    field_string(&l, "host", host);
    field_string(&l, "phase", phase);
    put(&l, ",\"addresses\":[");
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        address_text(ai->ai_addr, addr, sizeof addr);
        if (ai != res) put(&l, ",");
        put_string(&l, addr);
    }
    put(&l, "]");
    emit(&l);
    return res;
}

/* One child: vfork, execve `program` in the child (_exit(127) if that fails). Returns its pid, or -1. */
static pid_t spawn_one(const char *program, char *const argv[]) {
    pid_t pid = vfork();
    if (pid == 0) {
        execve(program, argv, environ);
        _exit(127);
    }
    return pid;
}

/* Runs `children` children of `program`, waits for each, reports step "spawn"; exits on a failure. */
static void spawn_children(long children, const char *program) {
    char *argv[2];
    char message[512] = "";
    const char *error = NULL;
    long i, failed = 0;
    struct line l;
    argv[0] = (char *)program;
    argv[1] = NULL;
    for (i = 0; i < children; i++) {
        int status = 0;
        pid_t pid = spawn_one(program, argv);
        if (pid < 0) {
            failed++;
            if (!error) {
                error = "vfork";
                snprintf(message, sizeof message, "vfork: %s", strerror(errno));
            }
            continue;
        }
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                status = -1;
                break;
            }
        }
        if (status == -1) {
            failed++;
            if (!error) {
                error = "waitpid";
                snprintf(message, sizeof message, "waitpid: %s", strerror(errno));
            }
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed++;
            if (!error) {
                error = "child";
                if (WIFEXITED(status) && WEXITSTATUS(status) == 127) snprintf(message, sizeof message, "execve %s failed in the child (exit 127)", program);
                else if (WIFEXITED(status)) snprintf(message, sizeof message, "%s exited %d", program, WEXITSTATUS(status));
                else snprintf(message, sizeof message, "%s was killed by signal %d", program, WTERMSIG(status));
            }
        }
    }
    begin(&l, "spawn", failed == 0);
    field_string(&l, "method", "vfork_execve");
    field_string(&l, "program", program);
    field_int(&l, "children", children);
    field_int(&l, "failed", failed);
    if (error) {
        field_string(&l, "error", error);
        field_string(&l, "message", message);
    }
    emit(&l);
    if (failed) {
        char what[64];
        snprintf(what, sizeof what, "spawning %ld children with vfork+execve", children);
        fail(what, message);
    }
}

/* A failed socket/connect: reports step "connect" and exits. */
static void connect_failed(const char *host, const char *addr, const char *call, int err) {
    char message[256], what[96];
    struct line l;
    snprintf(message, sizeof message, "%s: %s", call, strerror(err));
    begin(&l, "connect", 0);
    field_string(&l, "host", host);
    field_string(&l, "address", addr);
    field_int(&l, "port", strtol(port, NULL, 10));
    field_string(&l, "error", call);
    field_string(&l, "message", message);
    emit(&l);
    snprintf(what, sizeof what, "connect to %s port %s", addr, port);
    fail(what, message);
}

/* socket() + connect() to the first address; reports step "connect"; returns the socket or exits. */
static int connect_to(const char *host, const struct addrinfo *ai) {
    char addr[INET6_ADDRSTRLEN];
    struct timeval tv = {3, 0};
    struct line l;
    int fd;
    address_text(ai->ai_addr, addr, sizeof addr);
    fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0) connect_failed(host, addr, "socket", errno);
    /* Like Ruby's Net::HTTP read_timeout: a silent service is a failure, not a deadlock. */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) connect_failed(host, addr, "connect", errno);
    begin(&l, "connect", 1);
    field_string(&l, "host", host);
    field_string(&l, "address", addr);
    field_int(&l, "port", strtol(port, NULL, 10));
    emit(&l);
    return fd;
}

/* GET / over `fd`, reads the status line, reports step "http"; exits unless the status is 2xx. */
static void http_get(int fd, const char *host) {
    char request[512], response[256], url[300], message[300];
    size_t got = 0;
    long status = 0;
    struct line l;
    int n;
    snprintf(url, sizeof url, strcmp(port, "80") == 0 ? "http://%s/" : "http://%s:%s/", host, port);
    n = snprintf(request, sizeof request, "GET / HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
    if (n < 0 || (size_t)n >= sizeof request || write(fd, request, (size_t)n) != n) {
        snprintf(message, sizeof message, "write: %s", n < 0 || (size_t)n >= sizeof request ? "request too long" : strerror(errno));
        goto failed;
    }
    while (got < sizeof response - 1 && memchr(response, '\n', got) == NULL) {
        ssize_t r = read(fd, response + got, sizeof response - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(message, sizeof message, "read: %s", strerror(errno));
            goto failed;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    response[got] = '\0';
    if (sscanf(response, "HTTP/%*d.%*d %ld", &status) != 1) {
        snprintf(message, sizeof message, "no HTTP status line in the response (%zu bytes)", got);
        goto failed;
    }
    close(fd);
    begin(&l, "http", status >= 200 && status < 300);
    field_string(&l, "url", url);
    field_int(&l, "status", status);
    if (status < 200 || status >= 300) {
        snprintf(message, sizeof message, "HTTP status %ld", status);
        field_string(&l, "message", message);
        emit(&l);
        fail("http GET", message);
    }
    emit(&l);
    return;
failed:
    close(fd);
    begin(&l, "http", 0);
    field_string(&l, "url", url);
    field_string(&l, "error", "http");
    field_string(&l, "message", message);
    emit(&l);
    fail("http GET", message);
}

static void usage(const char *problem) {
    fprintf(stderr, "%s: %s\nusage: vfork_probe [--children N] [--host NAME] [--port N] [--program PATH]\n", WORKLOAD, problem);
    exit(2);
}

int main(int argc, char **argv) {
    long children = 20;
    const char *host = "db.default.svc.cluster.local";
    const char *program = access("/bin/true", X_OK) == 0 ? "/bin/true" : "/usr/bin/true";
    struct addrinfo *before, *after;
    int i, fd;
    for (i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--children") == 0 && value) {
            char *end;
            errno = 0;
            children = strtol(value, &end, 10);
            if (errno || *end || end == value || children < 1 || children > 100000) usage("--children takes a number from 1 to 100000");
        } else if (strcmp(argv[i], "--host") == 0 && value) {
            host = value;
        } else if (strcmp(argv[i], "--port") == 0 && value) {
            char *end;
            long n = strtol(value, &end, 10);
            if (*end || end == value || n < 1 || n > 65535) usage("--port takes a number from 1 to 65535");
            port = value;
        } else if (strcmp(argv[i], "--program") == 0 && value) {
            program = value;
        } else {
            usage(value || argv[i][0] != '-' ? "unknown argument" : "missing value");
        }
        i++;
    }

    before = lookup(host, "before");
    freeaddrinfo(before);
    spawn_children(children, program);
    after = lookup(host, "after");
    fd = connect_to(host, after);
    freeaddrinfo(after);
    http_get(fd, host);
    printf("%s: children=%ld lookups ok=2/2 http=ok\n", WORKLOAD, children);
    return 0;
}
