// Turns raw field values into what they mean, the way libauparse interprets them ("0" → "root",
// "c000003e" → "x86_64", "-2" → "ENOENT(No such file or directory)", hex → bytes).
//
// Contract: every function appends to *out and never fails — a value that does not parse as its
// kind is appended unchanged. Output bytes may be any bytes (file names are not UTF-8 by law); the
// JSON writer makes them valid. Holds caches (user names, syscall tables): one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decode/field_kind.h"
#include "decode/id_names.h"

namespace auditlens {

// What a SYSCALL record says that other fields' meaning depends on.
struct SyscallContext {
  int machine = -1;  // libaudit machine of the record's arch, -1 unknown
  int syscall = -1;
};

class ValueDecoder {
 public:
  ValueDecoder();

  // Scalar kinds (everything but kSockaddr, kProctitle, kKey: see below).
  void Decode(FieldKind kind, std::string_view raw, const SyscallContext& ctx, std::string* out);

  // A quoted value loses its quotes; an unquoted hex value is decoded; "(null)"/"(none)" and
  // anything else stay as they are.
  static void AppendEscaped(std::string_view raw, std::string* out);
  // Proctitle and several keys: the decoded value split at NUL (proctitle) or 0x01 (key) bytes.
  // Appends each part's bytes to *storage and the part boundaries (end offsets) to *ends.
  static void SplitEscaped(std::string_view raw, char separator, std::string* storage,
                           std::vector<uint32_t>* ends);

  SyscallContext ContextOf(std::string_view arch_raw, std::string_view syscall_raw);
  std::string_view SyscallName(int machine, int number);
  std::string_view ArchName(std::string_view arch_raw);
  IdNames& ids() { return ids_; }

 private:
  void AppendUid(std::string_view raw, bool group, std::string* out);
  void AppendExit(std::string_view raw, std::string* out);
  void AppendArg(int index, std::string_view raw, const SyscallContext& ctx, std::string* out);

  IdNames ids_;
  std::vector<std::vector<std::string_view>> syscall_names_;  // [machine][number], lazily filled
  std::string last_arch_raw_;
  int last_machine_ = -1;
};

}  // namespace auditlens
