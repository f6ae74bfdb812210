/* bench_proc PID: the CPU time and peak memory of a consumer, for the benchmark harness.
 *
 * Prints `cpu_ns=C hwm_kb=H procs=P` where C is the CPU time (user+system) of PID and of all its
 * live descendants, in nanoseconds, H the sum of their VmHWM (peak resident set), P how many
 * processes were counted. Descendants already reaped by PID are added from its cutime/cstime.
 *
 * Why not utime/stime from /proc/PID/stat: they are in clock ticks (10 ms here), too coarse for the
 * exec storm where the floor spends a few tens of ms in all. clock_getcpuclockid() reads the same
 * scheduler counter the kernel keeps per thread group, in nanoseconds, dead threads included.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 4096

/* Parent pid and (for the root) reaped children's ticks from /proc/PID/stat. comm may hold spaces and
 * parentheses, so fields are counted from the last ')'. */
static int read_stat(int pid, int* ppid, unsigned long long* child_ticks) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char* p = strrchr(buf, ')');
  if (!p) return -1;
  /* After ')': state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17) */
  char state;
  int pp;
  unsigned long long skip[11], cut, cst; /* fields 5..15, then cutime(16) cstime(17) */
  if (sscanf(p + 2, "%c %d %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &state,
             &pp, &skip[0], &skip[1], &skip[2], &skip[3], &skip[4], &skip[5], &skip[6], &skip[7],
             &skip[8], &skip[9], &skip[10], &cut, &cst) != 15)
    return -1;
  *ppid = pp;
  if (child_ticks) *child_ticks = cut + cst;
  return 0;
}

static long long hwm_kb(int pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  long long kb = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "VmHWM:", 6) == 0) {
      kb = atoll(line + 6);
      break;
    }
  }
  fclose(f);
  return kb;
}

static long long cpu_ns(int pid) {
  clockid_t clock;
  struct timespec ts;
  if (clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &ts) != 0) return -1;
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc != 2 || atoi(argv[1]) <= 0) {
    fprintf(stderr, "usage: bench_proc PID\n");
    return 2;
  }
  int root = atoi(argv[1]);
  unsigned long long reaped_ticks = 0;
  int root_ppid;
  if (read_stat(root, &root_ppid, &reaped_ticks) != 0) {
    fprintf(stderr, "bench_proc: no process %d\n", root);
    return 1;
  }

  /* All (pid, ppid) pairs, then the descendants of root by repeated sweeps (the tree is small). */
  static int pids[MAX_PROCS], ppids[MAX_PROCS];
  static char in_tree[MAX_PROCS];
  int count = 0;
  DIR* d = opendir("/proc");
  struct dirent* e;
  while (d && (e = readdir(d)) && count < MAX_PROCS) {
    int pid = atoi(e->d_name);
    int ppid;
    if (pid > 0 && read_stat(pid, &ppid, NULL) == 0) {
      pids[count] = pid;
      ppids[count] = ppid;
      in_tree[count] = pid == root;
      count++;
    }
  }
  if (d) closedir(d);
  for (int changed = 1; changed;) {
    changed = 0;
    for (int i = 0; i < count; i++) {
      if (in_tree[i]) continue;
      for (int j = 0; j < count; j++) {
        if (in_tree[j] && pids[j] == ppids[i]) {
          in_tree[i] = 1;
          changed = 1;
          break;
        }
      }
    }
  }

  long long total_ns = (long long)reaped_ticks * (1000000000LL / sysconf(_SC_CLK_TCK));
  long long total_kb = 0;
  int procs = 0;
  for (int i = 0; i < count; i++) {
    if (!in_tree[i]) continue;
    long long ns = cpu_ns(pids[i]);
    if (ns < 0) continue; /* exited meanwhile */
    total_ns += ns;
    total_kb += hwm_kb(pids[i]);
    procs++;
  }
  if (procs == 0) {
    fprintf(stderr, "bench_proc: process %d exited\n", root);
    return 1;
  }
  printf("cpu_ns=%lld hwm_kb=%lld procs=%d\n", total_ns, total_kb, procs);
  return 0;
}
