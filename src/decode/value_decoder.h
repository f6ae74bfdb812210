// Turns raw field values into what they mean, the way libauparse 3.0.9 interprets them ("0" →
// "root", "c000003e" → "x86_64", "-2" → "ENOENT(No such file or directory)", hex → bytes, a2 of
// openat → "O_WRONLY|O_CREAT"). tests/differential checks the agreement value by value.
//
// Contract: every function appends to *out and never fails — a value that does not parse as its
// kind is appended unchanged (or as auparse words it, "unknown-signal(0x40)"). Output bytes may be
// any bytes (file names are not UTF-8 by law); the JSON writer makes them valid.
//
// Hot path: table lookups only. Syscall names and argument kinds are in the generated tables
// (tables/syscall_facts.h); names of uids/gids are cached; nothing is allocated per field once the
// caches are warm. One decoder per thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decode/field_kind.h"
#include "decode/id_names.h"
#include "decode/log_names.h"
#include "tables/syscall_facts.h"

namespace auditlens {

// What the event's SYSCALL record says that other fields' meaning depends on.
struct SyscallContext {
  int machine = -1;  // libaudit machine of the record's arch, -1 unknown
  int syscall = -1;
  uint64_t a0 = 0;
  uint64_t a1 = 0;
  const std::array<ArgKind, 4>* args = nullptr;  // argument kinds of this syscall, when known
  // Fields of the SYSCALL record whose decoded value depends on more than their own raw value
  // (the syscall of socketcall and ipc names the call in a0; open's a2 is a mode only with
  // O_CREAT in a1; prctl's a1, fcntl's a2 and setsockopt's a2 depend on another argument): bit 0
  // for "syscall", bit 1 + i for a<i>. A memo keyed by the raw value must not answer for them.
  uint8_t context_fields = 0;
};

class ValueDecoder {
 public:
  ValueDecoder();
  ValueDecoder(const ValueDecoder&) = delete;  // ids_ points at log_names_
  ValueDecoder& operator=(const ValueDecoder&) = delete;

  // Scalar kinds (everything but kSockaddr, kProctitle and kKey, which are structured: see
  // DecodeSockAddr in sockaddr.h and SplitEscaped).
  void Decode(FieldKind kind, std::string_view raw, const SyscallContext& ctx, std::string* out);

  // A quoted value loses its quotes; an unquoted hex value is decoded; "(null)"/"(none)" and
  // anything else stay as they are.
  static void AppendEscaped(std::string_view raw, std::string* out);
  // A capability set (hex, as kCapBitmap) in its short form, for the "compact" output profile:
  // "all" when it holds every capability this build names, else the shorter of "all but a,b" (the
  // names it lacks) and the names as kCapBitmap writes them ("none" when empty; the list when both
  // are as long). Bits this build has no name for are left out, as kCapBitmap leaves them out.
  static void AppendCapSetCompact(std::string_view raw, std::string* out);
  // Proctitle and several keys: the decoded value split at NUL (proctitle) or 0x01 (key) bytes.
  // Appends each part's bytes to *storage and the part boundaries (end offsets) to *ends.
  // Separators at the end are dropped; for keys (skip_empty) empty parts are dropped too.
  static void SplitEscaped(std::string_view raw, char separator, std::string* storage,
                           std::vector<uint32_t>* ends, bool skip_empty = false);

  // The context of a SYSCALL record (arch, syscall and a0/a1 raw values).
  SyscallContext ContextOf(std::string_view arch_raw, std::string_view syscall_raw,
                           std::string_view a0_raw = {}, std::string_view a1_raw = {});
  std::string_view SyscallName(int machine, int number);
  std::string_view ArchName(std::string_view arch_raw);
  // Names of uids and gids: the log's own (log_names(), asked first), then by ids().source():
  // this machine's (the default), none (the number is written as it is: "1000", never
  // "unknown(1000)"; -1 is still "unset"), or the log's host's files.
  IdNames& ids() { return ids_; }
  // Names a log's own host gave its ids (ENRICHED tails). Whoever feeds it (the formatter, per
  // event) drops what it rendered from ids when it changes.
  LogNames& log_names() { return log_names_; }
  const LogNames& log_names() const { return log_names_; }

 private:
  void AppendId(int32_t id, bool group, std::string* out);
  void AppendArg(int index, std::string_view raw, const SyscallContext& ctx, std::string* out);
  void AppendProtocol(int number, std::string* out);

  IdNames ids_;
  LogNames log_names_;
  std::unordered_map<int, std::string> protocols_;            // IP protocol number → name
};

}  // namespace auditlens
