/* The network test's audited program: makes connections and writes what the kernel says about
 * each (getsockname/getpeername of both ends: the truth the agent's events are checked against),
 * one JSON object per line, to MANIFEST.
 *
 *   netpeer flows MANIFEST HOLD_MS   TCP v4/v6 blocking and non-blocking, dual-stack (v4 client,
 *                                    v6 listener), UDP v4/v6 (bound, connected, unbound), a refused
 *                                    connect, unix path and abstract; all kept open HOLD_MS
 *   netpeer gone MANIFEST HOLD_MS    sockets that are gone before the agent looks (run it while
 *                                    the agent is stopped): closed at once, a descriptor reused for
 *                                    another connection, a process that exits
 *   netpeer serve IP PORT HOLD_MS MANIFEST     accept one TCP connection, keep it HOLD_MS
 *   netpeer connect IP PORT HOLD_MS MANIFEST   connect to it (retrying while refused), keep it
 *   netpeer hold N HOLD_MS           N loopback TCP connections (connect + accept4), all kept open
 *                                    HOLD_MS, then closed: a storm whose sockets the agent finds
 *                                    (measuring the lookup's cost; bench_storm closes each at once)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static FILE* manifest;

static void die(const char* what) {
  perror(what);
  exit(1);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/* "ip",port of a sockaddr as JSON; unix: the name ('@' for abstract). */
static void put_addr(const struct sockaddr_storage* ss, socklen_t len) {
  char ip[INET6_ADDRSTRLEN] = "";
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in* a = (const void*)ss;
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
    fprintf(manifest, "[\"%s\",%u]", ip, ntohs(a->sin_port));
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6* a = (const void*)ss;
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
    fprintf(manifest, "[\"%s\",%u]", ip, ntohs(a->sin6_port));
  } else if (ss->ss_family == AF_UNIX) {
    const struct sockaddr_un* u = (const void*)ss;
    size_t n = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
    if (n > 0 && u->sun_path[0] == '\0') {
      fprintf(manifest, "\"@%.*s\"", (int)(n - 1), u->sun_path + 1);
    } else {
      fprintf(manifest, "\"%.*s\"", (int)strnlen(u->sun_path, n), u->sun_path);
    }
  } else {
    fprintf(manifest, "null");
  }
}

static void put_end(const char* key, int fd, int peer) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  int rc = peer ? getpeername(fd, (struct sockaddr*)&ss, &len) : getsockname(fd, (struct sockaddr*)&ss, &len);
  fprintf(manifest, ",\"%s\":", key);
  if (rc < 0) {
    fprintf(manifest, "null");
  } else {
    put_addr(&ss, len);
  }
}

/* One line: the flow's name, extra JSON members, and the ends of the client and server sockets. */
static void record(const char* flow, const char* extra, int client, int server) {
  fprintf(manifest, "{\"flow\":\"%s\",\"pid\":%d%s", flow, getpid(), extra ? extra : "");
  if (client >= 0) {
    put_end("client_local", client, 0);
    put_end("client_peer", client, 1);
  }
  if (server >= 0) {
    put_end("server_local", server, 0);
    put_end("server_peer", server, 1);
  }
  fprintf(manifest, "}\n");
  fflush(manifest);
}

static socklen_t make_addr(int family, const char* ip, unsigned port, struct sockaddr_storage* ss) {
  memset(ss, 0, sizeof *ss);
  if (family == AF_INET) {
    struct sockaddr_in* a = (void*)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &a->sin_addr) != 1) die(ip);
    return sizeof *a;
  }
  struct sockaddr_in6* a = (void*)ss;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  if (inet_pton(AF_INET6, ip, &a->sin6_addr) != 1) die(ip);
  return sizeof *a;
}

static int listener(int family, const char* ip, int type, int v6only) {
  int s = socket(family, type, 0);
  if (s < 0) die("socket");
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  struct sockaddr_storage ss;
  socklen_t len = make_addr(family, ip, 0, &ss);
  if (bind(s, (struct sockaddr*)&ss, len) < 0) die("bind");
  if (type == SOCK_STREAM && listen(s, 16) < 0) die("listen");
  return s;
}

