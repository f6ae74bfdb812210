// The program whose system calls make the differential corpus (see generate_corpus.sh).
//
// It is compiled fresh into the generator's temporary directory, so audit rules can be narrowed to
// it with `-F exe=` / `-F dir=` and catch nothing else on the machine. Every operation is chosen
// for what it makes the kernel write: awkward file names (spaces, quotes, control bytes, bytes that
// are not UTF-8), failed system calls, and every sockaddr family auditlens decodes.
//
//   corpus_helper noop [ARGS...]        exit 0 (its EXECVE record is the point)
//   corpus_helper files DIR             file system operations inside DIR
//   corpus_helper open PATH             open(PATH, O_RDONLY) once (run as nobody: EACCES)
//   corpus_helper net DIR               sockets: inet, inet6, unix path/abstract/unnamed, netlink
//   corpus_helper ids DIR               setuid/setgid changes, then an open in DIR under each
//   corpus_helper comm DIR              renames its own comm to awkward bytes, opens a file in DIR
//   corpus_helper kill                  signals a child (OBJ_PID record, a1 = signal)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

// Reports an unexpected result but carries on: the corpus is what matters, not each step.
static void expect(const char* what, long rc, int want_errno) {
  int e = errno;
  if (want_errno == 0 && rc < 0) {
    fprintf(stderr, "corpus_helper: %s failed: %s\n", what, strerror(e));
    ++failures;
  } else if (want_errno != 0 && (rc >= 0 || e != want_errno)) {
    fprintf(stderr, "corpus_helper: %s: wanted %s, got rc=%ld (%s)\n", what, strerror(want_errno),
            rc, rc < 0 ? strerror(e) : "success");
    ++failures;
  }
}

// File names the kernel must hex-encode (or not), as raw bytes.
static const char* const kNames[] = {
    "plain.txt",
    "with space.txt",
    "dq\"uote",
    "sq'uote",
    "new\nline",
    "tab\tname",
    "back\\slash",
    "per%cent%41",
    "\xff\xfe-not-utf8",
    "caf\xc3\xa9.txt",
    "\xe6\x97\xa5\xe6\x9c\xac.txt",
    "-leading-dash",
    "ctl\x01\x7f",
    "emoji \xf0\x9f\x98\x80",
    "eq=sign",
    "mixed \xff\xc3\xa9",
    "(null)",
    "00abstract-lookalike",
};

