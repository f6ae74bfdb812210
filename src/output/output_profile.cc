#include "output/output_profile.h"

#include <charconv>
#include <vector>

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
  if (name == "brief") {
    *out = OutputProfile::kBrief;
    return true;
  }
  *why = "'" + std::string(name) +
         "' is not an output profile (\"full\", \"compact\", \"lean\" or \"brief\")";
  return false;
}

std::string_view OutputProfileName(OutputProfile profile) {
  switch (profile) {
    case OutputProfile::kFull: return "full";
    case OutputProfile::kCompact: return "compact";
    case OutputProfile::kLean: return "lean";
    case OutputProfile::kBrief: return "brief";
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

// The line is read as text, not parsed into values: the formatter reads its summary back once
// per event, and only the few fields the table names are looked at. Every token is the writer's
// (output/json_writer.h): strings escape only '"', '\\' and control characters.

size_t SkipSpace(std::string_view t, size_t i) {
  while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\t' || t[i] == '\r')) ++i;
  return i;
}

// The end of the JSON value starting at t[i] (after it), or npos.
size_t SkipValue(std::string_view t, size_t i) {
  i = SkipSpace(t, i);
  if (i >= t.size()) return std::string_view::npos;
  if (t[i] == '"') {
    for (++i; i < t.size(); ++i) {
      if (t[i] == '\\') {
        ++i;
      } else if (t[i] == '"') {
        return i + 1;
      }
    }
    return std::string_view::npos;
  }
  if (t[i] == '{' || t[i] == '[') {
    const char close = t[i] == '{' ? '}' : ']';
    i = SkipSpace(t, i + 1);
    if (i < t.size() && t[i] == close) return i + 1;
    while (i < t.size()) {
      if (close == '}') {
        i = SkipValue(t, i);  // the key
        if (i == std::string_view::npos) return i;
        i = SkipSpace(t, i);
        if (i >= t.size() || t[i] != ':') return std::string_view::npos;
        ++i;
      }
      i = SkipValue(t, i);
      if (i == std::string_view::npos) return i;
      i = SkipSpace(t, i);
      if (i >= t.size()) return std::string_view::npos;
      if (t[i] == close) return i + 1;
      if (t[i] != ',') return std::string_view::npos;
      ++i;
    }
    return std::string_view::npos;
  }
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ') ++i;
  return i;
}

// The text of member key of the object token obj, or empty.
std::string_view Member(std::string_view obj, std::string_view key) {
  if (obj.empty() || obj[0] != '{') return {};
  size_t i = SkipSpace(obj, 1);
  while (i < obj.size() && obj[i] == '"') {
    const size_t key_end = SkipValue(obj, i);
    if (key_end == std::string_view::npos) return {};
    const std::string_view name = obj.substr(i + 1, key_end - i - 2);
    i = SkipSpace(obj, key_end);
    if (i >= obj.size() || obj[i] != ':') return {};
    const size_t value = SkipSpace(obj, i + 1);
    const size_t value_end = SkipValue(obj, value);
    if (value_end == std::string_view::npos) return {};
    if (name == key) return obj.substr(value, value_end - value);
    i = SkipSpace(obj, value_end);
    if (i >= obj.size() || obj[i] != ',') return {};
    i = SkipSpace(obj, i + 1);
  }
  return {};
}

// The members of an object token, in order.
void MembersOf(std::string_view obj, std::vector<std::pair<std::string_view, std::string_view>>* out) {
  out->clear();
  if (obj.empty() || obj[0] != '{') return;
  size_t i = SkipSpace(obj, 1);
  while (i < obj.size() && obj[i] == '"') {
    const size_t key_end = SkipValue(obj, i);
    if (key_end == std::string_view::npos) return;
    const std::string_view name = obj.substr(i + 1, key_end - i - 2);
    i = SkipSpace(obj, key_end);
    if (i >= obj.size() || obj[i] != ':') return;
    const size_t value = SkipSpace(obj, i + 1);
    const size_t value_end = SkipValue(obj, value);
    if (value_end == std::string_view::npos) return;
    out->emplace_back(name, obj.substr(value, value_end - value));
    i = SkipSpace(obj, value_end);
    if (i >= obj.size() || obj[i] != ',') return;
    i = SkipSpace(obj, i + 1);
  }
}

// The items of an array token.
bool Items(std::string_view array, std::vector<std::string_view>* items) {
  items->clear();
  if (array.empty() || array[0] != '[') return false;
  size_t i = SkipSpace(array, 1);
  if (i < array.size() && array[i] == ']') return true;
  while (i < array.size()) {
    const size_t end = SkipValue(array, i);
    if (end == std::string_view::npos) return false;
    items->push_back(array.substr(i, end - i));
    i = SkipSpace(array, end);
    if (i < array.size() && array[i] == ']') return true;
    if (i >= array.size() || array[i] != ',') return false;
    i = SkipSpace(array, i + 1);
  }
  return false;
}

bool IsString(std::string_view token) { return token.size() >= 2 && token[0] == '"'; }
std::string_view Inner(std::string_view token) { return token.substr(1, token.size() - 2); }

// The bytes of a string token as the writer escapes them: \" \\ \/ \b \f \n \r \t and \u00XX;
// false for anything else (a \u past ASCII is not the writer's).
bool Unescape(std::string_view token, std::string* out) {
  out->clear();
  const std::string_view in = Inner(token);
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out->push_back(in[i]);
      continue;
    }
    if (++i >= in.size()) return false;
    switch (in[i]) {
      case '"': case '\\': case '/': out->push_back(in[i]); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        unsigned v = 0;
        if (i + 4 >= in.size()) return false;
        auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 5, v, 16);
        if (ec != std::errc() || end != in.data() + i + 5 || v >= 0x80) return false;
        out->push_back(static_cast<char>(v));
        i += 4;
        break;
      }
      default: return false;
    }
  }
  return true;
}

