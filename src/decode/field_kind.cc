#include "decode/field_kind.h"

#include <algorithm>
#include <iterator>

#include "decode/hex.h"
#include "record/record_types.h"
#include "tables/auparse_tables.h"

namespace auditlens {
namespace {

struct NameKind {
  std::string_view name;
  FieldKind kind;
};

using K = FieldKind;
using T = tables::AuparseType;

// How this decoder shows each kind of field auparse has (auparse/auparse-defs.h); the field names
// and their kinds are auparse's (auparse/typetab.h, generated into tables/auparse_tables.h).
constexpr FieldKind KindOfType(T type) {
  switch (type) {
    case T::kUid: return K::kUid;
    case T::kGid: return K::kGid;
    case T::kSyscall: return K::kSyscall;
    case T::kArch: return K::kArch;
    case T::kExit: return K::kExit;
    case T::kEscaped: return K::kEscaped;
    case T::kEscapedFile: return K::kEscaped;
    case T::kEscapedKey: return K::kKey;
    case T::kPerm: return K::kPerm;
    case T::kMode: return K::kMode;
    case T::kModeShort: return K::kModeShort;
    case T::kSockaddr: return K::kSockaddr;
    case T::kPromisc: return K::kPromisc;
    case T::kCapability: return K::kCapability;
    case T::kSuccess: return K::kSuccess;
    case T::kA0: return K::kA0;
    case T::kA1: return K::kA1;
    case T::kA2: return K::kA2;
    case T::kA3: return K::kA3;
    case T::kSignal: return K::kSignal;
    case T::kList: return K::kList;
    case T::kTtyData: return K::kTtyData;
    case T::kSession: return K::kSession;
    case T::kCapBitmap: return K::kCapBitmap;
    case T::kNfproto: return K::kNfProto;
    case T::kIcmptype: return K::kIcmpType;
    case T::kProtocol: return K::kProtocol;
    case T::kPersonality: return K::kPersonality;
    case T::kSeccomp: return K::kSeccomp;
    case T::kOflag: return K::kOpenFlags;
    case T::kMmap: return K::kMmapFlags;
    case T::kProctitle: return K::kProctitle;
    case T::kHook: return K::kHook;
    case T::kNetaction: return K::kNetAction;
    case T::kMacproto: return K::kMacProto;
    case T::kIoctlReq: return K::kIoctlReq;
    case T::kFanotify: return K::kFanotify;
    case T::kNlmcgrp: return K::kNlMcgrp;
    case T::kResolve: return K::kResolve;
    default: return K::kPlain;  // unclassified, addresses, MAC labels: as they are
  }
}

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

// auparse's field names in an open-addressing hash table: one hash and one compare per field instead of
// a binary search of string compares (this runs for every field of every record).
class NameTable {
 public:
  NameTable() {
    static_assert(std::size(tables::kFieldTypes) <= kSize / 4, "grow kSize");
    size_t n = 0;
    for (const tables::FieldType& f : tables::kFieldTypes) {
      if (Find(f.name) != nullptr) continue;  // auparse uses a name's first entry
      entries_[n] = {f.name, KindOfType(f.type)};
      uint32_t slot = Hash(f.name) & kMask;
      while (slots_[slot] != nullptr) slot = (slot + 1) & kMask;
      slots_[slot] = &entries_[n++];
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
  NameKind entries_[std::size(tables::kFieldTypes)] = {};
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
