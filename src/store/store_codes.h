// How store schema version 6 writes the values that repeat in every row (docs/store.md "Codes"):
// numbers for the names of a closed set (event kinds, outcomes, roles, process origins), an
// integer for an entity id (16 hex digits are 64 bits), a small integer for a session id (its boot
// through the boots table), a number for an action name (the names table), and a detail with its
// common JSON fragments as single bytes.
//
// Contract: every encoding is exact both ways, and a value that does not have the expected form is
// kept as it is, as text: the columns that hold codes have no type affinity, so a reader tells a
// code (INTEGER, or a BLOB detail) from a value kept as text by its SQLite type. A version 5 store
// holds text everywhere, which every decoder passes through unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;

namespace auditlens {

// Lookups by string_view without making a string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// events.kind: the EventKind enum's value (rows.h), 0 other .. 9 logout. -1: not a kind name.
int64_t KindCode(std::string_view name);
std::string_view KindName(int64_t code);  // empty for an unknown code
// events.outcome: 0 unknown, 1 success, 2 failure.
int64_t OutcomeCode(std::string_view name);
std::string_view OutcomeNameOf(int64_t code);
// events.role and processes.role: 1 service, 2 login-script, 3 shell, 4 command (SessionRole).
int64_t RoleCode(std::string_view name);
std::string_view RoleName(int64_t code);
// processes.origin: 0 exec, 1 fork, 2 proc, 3 seen (ProcessOrigin).
int64_t OriginCode(std::string_view name);
std::string_view OriginName(int64_t code);

// An entity id of 16 lowercase hex digits as the 64-bit integer it spells (two's complement);
// false for anything else (kept as text).
bool EntityCode(std::string_view id, int64_t* code);
std::string EntityText(int64_t code);

// A detail (JSON text, which never holds a raw byte below 0x20) with its common fragments replaced
// by single bytes 0x01..0x1e, and the row's action (the "syscall" or "type" it repeats) by 0x1f.
// False when it would not get shorter or holds a byte below 0x20 (then it is kept as text).
bool CompactDetail(std::string_view detail, std::string_view action, std::string* out);
std::string ExpandDetail(std::string_view compact, std::string_view action);

// Session ids `<boot8>-<ses>` and `<boot8>-f<serial>` (session_tracker.h) as integers:
// ((number << 1 | failed) << 10) | boot, where boot (1..1023) is the row of the boots table whose id
// starts with boot8 (the lowest such row). An id of any other form, or of a boot not in the table,
// stays text.
class SessionKeys {
 public:
  // The boots table's rows (n, id), in any order.
  void AddBoot(int64_t n, std::string_view boot_id);
  bool Encode(std::string_view id, int64_t* code) const;
  // The id a code stands for (empty when its boot is unknown).
  std::string Decode(int64_t code) const;
  bool empty() const { return by_n_.empty(); }

 private:
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> by_boot8_;
  std::unordered_map<int64_t, std::string> by_n_;
};

// The names table (action names by number), as the writer keeps it: Find() a known name's number;
// a new one is added by the caller (INSERT) and Add()ed here.
class NameCodes {
 public:
  void Add(int64_t code, std::string_view name);
  // -1: not known yet.
  int64_t Find(std::string_view name) const;
  std::string_view Name(int64_t code) const;  // empty when unknown
  int64_t next() const { return next_; }

 private:
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> codes_;
  std::vector<std::string> names_;
  int64_t next_ = 1;
};

// Registers on db the SQL functions of the upgrade to version 6 (al_session_key, al_entity, al_kind,
// al_outcome, al_role, al_origin, al_action, al_detail: a value of the expected form becomes its
// code, any other stays as it is). keys and names must outlive db's use of them; either may be
// null (the function is then left out).
bool RegisterStoreCodeFunctions(sqlite3* db, const SessionKeys* keys, const NameCodes* names);

}  // namespace auditlens
