#include "decode/value_decoder.h"

#include <fcntl.h>
#include <libaudit.h>
#include <netdb.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <iterator>

#include "decode/hex.h"

namespace auditlens {
namespace {

// ---- number parsing, the way strtoul reads a prefix -------------------------------------------

// Reads the longest number at the start of s (after blanks, an optional sign and, in base 16, an
// optional 0x). A '-' wraps the magnitude the way strtoul does. Returns false if no digit.
bool ParsePrefix(std::string_view s, int base, uint64_t* value) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  if (base == 16 && i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
      i + 2 < s.size() && HexDigit(s[i + 2]) >= 0) {
    i += 2;
  }
  uint64_t v = 0;
  size_t digits = 0;
  for (; i < s.size(); ++i, ++digits) {
    int d = HexDigit(s[i]);
    if (d < 0 || d >= base) break;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (digits == 0) {
    *value = 0;
    return false;
  }
  *value = negative ? ~v + 1 : v;
  return true;
}

uint64_t PrefixOr0(std::string_view s, int base) {
  uint64_t v = 0;
  ParsePrefix(s, base, &v);
  return v;
}


void AppendI64(int64_t v, std::string* out) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, p - buf);
}

void AppendRaw(std::string_view raw, std::string* out) { out->append(raw.data(), raw.size()); }

// "<prefix><raw>)" — auparse's way of saying a value is not in its table.
void AppendUnknown(std::string_view prefix, std::string_view raw, std::string* out) {
  out->append(prefix.data(), prefix.size());
  AppendRaw(raw, out);
  out->push_back(')');
}

void AppendOctal3(unsigned v, std::string* out) {
  char buf[8];
  int n = snprintf(buf, sizeof(buf), "%03o", v);
  out->append(buf, n);
}

struct BitName {
  uint64_t bit;
  std::string_view name;
};

// Names of the bits set in v, in table order, joined by sep. Returns how many were written.
template <size_t N>
int AppendBits(uint64_t v, const BitName (&table)[N], char sep, std::string* out,
               bool first = true) {
  int n = 0;
  for (const BitName& b : table) {
    if (b.bit != 0 && (v & b.bit)) {
      if (!first) out->push_back(sep);
      out->append(b.name.data(), b.name.size());
      first = false;
      ++n;
    }
  }
  return n;
}

template <size_t N>
std::string_view Lookup(const std::string_view (&table)[N], uint64_t i) {
  return i < N ? table[i] : std::string_view();
}

// ---- tables (facts about Linux and about libauparse's wording) ---------------------------------

constexpr std::string_view kCapNames[] = {
    "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
    "setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
    "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
    "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
    "lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
    "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore"};

// Signal names by number; 0 is auparse's "SIG0".
constexpr std::string_view kSignals[] = {
    "SIG0",    "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",   "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",   "SIGPWR",  "SIGSYS"};

// Socket address families, as auparse names them (0 and a few others have no name there).
constexpr std::string_view kFamilies[] = {
    "",          "local",    "inet",   "ax25",       "ipx",       "appletalk", "netrom",
    "bridge",    "atmpvc",   "x25",    "inet6",      "rose",      "decnet",    "netbeui",
    "security",  "key",      "netlink", "packet",    "ash",       "econet",    "atmsvc",
    "rds",       "sna",      "irda",   "pppox",      "wanpipe",   "llc",       "",
    "",          "can",      "tipc",   "bluetooth",  "iucv",      "rxrpc",     "isdn",
    "phonet",    "ieee802154", "caif", "alg",        "nfc",       "vsock",     "kcm",
    "qipcrtr",   "smc",      "xdp"};

constexpr std::string_view kSockTypes[] = {"",         "SOCK_STREAM", "SOCK_DGRAM",
                                           "SOCK_RAW", "SOCK_RDM",    "SOCK_SEQPACKET",
                                           "SOCK_DCCP", "", "", "", "SOCK_PACKET"};

constexpr std::string_view kSocketcalls[] = {
    "",         "socket",     "bind",        "connect",    "listen",      "accept",
    "getsockname", "getpeername", "socketpair", "send",     "recv",        "sendto",
    "recvfrom", "shutdown",   "setsockopt",  "getsockopt", "sendmsg",     "recvmsg",
    "accept4",  "recvmmsg",   "sendmmsg"};

constexpr BitName kOpenFlags[] = {
    {O_WRONLY, "O_WRONLY"},       {O_RDWR, "O_RDWR"},           {O_CREAT, "O_CREAT"},
    {O_EXCL, "O_EXCL"},           {O_NOCTTY, "O_NOCTTY"},       {O_TRUNC, "O_TRUNC"},
    {O_APPEND, "O_APPEND"},       {O_NONBLOCK, "O_NONBLOCK"},   {O_DSYNC, "O_DSYNC"},
    {O_ASYNC, "O_ASYNC"},         {O_DIRECT, "O_DIRECT"},       {O_DIRECTORY, "O_DIRECTORY"},
    {O_NOFOLLOW, "O_NOFOLLOW"},   {O_NOATIME, "O_NOATIME"},     {O_CLOEXEC, "O_CLOEXEC"},
    {O_SYNC & ~O_DSYNC, "__O_SYNC"}, {O_PATH, "O_PATH"},
    {O_TMPFILE & ~O_DIRECTORY, "__O_TMPFILE"},
};

constexpr BitName kAccessModes[] = {{X_OK, "X_OK"}, {W_OK, "W_OK"}, {R_OK, "R_OK"}};

constexpr BitName kMsgFlags[] = {
    {0x1, "MSG_OOB"},           {0x2, "MSG_PEEK"},         {0x4, "MSG_DONTROUTE"},
    {0x8, "MSG_CTRUNC"},        {0x10, "MSG_PROXY"},       {0x20, "MSG_TRUNC"},
    {0x40, "MSG_DONTWAIT"},     {0x80, "MSG_EOR"},         {0x100, "MSG_WAITALL"},
    {0x200, "MSG_FIN"},         {0x400, "MSG_SYN"},        {0x800, "MSG_CONFIRM"},
    {0x1000, "MSG_RST"},        {0x2000, "MSG_ERRQUEUE"},  {0x4000, "MSG_NOSIGNAL"},
    {0x8000, "MSG_MORE"},       {0x10000, "MSG_WAITFORONE"}, {0x20000, "MSG_SENDPAGE_NOTLAST"},
    {0x40000, "MSG_BATCH"},     {0x20000000, "MSG_FASTOPEN"}, {0x40000000, "MSG_CMSG_CLOEXEC"},
    {0x80000000, "MSG_CMSG_COMPAT"},
};

