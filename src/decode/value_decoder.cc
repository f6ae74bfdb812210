#include "decode/value_decoder.h"

#include <fcntl.h>
#include <libaudit.h>
#include <signal.h>
#include <sys/stat.h>

#include <charconv>
#include <cstring>

#include "decode/hex.h"

namespace auditlens {
namespace {

constexpr const char* kCapNames[] = {
    "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
    "setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw",
    "ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
    "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod",
    "lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
    "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore"};
constexpr int kCapCount = sizeof(kCapNames) / sizeof(kCapNames[0]);

template <typename T>
bool ParseDec(std::string_view s, T* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

void AppendU64(uint64_t v, std::string* out) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, p - buf);
}

void AppendRaw(std::string_view raw, std::string* out) { out->append(raw.data(), raw.size()); }

void AppendMode(std::string_view raw, std::string* out) {
  unsigned mode = 0;
  auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), mode, 8);
  if (ec != std::errc() || p != raw.data() + raw.size()) return AppendRaw(raw, out);
  const char* type = nullptr;
  switch (mode & S_IFMT) {
    case S_IFREG: type = "file"; break;
    case S_IFDIR: type = "dir"; break;
    case S_IFLNK: type = "link"; break;
    case S_IFCHR: type = "character"; break;
    case S_IFBLK: type = "block"; break;
    case S_IFIFO: type = "fifo"; break;
    case S_IFSOCK: type = "socket"; break;
  }
  size_t start = out->size();
  if (type) out->append(type);
  auto add = [&](const char* s) {
    if (out->size() != start) out->push_back(',');
    out->append(s);
  };
  if (mode & S_ISUID) add("suid");
  if (mode & S_ISGID) add("sgid");
  if (mode & S_ISVTX) add("sticky");
  char perms[8];
  snprintf(perms, sizeof(perms), "%03o", mode & 0777);
  add(perms);
}

void AppendPerm(std::string_view raw, std::string* out) {
  unsigned perm = 0;
  if (!ParseDec(raw, &perm)) return AppendRaw(raw, out);
  if (perm == 0) { out->append("none"); return; }
  size_t start = out->size();
  auto add = [&](const char* s) {
    if (out->size() != start) out->push_back(',');
    out->append(s);
  };
  if (perm & AUDIT_PERM_READ) add("read");
  if (perm & AUDIT_PERM_WRITE) add("write");
  if (perm & AUDIT_PERM_EXEC) add("exec");
  if (perm & AUDIT_PERM_ATTR) add("attr");
}

void AppendCapBitmap(std::string_view raw, std::string* out) {
  uint64_t bits = 0;
  if (!ParseHexU64(raw, &bits)) return AppendRaw(raw, out);
  if (bits == 0) { out->append("none"); return; }
  size_t start = out->size();
  for (int i = 0; i < 64; ++i) {
    if (!(bits & (1ull << i))) continue;
    if (out->size() != start) out->push_back(',');
    if (i < kCapCount) {
      out->append(kCapNames[i]);
    } else {
      out->append("cap_");
      AppendU64(static_cast<uint64_t>(i), out);
    }
  }
}

