#include "decode/field_kind.h"

#include <algorithm>
#include <iterator>

#include "decode/hex.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

struct NameKind {
  std::string_view name;
  FieldKind kind;
};

using K = FieldKind;

// Field names libauparse 3.0.9 classifies, and how. Sorted by name (checked once, see below).
constexpr NameKind kByName[] = {
    {"a0", K::kA0},
    {"a1", K::kA1},
    {"a2", K::kA2},
    {"a3", K::kA3},
    {"acct", K::kEscaped},  // only when quoted or hex: see KindOfField
    {"action", K::kNetAction},
    {"addr", K::kPlain},
    {"apparmor", K::kEscaped},
    {"arch", K::kArch},
    {"auid", K::kUid},
    {"cap_fi", K::kCapBitmap},
    {"cap_fp", K::kCapBitmap},
    {"cap_pa", K::kCapBitmap},
    {"cap_pe", K::kCapBitmap},
    {"cap_pi", K::kCapBitmap},
    {"cap_pp", K::kCapBitmap},
    {"capability", K::kCapability},
    {"cgroup", K::kEscaped},
    {"cmd", K::kEscaped},
    {"code", K::kSeccomp},
    {"comm", K::kEscaped},
    {"cwd", K::kEscaped},
    {"data", K::kTtyData},
    {"denied_mask", K::kEscaped},
    {"device", K::kEscaped},
    {"dir", K::kEscaped},
    {"egid", K::kGid},
    {"euid", K::kUid},
    {"exe", K::kEscaped},
    {"exit", K::kExit},
    {"family", K::kNfProto},
    {"fi", K::kCapBitmap},
    {"file", K::kEscaped},
    {"flags", K::kMmapFlags},
    {"fp", K::kCapBitmap},
    {"fsgid", K::kGid},
    {"fsuid", K::kUid},
    {"gid", K::kGid},
    {"grp", K::kEscaped},
    {"hook", K::kHook},
    {"icmptype", K::kIcmpType},
    {"id", K::kUid},
    {"igid", K::kGid},
    {"info", K::kEscaped},
    {"inode_gid", K::kGid},
    {"inode_uid", K::kUid},
    {"invalid_context", K::kEscaped},
    {"ioctlcmd", K::kIoctlReq},
    {"iuid", K::kUid},
    {"key", K::kKey},
    {"list", K::kList},
    {"macproto", K::kMacProto},
    {"mode", K::kMode},
    {"name", K::kEscaped},
    {"new-chardev", K::kEscaped},
    {"new-disk", K::kEscaped},
    {"new-fs", K::kEscaped},
    {"new-net", K::kEscaped},
    {"new-rng", K::kEscaped},
    {"new_gid", K::kGid},
    {"new_group", K::kEscaped},
    {"new_pe", K::kCapBitmap},
    {"new_pi", K::kCapBitmap},
    {"new_pp", K::kCapBitmap},
    {"nl-mcgrp", K::kNlMcgrp},
    {"oauid", K::kUid},
    {"obj_gid", K::kGid},
    {"obj_uid", K::kUid},
    {"ocomm", K::kEscaped},
    {"oflag", K::kOpenFlags},
    {"ogid", K::kGid},
    {"old-auid", K::kUid},
    {"old-chardev", K::kEscaped},
    {"old-disk", K::kEscaped},
    {"old-fs", K::kEscaped},
    {"old-net", K::kEscaped},
    {"old-rng", K::kEscaped},
    {"old_pa", K::kCapBitmap},
    {"old_pe", K::kCapBitmap},
    {"old_pi", K::kCapBitmap},
    {"old_pp", K::kCapBitmap},
    {"old_prom", K::kPromisc},
    {"operation", K::kEscaped},
    {"ouid", K::kUid},
    {"pa", K::kCapBitmap},
    {"path", K::kEscaped},
    {"pe", K::kCapBitmap},
    {"per", K::kPersonality},
    {"perm", K::kPerm},
    {"perm_mask", K::kPerm},
    {"pi", K::kCapBitmap},
    {"pp", K::kCapBitmap},
    {"proctitle", K::kProctitle},
    {"profile", K::kEscaped},
    {"prom", K::kPromisc},
    {"proto", K::kProtocol},
    {"requested_mask", K::kEscaped},
    {"res", K::kSuccess},
    {"resolve", K::kResolve},
    {"resp", K::kFanotify},
    {"result", K::kSuccess},
    {"root_dir", K::kEscaped},
    {"saddr", K::kSockaddr},
    {"sauid", K::kUid},
    {"ses", K::kSession},
    {"sgid", K::kGid},
    {"sig", K::kSignal},
    {"sigev_signo", K::kSignal},
    {"suid", K::kUid},
    {"sw", K::kEscaped},
    {"syscall", K::kSyscall},
    {"uid", K::kUid},
    {"vm", K::kEscaped},
    {"watch", K::kEscaped},
};