constexpr BitName kCloneFlags[] = {
    {0x100, "CLONE_VM"},
    {0x200, "CLONE_FS"},
    {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},
    {0x2000, "CLONE_PTRACE"},
    {0x4000, "CLONE_VFORK"},
    {0x8000, "CLONE_PARENT"},
    {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},
    {0x40000, "CLONE_SYSVSEM"},
    {0x80000, "CLONE_SETTLS"},
    {0x100000, "CLONE_PARENT_SETTID"},
    {0x200000, "CLONE_CHILD_CLEARTID"},
    {0x400000, "CLONE_DETACHED"},
    {0x800000, "CLONE_UNTRACED"},
    {0x1000000, "CLONE_CHILD_SETTID"},
    {0x2000000, "CLONE_STOPPED"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
};

constexpr BitName kProt[] = {
    {0x1, "PROT_READ"}, {0x2, "PROT_WRITE"}, {0x4, "PROT_EXEC"}, {0x8, "PROT_SEM"}};

constexpr BitName kMmapFlags[] = {
    {0x1, "MAP_SHARED"},         {0x2, "MAP_PRIVATE"},       {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},     {0x40, "MAP_32BIT"},        {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},    {0x1000, "MAP_EXECUTABLE"}, {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},   {0x8000, "MAP_POPULATE"},   {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},      {0x40000, "MAP_HUGETLB"},   {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"}, {0x4000000, "MAP_UNINITIALIZED"},
};

constexpr BitName kUmountFlags[] = {{0x1, "MNT_FORCE"},
                                    {0x2, "MNT_DETACH"},
                                    {0x4, "MNT_EXPIRE"},
                                    {0x8, "UMOUNT_NOFOLLOW"},
                                    {0x80000000, "UMOUNT_UNUSED"}};

constexpr BitName kResolveFlags[] = {{0x1, "RESOLVE_NO_XDEV"},
                                     {0x2, "RESOLVE_NO_MAGICLINKS"},
                                     {0x4, "RESOLVE_NO_SYMLINKS"},
                                     {0x8, "RESOLVE_BENEATH"},
                                     {0x10, "RESOLVE_IN_ROOT"},
                                     {0x20, "RESOLVE_CACHED"}};

constexpr BitName kShmFlags[] = {{01000, "IPC_CREAT"},
                                 {02000, "IPC_EXCL"},
                                 {04000, "SHM_HUGETLB"},
                                 {010000, "SHM_NORESERVE"}};

constexpr std::string_view kSeekWhence[] = {"SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA",
                                            "SEEK_HOLE"};

constexpr std::string_view kRlimits[] = {
    "RLIMIT_CPU",     "RLIMIT_FSIZE",  "RLIMIT_DATA",       "RLIMIT_STACK",
    "RLIMIT_CORE",    "RLIMIT_RSS",    "RLIMIT_NPROC",      "RLIMIT_NOFILE",
    "RLIMIT_MEMLOCK", "RLIMIT_AS",     "RLIMIT_LOCKS",      "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE", "RLIMIT_NICE",  "RLIMIT_RTPRIO",     "RLIMIT_RTTIME"};

constexpr std::string_view kEpollCtl[] = {"", "EPOLL_CTL_ADD", "EPOLL_CTL_DEL", "EPOLL_CTL_MOD"};

constexpr std::string_view kClocks[] = {
    "CLOCK_REALTIME",          "CLOCK_MONOTONIC",       "CLOCK_PROCESS_CPUTIME_ID",
    "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW",   "CLOCK_REALTIME_COARSE",
    "CLOCK_MONOTONIC_COARSE"};

// Indexed tables: "" where the number has no name (auparse then says unknown-...).
constexpr std::string_view kPtraceRequests[] = {
    "PTRACE_TRACEME", "PTRACE_PEEKTEXT", "PTRACE_PEEKDATA", "PTRACE_PEEKUSER",
    "PTRACE_POKETEXT", "PTRACE_POKEDATA", "PTRACE_POKEUSER", "PTRACE_CONT",
    "PTRACE_KILL", "PTRACE_SINGLESTEP", "", "",
    "PTRACE_GETREGS", "PTRACE_SETREGS", "PTRACE_GETFPREGS", "PTRACE_SETFPREGS",
    "PTRACE_ATTACH", "PTRACE_DETACH", "PTRACE_GETFPXREGS", "PTRACE_SETFPXREGS",
    "", "", "", "",
    "PTRACE_SYSCALL", "PTRACE_GET_THREAD_AREA", "PTRACE_SET_THREAD_AREA", "",
    "", "", "PTRACE_ARCH_PRCTL", "PTRACE_SYSEMU",
    "PTRACE_SYSEMU_SINGLESTEP", "PTRACE_SINGLEBLOCK"};
// PTRACE_SETOPTIONS (0x4200) and after.
constexpr std::string_view kPtraceRequests2[] = {
    "PTRACE_SETOPTIONS", "PTRACE_GETEVENTMSG", "PTRACE_GETSIGINFO", "PTRACE_SETSIGINFO",
    "PTRACE_GETREGSET", "PTRACE_SETREGSET", "PTRACE_SEIZE", "PTRACE_INTERRUPT",
    "PTRACE_LISTEN", "PTRACE_PEEKSIGINFO", "PTRACE_GETSIGMASK", "PTRACE_SETSIGMASK",
    "PTRACE_SECCOMP_GET_FILTER", "PTRACE_SECCOMP_GET_METADATA", "PTRACE_GET_SYSCALL_INFO"};

constexpr std::string_view kPrctlOptions[] = {
    "", "PR_SET_PDEATHSIG", "PR_GET_PDEATHSIG", "PR_GET_DUMPABLE", "PR_SET_DUMPABLE",
    "PR_GET_UNALIGN", "PR_SET_UNALIGN", "PR_GET_KEEPCAPS", "PR_SET_KEEPCAPS", "PR_GET_FPEMU",
    "PR_SET_FPEMU", "PR_GET_FPEXC", "PR_SET_FPEXC", "PR_GET_TIMING", "PR_SET_TIMING",
    "PR_SET_NAME", "PR_GET_NAME", "", "", "PR_GET_ENDIAN", "PR_SET_ENDIAN", "PR_GET_SECCOMP",
    "PR_SET_SECCOMP", "PR_CAPBSET_READ", "PR_CAPBSET_DROP", "PR_GET_TSC", "PR_SET_TSC",
    "PR_GET_SECUREBITS", "PR_SET_SECUREBITS", "PR_SET_TIMERSLACK", "PR_GET_TIMERSLACK",
    "PR_TASK_PERF_EVENTS_DISABLE", "PR_TASK_PERF_EVENTS_ENABLE", "PR_MCE_KILL",
    "PR_MCE_KILL_GET", "PR_SET_MM", "PR_SET_CHILD_SUBREAPER", "PR_GET_CHILD_SUBREAPER",
    "PR_SET_NO_NEW_PRIVS", "PR_GET_NO_NEW_PRIVS", "PR_GET_TID_ADDRESS", "PR_SET_THP_DISABLE",
    "PR_GET_THP_DISABLE", "PR_MPX_ENABLE_MANAGEMENT", "PR_MPX_DISABLE_MANAGEMENT",
    "PR_SET_FP_MODE", "PR_GET_FP_MODE", "PR_CAP_AMBIENT", "", "", "PR_SVE_SET_VL",
    "PR_SVE_GET_VL", "PR_GET_SPECULATION_CTRL", "PR_SET_SPECULATION_CTRL", "PR_PAC_RESET_KEYS",
    "PR_SET_TAGGED_ADDR_CTRL", "PR_GET_TAGGED_ADDR_CTRL"};

constexpr std::string_view kBpfCmds[] = {
    "BPF_MAP_CREATE", "BPF_MAP_LOOKUP_ELEM", "BPF_MAP_UPDATE_ELEM", "BPF_MAP_DELETE_ELEM",
    "BPF_MAP_GET_NEXT_KEY", "BPF_PROG_LOAD", "BPF_OBJ_PIN", "BPF_OBJ_GET", "BPF_PROG_ATTACH",
    "BPF_PROG_DETACH", "BPF_PROG_TEST_RUN", "BPF_PROG_GET_NEXT_ID", "BPF_MAP_GET_NEXT_ID",
    "BPF_PROG_GET_FD_BY_ID", "BPF_MAP_GET_FD_BY_ID", "BPF_OBJ_GET_INFO_BY_FD",
    "BPF_PROG_QUERY", "BPF_RAW_TRACEPOINT_OPEN", "BPF_BTF_LOAD", "BPF_BTF_GET_FD_BY_ID",
    "BPF_TASK_FD_QUERY", "BPF_MAP_LOOKUP_AND_DELETE_ELEM", "BPF_MAP_FREEZE",
    "BPF_BTF_GET_NEXT_ID"};

constexpr std::string_view kFcntlCmds[] = {
    "F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL", "F_GETLK", "F_SETLK", "F_SETLKW",
    "F_SETOWN", "F_GETOWN", "F_SETSIG", "F_GETSIG", "F_GETLK64", "F_SETLK64", "F_SETLKW64",
    "F_SETOWN_EX", "F_GETOWN_EX", "F_GETOWNER_UIDS"};
// F_SETLEASE (1024) and after.
constexpr std::string_view kFcntlCmds2[] = {
    "F_SETLEASE", "F_GETLEASE", "F_NOTIFY", "", "", "F_CANCELLK", "F_DUPFD_CLOEXEC",
    "F_SETPIPE_SZ", "F_GETPIPE_SZ", "F_ADD_SEALS", "F_GET_SEALS", "F_GET_RW_HINT",
    "F_SET_RW_HINT", "F_GET_FILE_RW_HINT", "F_SET_FILE_RW_HINT"};

constexpr std::string_view kSchedPolicies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
                                               "SCHED_BATCH", "",           "SCHED_IDLE",
                                               "SCHED_DEADLINE"};

constexpr BitName kMountFlags[] = {
    {0x1, "MS_RDONLY"},          {0x2, "MS_NOSUID"},          {0x4, "MS_NODEV"},
    {0x8, "MS_NOEXEC"},          {0x10, "MS_SYNCHRONOUS"},    {0x20, "MS_REMOUNT"},
    {0x40, "MS_MANDLOCK"},       {0x80, "MS_DIRSYNC"},        {0x400, "MS_NOATIME"},
    {0x800, "MS_NODIRATIME"},    {0x1000, "MS_BIND"},         {0x2000, "MS_MOVE"},
    {0x4000, "MS_REC"},          {0x8000, "MS_SILENT"},       {0x10000, "MS_POSIXACL"},
    {0x20000, "MS_UNBINDABLE"},  {0x40000, "MS_PRIVATE"},     {0x80000, "MS_SLAVE"},
    {0x100000, "MS_SHARED"},     {0x200000, "MS_RELATIME"},   {0x400000, "MS_KERNMOUNT"},
    {0x800000, "MS_I_VERSION"},  {0x1000000, "MS_STRICTATIME"}, {0x2000000, "MS_LAZYTIME"},
    {0x4000000, "MS_SUBMOUNT"},  {0x8000000, "MS_SNAP_STABLE"}, {0x10000000, "MS_NOSEC"},
    {0x20000000, "MS_BORN"},     {0x40000000, "MS_ACTIVE"},   {0x80000000, "MS_NOUSER"},
};

// Personas by the low byte of the personality (ADDR_NO_RANDOMIZE is said apart).
constexpr std::string_view kPersonas[] = {
    "PER_LINUX", "", "", "", "", "", "PER_BSD", "", "PER_LINUX32", "", "", "", "PER_RISCOS",
    "", "", "PER_OSF4", "PER_HPUX"};
constexpr uint64_t kAddrNoRandomize = 0x0040000;

constexpr std::string_view kNfProtos[] = {"unspecified", "inet", "ipv4",  "arp", "",
                                          "netdev",      "",     "bridge", "",   "",
                                          "ipv6",        "",     "decnet"};

constexpr std::string_view kIcmpTypes[] = {
    "echo-reply",   "",       "",          "destination-unreachable", "source-quench",
    "redirect",     "",       "",          "echo",                    "",
    "",             "time-exceeded",       "parameter-problem",       "timestamp-request",
    "timestamp-reply", "info-request",     "info-reply",              "address-mask-request",
    "address-mask-reply"};

constexpr std::string_view kHooks[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT",
                                       "POSTROUTING", "BROUTING"};

constexpr std::string_view kNetActions[] = {"ACCEPT", "DROP", "REJECT"};

// Sparse tables: (value, name), sorted by value.
struct ValueName {
  uint32_t value;
  std::string_view name;
};

// Socket option levels that are not IP protocols (SOL_SOCKET and SOL_* from 255).
constexpr ValueName kSockLevels[] = {
    {1, "SOL_SOCKET"}, {255, "SOL_RAW"}, {256, "SOL_IPX"}, {257, "SOL_AX25"}, {258, "SOL_ATALK"},
    {259, "SOL_NETROM"}, {260, "SOL_ROSE"}, {261, "SOL_DECNET"}, {263, "SOL_PACKET"},
    {264, "SOL_ATM"}, {265, "SOL_AAL"}, {266, "SOL_IRDA"}, {267, "SOL_NETBEUI"}, {268, "SOL_LLC"},
    {269, "SOL_DCCP"}, {270, "SOL_NETLINK"}, {271, "SOL_TIPC"}, {272, "SOL_RXRPC"},
    {273, "SOL_PPPOL2TP"}, {274, "SOL_BLUETOOTH"}, {275, "SOL_PNPIPE"}, {276, "SOL_RDS"},
    {277, "SOL_IUCV"}, {278, "SOL_CAIF"}, {279, "SOL_ALG"}, {280, "SOL_NFC"}, {281, "SOL_KCM"},
    {282, "SOL_TLS"}, {283, "SOL_XDP"},
};
constexpr ValueName kIpOptNames[] = {
    {1, "IP_TOS"}, {2, "IP_TTL"}, {3, "IP_HDRINCL"}, {4, "IP_OPTIONS"}, {5, "IP_ROUTER_ALERT"},
    {6, "IP_RECVOPTS"}, {7, "IP_RETOPTS"}, {8, "IP_PKTINFO"}, {9, "IP_PKTOPTIONS"},
    {10, "IP_MTU_DISCOVER"}, {11, "IP_RECVERR"}, {12, "IP_RECVTTL"}, {13, "IP_RECVTOS"},
    {14, "IP_MTU"}, {15, "IP_FREEBIND"}, {16, "IP_IPSEC_POLICY"}, {17, "IP_XFRM_POLICY"},
    {18, "IP_PASSSEC"}, {19, "IP_TRANSPARENT"}, {20, "IP_ORIGDSTADDR"}, {21, "IP_MINTTL"},
    {22, "IP_NODEFRAG"}, {23, "IP_CHECKSUM"}, {24, "IP_BIND_ADDRESS_NO_PORT"},
    {25, "IP_RECVFRAGSIZE"}, {32, "IP_MULTICAST_IF"}, {33, "IP_MULTICAST_TTL"},
    {34, "IP_MULTICAST_LOOP"}, {35, "IP_ADD_MEMBERSHIP"}, {36, "IP_DROP_MEMBERSHIP"},
    {37, "IP_UNBLOCK_SOURCE"}, {38, "IP_BLOCK_SOURCE"}, {39, "IP_ADD_SOURCE_MEMBERSHIP"},
    {40, "IP_DROP_SOURCE_MEMBERSHIP"}, {41, "IP_MSFILTER"}, {42, "MCAST_JOIN_GROUP"},
    {43, "MCAST_BLOCK_SOURCE"}, {44, "MCAST_UNBLOCK_SOURCE"}, {45, "MCAST_LEAVE_GROUP"},
    {46, "MCAST_JOIN_SOURCE_GROUP"}, {47, "MCAST_LEAVE_SOURCE_GROUP"}, {48, "MCAST_MSFILTER"},
    {49, "IP_MULTICAST_ALL"}, {50, "IP_UNICAST_IF"}, {64, "IPT_SO_SET_REPLACE"},
    {65, "IPT_SO_SET_ADD_COUNTERS"}, {66, "IPT_SO_GET_REVISION_TARGET"},
};
constexpr ValueName kSockOptNames[] = {
    {1, "SO_DEBUG"}, {2, "SO_REUSEADDR"}, {3, "SO_TYPE"}, {4, "SO_ERROR"}, {5, "SO_DONTROUTE"},
    {6, "SO_BROADCAST"}, {7, "SO_SNDBUF"}, {8, "SO_RCVBUF"}, {9, "SO_KEEPALIVE"},
    {10, "SO_OOBINLINE"}, {11, "SO_NO_CHECK"}, {12, "SO_PRIORITY"}, {13, "SO_LINGER"},
    {14, "SO_BSDCOMPAT"}, {15, "SO_REUSEPORT"}, {16, "SO_PASSCRED"}, {17, "SO_PEERCRED"},
    {18, "SO_RCVLOWAT"}, {19, "SO_SNDLOWAT"}, {20, "SO_RCVTIMEO"}, {21, "SO_SNDTIMEO"},
    {22, "SO_SECURITY_AUTHENTICATION"}, {23, "SO_SECURITY_ENCRYPTION_TRANSPORT"},
    {24, "SO_SECURITY_ENCRYPTION_NETWORK"}, {25, "SO_BINDTODEVICE"}, {26, "SO_ATTACH_FILTER"},
    {27, "SO_DETACH_FILTER"}, {28, "SO_PEERNAME"}, {29, "SO_TIMESTAMP"}, {30, "SO_ACCEPTCONN"},
    {31, "SO_PEERSEC"}, {32, "SO_SNDBUFFORCE"}, {33, "SO_RCVBUFFORCE"}, {34, "SO_PASSSEC"},
    {35, "SO_TIMESTAMPNS"}, {36, "SO_MARK"}, {37, "SO_TIMESTAMPING"}, {38, "SO_PROTOCOL"},
    {39, "SO_DOMAIN"}, {40, "SO_RXQ_OVFL"}, {41, "SO_WIFI_STATUS"}, {42, "SO_PEEK_OFF"},
    {43, "SO_NOFCS"}, {44, "SO_LOCK_FILTER"}, {45, "SO_SELECT_ERR_QUEUE"}, {46, "SO_BUSY_POLL"},
    {47, "SO_MAX_PACING_RATE"}, {48, "SO_BPF_EXTENSIONS"}, {49, "SO_INCOMING_CPU"},
    {50, "SO_ATTACH_BPF"}, {51, "SO_ATTACH_REUSEPORT_CBPF"}, {52, "SO_ATTACH_REUSEPORT_EBPF"},
    {53, "SO_CNX_ADVICE"}, {54, "SCM_TIMESTAMPING_OPT_STATS"}, {55, "SO_MEMINFO"},
    {56, "SO_INCOMING_NAPI_ID"}, {57, "SO_COOKIE"}, {58, "SCM_TIMESTAMPING_PKTINFO"},
    {59, "SO_PEERGROUPS"}, {60, "SO_ZEROCOPY"}, {61, "SO_TXTIME"}, {62, "SO_BINDTOIFINDEX"},
    {63, "SO_TIMESTAMP_NEW"}, {64, "SO_TIMESTAMPNS_NEW"}, {65, "SO_TIMESTAMPING_NEW"},
    {66, "SO_RCVTIMEO_NEW"}, {67, "SO_SNDTIMEO_NEW"}, {68, "SO_DETACH_REUSEPORT_BPF"},
    {116, "SO_RCVLOWAT"}, {117, "SO_SNDLOWAT"}, {118, "SO_RCVTIMEO"}, {119, "SO_SNDTIMEO"},
    {120, "SO_PASSCRED"}, {121, "SO_PEERCRED"},
};
constexpr ValueName kTcpOptNames[] = {
    {1, "TCP_NODELAY"}, {2, "TCP_MAXSEG"}, {3, "TCP_CORK"}, {4, "TCP_KEEPIDLE"},
    {5, "TCP_KEEPINTVL"}, {6, "TCP_KEEPCNT"}, {7, "TCP_SYNCNT"}, {8, "TCP_LINGER2"},
    {9, "TCP_DEFER_ACCEPT"}, {10, "TCP_WINDOW_CLAMP"}, {11, "TCP_INFO"}, {12, "TCP_QUICKACK"},
    {13, "TCP_CONGESTION"}, {14, "TCP_MD5SIG"}, {15, "TCP_COOKIE_TRANSACTIONS"},
    {16, "TCP_THIN_LINEAR_TIMEOUTS"}, {17, "TCP_THIN_DUPACK"}, {18, "TCP_USER_TIMEOUT"},
    {19, "TCP_REPAIR"}, {20, "TCP_REPAIR_QUEUE"}, {21, "TCP_QUEUE_SEQ"}, {22, "TCP_REPAIR_OPTIONS"},
    {23, "TCP_FASTOPEN"}, {24, "TCP_TIMESTAMP"}, {25, "TCP_NOTSENT_LOWAT"}, {26, "TCP_CC_INFO"},
    {27, "TCP_SAVE_SYN"}, {28, "TCP_SAVED_SYN"}, {29, "TCP_REPAIR_WINDOW"},
    {30, "TCP_FASTOPEN_CONNECT"}, {31, "TCP_ULP"}, {32, "TCP_MD5SIG_EXT"}, {33, "TCP_FASTOPEN_KEY"},
    {34, "TCP_FASTOPEN_NO_COOKIE"}, {35, "TCP_ZEROCOPY_RECEIVE"}, {36, "TCP_INQ"},
    {37, "TCP_TX_DELAY"},
};
constexpr ValueName kIp6OptNames[] = {
    {1, "IPV6_ADDRFORM"}, {2, "IPV6_2292PKTINFO"}, {3, "IPV6_2292HOPOPTS"}, {4, "IPV6_2292DSTOPTS"},
    {5, "IPV6_2292RTHDR"}, {6, "IPV6_2292PKTOPTIONS"}, {7, "IPV6_CHECKSUM"},
    {8, "IPV6_2292HOPLIMIT"}, {9, "IPV6_NEXTHOP"}, {10, "IPV6_AUTHHDR"}, {11, "IPV6_FLOWINFO"},
    {16, "IPV6_UNICAST_HOPS"}, {17, "IPV6_MULTICAST_IF"}, {18, "IPV6_MULTICAST_HOPS"},
    {19, "IPV6_MULTICAST_LOOP"}, {20, "IPV6_ADD_MEMBERSHIP"}, {21, "IPV6_DROP_MEMBERSHIP"},
    {22, "IPV6_ROUTER_ALERT"}, {23, "IPV6_MTU_DISCOVER"}, {24, "IPV6_MTU"}, {25, "IPV6_RECVERR"},
    {26, "IPV6_V6ONLY"}, {27, "IPV6_JOIN_ANYCAST"}, {28, "IPV6_LEAVE_ANYCAST"},
    {29, "IPV6_MULTICAST_ALL"}, {30, "IPV6_ROUTER_ALERT_ISOLATE"}, {32, "IPV6_FLOWLABEL_MGR"},
    {33, "IPV6_FLOWINFO_SEND"}, {34, "IPV6_IPSEC_POLICY"}, {35, "IPV6_XFRM_POLICY"},
    {36, "IPV6_HDRINCL"}, {42, "MCAST_JOIN_GROUP"}, {43, "MCAST_BLOCK_SOURCE"},
    {44, "MCAST_UNBLOCK_SOURCE"}, {45, "MCAST_LEAVE_GROUP"}, {46, "MCAST_JOIN_SOURCE_GROUP"},
    {47, "MCAST_LEAVE_SOURCE_GROUP"}, {48, "MCAST_MSFILTER"}, {49, "IPV6_RECVPKTINFO"},
    {50, "IPV6_PKTINFO"}, {51, "IPV6_RECVHOPLIMIT"}, {52, "IPV6_HOPLIMIT"},
    {53, "IPV6_RECVHOPOPTS"}, {54, "IPV6_HOPOPTS"}, {55, "IPV6_RTHDRDSTOPTS"},
    {56, "IPV6_RECVRTHDR"}, {57, "IPV6_RTHDR"}, {58, "IPV6_RECVDSTOPTS"}, {59, "IPV6_DSTOPTS"},
    {60, "IPV6_RECVPATHMTU"}, {61, "IPV6_PATHMTU"}, {62, "IPV6_DONTFRAG"}, {63, "IPV6_USE_MIN_MTU"},
    {64, "IP6T_SO_SET_REPLACE"}, {65, "IP6T_SO_SET_ADD_COUNTERS"}, {66, "IPV6_RECVTCLASS"},
    {67, "IPV6_TCLASS"}, {68, "IP6T_SO_GET_REVISION_MATCH"}, {69, "IP6T_SO_GET_REVISION_TARGET"},
    {70, "IPV6_AUTOFLOWLABEL"}, {72, "IPV6_ADDR_PREFERENCES"}, {73, "IPV6_MINHOPCOUNT"},
    {74, "IPV6_ORIGDSTADDR"}, {75, "IPV6_TRANSPARENT"}, {76, "IPV6_UNICAST_IF"},
    {77, "IPV6_RECVFRAGSIZE"}, {78, "IPV6_FREEBIND"},
};
constexpr ValueName kPacketOptNames[] = {
    {1, "PACKET_ADD_MEMBERSHIP"}, {2, "PACKET_DROP_MEMBERSHIP"}, {3, "PACKET_RECV_OUTPUT"},
    {5, "PACKET_RX_RING"}, {6, "PACKET_STATISTICS"}, {7, "PACKET_COPY_THRESH"},
    {8, "PACKET_AUXDATA"}, {9, "PACKET_ORIGDEV"}, {10, "PACKET_VERSION"}, {11, "PACKET_HDRLEN"},
    {12, "PACKET_RESERVE"}, {13, "PACKET_TX_RING"}, {14, "PACKET_LOSS"}, {15, "PACKET_VNET_HDR"},
    {16, "PACKET_TX_TIMESTAMP"}, {17, "PACKET_TIMESTAMP"}, {18, "PACKET_FANOUT"},
    {19, "PACKET_TX_HAS_OFF"}, {20, "PACKET_QDISC_BYPASS"}, {21, "PACKET_ROLLOVER_STATS"},
    {22, "PACKET_FANOUT_DATA"}, {23, "PACKET_IGNORE_OUTGOING"},
};

template <size_t N>
std::string_view FindValue(const ValueName (&table)[N], uint64_t v) {
  auto it = std::lower_bound(std::begin(table), std::end(table), v,
                             [](const ValueName& e, uint64_t x) { return e.value < x; });
  return it != std::end(table) && it->value == v ? it->name : std::string_view();
}

// Named keys of TTY input (control characters, and the escape sequences of terminals auparse
// knows). Where one sequence begins another, the longest that matches is the key.
constexpr struct {
  std::string_view seq;
  std::string_view name;
} kTtyKeys[] = {
    {"\x01", "^A"}, {"\x02", "^B"}, {"\x03", "^C"}, {"\x04", "^D"}, {"\x05", "^E"}, {"\x06", "^F"},
    {"\x07", "^G"}, {"\x08", "backspace"}, {"\x09", "tab"}, {"\x0a", "nl"}, {"\x0b", "^K"},
    {"\x0c", "^L"}, {"\x0d", "ret"}, {"\x0e", "^N"}, {"\x0f", "^O"}, {"\x10", "^P"}, {"\x11", "^Q"},
    {"\x12", "^R"}, {"\x13", "^S"}, {"\x14", "^T"}, {"\x15", "^U"}, {"\x16", "^V"}, {"\x17", "^W"},
    {"\x18", "^X"}, {"\x19", "^Y"}, {"\x1a", "^Z"}, {"\x1b", "esc"}, {"\x1b\x09", "back-tab"},
    {"\x1b" "A", "up"}, {"\x1b" "B", "down"}, {"\x1b" "C", "right"}, {"\x1b" "D", "left"},
    {"\x1b" "F", "end"}, {"\x1bJ", "clear"}, {"\x1bO2A", "scroll-backward"},
    {"\x1bO2B", "scroll-forward"}, {"\x1bO2C", "shift-right"}, {"\x1bO2D", "shift-left"},
    {"\x1bO2P", "F13"}, {"\x1bO2Q", "F14"}, {"\x1bO2R", "F15"}, {"\x1bO2S", "F16"},
    {"\x1bO3P", "F49"}, {"\x1bO3Q", "F50"}, {"\x1bO3R", "F51"}, {"\x1bO3S", "F52"},
    {"\x1bO4P", "F61"}, {"\x1bO4Q", "F62"}, {"\x1bO4R", "F63"}, {"\x1bO5C", "shift-right"},
    {"\x1bO5D", "shift-left"}, {"\x1bO5F", "shift-end"}, {"\x1bO5H", "shift-home"},
    {"\x1bO5P", "F25"}, {"\x1bO5Q", "F26"}, {"\x1bO5R", "F27"}, {"\x1bO5S", "F28"},
    {"\x1bO6P", "F37"}, {"\x1bO6Q", "F38"}, {"\x1bO6R", "F39"}, {"\x1bO6S", "F40"},
    {"\x1bOA", "up"}, {"\x1bOB", "down"}, {"\x1bOC", "right"}, {"\x1bOD", "left"}, {"\x1bOE", "B2"},
    {"\x1bOF", "end"}, {"\x1bOH", "home"}, {"\x1bOM", "send"}, {"\x1bOP", "F1"}, {"\x1bOQ", "F2"},
    {"\x1bOR", "F3"}, {"\x1bOS", "F4"}, {"\x1bOT", "F5"}, {"\x1bOU", "F6"}, {"\x1bOV", "F7"},
    {"\x1bOW", "F8"}, {"\x1bOX", "F9"}, {"\x1bOY", "F10"}, {"\x1bOZ", "F11"}, {"\x1bO[", "F12"},
    {"\x1bOl", "F8"}, {"\x1bOn", "C3"}, {"\x1bOp", "C1"}, {"\x1bOq", "C1"}, {"\x1bOr", "B2"},
    {"\x1bOs", "C3"}, {"\x1bOt", "F5"}, {"\x1bOu", "B2"}, {"\x1bOv", "F7"}, {"\x1bOw", "A1"},
    {"\x1bOx", "F10"}, {"\x1bOy", "A3"}, {"\x1bP", "delete"}, {"\x1bQ", "insert"},
    {"\x1bS", "page-down"}, {"\x1bT", "page-up"}, {"\x1b[11;2~", "F13"}, {"\x1b[11;3~", "F49"},
    {"\x1b[11;4~", "F61"}, {"\x1b[11;5~", "F25"}, {"\x1b[11;6~", "F37"}, {"\x1b[11^", "F23"},
    {"\x1b[11~", "F1"}, {"\x1b[12;2~", "F14"}, {"\x1b[12;3~", "F50"}, {"\x1b[12;4~", "F62"},
    {"\x1b[12;5~", "F26"}, {"\x1b[12;6~", "F38"}, {"\x1b[12^", "F24"}, {"\x1b[12~", "F2"},
    {"\x1b[13;2~", "F15"}, {"\x1b[13;3~", "F51"}, {"\x1b[13;4~", "F63"}, {"\x1b[13;5~", "F27"},
    {"\x1b[13;6~", "F39"}, {"\x1b[13^", "F25"}, {"\x1b[13~", "F3"}, {"\x1b[14;2~", "F16"},
    {"\x1b[14;3~", "F52"}, {"\x1b[14;5~", "F28"}, {"\x1b[14;6~", "F40"}, {"\x1b[14^", "F26"},
    {"\x1b[14~", "F4"}, {"\x1b[15;2~", "F17"}, {"\x1b[15;3~", "F53"}, {"\x1b[15;5~", "F29"},
    {"\x1b[15;6~", "F41"}, {"\x1b[15^", "F27"}, {"\x1b[15~", "F5"}, {"\x1b[17;2~", "F18"},
    {"\x1b[17;3~", "F54"}, {"\x1b[17;5~", "F30"}, {"\x1b[17;6~", "F42"}, {"\x1b[17^", "F28"},
    {"\x1b[17~", "F6"}, {"\x1b[18;2~", "F19"}, {"\x1b[18;3~", "F55"}, {"\x1b[18;5~", "F31"},
    {"\x1b[18;6~", "F43"}, {"\x1b[18^", "F29"}, {"\x1b[18~", "F7"}, {"\x1b[19;2~", "F20"},
    {"\x1b[19;3~", "F56"}, {"\x1b[19;5~", "F32"}, {"\x1b[19;6~", "F44"}, {"\x1b[19^", "F30"},
    {"\x1b[19~", "F8"}, {"\x1b[1;2A", "scroll-backward"}, {"\x1b[1;2B", "scroll-forward"},
    {"\x1b[1;2C", "shift-right"}, {"\x1b[1;2D", "shift-left"}, {"\x1b[1;2F", "shift-end"},
    {"\x1b[1;2H", "shift-home"}, {"\x1b[1~", "home"}, {"\x1b[2$", "shift-insert"},
    {"\x1b[20;2~", "F21"}, {"\x1b[20;3~", "F57"}, {"\x1b[20;5~", "F33"}, {"\x1b[20;6~", "F45"},
    {"\x1b[20^", "F31"}, {"\x1b[20~", "F9"}, {"\x1b[21;2~", "F22"}, {"\x1b[21;3~", "F58"},
    {"\x1b[21;5~", "F34"}, {"\x1b[21;6~", "F46"}, {"\x1b[21^", "F32"}, {"\x1b[21~", "F10"},
    {"\x1b[23$", "F21"}, {"\x1b[23;2~", "F23"}, {"\x1b[23;3~", "F59"}, {"\x1b[23;5~", "F35"},
    {"\x1b[23;6~", "F47"}, {"\x1b[23@", "F43"}, {"\x1b[23^", "F33"}, {"\x1b[23~", "F11"},
    {"\x1b[24$", "F22"}, {"\x1b[24;2~", "F24"}, {"\x1b[24;3~", "F60"}, {"\x1b[24;5~", "F36"},
    {"\x1b[24;6~", "F48"}, {"\x1b[24@", "F44"}, {"\x1b[24^", "F34"}, {"\x1b[24~", "F12"},
    {"\x1b[25^", "F35"}, {"\x1b[25~", "F13"}, {"\x1b[26^", "F36"}, {"\x1b[26~", "F14"},
    {"\x1b[28^", "F37"}, {"\x1b[28~", "F15"}, {"\x1b[29^", "F38"}, {"\x1b[29~", "F16"},
    {"\x1b[2;2~", "shift-insert"}, {"\x1b[2;5~", "shift-insert"}, {"\x1b[2z", "insert"},
    {"\x1b[2~", "insert"}, {"\x1b[3$", "shift-del"}, {"\x1b[30~", "insert-line"},
    {"\x1b[31^", "F39"}, {"\x1b[31~", "F17"}, {"\x1b[32^", "F40"}, {"\x1b[32~", "F18"},
    {"\x1b[33^", "F41"}, {"\x1b[33~", "F19"}, {"\x1b[34^", "F42"}, {"\x1b[34~", "F20"},
    {"\x1b[3;2~", "shift-del"}, {"\x1b[3;5~", "shift-del"}, {"\x1b[3z", "delete"},
    {"\x1b[3~", "delete"}, {"\x1b[4~", "end"}, {"\x1b[5$", "shift-previous"},
    {"\x1b[5;2~", "shift-previous"}, {"\x1b[5;5~", "shift-previous"}, {"\x1b[5~", "page-up"},
    {"\x1b[6$", "shift-next"}, {"\x1b[6;2~", "shift-next"}, {"\x1b[6;5~", "shift-next"},
    {"\x1b[6~", "page-down"}, {"\x1b[7$", "shift-home"}, {"\x1b[7~", "home"},
    {"\x1b[8$", "shift-end"}, {"\x1b[8^", "delete-eol"}, {"\x1b[8~", "end"}, {"\x1b[9", "delete"},
    {"\x1b[>M", "mouse"}, {"\x1b[@", "F41"}, {"\x1b[A", "up"}, {"\x1b[B", "down"},
    {"\x1b[C", "right"}, {"\x1b[D", "left"}, {"\x1b[E", "B2"}, {"\x1b[F", "end"}, {"\x1b[G", "B2"},
    {"\x1b[H", "home"}, {"\x1b[I", "page-up"}, {"\x1b[L", "insert"}, {"\x1b[M", "mouse"},
    {"\x1b[N", "F2"}, {"\x1b[O", "F3"}, {"\x1b[P", "F4"}, {"\x1b[Q", "F5"}, {"\x1b[R", "F6"},
    {"\x1b[S", "F7"}, {"\x1b[T", "F8"}, {"\x1b[U", "F9"}, {"\x1b[V", "F10"}, {"\x1b[W", "F11"},
    {"\x1b[X", "F12"}, {"\x1b[Y", "F13"}, {"\x1b[Z", "back-tab"}, {"\x1b[[", "F42"},
    {"\x1b[[A", "F1"}, {"\x1b[[B", "F2"}, {"\x1b[[C", "F3"}, {"\x1b[[D", "F4"}, {"\x1b[[E", "F5"},
    {"\x1b[\x5c", "F43"}, {"\x1b[]", "F44"}, {"\x1b[^", "F45"}, {"\x1b[_", "F46"},
    {"\x1b[`", "F47"}, {"\x1b[a", "F15"}, {"\x1b[b", "F16"}, {"\x1b[c", "shift-right"},
    {"\x1b[d", "shift-left"}, {"\x1b[e", "F19"}, {"\x1b[f", "F20"}, {"\x1b[g", "F21"},
    {"\x1b[h", "F22"}, {"\x1b[i", "F23"}, {"\x1b[j", "F24"}, {"\x1b[k", "F25"}, {"\x1b[l", "F26"},
    {"\x1b[m", "F27"}, {"\x1b[n", "F28"}, {"\x1b[o", "F29"}, {"\x1b[p", "F30"}, {"\x1b[q", "F31"},
    {"\x1b[r", "F32"}, {"\x1b[s", "F33"}, {"\x1b[t", "F34"}, {"\x1b[u", "F35"}, {"\x1b[v", "F36"},
    {"\x1b[w", "F37"}, {"\x1b[x", "F38"}, {"\x1b[y", "F39"}, {"\x1b[z", "F40"}, {"\x1b[{", "F48"},
    {"\x1bh", "home"}, {"\x1bp", "F1"}, {"\x1bq", "F2"}, {"\x1br", "F3"}, {"\x1bs", "F4"},
    {"\x1bt", "F5"}, {"\x1bu", "F6"}, {"\x1bv", "F7"}, {"\x1bw", "F8"}, {"\x7f", "backspace"},
};

// TTY input as auparse shows it: printable runs in quotes (\ooo for other bytes), named keys in
// angle brackets, comma-separated: "ls -l",<ret>,<up>.
void AppendTtyData(std::string_view raw, std::string* out) {
  if (!IsHexString(raw)) return AppendRaw(raw, out);
  size_t start = out->size();
  thread_local std::string bytes;  // TTY records are rare; the buffer is kept all the same
  bytes.clear();
  AppendHexDecoded(raw, &bytes);
  bool in_text = false;
  size_t i = 0;
  while (i < bytes.size()) {
    auto c = static_cast<unsigned char>(bytes[i]);
    std::string_view key;
    if (c < ' ' || (c >= 0x7f && c < 0xa0)) {
      std::string_view rest(bytes.data() + i, bytes.size() - i);
      size_t len = 0;
      for (const auto& k : kTtyKeys) {
        if (k.seq.size() > len && rest.substr(0, k.seq.size()) == k.seq) {
          key = k.name;
          len = k.seq.size();
        }
      }
      i += len;
    }
    if (!key.empty()) {
      if (in_text) out->push_back('"');
      in_text = false;
      if (out->size() != start) out->push_back(',');
      out->push_back('<');
      out->append(key.data(), key.size());
      out->push_back('>');
      continue;
    }
    if (!in_text) {
      if (out->size() != start) out->push_back(',');
      out->push_back('"');
      in_text = true;
    }
    if (c < 0x20 || c > 0x7e) {
      char buf[5] = {'\\', static_cast<char>('0' + ((c >> 6) & 7)),
                     static_cast<char>('0' + ((c >> 3) & 7)), static_cast<char>('0' + (c & 7)), 0};
      out->append(buf, 4);
    } else {
      if (c == '\\' || c == '"') out->push_back('\\');
      out->push_back(static_cast<char>(c));
    }
    ++i;
  }
  if (in_text) out->push_back('"');
}

// ---- per-syscall argument kinds ----------------------------------------------------------------

using A = ArgKind;
struct SyscallArgs {
  std::string_view name;
  std::array<ArgKind, 4> args;
};

// Sorted by name (checked once).
constexpr SyscallArgs kSyscallArgs[] = {
    {"access", {A::kHex, A::kAccess, A::kHex, A::kHex}},
    {"bpf", {A::kBpfCmd, A::kHex, A::kHex, A::kHex}},
    {"chmod", {A::kHex, A::kModeShort, A::kHex, A::kHex}},
    {"chown", {A::kHex, A::kUid, A::kHex, A::kHex}},
    {"clock_settime", {A::kClockId, A::kHex, A::kHex, A::kHex}},
    {"clone", {A::kHex, A::kHex, A::kCloneFlags, A::kHex}},
    {"creat", {A::kHex, A::kModeShort, A::kHex, A::kHex}},
    {"epoll_ctl", {A::kHex, A::kEpollCtl, A::kHex, A::kHex}},
    {"exit", {A::kExitCode, A::kHex, A::kHex, A::kHex}},
    {"exit_group", {A::kExitCode, A::kHex, A::kHex, A::kHex}},
    {"faccessat", {A::kDirfd, A::kHex, A::kAccess, A::kHex}},
    {"faccessat2", {A::kDirfd, A::kHex, A::kAccess, A::kHex}},
    {"fchmod", {A::kHex, A::kModeShort, A::kHex, A::kHex}},
    {"fchmodat", {A::kDirfd, A::kHex, A::kModeShort, A::kHex}},
    {"fchownat", {A::kDirfd, A::kHex, A::kHex, A::kHex}},
    {"fcntl", {A::kHex, A::kFcntlCmd, A::kFcntlArg, A::kHex}},
    {"fcntl64", {A::kHex, A::kFcntlCmd, A::kFcntlArg, A::kHex}},
    {"futimesat", {A::kDirfd, A::kHex, A::kHex, A::kHex}},
    {"getrlimit", {A::kRlimit, A::kHex, A::kHex, A::kHex}},
    {"getsockopt", {A::kHex, A::kSockOptLevel, A::kSockOptName, A::kHex}},
    {"ioctl", {A::kHex, A::kIoctlReq, A::kHex, A::kHex}},
    {"kill", {A::kHex, A::kSignal, A::kHex, A::kHex}},
    {"linkat", {A::kDirfd, A::kHex, A::kDirfd, A::kHex}},
    {"lseek", {A::kHex, A::kHex, A::kSeekWhence, A::kHex}},
    {"mkdir", {A::kHex, A::kModeShort, A::kHex, A::kHex}},
    {"mkdirat", {A::kDirfd, A::kHex, A::kModeShort, A::kHex}},
    {"mknod", {A::kHex, A::kModeFull, A::kHex, A::kHex}},
    {"mknodat", {A::kDirfd, A::kHex, A::kModeShort, A::kHex}},
    {"mmap", {A::kHex, A::kHex, A::kMmapProt, A::kMmapFlags}},
    {"mount", {A::kHex, A::kHex, A::kHex, A::kMountFlags}},
    {"mprotect", {A::kHex, A::kHex, A::kMprotectProt, A::kHex}},
    {"mq_open", {A::kHex, A::kOpenFlags, A::kModeIfCreat, A::kHex}},
    {"name_to_handle_at", {A::kDirfd, A::kHex, A::kHex, A::kHex}},
    {"newfstatat", {A::kDirfd, A::kHex, A::kHex, A::kHex}},
    {"open", {A::kHex, A::kOpenFlags, A::kModeIfCreat, A::kHex}},
    {"open_by_handle_at", {A::kHex, A::kHex, A::kOpenFlags, A::kHex}},
    {"openat", {A::kDirfd, A::kHex, A::kOpenFlags, A::kHex}},
    {"openat2", {A::kDirfd, A::kHex, A::kHex, A::kHex}},
    {"personality", {A::kPersonality, A::kHex, A::kHex, A::kHex}},
    {"prctl", {A::kPrctlOption, A::kPrctlArg, A::kHex, A::kHex}},
    {"ptrace", {A::kPtrace, A::kHex, A::kHex, A::kHex}},
    {"readlinkat", {A::kDirfd, A::kHex, A::kDirfd, A::kHex}},
    {"recvfrom", {A::kHex, A::kHex, A::kHex, A::kMsgFlags}},
    {"recvmmsg", {A::kHex, A::kHex, A::kHex, A::kMsgFlags}},
    {"recvmsg", {A::kHex, A::kHex, A::kMsgFlags, A::kHex}},
    {"renameat", {A::kDirfd, A::kHex, A::kDirfd, A::kHex}},
    {"renameat2", {A::kDirfd, A::kHex, A::kDirfd, A::kHex}},
    {"rt_sigaction", {A::kSignal, A::kHex, A::kHex, A::kHex}},
    {"sched_setscheduler", {A::kHex, A::kSchedPolicy, A::kHex, A::kHex}},
    {"sendmmsg", {A::kHex, A::kHex, A::kHex, A::kMsgFlags}},
    {"sendmsg", {A::kHex, A::kHex, A::kMsgFlags, A::kHex}},
    {"sendto", {A::kHex, A::kHex, A::kHex, A::kMsgFlags}},
    {"setfsgid", {A::kGid, A::kHex, A::kHex, A::kHex}},
    {"setfsuid", {A::kUid, A::kHex, A::kHex, A::kHex}},
    {"setgid", {A::kGid, A::kHex, A::kHex, A::kHex}},
    {"setns", {A::kHex, A::kCloneFlags, A::kHex, A::kHex}},
    {"setregid", {A::kGid, A::kGid, A::kHex, A::kHex}},
    {"setresgid", {A::kGid, A::kGid, A::kGid, A::kHex}},
    {"setresuid", {A::kUid, A::kUid, A::kUid, A::kHex}},
    {"setreuid", {A::kUid, A::kUid, A::kHex, A::kHex}},
    {"setrlimit", {A::kRlimit, A::kHex, A::kHex, A::kHex}},
    {"setsockopt", {A::kHex, A::kSockOptLevel, A::kSockOptName, A::kHex}},
    {"setuid", {A::kUid, A::kHex, A::kHex, A::kHex}},
    {"shmget", {A::kHex, A::kHex, A::kShmFlags, A::kHex}},
    {"socket", {A::kSockFamily, A::kSockType, A::kSockProto, A::kHex}},
    {"socketcall", {A::kSocketcall, A::kHex, A::kHex, A::kHex}},
    {"tgkill", {A::kHex, A::kHex, A::kSignal, A::kHex}},
    {"tkill", {A::kHex, A::kSignal, A::kHex, A::kHex}},
    {"umount2", {A::kHex, A::kUmountFlags, A::kHex, A::kHex}},
    {"unlinkat", {A::kDirfd, A::kHex, A::kHex, A::kHex}},
    {"unshare", {A::kCloneFlags, A::kHex, A::kHex, A::kHex}},
    {"utimensat", {A::kDirfd, A::kHex, A::kHex, A::kHex}},
};

static_assert(std::is_sorted(std::begin(kSyscallArgs), std::end(kSyscallArgs),
                             [](const SyscallArgs& a, const SyscallArgs& b) {
                               return a.name < b.name;
                             }),
              "kSyscallArgs must be sorted by name");

const std::array<ArgKind, 4>* FindSyscallArgs(std::string_view name) {
  auto it = std::lower_bound(std::begin(kSyscallArgs), std::end(kSyscallArgs), name,
                             [](const SyscallArgs& a, std::string_view n) { return a.name < n; });
  if (it == std::end(kSyscallArgs) || it->name != name) return nullptr;
  return &it->args;
}

// ---- field kinds -------------------------------------------------------------------------------

// file,644 / dir,755 / 000,suid,755 (no type bits) — auparse's mode.
void AppendMode(uint64_t mode, std::string* out) {
  switch (mode & S_IFMT) {
    case S_IFREG: out->append("file"); break;
    case S_IFDIR: out->append("dir"); break;
    case S_IFLNK: out->append("link"); break;
    case S_IFCHR: out->append("character"); break;
    case S_IFBLK: out->append("block"); break;
    case S_IFIFO: out->append("fifo"); break;
    case S_IFSOCK: out->append("socket"); break;
    default: AppendOctal3(static_cast<unsigned>((mode & S_IFMT) / 010000), out); break;
  }
  if (mode & S_ISUID) out->append(",suid");
  if (mode & S_ISGID) out->append(",sgid");
  if (mode & S_ISVTX) out->append(",sticky");
  out->push_back(',');
  AppendOctal3(static_cast<unsigned>(mode & 0777), out);
}

// 0644 / suid,sgid,0755 — permission bits only.
void AppendModeShort(uint64_t mode, std::string* out) {
  size_t start = out->size();
  auto add = [&](const char* s) {
    if (out->size() != start) out->push_back(',');
    out->append(s);
  };
  if (mode & S_ISUID) add("suid");
  if (mode & S_ISGID) add("sgid");
  if (mode & S_ISVTX) add("sticky");
  if (out->size() != start) out->push_back(',');
  out->push_back('0');
  AppendOctal3(static_cast<unsigned>(mode & 0777), out);
}

void AppendPerm(uint64_t perm, std::string* out) {
  if (perm == 0) perm = 0xf;  // the kernel treats no permission as all of them
  static constexpr BitName kPerm[] = {{AUDIT_PERM_READ, "read"},
                                      {AUDIT_PERM_WRITE, "write"},
                                      {AUDIT_PERM_EXEC, "exec"},
                                      {AUDIT_PERM_ATTR, "attr"}};
  AppendBits(perm, kPerm, ',', out);
}

void AppendCapBitmap(uint64_t bits, std::string* out) {
  bool first = true;
  for (size_t i = 0; i < std::size(kCapNames); ++i) {
    if (!(bits & (1ull << i))) continue;
    if (!first) out->push_back(',');
    out->append(kCapNames[i].data(), kCapNames[i].size());
    first = false;
  }
  if (first) out->append("none");
}

void AppendOpenFlags(uint64_t flags, std::string* out) {
  bool first = true;
  if ((flags & O_ACCMODE) == 0) {
    out->append("O_RDONLY");
    first = false;
  }
  AppendBits(flags, kOpenFlags, '|', out, first);
}

// Flags joined by '|', or 0x<raw> when none is set.
template <size_t N>
void AppendFlagsOrHex(uint64_t v, const BitName (&table)[N], std::string_view raw,
                      std::string* out) {
  if (AppendBits(v, table, '|', out) == 0) {
    out->append("0x");
    AppendRaw(raw, out);
  }
}

void AppendSignal(uint64_t v, std::string_view raw, bool hex, std::string* out) {
  int32_t sig = static_cast<int32_t>(v);
  if (sig >= 0 && sig < 32) {
    out->append(kSignals[sig].data(), kSignals[sig].size());
    return;
  }
  out->append(hex ? "unknown-signal(0x" : "unknown-signal(");
  AppendRaw(raw, out);
  out->push_back(')');
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendHex32(uint64_t v, std::string* out) {
  char buf[16];
  int n = snprintf(buf, sizeof(buf), "0x%x", static_cast<unsigned>(v));
  out->append(buf, n);
}

void AppendPersonality(uint64_t v, std::string_view raw, std::string* out) {
  std::string_view name = Lookup(kPersonas, (v & ~kAddrNoRandomize) & 0xff);
  if (name.empty()) return AppendUnknown("unknown-personality(0x", raw, out);
  out->append(name.data(), name.size());
  if (v & kAddrNoRandomize) out->append("|~ADDR_NO_RANDOMIZE");
}

// A name from a table, or "<unknown-prefix><raw>)".
template <size_t N>
void AppendNamed(const std::string_view (&table)[N], uint64_t i, std::string_view unknown,
                 std::string_view raw, std::string* out) {
  std::string_view name = Lookup(table, i);
  if (name.empty()) return AppendUnknown(unknown, raw, out);
  out->append(name.data(), name.size());
}

}  // namespace

ValueDecoder::ValueDecoder() = default;

void ValueDecoder::AppendEscaped(std::string_view raw, std::string* out) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
    out->append(raw.data() + 1, raw.size() - 2);
    return;
  }
  if (AppendHexDecoded(raw, out)) return;
  AppendRaw(raw, out);
}