static unsigned port_of(int s) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  getsockname(s, (struct sockaddr*)&ss, &len);
  return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in*)&ss)->sin_port
                                       : ((struct sockaddr_in6*)&ss)->sin6_port);
}

static int accept_peer(int l) {
  struct sockaddr_storage peer;
  socklen_t plen = sizeof peer;
  int s = accept4(l, (struct sockaddr*)&peer, &plen, SOCK_CLOEXEC);
  if (s < 0) die("accept4");
  return s;
}

/* A TCP connection from client_ip to a listener on server_ip; non-blocking connect if asked. */
static void tcp_flow(const char* name, int cfamily, int lfamily,
                     const char* listen_ip, const char* server_ip, int nonblock, int v6only,
                     int* keep, int* nkeep) {
  int l = listener(lfamily, listen_ip, SOCK_STREAM, v6only);
  int c = socket(cfamily, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
  if (c < 0) die("socket");
  struct sockaddr_storage ss;
  socklen_t len = make_addr(cfamily, server_ip, port_of(l), &ss);
  int rc = connect(c, (struct sockaddr*)&ss, len);
  int err = rc < 0 ? errno : 0;
  if (rc < 0 && !(nonblock && err == EINPROGRESS)) die("connect");
  if (rc < 0) {
    struct pollfd p = {c, POLLOUT, 0};
    poll(&p, 1, 5000);
  }
  int s = accept_peer(l);
  char extra[96];
  snprintf(extra, sizeof extra, ",\"proto\":\"tcp\",\"connect_errno\":\"%s\"",
           err ? strerrorname_np(err) : "");
  record(name, extra, c, s);
  keep[(*nkeep)++] = l;
  keep[(*nkeep)++] = c;
  keep[(*nkeep)++] = s;
}

/* UDP: a datagram from a client socket (bound to bind_ip, or unbound, or connected) to a server. */
static void udp_flow(const char* name, int family, const char* ip, const char* bind_ip,
                     int connected, int* keep, int* nkeep) {
  int srv = listener(family, ip, SOCK_DGRAM, 1);
  int c = socket(family, SOCK_DGRAM, 0);
  if (c < 0) die("socket");
  struct sockaddr_storage ss;
  socklen_t len;
  if (bind_ip != NULL) {
    len = make_addr(family, bind_ip, 0, &ss);
    if (bind(c, (struct sockaddr*)&ss, len) < 0) die("bind udp client");
  }
  len = make_addr(family, ip, port_of(srv), &ss);
  if (connected) {
    if (connect(c, (struct sockaddr*)&ss, len) < 0) die("connect udp");
    if (send(c, "x", 1, 0) != 1) die("send");
  } else if (sendto(c, "x", 1, 0, (struct sockaddr*)&ss, len) != 1) {
    die("sendto");
  }
  struct sockaddr_storage from;
  socklen_t flen = sizeof from;
  char b[8];
  if (recvfrom(srv, b, sizeof b, 0, (struct sockaddr*)&from, &flen) != 1) die("recvfrom");
  record(name, ",\"proto\":\"udp\"", c, srv);
  /* The sender as the server saw it (the client's address on the wire). */
  fprintf(manifest, "{\"flow\":\"%s-from\",\"pid\":%d,\"sender\":", name, getpid());
  put_addr(&from, flen);
  fprintf(manifest, "}\n");
  fflush(manifest);
  keep[(*nkeep)++] = srv;
  keep[(*nkeep)++] = c;
}

static void unix_flow(const char* name, const char* path, int abstract, int* keep, int* nkeep) {
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  socklen_t len;
  if (abstract) {
    size_t n = strlen(path);
    memcpy(a.sun_path + 1, path, n);
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
  } else {
    unlink(path);
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    len = sizeof a;
  }
  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr*)&a, len) < 0 || listen(l, 4) < 0) die("unix listener");
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  if (c < 0 || connect(c, (struct sockaddr*)&a, len) < 0) die("unix connect");
  int s = accept_peer(l);
  record(name, ",\"proto\":\"unix\"", c, s);
  keep[(*nkeep)++] = l;
  keep[(*nkeep)++] = c;
  keep[(*nkeep)++] = s;
}

