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

#include "common/parse_int.h"
#include "decode/hex.h"
#include "tables/auparse_tables.h"

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

using BitName = tables::ValueName;

// Names of the bits set in v, in table order, joined by sep. Returns how many were written.
template <size_t N>
int AppendBits(uint64_t v, const BitName (&table)[N], char sep, std::string* out,
               bool first = true) {
  int n = 0;
  for (const BitName& b : table) {
    if (b.value != 0 && (v & b.value)) {
      if (!first) out->push_back(sep);
      out->append(b.name.data(), b.name.size());
      first = false;
      ++n;
    }
  }
  return n;
}

// The name of v in an auparse table, "" when it has none.
template <size_t N>
std::string_view Lookup(const tables::ValueName (&table)[N], uint64_t v) {
  return tables::NameOf(table, v);
}

// ---- tables (generated from auparse's: src/tables/auparse_tables.h) ----------------------------

using tables::kAccessModes;
using tables::kBpfCmds;
using tables::kClocks;
using tables::kCloneFlags;
using tables::kEpollCtl;
using tables::kFamilies;
using tables::kFcntlCmds;
using tables::kHooks;
using tables::kIoctlRequests;
using tables::kIpcCalls;
using tables::kIcmpTypes;
using tables::kIp6OptNames;
using tables::kIpOptNames;
using tables::kMmapFlags;
using tables::kMountFlags;
using tables::kMsgFlags;
using tables::kNetActions;
using tables::kNfProtos;
using tables::kOpenFlags;
using tables::kPacketOptNames;
using tables::kPersonas;
using tables::kPrctlOptions;
using tables::kProt;
using tables::kPtraceRequests;
using tables::kResolveFlags;
using tables::kRlimits;
using tables::kSeccompActions;
using tables::kSchedPolicies;
using tables::kSeekWhence;
using tables::kSocketcalls;
using tables::kSockLevels;
using tables::kSockOptNames;
using tables::kSockTypes;
using tables::kTcpOptNames;
using tables::kUmountFlags;

// Looked up by number on every event that has them: dense arrays built at compile time.
constexpr auto kCapNames = tables::DenseNames<64>(tables::kCapabilities);
constexpr auto kSignals = tables::DenseNames<32>(tables::kSignals);
static_assert(tables::MaxValue(tables::kSignals) < kSignals.size(), "grow kSignals");