void ValueDecoder::SplitEscaped(std::string_view raw, char separator, std::string* storage,
                                std::vector<uint32_t>* ends, bool skip_empty) {
  size_t begin = storage->size();
  AppendEscaped(raw, storage);
  // Trailing separators end the last part rather than start an empty one.
  while (storage->size() > begin && storage->back() == separator) storage->pop_back();
  if (skip_empty) {
    // Drop empty parts (a leading or doubled separator) by compacting the storage.
    size_t w = begin;
    bool part_empty = true;
    for (size_t r = begin; r < storage->size(); ++r) {
      char c = (*storage)[r];
      if (c == separator && part_empty) continue;
      part_empty = c == separator;
      (*storage)[w++] = c;
    }
    storage->resize(w);
  }
  for (size_t i = begin; i < storage->size(); ++i) {
    if ((*storage)[i] == separator) ends->push_back(static_cast<uint32_t>(i));
  }
  ends->push_back(static_cast<uint32_t>(storage->size()));
}

std::string_view ValueDecoder::ArchName(std::string_view arch_raw) {
  uint64_t elf = 0;
  if (!ParseHexU64(arch_raw, &elf)) return {};
  int machine = audit_elf_to_machine(static_cast<unsigned>(elf));
  if (machine < 0) return {};
  const char* name = audit_machine_to_name(machine);
  return name ? std::string_view(name) : std::string_view();
}