static void files(const char* dir) {
  if (chdir(dir) != 0) {
    perror(dir);
    exit(2);
  }
  char buf[4096];
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); ++i) {
    const char* n = kNames[i];
    int fd = openat(AT_FDCWD, n, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    expect("openat create", fd, 0);
    if (fd >= 0) close(fd);
    expect("fchmodat", fchmodat(AT_FDCWD, n, 0600, 0), 0);
    snprintf(buf, sizeof(buf), "%s.moved", n);
    expect("renameat", renameat(AT_FDCWD, n, AT_FDCWD, buf), 0);
    if (i % 3 == 0) expect("unlinkat", unlinkat(AT_FDCWD, buf, 0), 0);
  }
  // A very long name (NAME_MAX) and a long path of nested directories (~3 KB).
  char longname[256];
  memset(longname, 'L', 255);
  longname[255] = 0;
  int fd = syscall(SYS_creat, longname, 0640);
  expect("creat long", fd, 0);
  if (fd >= 0) close(fd);
  char comp[201];
  memset(comp, 'd', 200);
  comp[200] = 0;
  char path[4096] = "";
  for (int depth = 0; depth < 14; ++depth) {
    comp[0] = (char)('a' + depth);
    if (depth == 7) comp[1] = ' ';  // one component with a space: the whole path is hex
    strcat(path, comp);
    expect("mkdir nested", syscall(SYS_mkdir, path, 0755), 0);
    strcat(path, "/");
  }
  strcat(path, "deep file");
  fd = syscall(SYS_open, path, O_CREAT | O_WRONLY, 0600);
  expect("open deep", fd, 0);
  if (fd >= 0) close(fd);

  // open(2) and creat(2) proper, mkdir(2) and chmod(2) with special bits, mknodat(2) of a FIFO.
  fd = syscall(SYS_open, "via open", O_CREAT | O_RDWR | O_APPEND | O_NONBLOCK, 0604);
  expect("open", fd, 0);
  if (fd >= 0) close(fd);
  fd = syscall(SYS_open, "via open", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  expect("open rdonly", fd, 0);
  if (fd >= 0) close(fd);
  fd = syscall(SYS_creat, "via creat \xff", 0600);
  expect("creat", fd, 0);
  if (fd >= 0) close(fd);
  expect("mkdir", syscall(SYS_mkdir, "dir with \"quote\"", 0750), 0);
  expect("chmod suid", syscall(SYS_chmod, "via open", 04755), 0);
  expect("chmod sgid sticky", syscall(SYS_chmod, "dir with \"quote\"", 03777), 0);
  expect("chmod again", syscall(SYS_chmod, "via open", 0644), 0);
  expect("fchmodat dir", fchmodat(AT_FDCWD, "dir with \"quote\"", 01700, 0), 0);
  expect("mknodat fifo", mknodat(AT_FDCWD, "a fifo", S_IFIFO | 0640, 0), 0);
  expect("symlinkat", symlinkat("plain.txt.moved", AT_FDCWD, "a link \xfe"), 0);
  expect("fchownat", fchownat(AT_FDCWD, "a link \xfe", 65534, 65534, AT_SYMLINK_NOFOLLOW), 0);
  expect("fchownat unset", fchownat(AT_FDCWD, "a fifo", (uid_t)-1, 65534, 0), 0);
  fd = openat(AT_FDCWD, "a fifo", O_RDONLY | O_NONBLOCK);
  expect("open fifo", fd, 0);
  if (fd >= 0) close(fd);

  // Failures: ENOENT, EEXIST, EISDIR, ENOTDIR, ENOTEMPTY.
  expect("open missing", openat(AT_FDCWD, "does not exist", O_RDONLY), ENOENT);
  expect("open missing abs", syscall(SYS_open, "/nonexistent/auditlens \xff", O_RDONLY), ENOENT);
  expect("creat excl", openat(AT_FDCWD, "via open", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
  expect("mkdir exists", syscall(SYS_mkdir, "dir with \"quote\"", 0700), EEXIST);
  expect("open dir for write", openat(AT_FDCWD, "dir with \"quote\"", O_WRONLY), EISDIR);
  expect("open through file", openat(AT_FDCWD, "via open/x", O_RDONLY), ENOTDIR);
  expect("unlink missing", unlinkat(AT_FDCWD, "gone\ttoo", 0), ENOENT);
  expect("rmdir missing", unlinkat(AT_FDCWD, "a", AT_REMOVEDIR), ENOENT);
  expect("mkdir sub", syscall(SYS_mkdir, "full dir", 0700), 0);
  fd = openat(AT_FDCWD, "full dir/f", O_CREAT | O_WRONLY, 0600);
  if (fd >= 0) close(fd);
  expect("rmdir non-empty", unlinkat(AT_FDCWD, "full dir", AT_REMOVEDIR), ENOTEMPTY);
  expect("rename into missing", renameat(AT_FDCWD, "via open", AT_FDCWD, "no/such"), ENOENT);

  // A working directory that must be hex-encoded, and relative names under it.
  const char* odd_dir = "cwd \xff\xfe \xe6\x97\xa5";
  expect("mkdir odd cwd", syscall(SYS_mkdir, odd_dir, 0755), 0);
  if (chdir(odd_dir) == 0) {
    fd = openat(AT_FDCWD, "inside", O_CREAT | O_WRONLY, 0644);
    expect("open in odd cwd", fd, 0);
    if (fd >= 0) close(fd);
    expect("rename in odd cwd", renameat(AT_FDCWD, "inside", AT_FDCWD, "../outside \"x\""), 0);
    expect("open .. missing", openat(AT_FDCWD, "../nothing", O_RDONLY), ENOENT);
  }
}

static void open_once(const char* path) {
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    close(fd);
    printf("opened %s\n", path);
  } else {
    printf("open %s: %s\n", path, strerror(errno));
  }
}

static void tcp_pair(int family) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in* a = (struct sockaddr_in*)&ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(*a);
  } else {
    struct sockaddr_in6* a = (struct sockaddr_in6*)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof(*a);
  }
  int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  expect("socket listen", l, 0);
  expect("bind", bind(l, (struct sockaddr*)&ss, len), 0);
  expect("listen", listen(l, 4), 0);
  expect("getsockname", getsockname(l, (struct sockaddr*)&ss, &len), 0);
  int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  expect("connect", connect(c, (struct sockaddr*)&ss, len), 0);
  struct sockaddr_storage peer;
  socklen_t plen = sizeof(peer);
  int a = accept4(l, (struct sockaddr*)&peer, &plen, SOCK_CLOEXEC);
  expect("accept4", a, 0);
  // A non-blocking connect to the same listener: EINPROGRESS.
  int nb = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  expect("connect nonblocking", connect(nb, (struct sockaddr*)&ss, len), EINPROGRESS);
  close(nb);
  close(a);
  close(c);
  // The listener gone, connecting to its port is refused.
  close(l);
  c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  expect("connect refused", connect(c, (struct sockaddr*)&ss, len), ECONNREFUSED);
  close(c);
}