void AppendOpenFlags(uint64_t flags, std::string* out) {
  switch (flags & O_ACCMODE) {
    case O_RDONLY: out->append("O_RDONLY"); break;
    case O_WRONLY: out->append("O_WRONLY"); break;
    case O_RDWR: out->append("O_RDWR"); break;
    default: out->append("O_ACCMODE"); break;
  }
  static constexpr struct {
    uint64_t bit;
    const char* name;
  } kFlags[] = {
      {O_CREAT, "O_CREAT"},       {O_EXCL, "O_EXCL"},         {O_NOCTTY, "O_NOCTTY"},
      {O_TRUNC, "O_TRUNC"},       {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"},
      {O_DSYNC, "O_DSYNC"},       {O_ASYNC, "O_ASYNC"},       {O_DIRECT, "O_DIRECT"},
      {O_LARGEFILE, "O_LARGEFILE"}, {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},
      {O_NOATIME, "O_NOATIME"},   {O_CLOEXEC, "O_CLOEXEC"},   {O_SYNC & ~O_DSYNC, "O_SYNC"},
      {O_PATH, "O_PATH"},         {O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE"},
  };
  for (const auto& f : kFlags) {
    if (flags & f.bit) {
      out->push_back('|');
      out->append(f.name);
    }
  }
}

bool IsAtSyscall(std::string_view name) {
  static constexpr std::string_view kAt[] = {
      "openat", "openat2", "mkdirat", "mknodat", "fchownat", "futimesat", "newfstatat",
      "fstatat64", "unlinkat", "renameat", "renameat2", "linkat", "readlinkat", "fchmodat",
      "fchmodat2", "faccessat", "faccessat2", "utimensat", "execveat", "statx", "name_to_handle_at"};
  for (std::string_view s : kAt) {
    if (s == name) return true;
  }
  return false;
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
                                std::vector<uint32_t>* ends) {
  size_t begin = storage->size();
  AppendEscaped(raw, storage);
  // Trailing separators end the last part rather than start an empty one.
  while (storage->size() > begin && storage->back() == separator) storage->pop_back();
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

SyscallContext ValueDecoder::ContextOf(std::string_view arch_raw, std::string_view syscall_raw) {
  SyscallContext ctx;
  if (arch_raw == last_arch_raw_) {
    ctx.machine = last_machine_;
  } else {
    uint64_t elf = 0;
    if (ParseHexU64(arch_raw, &elf)) ctx.machine = audit_elf_to_machine(static_cast<unsigned>(elf));
    last_arch_raw_.assign(arch_raw.data(), arch_raw.size());
    last_machine_ = ctx.machine;
  }
  int nr = -1;
  if (ParseDec(syscall_raw, &nr)) ctx.syscall = nr;
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

void ValueDecoder::AppendUid(std::string_view raw, bool group, std::string* out) {
  int64_t id = 0;
  if (!ParseDec(raw, &id)) return AppendRaw(raw, out);
  if (id == 4294967295 || id == -1) { out->append("unset"); return; }
  if (id < 0 || id > 4294967295) return AppendRaw(raw, out);
  std::string_view name = group ? ids_.Group(static_cast<uint32_t>(id))
                                : ids_.User(static_cast<uint32_t>(id));
  if (name.empty()) {
    out->append("unknown(");
    AppendRaw(raw, out);
    out->push_back(')');
  } else {
    out->append(name.data(), name.size());
  }
}

void ValueDecoder::AppendExit(std::string_view raw, std::string* out) {
  int64_t v = 0;
  if (!ParseDec(raw, &v) || v >= 0 || v < -4095) return AppendRaw(raw, out);
  const char* name = audit_errno_to_name(static_cast<int>(-v));
  if (name == nullptr) return AppendRaw(raw, out);
  out->append(name);
  out->push_back('(');
  out->append(strerror(static_cast<int>(-v)));
  out->push_back(')');
}

void ValueDecoder::AppendArg(int index, std::string_view raw, const SyscallContext& ctx,
                             std::string* out) {
  uint64_t v = 0;
  if (!ParseHexU64(raw, &v)) return AppendRaw(raw, out);
  std::string_view sc = SyscallName(ctx.machine, ctx.syscall);
  if (!sc.empty()) {
    if (index == 0 && (v & 0xffffffff) == 0xffffff9c && IsAtSyscall(sc)) {
      { out->append("AT_FDCWD"); return; }
    }
    if ((index == 1 && sc == "open") || (index == 2 && sc == "openat")) {
      return AppendOpenFlags(v, out);
    }
  }
  out->append("0x");
  AppendRaw(raw, out);
}

void ValueDecoder::Decode(FieldKind kind, std::string_view raw, const SyscallContext& ctx,
                          std::string* out) {
  switch (kind) {
    case FieldKind::kPlain:
      return AppendRaw(raw, out);
    case FieldKind::kUid:
      return AppendUid(raw, false, out);
    case FieldKind::kGid:
      return AppendUid(raw, true, out);
    case FieldKind::kSyscall: {
      int nr = -1;
      std::string_view name;
      if (ParseDec(raw, &nr)) name = SyscallName(ctx.machine, nr);
      if (name.empty()) return AppendRaw(raw, out);
      { out->append(name.data(), name.size()); return; }
    }
    case FieldKind::kArch: {
      std::string_view name = ArchName(raw);
      if (name.empty()) return AppendRaw(raw, out);
      { out->append(name.data(), name.size()); return; }
    }
    case FieldKind::kExit:
      return AppendExit(raw, out);
    case FieldKind::kEscaped:
    case FieldKind::kExecveArg:
    case FieldKind::kKey:
    case FieldKind::kProctitle:
      return AppendEscaped(raw, out);
    case FieldKind::kPerm:
      return AppendPerm(raw, out);
    case FieldKind::kMode:
      return AppendMode(raw, out);
    case FieldKind::kSockaddr:
      return AppendRaw(raw, out);  // structured: see DecodeSockAddr
    case FieldKind::kSuccess:
      if (raw == "1") { out->append("yes"); return; }
      if (raw == "0") { out->append("no"); return; }
      return AppendRaw(raw, out);
    case FieldKind::kA0:
      return AppendArg(0, raw, ctx, out);
    case FieldKind::kA1:
      return AppendArg(1, raw, ctx, out);
    case FieldKind::kA2:
      return AppendArg(2, raw, ctx, out);
    case FieldKind::kA3:
      return AppendArg(3, raw, ctx, out);
    case FieldKind::kSignal: {
      int sig = 0;
      if (ParseDec(raw, &sig) && sig > 0 && sig < NSIG) {
        const char* abbrev = sigabbrev_np(sig);
        if (abbrev) {
          out->append("SIG");
          out->append(abbrev);
          return;
        }
      }
      return AppendRaw(raw, out);
    }
    case FieldKind::kList: {
      int list = 0;
      const char* name = nullptr;
      if (ParseDec(raw, &list)) name = audit_flag_to_name(list);
      if (name == nullptr) return AppendRaw(raw, out);
      { out->append(name); return; }
    }
    case FieldKind::kSession:
      if (raw == "4294967295") { out->append("unset"); return; }
      return AppendRaw(raw, out);
    case FieldKind::kCapBitmap:
      return AppendCapBitmap(raw, out);
    case FieldKind::kCapability: {
      int cap = 0;
      if (ParseDec(raw, &cap) && cap >= 0 && cap < kCapCount) { out->append(kCapNames[cap]); return; }
      return AppendRaw(raw, out);
    }
  }
}

}  // namespace auditlens
