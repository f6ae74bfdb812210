#include "decode/field_kind.h"

#include <algorithm>
#include <array>

#include "record/record_types.h"

namespace auditlens {
namespace {

struct NameKind {
  std::string_view name;
  FieldKind kind;
};

// Sorted by name for binary search (checked at first use).
constexpr NameKind kByName[] = {
    {"a0", FieldKind::kA0},
    {"a1", FieldKind::kA1},
    {"a2", FieldKind::kA2},
    {"a3", FieldKind::kA3},
    {"acct", FieldKind::kEscaped},
    {"arch", FieldKind::kArch},
    {"auid", FieldKind::kUid},
    {"cap_fi", FieldKind::kCapBitmap},
    {"cap_fp", FieldKind::kCapBitmap},
    {"cap_pa", FieldKind::kCapBitmap},
    {"cap_pe", FieldKind::kCapBitmap},
    {"cap_pi", FieldKind::kCapBitmap},
    {"cap_pp", FieldKind::kCapBitmap},
    {"capability", FieldKind::kCapability},
    {"cmd", FieldKind::kEscaped},
    {"comm", FieldKind::kEscaped},
    {"cwd", FieldKind::kEscaped},
    {"dir", FieldKind::kEscaped},
    {"egid", FieldKind::kGid},
    {"euid", FieldKind::kUid},
    {"exe", FieldKind::kEscaped},
    {"exit", FieldKind::kExit},
    {"fi", FieldKind::kCapBitmap},
    {"file", FieldKind::kEscaped},
    {"fp", FieldKind::kCapBitmap},
    {"fsgid", FieldKind::kGid},
    {"fsuid", FieldKind::kUid},
    {"gid", FieldKind::kGid},
    {"id", FieldKind::kUid},
    {"igid", FieldKind::kGid},
    {"inode_gid", FieldKind::kGid},
    {"inode_uid", FieldKind::kUid},
    {"iuid", FieldKind::kUid},
    {"key", FieldKind::kKey},
    {"list", FieldKind::kList},
    {"mode", FieldKind::kMode},
    {"name", FieldKind::kEscaped},
    {"new_gid", FieldKind::kGid},
    {"new_pa", FieldKind::kCapBitmap},
    {"new_pe", FieldKind::kCapBitmap},
    {"new_pi", FieldKind::kCapBitmap},
    {"new_pp", FieldKind::kCapBitmap},
    {"oauid", FieldKind::kUid},
    {"ocomm", FieldKind::kEscaped},
    {"ogid", FieldKind::kGid},
    {"old_pa", FieldKind::kCapBitmap},
    {"old_pe", FieldKind::kCapBitmap},
    {"old_pi", FieldKind::kCapBitmap},
    {"old_pp", FieldKind::kCapBitmap},
    {"ouid", FieldKind::kUid},
    {"pa", FieldKind::kCapBitmap},
    {"path", FieldKind::kEscaped},
    {"pe", FieldKind::kCapBitmap},
    {"perm", FieldKind::kPerm},
    {"perm_mask", FieldKind::kPerm},
    {"pi", FieldKind::kCapBitmap},
    {"pp", FieldKind::kCapBitmap},
    {"proctitle", FieldKind::kProctitle},
    {"res", FieldKind::kSuccess},
    {"result", FieldKind::kSuccess},
    {"saddr", FieldKind::kSockaddr},
    {"sauid", FieldKind::kUid},
    {"ses", FieldKind::kSession},
    {"sgid", FieldKind::kGid},
    {"sig", FieldKind::kSignal},
    {"suid", FieldKind::kUid},
    {"syscall", FieldKind::kSyscall},
    {"uid", FieldKind::kUid},
    {"watch", FieldKind::kEscaped},
};

bool SortedOnce() {
  return std::is_sorted(std::begin(kByName), std::end(kByName),
                        [](const NameKind& a, const NameKind& b) { return a.name < b.name; });
}

}  // namespace

FieldKind KindOfField(uint16_t record_type, std::string_view name) {
  static const bool sorted = SortedOnce();
  (void)sorted;
  if (record_type == rectype::kExecve) {
    // a0, a1, ... and a1[0], a1[1], ... are arguments; a1_len and argc are numbers.
    if (name.size() >= 2 && name[0] == 'a' && name[1] >= '0' && name[1] <= '9' &&
        name.find("_len") == std::string_view::npos) {
      return FieldKind::kExecveArg;
    }
    return FieldKind::kPlain;
  }
  auto it = std::lower_bound(std::begin(kByName), std::end(kByName), name,
                             [](const NameKind& a, std::string_view n) { return a.name < n; });
  if (it == std::end(kByName) || it->name != name) return FieldKind::kPlain;
  FieldKind kind = it->kind;
  // Record-specific exceptions, as auparse makes them.
  if (kind == FieldKind::kA0 || kind == FieldKind::kA1 || kind == FieldKind::kA2 ||
      kind == FieldKind::kA3) {
    if (record_type != rectype::kSyscall) return FieldKind::kPlain;
  }
  return kind;
}

}  // namespace auditlens