static int flows(long hold_ms, const char* unix_dir) {
  int keep[64];
  int nkeep = 0;
  tcp_flow("tcp4-block", AF_INET, AF_INET, "127.0.0.1", "127.0.0.1", 0, 1, keep, &nkeep);
  tcp_flow("tcp6-block", AF_INET6, AF_INET6, "::1", "::1", 0, 1, keep, &nkeep);
  tcp_flow("tcp4-nonblock", AF_INET, AF_INET, "127.0.0.1", "127.0.0.1", 1, 1, keep, &nkeep);
  tcp_flow("tcp6-nonblock", AF_INET6, AF_INET6, "::1", "::1", 1, 1, keep, &nkeep);
  /* An IPv4 client to a dual-stack IPv6 listener: the server side sees ::ffff:127.0.0.1. */
  tcp_flow("tcp-dualstack", AF_INET, AF_INET6, "::", "127.0.0.1", 0, 0, keep, &nkeep);
  udp_flow("udp4", AF_INET, "127.0.0.1", "127.0.0.1", 0, keep, &nkeep);
  udp_flow("udp6", AF_INET6, "::1", "::1", 0, keep, &nkeep);
  udp_flow("udp4-connected", AF_INET, "127.0.0.1", NULL, 1, keep, &nkeep);
  udp_flow("udp4-unbound", AF_INET, "127.0.0.1", NULL, 0, keep, &nkeep);

  /* A refused connect: a port that was free a moment ago. */
  int probe = listener(AF_INET, "127.0.0.1", SOCK_STREAM, 1);
  unsigned dead_port = port_of(probe);
  close(probe);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_storage ss;
  socklen_t len = make_addr(AF_INET, "127.0.0.1", dead_port, &ss);
  int rc = connect(c, (struct sockaddr*)&ss, len);
  char extra[96];
  snprintf(extra, sizeof extra, ",\"proto\":\"tcp\",\"port\":%u,\"connect_errno\":\"%s\"", dead_port,
           rc < 0 ? strerrorname_np(errno) : "");
  record("tcp4-refused", extra, -1, -1);
  keep[nkeep++] = c;

  char path[108];
  snprintf(path, sizeof path, "%s/srv.sock", unix_dir);
  unix_flow("unix-path", path, 0, keep, &nkeep);
  char name[64];
  snprintf(name, sizeof name, "auditlens-kt-%d", getpid());
  unix_flow("unix-abstract", name, 1, keep, &nkeep);

  sleep_ms(hold_ms);
  for (int i = 0; i < nkeep; i++) close(keep[i]);
  return 0;
}