// "a12" → 12; false for anything else.
bool ArgIndex(std::string_view field, size_t* index) {
  if (field.size() < 2 || field[0] != 'a') return false;
  auto [end, ec] = std::from_chars(field.data() + 1, field.data() + field.size(), *index);
  return ec == std::errc() && end == field.data() + field.size() && (field.size() == 2 || field[1] != '0');
}

}  // namespace

void LeanSummary::Reset(std::string_view text) {
  text_ = text;
  used_ = 0;
  args_read_ = false;
}

const std::vector<std::string_view>* LeanSummary::Args() {
  if (!args_read_) {
    args_read_ = true;
    args_ok_ = Items(At("process.args"), &args_);
  }
  return args_ok_ ? &args_ : nullptr;
}

std::string_view LeanSummary::At(std::string_view path) {
  // Each object on the way (the line, process, process.parent, ...) is split into its members
  // once per line.
  std::string_view v = text_;
  size_t at = 0;  // path[0, at) is v's path
  while (!v.empty()) {
    const std::string_view object_path = path.substr(0, at == 0 ? 0 : at - 1);
    Object* object = nullptr;
    for (size_t i = 0; i < used_; ++i) {
      if (objects_[i].path == object_path) object = &objects_[i];
    }
    if (object == nullptr) {
      if (used_ == objects_.size()) objects_.emplace_back();
      object = &objects_[used_++];
      object->path = object_path;
      MembersOf(v, &object->members);
    }
    const size_t dot = path.find('.', at);
    const std::string_view name = path.substr(at, dot == std::string_view::npos ? dot : dot - at);
    std::string_view next;
    for (const auto& [key, value] : object->members) {
      if (key == name) {
        next = value;
        break;
      }
    }
    v = next;
    if (dot == std::string_view::npos) break;
    at = dot + 1;
  }
  return v;
}

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

bool LeanRebuild(const LeanRule& rule, std::string_view field, LeanSummary& line,
                 std::string* json) {
  json->clear();
  const std::string_view v = line.At(rule.path);
  if (v.empty()) return false;
  std::vector<std::string_view> items;
  switch (rule.relation) {
    case R::kEqual:
      if (!IsString(v)) return false;
      json->assign(v);
      return true;
    case R::kNumber:
      if (IsString(v) || v[0] == '{' || v[0] == '[' || v == "true" || v == "false" || v == "null") {
        return false;
      }
      json->append("\"").append(v).append("\"");
      return true;
    case R::kNameElseId: {
      std::string_view which = Member(v, "name");
      if (which.empty()) which = Member(v, "id");
      if (!IsString(which)) return false;
      json->assign(which);
      return true;
    }
    case R::kArg: {
      // process.args, read once per line.
      size_t index;
      const std::vector<std::string_view>* args =
          rule.path == "process.args" ? line.Args() : nullptr;
      if (!ArgIndex(field, &index) || args == nullptr || index >= args->size() ||
          !IsString((*args)[index])) {
        return false;
      }
      json->assign((*args)[index]);
      return true;
    }
    case R::kArgsTitle: {
      if (rule.path == "process.args") {
        const std::vector<std::string_view>* args = line.Args();
        if (args == nullptr) return false;
        items = *args;
      } else if (!Items(v, &items)) {
        return false;
      }
      if (items.empty()) return false;
      std::string joined, arg;
      for (size_t i = 0; i < items.size(); ++i) {
        if (!IsString(items[i]) || !Unescape(items[i], &arg)) return false;
        if (i > 0) joined.push_back('\0');
        joined.append(arg);
      }
      if (joined.size() > kProctitleMax) joined.resize(kProctitleMax);
      JsonWriter w(json);
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
      if (!Items(v, &items) || items.empty()) return false;
      for (std::string_view tag : items) {
        if (!IsString(tag)) return false;
      }
      if (items.size() == 1) {
        json->assign(items[0]);
      } else {
        json->assign(v);
      }
      return true;
    }
    case R::kNoTty:
      if (v != "false") return false;
      json->assign("\"(none)\"");
      return true;
    case R::kOutcome:
      if (v == "\"success\"") {
        json->assign("\"yes\"");
        return true;
      }
      if (v == "\"failure\"") {
        json->assign("\"no\"");
        return true;
      }
      return false;
    case R::kMode: {
      const std::string_view type = Member(v, "type");
      const std::string_view mode = Member(v, "mode");
      if (!IsString(type) || !IsString(mode) || mode.size() < 4 || mode[1] != '0') return false;
      json->append(type.substr(0, type.size() - 1)).append(",").append(mode.substr(2));
      return true;
    }
    case R::kSockaddr: {
      const std::string_view ip = Member(v, "ip");
      const std::string_view port = Member(v, "port");
      if (!IsString(ip) || port.empty() || IsString(port) || port[0] == '{' || port[0] == '[') {
        return false;
      }
      json->append("{\"family\":\"")
          .append(ip.find(':') == std::string_view::npos ? "inet" : "inet6")
          .append("\",\"address\":")
          .append(ip)
          .append(",\"port\":")
          .append(port)
          .append("}");
      return true;
    }
  }
  return false;
}

size_t LeanArgCount(LeanSummary& line) {
  const std::vector<std::string_view>* args = line.Args();
  return args == nullptr ? 0 : args->size();
}

}  // namespace auditlens