static void udp(int family) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in* a = (struct sockaddr_in*)&ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(*a);
  } else {
    struct sockaddr_in6* a = (struct sockaddr_in6*)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof(*a);
  }
  int r = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  expect("udp bind", bind(r, (struct sockaddr*)&ss, len), 0);
  getsockname(r, (struct sockaddr*)&ss, &len);
  int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  expect("sendto", sendto(s, "ping", 4, MSG_DONTWAIT, (struct sockaddr*)&ss, len), 0);
  char buf[16];
  struct sockaddr_storage from;
  socklen_t flen = sizeof(from);
  expect("recvfrom", recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr*)&from, &flen), 0);
  // sendmsg with a destination, then dissolve the association with AF_UNSPEC.
  struct iovec iov = {.iov_base = "pong", .iov_len = 4};
  struct msghdr msg = {.msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
  expect("sendmsg", sendmsg(s, &msg, 0), 0);
  expect("connect udp", connect(s, (struct sockaddr*)&ss, len), 0);
  struct sockaddr unspec = {.sa_family = AF_UNSPEC};
  expect("connect unspec", connect(s, &unspec, sizeof(unspec)), 0);
  close(s);
  close(r);
}

static void unix_sockets(const char* dir) {
  // A path socket with an awkward name.
  struct sockaddr_un un;
  memset(&un, 0, sizeof(un));
  un.sun_family = AF_UNIX;
  snprintf(un.sun_path, sizeof(un.sun_path), "%s/sock et \xff", dir);
  unlink(un.sun_path);
  socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path) + 1;
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  expect("unix bind", bind(l, (struct sockaddr*)&un, len), 0);
  expect("unix listen", listen(l, 4), 0);
  int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  expect("unix connect", connect(c, (struct sockaddr*)&un, len), 0);
  struct sockaddr_un peer;
  socklen_t plen = sizeof(peer);
  int a = accept(l, (struct sockaddr*)&peer, &plen);  // the peer is unnamed
  expect("unix accept", a, 0);
  close(a);
  close(c);
  close(l);
  c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  snprintf(un.sun_path, sizeof(un.sun_path), "%s/no such socket", dir);
  len = offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path) + 1;
  expect("unix connect missing", connect(c, (struct sockaddr*)&un, len), ENOENT);
  close(c);

  // Abstract names: a plain one, and one with a space and a byte that is not UTF-8.
  static const char* const abstract[] = {"auditlens-diff", "auditlens diff \xff"};
  for (int i = 0; i < 2; ++i) {
    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    size_t n = strlen(abstract[i]);
    memcpy(un.sun_path + 1, abstract[i], n);
    len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
    l = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    expect("abstract bind", bind(l, (struct sockaddr*)&un, len), 0);
    c = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    expect("abstract connect", connect(c, (struct sockaddr*)&un, len), 0);
    close(c);
    close(l);
  }
  // Autobind: an address of the family alone.
  c = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr fam_only = {.sa_family = AF_UNIX};
  expect("autobind", bind(c, &fam_only, sizeof(sa_family_t)), 0);
  close(c);
}

