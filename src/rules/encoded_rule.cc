#include "rules/encoded_rule.h"

#include <libaudit.h>
#include <linux/audit.h>

#include <cstring>

namespace auditlens {

bool IsStringField(uint32_t field) {
  switch (field) {
    case AUDIT_SUBJ_USER:
    case AUDIT_SUBJ_ROLE:
    case AUDIT_SUBJ_TYPE:
    case AUDIT_SUBJ_SEN:
    case AUDIT_SUBJ_CLR:
    case AUDIT_OBJ_USER:
    case AUDIT_OBJ_ROLE:
    case AUDIT_OBJ_TYPE:
    case AUDIT_OBJ_LEV_LOW:
    case AUDIT_OBJ_LEV_HIGH:
    case AUDIT_WATCH:
    case AUDIT_DIR:
    case AUDIT_FILTERKEY:
    case AUDIT_EXE:
      return true;
    default:
      return false;
  }
}

EncodedRule EncodedRule::FromData(const audit_rule_data& data) {
  EncodedRule rule;
  const auto* p = reinterpret_cast<const uint8_t*>(&data);
  rule.bytes_.assign(p, p + sizeof(audit_rule_data) + data.buflen);
  return rule;
}

bool EncodedRule::FromBytes(const void* bytes, size_t size, EncodedRule* rule) {
  if (size < sizeof(audit_rule_data)) return false;
  audit_rule_data header;
  std::memcpy(&header, bytes, sizeof(header));
  if (header.field_count > AUDIT_MAX_FIELDS) return false;
  if (size - sizeof(audit_rule_data) < header.buflen) return false;
  const auto* p = static_cast<const uint8_t*>(bytes);
  rule->bytes_.assign(p, p + sizeof(audit_rule_data) + header.buflen);
  return true;
}

const audit_rule_data& EncodedRule::data() const {
  return *reinterpret_cast<const audit_rule_data*>(bytes_.data());
}

uint32_t EncodedRule::list() const { return data().flags & AUDIT_FILTER_MASK; }
bool EncodedRule::prepend() const { return (data().flags & AUDIT_FILTER_PREPEND) != 0; }
uint32_t EncodedRule::action() const { return data().action; }

std::vector<std::string> EncodedRule::Keys() const {
  std::vector<std::string> keys;
  const audit_rule_data& r = data();
  size_t offset = 0;
  for (uint32_t i = 0; i < r.field_count; ++i) {
    uint32_t field = r.fields[i] & ~AUDIT_OPERATORS;
    if (!IsStringField(field)) continue;
    uint32_t len = r.values[i];
    if (offset + len > r.buflen) break;
    if (field == AUDIT_FILTERKEY) {
      std::string all(r.buf + offset, len);
      size_t start = 0;
      for (;;) {
        size_t sep = all.find(static_cast<char>(AUDIT_KEY_SEPARATOR), start);
        size_t len = sep == std::string::npos ? std::string::npos : sep - start;
        keys.push_back(all.substr(start, len));
        if (sep == std::string::npos) break;
        start = sep + 1;
      }
    }
    offset += len;
  }
  return keys;
}

bool EncodedRule::HasField(uint32_t field) const {
  if (empty()) return false;
  const audit_rule_data& r = data();
  for (uint32_t i = 0; i < r.field_count && i < AUDIT_MAX_FIELDS; ++i) {
    if ((r.fields[i] & ~AUDIT_OPERATORS) == field) return true;
  }
  return false;
}

EncodedRule EncodedRule::WithoutField(uint32_t field) const {
  EncodedRule copy = *this;
  if (empty() || IsStringField(field)) return copy;
  auto* r = reinterpret_cast<audit_rule_data*>(copy.bytes_.data());
  uint32_t kept = 0;
  for (uint32_t i = 0; i < r->field_count && i < AUDIT_MAX_FIELDS; ++i) {
    if ((r->fields[i] & ~AUDIT_OPERATORS) == field) continue;
    r->fields[kept] = r->fields[i];
    r->values[kept] = r->values[i];
    r->fieldflags[kept] = r->fieldflags[i];
    ++kept;
  }
  for (uint32_t i = kept; i < r->field_count && i < AUDIT_MAX_FIELDS; ++i) {
    r->fields[i] = r->values[i] = r->fieldflags[i] = 0;
  }
  r->field_count = kept;
  return copy;
}

bool EncodedRule::SameAs(const EncodedRule& other) const {
  if (empty() || other.empty()) return false;
  const audit_rule_data& a = data();
  const audit_rule_data& b = other.data();
  if ((a.flags & ~AUDIT_FILTER_PREPEND) != (b.flags & ~AUDIT_FILTER_PREPEND)) return false;
  if (a.action != b.action || a.field_count != b.field_count || a.buflen != b.buflen) return false;
  for (uint32_t i = 0; i < a.field_count; ++i) {
    if (a.fields[i] != b.fields[i] || a.values[i] != b.values[i] ||
        a.fieldflags[i] != b.fieldflags[i]) {
      return false;
    }
  }
  if (std::memcmp(a.mask, b.mask, sizeof(a.mask[0]) * (AUDIT_BITMASK_SIZE - 1)) != 0) return false;
  return std::memcmp(a.buf, b.buf, a.buflen) == 0;
}

}  // namespace auditlens