constexpr uint64_t kAddrNoRandomize = ADDR_NO_RANDOMIZE;
constexpr uint64_t kSeccompRetAction = 0x7fff0000u;  // SECCOMP_RET_ACTION, as auparse masks it

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
      for (const auto& k : tables::kTtyKeys) {  // auparse's rule: the first that matches
        if (rest.substr(0, k.seq.size()) == k.seq) {
          key = k.name;
          len = k.seq.size();
          break;
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

// A bit this build has no name for is written as cap_N (N its bit number, e.g. cap_41): no name
// of the table starts with "cap_", so the two never clash, and no bit is left out.
void AppendCapBitmap(uint64_t bits, std::string* out) {
  bool first = true;
  for (size_t i = 0; i < kCapNames.size(); ++i) {
    if (!(bits & (1ull << i))) continue;
    if (!first) out->push_back(',');
    if (kCapNames[i].empty()) {
      out->append("cap_");
      out->append(std::to_string(i));
    } else {
      out->append(kCapNames[i].data(), kCapNames[i].size());
    }
    first = false;
  }
  if (first) out->append("none");
}

// The capabilities this build has names for, as bits.
uint64_t KnownCapBits() {
  uint64_t bits = 0;
  for (size_t i = 0; i < kCapNames.size(); ++i) {
    if (!kCapNames[i].empty()) bits |= 1ull << i;
  }
  return bits;
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

// An ioctl request by name, else 0x<32-bit hex> (auparse reads it into an int).
void AppendIoctlReq(uint64_t v, std::string* out) {
  std::string_view name = Lookup(kIoctlRequests, static_cast<uint32_t>(v));
  if (name.empty()) return AppendHex32(v, out);
  out->append(name.data(), name.size());
}

void AppendPersonality(uint64_t v, std::string_view raw, std::string* out) {
  std::string_view name = Lookup(kPersonas, (v & ~kAddrNoRandomize) & 0xff);
  if (name.empty()) return AppendUnknown("unknown-personality(0x", raw, out);
  out->append(name.data(), name.size());
  if (v & kAddrNoRandomize) out->append("|~ADDR_NO_RANDOMIZE");
}

// A name from a table, or "<unknown-prefix><raw>)".
template <size_t N>
void AppendNamed(const tables::ValueName (&table)[N], uint64_t i, std::string_view unknown,
                 std::string_view raw, std::string* out) {
  std::string_view name = Lookup(table, i);
  if (name.empty()) return AppendUnknown(unknown, raw, out);
  out->append(name.data(), name.size());
}

// SyscallContext::context_fields of a syscall.
uint8_t ContextFieldsOf(const tables::SyscallEntry* entry) {
  if (entry == nullptr) return 0;
  uint8_t bits = 0;
  const tables::SyscallFacts& facts = tables::FactsOf(entry);
  for (int i = 0; i < 4; ++i) {
    switch (facts.args[i]) {
      case ArgKind::kSocketcall: bits |= 1; break;  // the syscall field: socketcall(connect)
      case ArgKind::kModeIfCreat:
      case ArgKind::kPrctlArg:
      case ArgKind::kFcntlArg:
      case ArgKind::kSockOptName: bits |= static_cast<uint8_t>(2u << i); break;
      default: break;
    }
  }
  if (entry->name == "ipc") bits |= 1;  // ipc(semget)
  return bits;
}

}  // namespace

ValueDecoder::ValueDecoder() { ids_.set_log_names(&log_names_); }

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
  uint64_t elf = 0;
  if (ParseHexU64(arch_raw, &elf)) ctx.machine = audit_elf_to_machine(static_cast<unsigned>(elf));
  ctx.a0 = PrefixOr0(a0_raw, 16);
  ctx.a1 = PrefixOr0(a1_raw, 16);
  uint64_t nr = 0;
  if (!syscall_raw.empty() && ParsePrefix(syscall_raw, 10, &nr) && nr < 100000) {
    ctx.syscall = static_cast<int>(nr);
  }
  if (const tables::SyscallEntry* entry = tables::LookupSyscall(ctx.machine, ctx.syscall)) {
    ctx.args = &tables::FactsOf(entry).args;
    ctx.context_fields = ContextFieldsOf(entry);
  }
  return ctx;
}

void ValueDecoder::AppendCapSetCompact(std::string_view raw, std::string* out) {
  static const uint64_t kKnown = KnownCapBits();
  const uint64_t bits = PrefixOr0(raw, 16);
  if (bits & ~kKnown) {
    // A bit without a name (cap_N): the plain list, as full writes it; "all" and "all but" speak
    // only of the named capabilities.
    AppendCapBitmap(bits, out);
    return;
  }
  if (bits == kKnown) {
    out->append("all");
    return;
  }
  // The shorter of the list and its complement (the list when they are as long).
  const size_t start = out->size();
  AppendCapBitmap(bits, out);
  const size_t list_size = out->size() - start;
  std::string but = "all but ";
  AppendCapBitmap(kKnown & ~bits, &but);
  if (but.size() < list_size) out->replace(start, list_size, but);
}

std::string_view ValueDecoder::SyscallName(int machine, int number) {
  const tables::SyscallEntry* entry = tables::LookupSyscall(machine, number);
  return entry ? entry->name : std::string_view();
}

void ValueDecoder::AppendId(int32_t id, bool group, std::string* out) {
  // The name the log's own host wrote beside the id wins over any other (log_names.h).
  if (std::string_view written = ids_.Logged(group, static_cast<uint32_t>(id)); !written.empty()) {
    out->append(written.data(), written.size());
    return;
  }
  if (id == -1) {
    out->append("unset");
    return;
  }
  const IdNames::Source source = ids_.source();
  if (id == 0 && source == IdNames::Source::kLocal) {
    out->append("root");
    return;
  }
  std::string_view name = group ? ids_.Group(static_cast<uint32_t>(id))
                                : ids_.User(static_cast<uint32_t>(id));
  if (!name.empty()) {
    out->append(name.data(), name.size());
  } else if (source == IdNames::Source::kNone) {
    AppendI64(id, out);  // not looked up: the number stays as it is
  } else {
    out->append("unknown(");
    AppendI64(id, out);
    out->push_back(')');
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
      // auparse names clocks 0-6 only (interpret.c, print_clock_id), though its table has more.
      std::string_view name = v < 7 ? Lookup(kClocks, v) : std::string_view();
      if (name.empty()) return AppendUnknown("unknown-clk_id(0x", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kSocketcall:
      return AppendNamed(kSocketcalls, v, "unknown-socketcall(", raw, out);
    case ArgKind::kPtrace:
      return AppendNamed(kPtraceRequests, v, "unknown-ptrace(0x", raw, out);
    case ArgKind::kPrctlOption:
      return AppendNamed(kPrctlOptions, v, "unknown-prctl-option(0x", raw, out);
    case ArgKind::kPrctlArg:
      if (ctx.a0 == 1) return AppendSignal(v, raw, true, out);  // PR_SET_PDEATHSIG
      if (ctx.a0 == 23 || ctx.a0 == 24) {                       // PR_CAPBSET_READ, _DROP
        if (!kCapNames[v].empty()) {
          out->append(kCapNames[v].data(), kCapNames[v].size());
          return;
        }
        return AppendUnknown("unknown-capability(0x", raw, out);
      }
      break;
    case ArgKind::kBpfCmd:
      return AppendNamed(kBpfCmds, v, "unknown-bpf-cmd(", raw, out);
    case ArgKind::kFcntlCmd: {
      std::string_view name = Lookup(kFcntlCmds, v);
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
      return AppendIoctlReq(v, out);
    case ArgKind::kSockOptLevel: {
      if (v == 1) {
        out->append("SOL_SOCKET");
        return;
      }
      size_t before = out->size();
      if (v <= 0xffff) AppendProtocol(static_cast<int>(v), out);
      if (out->size() != before) return;
      std::string_view name = Lookup(kSockLevels, v);
      if (name.empty()) return AppendUnknown("unknown-sockopt-level(0x", raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kSockOptName: {
      std::string_view name;
      std::string_view unknown;
      switch (ctx.a1) {
        case 0: name = Lookup(kIpOptNames, v); unknown = "unknown-ipopt-name(0x"; break;
        case 1: name = Lookup(kSockOptNames, v); unknown = "unknown-sockopt-name(0x"; break;
        case 6: name = Lookup(kTcpOptNames, v); unknown = "unknown-tcpopt-name(0x"; break;
        case 17:
          name = v == 1 ? "UDP_CORK" : v == 100 ? "UDP_ENCAP" : "";
          unknown = "unknown-udpopt-name(0x";
          break;
        case 41: name = Lookup(kIp6OptNames, v); unknown = "unknown-ip6opt-name(0x"; break;
        case 263: name = Lookup(kPacketOptNames, v); unknown = "unknown-pktopt-name(0x"; break;
        default: break;
      }
      if (unknown.empty()) break;
      if (name.empty()) return AppendUnknown(unknown, raw, out);
      out->append(name.data(), name.size());
      return;
    }
    case ArgKind::kShmFlags: {
      // auparse: IPC_CREAT/IPC_EXCL, then SHM_HUGETLB/SHM_NORESERVE, then the permission bits.
      int n = AppendBits(v & 03000, tables::kIpcCmdFlags, '|', out);
      n += AppendBits(v & 014000, tables::kShmModeFlags, '|', out, n == 0);
      if (n > 0) out->push_back('|');
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
                                                     : Lookup(kIpcCalls, ctx.a0);
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
      if (!ParseI64(raw, &v) || v >= 0 || v < -INT32_MAX) return AppendRaw(raw, out);
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
      // A number past the table (a hostile or corrupt log) is unknown, not read past it.
      if (cap < kCapNames.size() && !kCapNames[cap].empty()) {
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
      std::string_view name = Lookup(kSeccompActions, PrefixOr0(raw, 16) & kSeccompRetAction);
      if (name.empty()) return AppendUnknown("unknown-seccomp-code(", raw, out);
      out->append(name.data(), name.size());
      return;
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
      return AppendIoctlReq(PrefixOr0(raw, 16), out);
    case FieldKind::kTtyData:
      return AppendTtyData(raw, out);
  }
}

}  // namespace auditlens
