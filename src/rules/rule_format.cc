#include "rules/rule_format.h"

#include <libaudit.h>
#include <linux/audit.h>

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

namespace auditlens {
namespace {

const char* Op(uint32_t op) {
  const char* s = audit_operator_to_symbol(static_cast<int>(op));
  return s ? s : "?";
}

bool IsNoSyscallList(uint32_t list) {
  return list == AUDIT_FILTER_USER || list == AUDIT_FILTER_TASK || list == AUDIT_FILTER_EXCLUDE;
}

bool AllSyscalls(const audit_rule_data& r) {
  for (int i = 0; i < AUDIT_BITMASK_SIZE - 1; ++i) {
    if (r.mask[i] != ~0u) return false;
  }
  return true;
}

// auditctl's notion of a watch: exit list, all syscalls, only path/dir/perm/key fields, a perm.
bool IsWatch(const audit_rule_data& r) {
  bool perm = false;
  for (uint32_t i = 0; i < r.field_count; ++i) {
    uint32_t field = r.fields[i] & ~AUDIT_OPERATORS;
    if (field == AUDIT_PERM) perm = true;
    if (field != AUDIT_PERM && field != AUDIT_FILTERKEY && field != AUDIT_DIR &&
        field != AUDIT_WATCH) {
      return false;
    }
  }
  uint32_t list = r.flags & AUDIT_FILTER_MASK;
  return perm && (IsNoSyscallList(list) || AllSyscalls(r));
}

std::string Perms(uint32_t value) {
  std::string s;
  if (value & AUDIT_PERM_READ) s += 'r';
  if (value & AUDIT_PERM_WRITE) s += 'w';
  if (value & AUDIT_PERM_EXEC) s += 'x';
  if (value & AUDIT_PERM_ATTR) s += 'a';
  return s;
}

const char* CompareNames(uint32_t value, const char** right) {
  static const char* const kPairs[][2] = {
      {nullptr, nullptr},  {"uid", "obj_uid"},  {"gid", "obj_gid"},  {"euid", "obj_uid"},
      {"egid", "obj_gid"}, {"auid", "obj_uid"}, {"suid", "obj_uid"}, {"sgid", "obj_gid"},
      {"fsuid", "obj_uid"}, {"fsgid", "obj_gid"}, {"uid", "auid"},   {"uid", "euid"},
      {"uid", "fsuid"},    {"uid", "suid"},     {"auid", "fsuid"},   {"auid", "suid"},
      {"auid", "euid"},    {"euid", "suid"},    {"euid", "fsuid"},   {"suid", "fsuid"},
      {"gid", "egid"},     {"gid", "fsgid"},    {"gid", "sgid"},     {"egid", "fsgid"},
      {"egid", "sgid"},    {"sgid", "fsgid"},
  };
  if (value == 0 || value >= sizeof(kPairs) / sizeof(kPairs[0])) return nullptr;
  *right = kPairs[value][1];
  return kPairs[value][0];
}

void AppendArch(const audit_rule_data& r, std::string* out, int* machine) {
  for (uint32_t i = 0; i < r.field_count; ++i) {
    if ((r.fields[i] & ~AUDIT_OPERATORS) != AUDIT_ARCH) continue;
    uint32_t op = r.fieldflags[i] & AUDIT_OPERATORS;
    uint32_t elf = r.values[i];
    int m = audit_elf_to_machine(elf);
    if (m < 0) {
      *out += fmt::format(" -F arch{}0x{:X}", Op(op), elf);
    } else {
      *out += fmt::format(" -F arch{}{}", Op(op), (elf & __AUDIT_ARCH_64BIT) ? "b64" : "b32");
      *machine = m;
    }
  }
}

void AppendSyscalls(const audit_rule_data& r, int machine, std::string* out) {
  if (IsNoSyscallList(r.flags & AUDIT_FILTER_MASK)) return;
  if (AllSyscalls(r)) {
    *out += " -S all";
    return;
  }
  bool first = true;
  for (int nr = 0; nr < AUDIT_BITMASK_SIZE * 32; ++nr) {
    if (!(r.mask[AUDIT_WORD(nr)] & AUDIT_BIT(nr))) continue;
    const char* name = machine < 0 ? nullptr : audit_syscall_to_name(nr, machine);
    *out += first ? " -S " : ",";
    *out += name ? std::string(name) : std::to_string(nr);
    first = false;
  }
}

}  // namespace

std::string FormatRule(const EncodedRule& rule) {
  if (rule.empty()) return "";
  const audit_rule_data& r = rule.data();
  const bool watch = IsWatch(r);
  std::string out;
  if (!watch) {
    const char* action = audit_action_to_name(static_cast<int>(r.action));
    const char* list = audit_flag_to_name(static_cast<int>(r.flags & AUDIT_FILTER_MASK));
    out = fmt::format("-a {},{}", action ? action : "?", list ? list : "?");
    int machine = audit_detect_machine();
    AppendArch(r, &out, &machine);
    AppendSyscalls(r, machine, &out);
  }

  size_t offset = 0;
  for (uint32_t i = 0; i < r.field_count; ++i) {
    const uint32_t field = r.fields[i] & ~AUDIT_OPERATORS;
    const uint32_t op = r.fieldflags[i] & AUDIT_OPERATORS;
    const uint32_t value = r.values[i];
    const int32_t signed_value = static_cast<int32_t>(value);
    if (field == AUDIT_ARCH) continue;  // written first

    std::string_view text;
    if (IsStringField(field)) {
      size_t len = offset + value <= r.buflen ? value : 0;  // a bad length shows as empty
      text = std::string_view(r.buf + offset, len);
      offset += len;
    }
    const char* name = audit_field_to_name(static_cast<int>(field));
    if (!name) {
      out += fmt::format(" f{}{}{}", r.fields[i], Op(op), signed_value);
      continue;
    }
    switch (field) {
      case AUDIT_WATCH:
        out += watch ? fmt::format("-w {}", text) : fmt::format(" -F path={}", text);
        break;
      case AUDIT_DIR:
        out += watch ? fmt::format("-w {}", text) : fmt::format(" -F dir={}", text);
        break;
      case AUDIT_FILTERKEY: {
        size_t start = 0;
        for (;;) {
          size_t sep = text.find(static_cast<char>(AUDIT_KEY_SEPARATOR), start);
          std::string_view key = text.substr(start, sep == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : sep - start);
          if (!key.empty()) out += std::string(watch ? " -k " : " -F key=") + std::string(key);
          if (sep == std::string_view::npos) break;
          start = sep + 1;
        }
        break;
      }
      case AUDIT_PERM:
        out += (watch ? " -p " : " -F perm=") + Perms(value);
        break;
      case AUDIT_MSGTYPE: {
        const char* type = audit_msg_type_to_name(signed_value);
        out += type ? fmt::format(" -F {}{}{}", name, Op(op), type)
                    : fmt::format(" -F {}{}{}", name, Op(op), signed_value);
        break;
      }
      case AUDIT_INODE:
        out += fmt::format(" -F {}{}{}", name, Op(op), value);
        break;
      case AUDIT_FIELD_COMPARE: {
        const char* right = nullptr;
        const char* left = CompareNames(value, &right);
        if (left) out += fmt::format(" -C {}{}{}", left, Op(op), right);
        break;
      }
      case AUDIT_ARG0:
      case AUDIT_ARG1:
      case AUDIT_ARG2:
      case AUDIT_ARG3:
        out += fmt::format(" -F {}{}0x{:X}", name, Op(op), value);
        break;
      case AUDIT_EXIT: {
        const char* err = signed_value < 0 ? audit_errno_to_name(std::abs(signed_value)) : nullptr;
        out += err ? fmt::format(" -F {}{}-{}", name, Op(op), err)
                   : fmt::format(" -F {}{}{}", name, Op(op), signed_value);
        break;
      }
      default:
        if (IsStringField(field)) {
          out += fmt::format(" -F {}{}{}", name, Op(op), text);
        } else {
          out += fmt::format(" -F {}{}{}", name, Op(op), signed_value);
        }
        break;
    }
  }
  return out;
}

std::vector<std::string> RuleSyscallNames(const EncodedRule& rule) {
  if (rule.empty()) return {};
  const audit_rule_data& r = rule.data();
  int machine = audit_detect_machine();
  std::string ignored;
  AppendArch(r, &ignored, &machine);
  std::string text;
  AppendSyscalls(r, machine, &text);  // " -S a,b,c", " -S all" or nothing
  std::vector<std::string> names;
  if (text.size() <= 4) return names;
  size_t start = 4;
  for (;;) {
    size_t comma = text.find(',', start);
    names.push_back(text.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

}  // namespace auditlens