SyscallContext ValueDecoder::ContextOf(std::string_view arch_raw, std::string_view syscall_raw,
                                       std::string_view a0_raw, std::string_view a1_raw) {
  SyscallContext ctx;
  if (arch_raw == last_arch_raw_) {
    ctx.machine = last_machine_;
  } else {
    uint64_t elf = 0;
    if (ParseHexU64(arch_raw, &elf)) ctx.machine = audit_elf_to_machine(static_cast<unsigned>(elf));
    last_arch_raw_.assign(arch_raw.data(), arch_raw.size());
    last_machine_ = ctx.machine;
  }
  ctx.a0 = PrefixOr0(a0_raw, 16);
  ctx.a1 = PrefixOr0(a1_raw, 16);
  // An absent or empty syscall field (hostile input) is not cached: its data() may be null.
  const bool slot_fits = !syscall_raw.empty() && syscall_raw.size() < sizeof(SyscallSlot::raw);
  if (slot_fits) {
    for (const SyscallSlot& s : syscall_slots_) {
      if (s.len == syscall_raw.size() && s.machine == ctx.machine &&
          std::memcmp(s.raw, syscall_raw.data(), s.len) == 0) {
        ctx.syscall = s.syscall;
        ctx.args = s.args;
        return ctx;
      }
    }
  }
  uint64_t nr = 0;
  if (!syscall_raw.empty() && ParsePrefix(syscall_raw, 10, &nr) && nr < 100000) {
    ctx.syscall = static_cast<int>(nr);
  }
  ctx.args = ArgKindsOf(ctx.machine, ctx.syscall);
  if (slot_fits) {
    SyscallSlot& s = syscall_slots_[next_syscall_slot_];
    next_syscall_slot_ ^= 1;
    std::memcpy(s.raw, syscall_raw.data(), syscall_raw.size());
    s.len = static_cast<uint8_t>(syscall_raw.size());
    s.machine = ctx.machine;
    s.syscall = ctx.syscall;
    s.args = ctx.args;
  }
  return ctx;
}

