// One audit rule in the kernel's wire form: struct audit_rule_data followed by its string buffer,
// as libaudit builds it and as the kernel lists it (AUDIT_LIST_RULES).
//
// Contract: an EncodedRule owns a copy of the bytes; data() is valid while it lives. flags holds
// the filter list (and AUDIT_FILTER_PREPEND for -A), action is AUDIT_ALWAYS or AUDIT_NEVER.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct audit_rule_data;

namespace auditlens {

class EncodedRule {
 public:
  EncodedRule() = default;
  // Copies sizeof(audit_rule_data) + data->buflen bytes.
  static EncodedRule FromData(const audit_rule_data& data);
  // Copies a rule received from the kernel; false when size cannot hold the header and buffer.
  static bool FromBytes(const void* bytes, size_t size, EncodedRule* rule);

  bool empty() const { return bytes_.empty(); }
  size_t size() const { return bytes_.size(); }
  const audit_rule_data& data() const;
  // A writable copy for libaudit calls that take a non-const rule.
  std::vector<uint8_t> MutableCopy() const { return bytes_; }

  uint32_t list() const;     // flags & AUDIT_FILTER_MASK
  bool prepend() const;      // AUDIT_FILTER_PREPEND set
  uint32_t action() const;
  // The keys of the rule (-k / -F key=), split at the 0x01 separator.
  std::vector<std::string> Keys() const;
  // Whether the rule has a field of this type (AUDIT_SADDR_FAM, AUDIT_ARCH, ...), any operator.
  bool HasField(uint32_t field) const;
  // A copy without the fields of this type. Only for fields with a plain value (not a string
  // field, whose text lives in the buffer): for a string field the copy is the rule unchanged.
  EncodedRule WithoutField(uint32_t field) const;

  // True when the kernel would treat both as the same rule: same list (ignoring PREPEND), action,
  // fields, values, strings and syscalls. The last mask word is left out: the kernel folds the
  // syscall-class bits kept there into the rest, so a listed rule differs from the one sent.
  bool SameAs(const EncodedRule& other) const;

 private:
  std::vector<uint8_t> bytes_;
};

// True for the fields whose value is a length into the rule's string buffer.
bool IsStringField(uint32_t field);

}  // namespace auditlens
