/* bench_storm: generates a storm of audited syscalls as fast as it can and reports how fast it went.
 *
 *   bench_storm open N PATH     N open()s of PATH (an existing file), 1 event each
 *   bench_storm exec N PROG [ARG...]   N fork+execve of PROG ARG..., 1 event each (the child's execve)
 *   bench_storm connect N       N loopback TCP connect+accept4 pairs, 2 events each (the
 *                               connect and the accept4 each carry a SOCKADDR record)
 *
 * Prints one line: `storm=KIND events=E errors=F elapsed_s=S rate=R` where events counts the
 * syscalls that the bench's rules audit (failed ones included: an audit rule without success=
 * audits failures too) and rate is events per second of wall time.
 *
 * The storm's rate is a measured quantity: an audited syscall returns only once the kernel has
 * queued its records, and it waits when the consumer lags (backlog_wait_time). So the loops do
 * nothing but the syscalls, and nothing is printed until the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char* kind, long events, long errors, double elapsed) {
  printf("storm=%s events=%ld errors=%ld elapsed_s=%.6f rate=%.1f\n", kind, events, errors,
         elapsed, elapsed > 0 ? (double)events / elapsed : 0.0);
}

static int storm_open(long n, const char* path) {
  long errors = 0;
  double t0 = now_s();
  for (long i = 0; i < n; i++) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      errors++;
    } else {
      close(fd);
    }
  }
  report("open", n, errors, now_s() - t0);
  return errors == n ? 1 : 0;
}

static int storm_exec(long n, char** argv) {
  const char* prog = argv[0];
  long errors = 0;
  double t0 = now_s();
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      /* No child, no execve: nothing audited, so this one is not an event. */
      perror("bench_storm: fork");
      report("exec", i, errors, now_s() - t0);
      return 1;
    }
    if (pid == 0) {
      execve(prog, argv, environ);
      _exit(127); /* a failed execve is still audited: counted as an error below */
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) errors++;
  }
  report("exec", n, errors, now_s() - t0);
  return errors == n ? 1 : 0;
}

static int storm_connect(long n) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0; /* any free port: parallel runs never collide */
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) < 0 ||
      listen(listener, 128) < 0 || getsockname(listener, (struct sockaddr*)&addr, &len) < 0) {
    perror("bench_storm: listener");
    return 1;
  }
  /* Close with RST instead of FIN: no TIME_WAIT, so several rounds of 20k connections in a minute
   * do not run out of ephemeral ports. */
  struct linger no_linger = {.l_onoff = 1, .l_linger = 0};
  long events = 0, errors = 0;
  double t0 = now_s();
  for (long i = 0; i < n; i++) {
    int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0) {
      perror("bench_storm: socket");
      break;
    }
    setsockopt(client, SOL_SOCKET, SO_LINGER, &no_linger, sizeof no_linger);
    /* On loopback the handshake completes inside connect(), so one thread can do both ends. */
    events++;
    if (connect(client, (struct sockaddr*)&addr, sizeof addr) < 0) {
      errors++;
      close(client);
      continue;
    }
    events++;
    /* With an address buffer, as a real server calls it: the kernel then audits the peer
     * (SOCKADDR record), which it skips for accept4(fd, NULL, NULL). */
    struct sockaddr_in peer;
    socklen_t peer_len = sizeof peer;
    int server = accept4(listener, (struct sockaddr*)&peer, &peer_len, SOCK_CLOEXEC);
    if (server < 0) {
      errors++;
    } else {
      close(server);
    }
    close(client);
  }
  report("connect", events, errors, now_s() - t0);
  close(listener);
  return events == 0 || errors == events ? 1 : 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage: bench_storm open N PATH | exec N PROG [ARG...] | connect N\n"
          "  prints: storm=KIND events=E errors=F elapsed_s=S rate=R\n");
  exit(2);
}

int main(int argc, char** argv) {
  if (argc < 3) usage();
  char* end = NULL;
  long n = strtol(argv[2], &end, 10);
  if (*end != '\0' || n <= 0) usage();
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (strcmp(argv[1], "open") == 0 && argc == 4) return storm_open(n, argv[3]);
  if (strcmp(argv[1], "exec") == 0 && argc >= 4) return storm_exec(n, argv + 3);
  if (strcmp(argv[1], "connect") == 0 && argc == 3) return storm_connect(n);
  usage();
  return 2;
}