static_assert(std::is_sorted(std::begin(kByName), std::end(kByName),
                             [](const NameKind& a, const NameKind& b) { return a.name < b.name; }),
              "kByName must be sorted by name");

// Record types with a field of their own meaning (as auparse has them).
constexpr uint16_t kAddGroup = AUDIT_ADD_GROUP;
constexpr uint16_t kDelGroup = AUDIT_DEL_GROUP;
constexpr uint16_t kUserTty = AUDIT_USER_TTY;
constexpr uint16_t kGrpMgmt = AUDIT_GRP_MGMT;
constexpr uint16_t kMqOpen = AUDIT_MQ_OPEN;
constexpr uint16_t kNetfilterPkt = AUDIT_NETFILTER_PKT;
constexpr uint16_t kAvc = AUDIT_AVC;
constexpr uint16_t kCryptoKeyUser = AUDIT_CRYPTO_KEY_USER;

bool AllHex(std::string_view s) {
  for (char c : s) {
    if (HexDigit(c) < 0) return false;
  }
  return true;
}

// The names above in an open-addressing hash table: one hash and one compare per field instead of
// a binary search of string compares (this runs for every field of every record).
class NameTable {
 public:
  NameTable() {
    for (const NameKind& nk : kByName) {
      uint32_t slot = Hash(nk.name) & kMask;
      while (slots_[slot] != nullptr) slot = (slot + 1) & kMask;
      slots_[slot] = &nk;
    }
  }
  const NameKind* Find(std::string_view name) const {
    uint32_t slot = Hash(name) & kMask;
    while (const NameKind* nk = slots_[slot]) {
      if (nk->name == name) return nk;
      slot = (slot + 1) & kMask;
    }
    return nullptr;
  }

 private:
  static constexpr uint32_t kSize = 1024;  // > 4x the names: short probe chains
  static constexpr uint32_t kMask = kSize - 1;
  static uint32_t Hash(std::string_view s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    return h;
  }
  const NameKind* slots_[kSize] = {};
};

const NameTable& Names() {
  static const NameTable table;
  return table;
}

}  // namespace

FieldKind KindOfField(uint16_t record_type, std::string_view name, std::string_view value) {
  if (record_type == rectype::kExecve && !name.empty() && name[0] == 'a') {
    // a0, a1, ... and a1[0], a1[1], ... are arguments; a1_len and argc are numbers.
    if (name != "argc" && name.find("_len") == std::string_view::npos) return K::kExecveArg;
    return K::kPlain;
  }
  if (record_type == kUserTty && name == "msg") return K::kEscaped;
  const NameKind* it = Names().Find(name);
  if (it == nullptr) return K::kPlain;
  FieldKind kind = it->kind;
  switch (kind) {
    case K::kSockaddr:
      if (record_type == kAvc) return K::kPlain;
      if (record_type == kNetfilterPkt) return K::kPlain;  // an address, printed as is
      return kind;
    case K::kEscaped:
      if (name == "acct") {
        // PAM writes acct="name" or hex; anything else is a plain word.
        if (!value.empty() && value[0] == '"') return kind;
        return AllHex(value) ? kind : K::kPlain;
      }
      return kind;
    case K::kMmapFlags:
      return record_type == rectype::kPath ? K::kPathFlags : kind;
    case K::kMode:
      return record_type == kMqOpen ? K::kModeShort : kind;
    case K::kCapBitmap:
      return record_type == kCryptoKeyUser && name == "fp" ? K::kPlain : kind;
    case K::kUid:
      if (name == "id" &&
          (record_type == kAddGroup || record_type == kGrpMgmt || record_type == kDelGroup)) {
        return K::kGid;
      }
      return kind;
    default:
      break;
  }
  return kind;
}

}  // namespace auditlens
