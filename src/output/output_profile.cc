#include "output/output_profile.h"

#include <charconv>

#include "common/json_value.h"
#include "output/json_writer.h"

namespace auditlens {

bool ParseOutputProfile(std::string_view name, OutputProfile* out, std::string* why) {
  if (name == "full") {
    *out = OutputProfile::kFull;
    return true;
  }
  if (name == "compact") {
    *out = OutputProfile::kCompact;
    return true;
  }
  if (name == "lean") {
    *out = OutputProfile::kLean;
    return true;
  }
  *why = "'" + std::string(name) +
         "' is not an output profile (\"full\", \"compact\" or \"lean\")";
  return false;
}

std::string_view OutputProfileName(OutputProfile profile) {
  switch (profile) {
    case OutputProfile::kFull: return "full";
    case OutputProfile::kCompact: return "compact";
    case OutputProfile::kLean: return "lean";
  }
  return "full";
}

namespace {

using R = LeanRelation;
// docs/schema.md, "The lean profile", is this table.
constexpr LeanRule kLeanRules[] = {
    {"SYSCALL", "syscall", "event.action", R::kEqual},
    {"SYSCALL", "pid", "process.pid", R::kNumber},
    {"SYSCALL", "ppid", "process.parent.pid", R::kNumber},
    {"SYSCALL", "comm", "process.name", R::kEqual},
    {"SYSCALL", "exe", "process.executable", R::kEqual},
    {"SYSCALL", "uid", "process.real_user", R::kNameElseId},
    {"SYSCALL", "euid", "process.user", R::kNameElseId},
    {"SYSCALL", "suid", "process.saved_user", R::kNameElseId},
    {"SYSCALL", "gid", "group", R::kNameElseId},
    {"SYSCALL", "auid", "auditd.user.audit", R::kNameElseId},
    {"SYSCALL", "ses", "auditd.session.ses", R::kEqual},
    // Ids the summary has no field of its own for, left out when they are the same as one it has
    // (a process that did not change ids: fsuid is euid, egid, sgid and fsgid are gid).
    {"SYSCALL", "fsuid", "process.user", R::kNameElseId},
    {"SYSCALL", "egid", "group", R::kNameElseId},
    {"SYSCALL", "sgid", "group", R::kNameElseId},
    {"SYSCALL", "fsgid", "group", R::kNameElseId},
    {"SYSCALL", "tty", "process.interactive", R::kNoTty},
    {"CWD", "cwd", "process.working_directory", R::kEqual},
    {"PATH", "name", "file.path", R::kEqual},
    {"PATH", "inode", "file.inode", R::kEqual},
    {"PATH", "ouid", "file.owner", R::kEqual},
    {"PATH", "ogid", "file.group", R::kEqual},
    {"EXECVE", "argc", "process.args_count", R::kNumber},
    {"EXECVE", "a*", "process.args", R::kArg},
    {"PROCTITLE", "proctitle", "process.args", R::kArgsTitle},
    {"SYSCALL", "key", "tags", R::kTags},
    {"SYSCALL", "success", "event.outcome", R::kOutcome},
    {"PATH", "mode", "file", R::kMode},
    {"SOCKADDR", "saddr", "destination", R::kSockaddr},
};

// The kernel's cut of a proctitle (MAX_PROCTITLE_AUDIT_LEN).
constexpr size_t kProctitleMax = 128;

const JsonValue& At(const JsonValue& line, std::string_view path) {
  const JsonValue* v = &line;
  while (true) {
    const size_t dot = path.find('.');
    v = &(*v)[path.substr(0, dot)];
    if (dot == std::string_view::npos) return *v;
    path.remove_prefix(dot + 1);
  }
}

// "a12" → 12; false for anything else.
bool ArgIndex(std::string_view field, size_t* index) {
  if (field.size() < 2 || field[0] != 'a') return false;
  auto [end, ec] = std::from_chars(field.data() + 1, field.data() + field.size(), *index);
  return ec == std::errc() && end == field.data() + field.size() && (field.size() == 2 || field[1] != '0');
}

}  // namespace

std::span<const LeanRule> LeanRules() { return kLeanRules; }

bool HasLeanRules(std::string_view type) {
  for (const LeanRule& rule : kLeanRules) {
    if (rule.type == type) return true;
  }
  return false;
}

const LeanRule* FindLeanRule(std::string_view type, std::string_view field) {
  size_t index;
  const bool arg = type == "EXECVE" && ArgIndex(field, &index);
  for (const LeanRule& rule : kLeanRules) {
    if (rule.type == type && (rule.field == field || (arg && rule.field == "a*"))) return &rule;
  }
  return nullptr;
}

bool LeanRebuild(const LeanRule& rule, std::string_view field, const JsonValue& line,
                 std::string* json) {
  json->clear();
  JsonWriter w(json);
  const JsonValue& v = At(line, rule.path);
  switch (rule.relation) {
    case R::kEqual:
      if (!v.is_string()) return false;
      w.String(v.text());
      return true;
    case R::kNumber:
      if (!v.is_number()) return false;
      w.String(v.text());
      return true;
    case R::kNameElseId: {
      const JsonValue& name = v["name"];
      const JsonValue& id = v["id"];
      const JsonValue& which = name.is_null() ? id : name;
      if (!which.is_string()) return false;
      w.String(which.text());
      return true;
    }
    case R::kArg: {
      size_t index;
      if (!ArgIndex(field, &index) || !v.is_array() || index >= v.items().size() ||
          !v.items()[index].is_string()) {
        return false;
      }
      w.String(v.items()[index].text());
      return true;
    }
    case R::kArgsTitle: {
      if (!v.is_array() || v.items().empty()) return false;
      std::string joined;
      for (const JsonValue& arg : v.items()) {
        if (!arg.is_string()) return false;
        if (&arg != &v.items().front()) joined.push_back('\0');
        joined.append(arg.text());
      }
      if (joined.size() > kProctitleMax) joined.resize(kProctitleMax);
      w.BeginArray();
      std::string_view rest = joined;
      while (true) {
        const size_t nul = rest.find('\0');
        w.String(rest.substr(0, nul));
        if (nul == std::string_view::npos) break;
        rest.remove_prefix(nul + 1);
      }
      w.EndArray();
      return true;
    }
    case R::kTags: {
      if (!v.is_array() || v.items().empty()) return false;
      for (const JsonValue& tag : v.items()) {
        if (!tag.is_string()) return false;
      }
      if (v.items().size() == 1) {
        w.String(v.items()[0].text());
        return true;
      }
      w.BeginArray();
      for (const JsonValue& tag : v.items()) w.String(tag.text());
      w.EndArray();
      return true;
    }
    case R::kNoTty:
      if (v.type() != JsonValue::Type::kBool || v.boolean()) return false;
      w.String("(none)");
      return true;
    case R::kOutcome:
      if (v.text() == "success" && v.is_string()) {
        w.String("yes");
        return true;
      }
      if (v.text() == "failure" && v.is_string()) {
        w.String("no");
        return true;
      }
      return false;
    case R::kMode: {
      const JsonValue& type = v["type"];
      const JsonValue& mode = v["mode"];
      if (!type.is_string() || !mode.is_string() || mode.text().size() < 2 ||
          mode.text()[0] != '0') {
        return false;
      }
      w.String(type.text() + "," + mode.text().substr(1));
      return true;
    }
    case R::kSockaddr: {
      const JsonValue& ip = v["ip"];
      const JsonValue& port = v["port"];
      if (!ip.is_string() || !port.is_number()) return false;
      w.BeginObject();
      w.Key("family");
      w.String(ip.text().find(':') == std::string::npos ? "inet" : "inet6");
      w.Key("address");
      w.String(ip.text());
      w.Key("port");
      w.Raw(port.text());
      w.EndObject();
      return true;
    }
  }
  return false;
}

}  // namespace auditlens