static void netlink(void) {
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  expect("netlink socket", s, 0);
  struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 1};
  expect("netlink bind", bind(s, (struct sockaddr*)&nl, sizeof(nl)), 0);
  close(s);
}

static void net(const char* dir) {
  tcp_pair(AF_INET);
  tcp_pair(AF_INET6);
  udp(AF_INET);
  udp(AF_INET6);
  // IPv4-mapped IPv6 destination on a dual-stack socket.
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a4);
  bind(l, (struct sockaddr*)&a4, len);
  listen(l, 1);
  getsockname(l, (struct sockaddr*)&a4, &len);
  struct sockaddr_in6 m6 = {.sin6_family = AF_INET6, .sin6_port = a4.sin_port};
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &m6.sin6_addr);
  int c = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  expect("connect v4-mapped", connect(c, (struct sockaddr*)&m6, sizeof(m6)), 0);
  close(c);
  close(l);
  // A short inet address: the kernel refuses it, the record still shows what was passed.
  c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  expect("connect short", connect(c, (struct sockaddr*)&a4, 6), EINVAL);
  close(c);
  unix_sockets(dir);
  netlink();
}

static void ids(const char* dir) {
  struct {
    uid_t uid;
    gid_t gid;
    int use_res;
  } cases[] = {{65534, 65534, 0}, {12345, 23456, 1}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      if (cases[i].use_res) {
        expect("setresgid", setresgid(cases[i].gid, cases[i].gid, -1), 0);
        expect("setresuid", setresuid(cases[i].uid, cases[i].uid, 0), 0);
      } else {
        expect("setgid", setgid(cases[i].gid), 0);
        expect("setuid", setuid(cases[i].uid), 0);
      }
      char path[4096];
      snprintf(path, sizeof(path), "%s/owned by root", dir);
      int fd = open(path, O_WRONLY);  // root's 0644 file: EACCES
      expect("open as other", fd, EACCES);
      _exit(failures ? 1 : 0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
  }
}

static void comm(const char* dir) {
  // comm is at most 15 bytes; these need hex.
  prctl(PR_SET_NAME, "co mm\"\xff", 0, 0, 0);
  char path[4096];
  snprintf(path, sizeof(path), "%s/opened by odd comm", dir);
  int fd = open(path, O_CREAT | O_WRONLY, 0644);
  expect("open odd comm", fd, 0);
  if (fd >= 0) close(fd);
}

static void kill_child(void) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NAME, "victim \xe6\x97\xa5", 0, 0, 0);
    pause();
    _exit(0);
  }
  usleep(100000);
  expect("kill", kill(pid, SIGTERM), 0);
  waitpid(pid, NULL, 0);
  expect("kill gone", kill(pid, SIGUSR1), ESRCH);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: corpus_helper noop|files|open|net|ids|comm|kill [ARG]\n");
    return 2;
  }
  const char* cmd = argv[1];
  const char* arg = argc > 2 ? argv[2] : ".";
  if (strcmp(cmd, "noop") == 0) return 0;
  if (strcmp(cmd, "files") == 0) files(arg);
  else if (strcmp(cmd, "open") == 0) open_once(arg);
  else if (strcmp(cmd, "net") == 0) net(arg);
  else if (strcmp(cmd, "ids") == 0) ids(arg);
  else if (strcmp(cmd, "comm") == 0) comm(arg);
  else if (strcmp(cmd, "kill") == 0) kill_child();
  else {
    fprintf(stderr, "corpus_helper: unknown command %s\n", cmd);
    return 2;
  }
  return failures ? 1 : 0;
}