std::string_view ValueDecoder::SyscallName(int machine, int number) {
  if (machine < 0 || number < 0 || number > 4095) return {};
  if (static_cast<size_t>(machine) >= syscall_names_.size()) syscall_names_.resize(machine + 1);
  auto& table = syscall_names_[machine];
  if (table.empty()) {
    table.resize(4096);
    for (int i = 0; i < 4096; ++i) {
      const char* n = audit_syscall_to_name(i, machine);
      if (n) table[i] = n;
    }
  }
  return table[number];
}

const std::array<ArgKind, 4>* ValueDecoder::ArgKindsOf(int machine, int number) {
  std::string_view name = SyscallName(machine, number);
  if (name.empty()) return nullptr;
  if (static_cast<size_t>(machine) >= arg_kinds_.size()) arg_kinds_.resize(machine + 1);
  auto& table = arg_kinds_[machine];
  if (table.empty()) {
    table.resize(4096);
    for (int i = 0; i < 4096; ++i) table[i] = FindSyscallArgs(SyscallName(machine, i));
  }
  return table[number];
}

void ValueDecoder::AppendId(int32_t id, bool group, std::string* out) {
  if (id == -1) {
    out->append("unset");
    return;
  }
  if (id == 0) {
    out->append("root");
    return;
  }
  std::string_view name = group ? ids_.Group(static_cast<uint32_t>(id))
                                : ids_.User(static_cast<uint32_t>(id));
  if (name.empty()) {
    out->append("unknown(");
    AppendI64(id, out);
    out->push_back(')');
  } else {
    out->append(name.data(), name.size());
  }
}