static int gone(long hold_ms) {
  int l1 = listener(AF_INET, "127.0.0.1", SOCK_STREAM, 1);
  int l2 = listener(AF_INET, "127.0.0.1", SOCK_STREAM, 1);
  struct sockaddr_storage a1, a2;
  socklen_t len1 = make_addr(AF_INET, "127.0.0.1", port_of(l1), &a1);
  socklen_t len2 = make_addr(AF_INET, "127.0.0.1", port_of(l2), &a2);

  /* reused: the descriptor of a closed connection (to l1) now holds one to l2. First, so that
   * its descriptors are new numbers for the process (see the agent's fd_recycled). */
  int a = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(a, (struct sockaddr*)&a1, len1) < 0) die("connect a");
  int sa = accept_peer(l1);
  record("gone-reused-first", ",\"proto\":\"tcp\"", a, sa);
  int fd = a;
  close(a);
  close(sa);
  int b = socket(AF_INET, SOCK_STREAM, 0);
  if (b != fd) {
    if (dup2(b, fd) < 0) die("dup2");
    close(b);
    b = fd;
  }
  if (connect(b, (struct sockaddr*)&a2, len2) < 0) die("connect b");
  int sb = accept_peer(l2);
  record("gone-reused-second", ",\"proto\":\"tcp\"", b, sb);

  /* closed: connect, accept, close both at once. On descriptor 50, which nothing takes later
   * (the next sockets get the lowest free numbers): at lookup time it is simply closed. */
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (c < 0 || dup2(c, 50) != 50) die("dup2 closed");
  close(c);
  c = 50;
  if (connect(c, (struct sockaddr*)&a1, len1) < 0) die("connect closed");
  int s = accept_peer(l1);
  record("gone-closed", ",\"proto\":\"tcp\"", c, s);
  close(s);
  close(c);

  /* exited: a child connects and exits. */
  fflush(manifest);
  pid_t pid = fork();
  if (pid == 0) {
    int x = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(x, (struct sockaddr*)&a1, len1) < 0) _exit(1);
    record("gone-exited", ",\"proto\":\"tcp\"", x, -1);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  int sx = accept_peer(l1);
  sleep_ms(hold_ms);
  close(sx);
  close(sb);
  close(b);
  close(l1);
  close(l2);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int serve(const char* ip, unsigned port, long hold_ms) {
  int family = strchr(ip, ':') ? AF_INET6 : AF_INET;
  int l = socket(family, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_storage ss;
  socklen_t len = make_addr(family, ip, port, &ss);
  if (bind(l, (struct sockaddr*)&ss, len) < 0 || listen(l, 4) < 0) die("serve");
  int s = accept_peer(l);
  record("serve", ",\"proto\":\"tcp\"", -1, s);
  sleep_ms(hold_ms);
  close(s);
  close(l);
  return 0;
}

static int connect_to(const char* ip, unsigned port, long hold_ms) {
  int family = strchr(ip, ':') ? AF_INET6 : AF_INET;
  struct sockaddr_storage ss;
  socklen_t len = make_addr(family, ip, port, &ss);
  for (int attempt = 0; attempt < 100; attempt++) {
    int c = socket(family, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr*)&ss, len) == 0) {
      record("connect", ",\"proto\":\"tcp\"", c, -1);
      sleep_ms(hold_ms);
      close(c);
      return 0;
    }
    close(c);
    sleep_ms(50);  /* the server is not listening yet */
  }
  fprintf(stderr, "netpeer: cannot connect to %s %u\n", ip, port);
  return 1;
}

static int hold(long n, long hold_ms) {
  struct rlimit rl = {(rlim_t)(2 * n + 64), (rlim_t)(2 * n + 64)};
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) die("setrlimit");
  int l = listener(AF_INET, "127.0.0.1", SOCK_STREAM, 1);
  if (listen(l, 4096) < 0) die("listen");
  struct sockaddr_storage a;
  socklen_t len = make_addr(AF_INET, "127.0.0.1", port_of(l), &a);
  int* fds = calloc((size_t)(2 * n), sizeof(int));
  if (!fds) die("calloc");
  for (long i = 0; i < n; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr*)&a, len) < 0) die("connect");
    fds[2 * i] = c;
    fds[2 * i + 1] = accept_peer(l);
  }
  sleep_ms(hold_ms);
  for (long i = 0; i < 2 * n; i++) close(fds[i]);
  close(l);
  free(fds);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "hold") == 0) return hold(atol(argv[2]), atol(argv[3]));
  if (argc >= 4 && strcmp(argv[1], "flows") == 0) {
    manifest = fopen(argv[2], "a");
    if (!manifest) die(argv[2]);
    return flows(atol(argv[3]), argc >= 5 ? argv[4] : "/tmp");
  }
  if (argc == 4 && strcmp(argv[1], "gone") == 0) {
    manifest = fopen(argv[2], "a");
    if (!manifest) die(argv[2]);
    return gone(atol(argv[3]));
  }
  if (argc == 6 && (strcmp(argv[1], "serve") == 0 || strcmp(argv[1], "connect") == 0)) {
    manifest = fopen(argv[5], "a");
    if (!manifest) die(argv[5]);
    unsigned port = (unsigned)atoi(argv[3]);
    return argv[1][0] == 's' ? serve(argv[2], port, atol(argv[4])) : connect_to(argv[2], port, atol(argv[4]));
  }
  fprintf(stderr,
          "usage: netpeer flows MANIFEST HOLD_MS [UNIX_DIR] | gone MANIFEST HOLD_MS |\n"
          "       serve IP PORT HOLD_MS MANIFEST | connect IP PORT HOLD_MS MANIFEST |\n"
          "       hold N HOLD_MS\n");
  return 2;
}