void ValueDecoder::AppendProtocol(int number, std::string* out) {
  auto it = protocols_.find(number);
  if (it == protocols_.end()) {
    std::string name;
    protoent ent;
    protoent* result = nullptr;
    char buf[1024];
    if (getprotobynumber_r(number, &ent, buf, sizeof(buf), &result) == 0 && result != nullptr) {
      name = result->p_name;
    }
    it = protocols_.emplace(number, std::move(name)).first;
  }
  out->append(it->second);
}

void ValueDecoder::AppendArg(int index, std::string_view raw, const SyscallContext& ctx,
                             std::string* out) {
  ArgKind kind = ctx.args ? (*ctx.args)[index] : ArgKind::kHex;
  uint64_t v = PrefixOr0(raw, 16);
  switch (kind) {
    case ArgKind::kHex:
      break;
    case ArgKind::kDirfd:
      if (static_cast<int32_t>(v) == -100) {
        out->append("AT_FDCWD");
        return;
      }
      break;
    case ArgKind::kModeShort:
      return AppendModeShort(v, out);
    case ArgKind::kModeFull:
      return AppendMode(v, out);
    case ArgKind::kUid:
    case ArgKind::kGid:
      return AppendId(static_cast<int32_t>(v), kind == ArgKind::kGid, out);
    case ArgKind::kSignal:
      return AppendSignal(v, raw, true, out);
    case ArgKind::kOpenFlags:
      return AppendOpenFlags(v, out);
    case ArgKind::kModeIfCreat:
      if (ctx.a1 & O_CREAT) return AppendModeShort(v, out);
      break;
    case ArgKind::kAccess:
      if ((v & 0xf) == 0) {
        out->append("F_OK");
        return;
      }
      return AppendFlagsOrHex(v, kAccessModes, raw, out);
    case ArgKind::kMsgFlags:
      return AppendFlagsOrHex(v, kMsgFlags, raw, out);
    case ArgKind::kExitCode:
      out->append(raw == "0" ? "EXIT_SUCCESS" : raw == "1" ? "EXIT_FAILURE" : "UNKNOWN");
      return;
    case ArgKind::kSockFamily: {
      std::string_view name = Lookup(kFamilies, v);
      if (name.empty()) return AppendUnknown("unknown-family(0x", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kSockType: {
      std::string_view name = Lookup(kSockTypes, v & 0xff);
      if (name.empty()) return AppendUnknown("unknown-type(", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kSockProto: {
      size_t before = out->size();
      if (v <= 0xffff) AppendProtocol(static_cast<int>(v), out);
      if (out->size() == before) AppendUnknown("unknown-proto(", raw, out);
      return;
    }
    case ArgKind::kCloneFlags: {
      int n = AppendBits(v, kCloneFlags, '|', out);
      uint64_t sig = v & 0xff;
      if (sig != 0 && sig < 32) {
        if (n > 0) out->push_back('|');
        out->append(kSignals[sig].data(), kSignals[sig].size());
        ++n;
      }
      if (n == 0) AppendHex32(v, out);
      return;
    }
    case ArgKind::kMmapProt:
    case ArgKind::kMprotectProt: {
      if ((v & 7) == 0) {
        out->append("PROT_NONE");
        return;
      }
      uint64_t mask = kind == ArgKind::kMmapProt ? 0xf : 0x7;
      return AppendFlagsOrHex(v & mask, kProt, raw, out);
    }
    case ArgKind::kMmapFlags: {
      bool first = true;
      if ((v & 0xf) == 0) {
        out->append("MAP_FILE");
        first = false;
      }
      if (AppendBits(v, kMmapFlags, '|', out, first) == 0 && first) {
        out->append("0x");
        AppendRaw(raw, out);
      }
      return;
    }
    case ArgKind::kUmountFlags:
      return AppendFlagsOrHex(v, kUmountFlags, raw, out);
    case ArgKind::kSeekWhence: {
      std::string_view name = Lookup(kSeekWhence, v & 0xff);
      if (name.empty()) return AppendUnknown("unknown-whence(", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kRlimit: {
      std::string_view name = Lookup(kRlimits, v);
      if (name.empty()) return AppendUnknown("unknown-rlimit(0x", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kEpollCtl: {
      std::string_view name = Lookup(kEpollCtl, v);
      if (name.empty()) {
        out->append("unknown-epoll_ctl-operation(");
        AppendI64(static_cast<int32_t>(v), out);
        out->push_back(')');
        return;
      }
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kClockId: {
      std::string_view name = Lookup(kClocks, v);
      if (name.empty()) return AppendUnknown("unknown-clk_id(0x", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kSocketcall:
      return AppendNamed(kSocketcalls, v, "unknown-socketcall(", raw, out);
    case ArgKind::kPtrace:
      if (v >= 0x4200) return AppendNamed(kPtraceRequests2, v - 0x4200, "unknown-ptrace(0x", raw, out);
      return AppendNamed(kPtraceRequests, v, "unknown-ptrace(0x", raw, out);
    case ArgKind::kPrctlOption:
      return AppendNamed(kPrctlOptions, v, "unknown-prctl-option(0x", raw, out);
    case ArgKind::kPrctlArg:
      if (ctx.a0 == 1) return AppendSignal(v, raw, true, out);  // PR_SET_PDEATHSIG
      if (ctx.a0 == 23 || ctx.a0 == 24) {                       // PR_CAPBSET_READ, _DROP
        if (v < std::size(kCapNames)) {
          out->append(kCapNames[v].data(), kCapNames[v].size());
          return;
        }
        return AppendUnknown("unknown-capability(0x", raw, out);
      }
      break;
    case ArgKind::kBpfCmd:
      return AppendNamed(kBpfCmds, v, "unknown-bpf-cmd(", raw, out);
    case ArgKind::kFcntlCmd: {
      std::string_view name = v >= 1024 ? Lookup(kFcntlCmds2, v - 1024) : Lookup(kFcntlCmds, v);
      if (name.empty()) {
        out->append("unknown-fcntl-command(");
        AppendI64(static_cast<int32_t>(v), out);
        out->push_back(')');
        return;
      }
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kFcntlArg:
      if (ctx.a1 == 8) return AppendId(static_cast<int32_t>(v), false, out);  // F_SETOWN
      if (ctx.a1 == 2 && v == 1) {                                           // F_SETFD
        out->append("FD_CLOEXEC");
        return;
      }
      break;
    case ArgKind::kSchedPolicy: {
      std::string_view name = Lookup(kSchedPolicies, v & 0xf);
      if (name.empty()) return AppendUnknown("unknown-scheduler-policy(0x", raw, out);
      out->append(name.data(), name.size());
      if (v & 0x40000000) out->append("|SCHED_RESET_ON_FORK");
      return;
    }
    case ArgKind::kMountFlags:
      return AppendFlagsOrHex(v, kMountFlags, raw, out);
    case ArgKind::kPersonality:
      return AppendPersonality(v, raw, out);
    case ArgKind::kIoctlReq:
      return AppendHex32(v, out);
    case ArgKind::kSockOptLevel: {
      if (v == 1) {
        out->append("SOL_SOCKET");
        return;
      }
      size_t before = out->size();
      if (v <= 0xffff) AppendProtocol(static_cast<int>(v), out);
      if (out->size() != before) return;
      std::string_view name = FindValue(kSockLevels, v);
      if (name.empty()) return AppendUnknown("unknown-sockopt-level(0x", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kSockOptName: {
      std::string_view name;
      std::string_view unknown;
      switch (ctx.a1) {
        case 0: name = FindValue(kIpOptNames, v); unknown = "unknown-ipopt-name(0x"; break;
        case 1: name = FindValue(kSockOptNames, v); unknown = "unknown-sockopt-name(0x"; break;
        case 6: name = FindValue(kTcpOptNames, v); unknown = "unknown-tcpopt-name(0x"; break;
        case 17:
          name = v == 1 ? "UDP_CORK" : v == 100 ? "UDP_ENCAP" : "";
          unknown = "unknown-udpopt-name(0x";
          break;
        case 41: name = FindValue(kIp6OptNames, v); unknown = "unknown-ip6opt-name(0x"; break;
        case 263: name = FindValue(kPacketOptNames, v); unknown = "unknown-pktopt-name(0x"; break;
        default: break;
      }
      if (unknown.empty()) break;
      if (name.empty()) return AppendUnknown(unknown, raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kShmFlags: {
      if (AppendBits(v, kShmFlags, '|', out) > 0) out->push_back('|');
      return AppendModeShort(v & 0777, out);
    }
  }
  out->append("0x");
  AppendRaw(raw, out);
}

void ValueDecoder::Decode(FieldKind kind, std::string_view raw, const SyscallContext& ctx,
                          std::string* out) {
  switch (kind) {
    case FieldKind::kPlain:
    case FieldKind::kSockaddr:  // structured: see DecodeSockAddr
      return AppendRaw(raw, out);
    case FieldKind::kUid:
    case FieldKind::kGid:
      return AppendId(static_cast<int32_t>(PrefixOr0(raw, 10)), kind == FieldKind::kGid, out);
    case FieldKind::kSyscall: {
      uint64_t nr = 0;
      if (!ParsePrefix(raw, 10, &nr)) return AppendRaw(raw, out);
      std::string_view name = SyscallName(ctx.machine, static_cast<int>(nr));
      if (name.empty()) {
        out->append("unknown-syscall(");
        AppendI64(static_cast<int32_t>(nr), out);
        out->push_back(')');
        return;
      }
      out->append(name.data(), name.size());
      if (name == "socketcall" || name == "ipc") {
        std::string_view call = name == "socketcall" ? Lookup(kSocketcalls, ctx.a0)
                                                     : std::string_view();
        if (!call.empty()) {
          out->push_back('(');
          out->append(call.data(), call.size());
          out->push_back(')');
        }
      }
      return;
    }
    case FieldKind::kArch: {
      std::string_view name = ArchName(raw);
      if (name.empty()) return AppendUnknown("unknown-elf-type(", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case FieldKind::kExit: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
      if (ec != std::errc() || v >= 0 || v < -INT32_MAX) return AppendRaw(raw, out);
      int err = static_cast<int>(-v);
      const char* name = audit_errno_to_name(err);
      const char* desc = strerrordesc_np(err);
      if (name == nullptr || desc == nullptr) return AppendRaw(raw, out);
      out->append(name);
      out->push_back('(');
      out->append(desc);
      out->push_back(')');
      return;
    }
    case FieldKind::kEscaped:
    case FieldKind::kExecveArg:
    case FieldKind::kKey:
    case FieldKind::kProctitle:
      return AppendEscaped(raw, out);
    case FieldKind::kPerm:
      return AppendPerm(PrefixOr0(raw, 10), out);
    case FieldKind::kMode:
      return AppendMode(PrefixOr0(raw, 8), out);
    case FieldKind::kModeShort:
      return AppendModeShort(PrefixOr0(raw, 8), out);
    case FieldKind::kSuccess:
      if (raw.empty() || !IsDigit(raw[0])) return AppendRaw(raw, out);
      switch (PrefixOr0(raw, 10)) {
        case 0: out->append("no"); return;
        case 1: out->append("yes"); return;
        default: out->append("unset"); return;
      }
    case FieldKind::kA0:
      return AppendArg(0, raw, ctx, out);
    case FieldKind::kA1:
      return AppendArg(1, raw, ctx, out);
    case FieldKind::kA2:
      return AppendArg(2, raw, ctx, out);
    case FieldKind::kA3:
      return AppendArg(3, raw, ctx, out);
    case FieldKind::kSignal:
      return AppendSignal(PrefixOr0(raw, 10), raw, false, out);
    case FieldKind::kList: {
      const char* name = audit_flag_to_name(static_cast<int>(PrefixOr0(raw, 10)));
      if (name == nullptr) return AppendUnknown("unknown-list(", raw, out);
      out->append(name);
      return;
    }
    case FieldKind::kSession:
      if (raw == "4294967295") {
        out->append("unset");
        return;
      }
      return AppendRaw(raw, out);
    case FieldKind::kCapBitmap:
      return AppendCapBitmap(PrefixOr0(raw, 16), out);
    case FieldKind::kCapability: {
      uint64_t cap = PrefixOr0(raw, 10);
      if (cap < std::size(kCapNames)) {
        out->append(kCapNames[cap].data(), kCapNames[cap].size());
        return;
      }
      return AppendUnknown("unknown-capability(", raw, out);
    }
    case FieldKind::kPromisc:
      out->append(PrefixOr0(raw, 10) == 0 ? "no" : "yes");
      return;
    case FieldKind::kNfProto: {
      std::string_view name = Lookup(kNfProtos, PrefixOr0(raw, 10));
      if (name.empty()) return AppendUnknown("unknown-netfilter-protocol(", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case FieldKind::kIcmpType: {
      std::string_view name = Lookup(kIcmpTypes, PrefixOr0(raw, 10));
      if (name.empty()) return AppendUnknown("unknown-icmp-type(", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case FieldKind::kProtocol: {
      size_t before = out->size();
      uint64_t p = PrefixOr0(raw, 10);
      if (p <= 0xffff) AppendProtocol(static_cast<int>(p), out);
      if (out->size() == before) out->append("undefined protocol");
      return;
    }
    case FieldKind::kSeccomp: {
      switch (PrefixOr0(raw, 16) & 0x7fff0000u) {
        case 0x00000000: out->append("kill"); return;
        case 0x00030000: out->append("trap"); return;
        case 0x00050000: out->append("errno"); return;
        case 0x7ff00000: out->append("trace"); return;
        case 0x7ffc0000: out->append("log"); return;
        case 0x7fff0000: out->append("allow"); return;
        default: return AppendUnknown("unknown-seccomp-code(", raw, out);
      }
    }
    case FieldKind::kOpenFlags:
      return AppendOpenFlags(PrefixOr0(raw, 16), out);
    case FieldKind::kMmapFlags: {
      SyscallContext none;
      static constexpr std::array<ArgKind, 4> kFlags = {ArgKind::kMmapFlags, ArgKind::kHex,
                                                        ArgKind::kHex, ArgKind::kHex};
      none.args = &kFlags;
      return AppendArg(0, raw, none, out);
    }
    case FieldKind::kPathFlags:
      if (PrefixOr0(raw, 16) == 0) {
        out->append("none");
        return;
      }
      return AppendRaw(raw, out);
    case FieldKind::kHook: {
      std::string_view name = Lookup(kHooks, PrefixOr0(raw, 16));
      if (name.empty()) return AppendUnknown("unknown-hook(", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case FieldKind::kNetAction: {
      std::string_view name = Lookup(kNetActions, PrefixOr0(raw, 16));
      if (name.empty()) return AppendUnknown("unknown-action(", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case FieldKind::kMacProto: {
      uint64_t t = PrefixOr0(raw, 16);
      out->append(t == 0x0800 ? "IP" : t == 0x0806 ? "ARP" : "UNKNOWN");
      return;
    }
    case FieldKind::kFanotify:
      if (raw.empty() || !IsDigit(raw[0])) return AppendRaw(raw, out);
      switch (PrefixOr0(raw, 10)) {
        case 1: out->append("allow"); return;
        case 2: out->append("deny"); return;
        default: out->append("unknown"); return;
      }
    case FieldKind::kNlMcgrp:
      out->append(PrefixOr0(raw, 10) == 1 ? "audit-netlink-multicast" : "audit-none");
      return;
    case FieldKind::kResolve:
      return AppendFlagsOrHex(PrefixOr0(raw, 16), kResolveFlags, raw, out);
    case FieldKind::kPersonality:
      return AppendPersonality(PrefixOr0(raw, 16), raw, out);
    case FieldKind::kIoctlReq:
      return AppendHex32(PrefixOr0(raw, 16), out);
    case FieldKind::kTtyData:
      return AppendTtyData(raw, out);
  }
}

}  // namespace auditlens
