#include "rules/rule_parser.h"

#include <dirent.h>
#include <libaudit.h>
#include <linux/audit.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

// libaudit's rule-building state (its private.h). auditctl resets these before each rule; so must
// we, or one line's arch and syscalls leak into the next.
extern "C" {
extern int _audit_permadded;
extern int _audit_archadded;
extern int _audit_syscalladded;
extern int _audit_exeadded;
extern int _audit_filterfsadded;
extern unsigned int _audit_elf;
}

namespace auditlens {
namespace {

std::mutex g_libaudit_mutex;

constexpr int kUnset = -1;

// Owns the audit_rule_data that libaudit reallocates as fields are added.
class RuleBuilder {
 public:
  RuleBuilder() : rule_(audit_rule_create_data()) {}
  ~RuleBuilder() { audit_rule_free_data(rule_); }
  RuleBuilder(const RuleBuilder&) = delete;
  RuleBuilder& operator=(const RuleBuilder&) = delete;
  audit_rule_data* get() { return rule_; }
  audit_rule_data** address() { return &rule_; }

 private:
  audit_rule_data* rule_;
};

// libaudit reports rule-building problems as small negative numbers (and prints them itself in
// auditctl); these are our wordings of them.
std::string LibauditError(int rc, char option, const std::string& arg) {
  const std::string q = "'" + arg + "'";
  switch (rc) {
    case -1:
      return option == 'C' ? "cannot compare these fields: " + q : "missing operator in " + q;
    case -2: return "unknown field, user or group in " + q;
    case -3: return "-F arch must come before -S";
    case -4: return "unknown machine type in " + q;
    case -5: return "unknown arch in " + q;
    case -6: return "this machine does not support the bit width asked in " + q;
    case -7: return q + " can only be used on the exit list";
    case -8: return "unknown message type in " + q;
    case -9: return "msgtype can only be used on the exclude and user lists";
    case -11: return "value too long in " + q;
    case -12: return "this field cannot be used on the exclude list: " + q;
    case -13: return q + ": this field only takes = or !=";
    case -14: return "permissions can only contain r, w, x and a";
    case -15: return "unknown errno name in " + q;
    case -16: return "unknown file type in " + q;
    case -17: return q + " can only be used on the exit list";
    case -19: return "a key needs a syscall (-S), a watch (-w), a perm or an exe before it";
    case -20: return "missing value in " + q;
    case -21: return "value must be a number in " + q;
    case -22: return "missing field name in " + q;
    case -24: return "missing left field in " + q;
    case -25: return "missing right field in " + q;
    case -26: return "unknown left field in " + q;
    case -27: return "unknown right field in " + q;
    case -28: return "too many fields in one rule";
    case -29: return q + ": this field only takes =";
    case -30: return q + ": not supported by this kernel";
    case -31: return q + " can only be used on the exclude, user or exit list";
    default: return "invalid " + q + " (libaudit error " + std::to_string(rc) + ")";
  }
}

// Splits a line into words like auditctl: on blanks, with "\ " and "\\" as escapes.
std::vector<std::string> SplitWords(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size() && (line[i + 1] == ' ' || line[i + 1] == '\\')) {
      word += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

bool ParseUint32(const std::string& text, uint32_t* value) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (errno != 0 || *end != '\0' || v > UINT32_MAX) return false;
  *value = static_cast<uint32_t>(v);
  return true;
}

// Machines where 32-bit programs run beside 64-bit ones with other syscall numbers.
bool HasCompatArch(int machine) {
  return machine == MACH_86_64 || machine == MACH_PPC64 || machine == MACH_PPC64LE ||
         machine == MACH_S390X || machine == MACH_AARCH64;
}

const char* ListName(int list) {
  const char* name = audit_flag_to_name(list);
  return name ? name : "?";
}

// Parses one line: the state of one auditctl invocation.
class LineParser {
 public:
  LineParser(SourceLocation where, std::string text, RuleSet* out)
      : where_(std::move(where)), text_(std::move(text)), out_(out) {}

  void Run(const std::vector<std::string>& words) {
    _audit_permadded = 0;
    _audit_archadded = 0;
    _audit_syscalladded = 0;
    _audit_exeadded = 0;
    _audit_filterfsadded = 0;
    _audit_elf = 0;
    if (!Options(words) || !Finish()) return;
    for (auto& w : warnings_) out_->warnings.push_back({where_, std::move(w)});
    for (auto& c : commands_) out_->commands.push_back(std::move(c));
  }

 private:
  bool Fail(std::string message) {
    out_->errors.push_back({where_, std::move(message)});
    return false;
  }

  bool Options(const std::vector<std::string>& words) {
    static const std::string kWithValue = "CefrbaAdSFmRwWkpq";
    for (size_t i = 0; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w.size() >= 2 && w[0] == '-' && w[1] == '-') {
        std::string name = w.substr(2), value;
        size_t eq = name.find('=');
        if (eq != std::string::npos) {
          value = name.substr(eq + 1);
          name.resize(eq);
        } else if (name == "backlog_wait_time" && i + 1 < words.size()) {
          value = words[++i];
        }
        if (!LongOption(name, value)) return false;
        continue;
      }
      if (w.size() < 2 || w[0] != '-') {
        return Fail("unexpected '" + w + "': every argument belongs to an option");
      }
      const char opt = w[1];
      std::string value;
      if (kWithValue.find(opt) != std::string::npos) {
        if (w.size() > 2) {
          value = w.substr(2);
        } else if (i + 1 < words.size()) {
          value = words[++i];
        } else {
          return Fail(std::string("option -") + opt + " needs a value");
        }
      } else if (w.size() > 2) {
        return Fail("unknown option '" + w + "'");
      }
      if (!Option(opt, value)) return false;
    }
    return true;
  }

  bool LongOption(const std::string& name, const std::string& value) {
    if (name == "backlog_wait_time") {
      uint32_t v;
      if (!ParseUint32(value, &v)) {
        return Fail("--backlog_wait_time needs a number, not '" + value + "'");
      }
      return Status(AUDIT_STATUS_BACKLOG_WAIT_TIME, v);
    }
    if (name == "loginuid-immutable") {
      return Fail("--loginuid-immutable is refused: it cannot be undone until reboot");
    }
    return Fail("option --" + name + " is not a rule-file option");
  }

  bool Status(uint32_t bit, uint32_t value) {
    RuleCommand c;
    c.kind = RuleCommand::Kind::kSetStatus;
    c.where = where_;
    c.text = text_;
    c.status_mask = bit;
    c.status_value = value;
    commands_.push_back(std::move(c));
    return true;
  }

  int list() const { return add_ != kUnset ? add_ : del_; }

  bool Option(char opt, const std::string& value) {
    switch (opt) {
      case 'a':
      case 'A':
      case 'd':
        return ListAction(opt, value);
      case 'S':
        return Syscalls(value);
      case 'F':
        return Field(value);
      case 'C':
        return Compare(value);
      case 'k':
        if (delete_all_) {  // -D -k key: delete the rules with this key
          key_ = value;
          return true;
        }
        if (!(_audit_syscalladded || _audit_permadded || _audit_exeadded || _audit_filterfsadded) ||
            list() == kUnset) {
          return Fail("-k needs a rule before it: -a/-A/-d with -S or -F, or -w");
        }
        return AddKey(value);
      case 'w':
      case 'W':
        return Watch(opt, value);
      case 'p':
        return Perms(value);
      case 'D':
        delete_all_ = true;
        return true;
      case 'b':
      case 'r': {
        uint32_t v;
        if (!ParseUint32(value, &v)) {
          return Fail(std::string("-") + opt + " needs a number, not '" + value + "'");
        }
        return Status(opt == 'b' ? AUDIT_STATUS_BACKLOG_LIMIT : AUDIT_STATUS_RATE_LIMIT, v);
      }
      case 'e':
        if (value == "2") {
          return Fail("-e 2 is refused: immutable mode locks the audit configuration until reboot, "
                      "and auditlens never sets it (remove this line)");
        }
        if (value != "0" && value != "1") return Fail("-e must be 0 or 1, not '" + value + "'");
        return Status(AUDIT_STATUS_ENABLED, value == "1");
      case 'f':
        if (value == "2") {
          return Fail("-f 2 is refused: failure mode 2 panics the kernel when records are lost, "
                      "and auditlens never sets it (use -f 1)");
        }
        if (value != "0" && value != "1") return Fail("-f must be 0 or 1, not '" + value + "'");
        return Status(AUDIT_STATUS_FAILURE, value == "1");
      case 'i':
        out_->ignore_errors = true;
        return true;
      case 'c':
        out_->continue_on_error = true;
        return true;
      case 'l': case 's': case 'm': case 'R': case 't': case 'q': case 'h': case 'v':
        return Fail(std::string("option -") + opt + " is not a rule-file option");
      default:
        return Fail(std::string("unknown option -") + opt);
    }
  }

  bool ListAction(char opt, const std::string& value) {
    if (++list_ops_ != 1) return Fail("only one -a, -A, -d, -w or -W per rule");
    size_t comma = value.find(',');
    if (comma == std::string::npos || value.find(',', comma + 1) != std::string::npos) {
      return Fail("-" + std::string(1, opt) + " takes list,action (e.g. always,exit), not '" +
                  value + "'");
    }
    std::string first = value.substr(0, comma), second = value.substr(comma + 1);
    auto action_of = [](const std::string& s) {
      return s == "always" ? AUDIT_ALWAYS : s == "never" ? AUDIT_NEVER : kUnset;
    };
    int action = action_of(first), list;
    if (action != kUnset) {
      list = audit_name_to_flag(second.c_str());
    } else {
      action = action_of(second);
      list = audit_name_to_flag(first.c_str());
    }
    if (first == "possible" || second == "possible") {
      return Fail("the 'possible' action is deprecated and not supported");
    }
    if (action == kUnset || list < 0) {
      return Fail("unknown list or action in '" + value +
                  "' (lists: exit, task, user, exclude, filesystem; actions: always, never)");
    }
    if (list == AUDIT_FILTER_ENTRY) return Fail("the entry list is deprecated; use exit");
    if (list == AUDIT_FILTER_URING_EXIT) {
      return Fail("io_uring rules are not supported by the libaudit auditlens is built with");
    }
    action_ = action;
    if (opt == 'd') {
      del_ = list;
    } else {
      add_ = list;
      prepend_ = opt == 'A';
    }
    return true;
  }

  bool Syscalls(const std::string& value) {
    saw_rule_option_ = true;
    int l = list();
    if (l == AUDIT_FILTER_TASK || l == AUDIT_FILTER_USER || l == AUDIT_FILTER_EXCLUDE ||
        l == AUDIT_FILTER_FS) {
      return Fail(std::string("syscalls (-S) cannot be used on the ") + ListName(l) + " list");
    }
    if (_audit_elf == 0) {
      // As auditctl: resolve names with the machine's arch, without adding an arch field.
      int machine = audit_detect_machine();
      unsigned elf = machine < 0 ? 0 : audit_machine_to_elf(machine);
      if (elf == 0) return Fail("cannot detect this machine's arch");
      _audit_elf = elf;
      without_arch_ = true;
    }
    std::stringstream names(value);
    std::string name;
    size_t count = 0;
    while (std::getline(names, name, ',')) {
      ++count;
      if (name.empty()) return Fail("empty syscall name in '" + value + "'");
      int rc = audit_rule_syscallbyname_data(rule_.get(), name.c_str());
      if (rc == -1) {
        const char* arch = audit_machine_to_name(audit_elf_to_machine(_audit_elf));
        return Fail("unknown syscall '" + name + "' for arch " + (arch ? arch : "?"));
      }
      if (rc != 0) return Fail("cannot resolve syscall '" + name + "'");
      if (name != "all") named_syscalls_ = true;
    }
    if (count == 0) return Fail("-S needs a syscall name");
    _audit_syscalladded = 1;
    return true;
  }

  bool Field(const std::string& value) {
    saw_rule_option_ = true;
    if (list() == kUnset) return Fail("-F needs a list first (-a/-A/-d list,action)");
    if (value.rfind("key=", 0) == 0) return AddKey(value.substr(4));
    if (!CheckSaddrFam(value)) return false;
    std::vector<char> pair(value.begin(), value.end());
    pair.push_back('\0');  // libaudit writes into the pair
    audit_rule_data** rule = rule_.address();
    int rc = audit_rule_fieldpair_data(rule, pair.data(), list());
    if (rc != 0) return Fail(LibauditError(rc, 'F', value));
    uint32_t last = (*rule)->fields[(*rule)->field_count - 1];
    if (last == AUDIT_PERM) _audit_permadded = 1;
    if (last == AUDIT_EXE) _audit_exeadded = 1;
    return true;
  }

  // saddr_fam (the address family of the call's socket address): libaudit reads its value with
  // strtoul and no check, so "saddr_fam=inet" would become AF_UNSPEC (0) and "2x" would become 2,
  // and the kernel refuses the bit operators with an EINVAL that reads like "this kernel has no
  // saddr_fam" (see the fallback in rule_loader.cc). All three are parse errors here.
  bool CheckSaddrFam(const std::string& pair) {
    size_t op_at = pair.find_first_of("=!<>&");
    if (op_at == std::string::npos || pair.compare(0, op_at, "saddr_fam") != 0) return true;
    size_t value_at = pair.find_first_not_of("=!<>&", op_at);
    if (value_at == std::string::npos) return true;  // libaudit reports the missing value
    const std::string op = pair.substr(op_at, value_at - op_at);
    const std::string value = pair.substr(value_at);
    if (op.find('&') != std::string::npos) {
      return Fail("'" + pair + "': saddr_fam takes =, !=, <, >, <= or >=, not a bit test");
    }
    uint32_t family;
    if (!ParseUint32(value, &family) || family >= AF_MAX) {
      return Fail("'" + pair + "': saddr_fam takes an address family number below " +
                  std::to_string(AF_MAX) + " (2 inet, 10 inet6, 1 unix, 16 netlink), not '" +
                  value + "'");
    }
    return true;
  }

  bool Compare(const std::string& value) {
    saw_rule_option_ = true;
    if (list() == kUnset) return Fail("-C needs a list first (-a/-A/-d list,action)");
    std::vector<char> pair(value.begin(), value.end());
    pair.push_back('\0');
    int rc = audit_rule_interfield_comp_data(rule_.address(), pair.data(), list());
    if (rc != 0) return Fail(LibauditError(rc, 'C', value));
    return true;
  }

  bool AddKey(const std::string& key) {
    if (key.empty()) return Fail("empty key");
    if (key.find(static_cast<char>(AUDIT_KEY_SEPARATOR)) != std::string::npos) {
      return Fail("key contains the 0x01 separator");
    }
    if (!key_.empty()) key_ += static_cast<char>(AUDIT_KEY_SEPARATOR);
    key_ += key;
    if (key_.size() > AUDIT_MAX_KEY_LEN) {
      return Fail("keys too long: at most " + std::to_string(AUDIT_MAX_KEY_LEN) +
                  " bytes together");
    }
    return true;
  }

  bool Watch(char opt, const std::string& value) {
    saw_rule_option_ = true;
    if (list() != kUnset) return Fail("-w/-W cannot be combined with -a, -A or -d");
    if (++list_ops_ != 1) return Fail("only one -a, -A, -d, -w or -W per rule");
    std::string path = value;
    if (path.empty() || path[0] != '/') return Fail("watch path must be absolute: '" + path + "'");
    if (path.size() >= PATH_MAX) return Fail("watch path too long");
    while (path.size() > 1 && path.back() == '/') path.pop_back();  // as auditctl
    size_t slash = path.rfind('/');
    if (path.size() - slash - 1 > NAME_MAX) return Fail("watch file name too long");
    if (path.find("..") != std::string::npos) {
      warnings_.push_back("relative path notation (..) in watch paths is not resolved");
    }
    if (path.find_first_of("*?") != std::string::npos) {
      warnings_.push_back("wildcards in watch paths are not expanded");
    }
    struct stat st;
    int type = (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) ? AUDIT_DIR : AUDIT_WATCH;
    if (audit_add_watch_dir(type, rule_.address(), path.c_str()) != 0) {
      return Fail("cannot build a watch on '" + path + "'");
    }
    if (opt == 'w') {
      add_ = AUDIT_FILTER_EXIT;
    } else {
      del_ = AUDIT_FILTER_EXIT;
    }
    action_ = AUDIT_ALWAYS;
    _audit_syscalladded = 1;
    return true;
  }

  bool Perms(const std::string& value) {
    saw_rule_option_ = true;
    if (list() == kUnset) return Fail("-p needs a watch (-w) before it");
    if (value.empty() || value.size() > 4) return Fail("-p takes up to four of r, w, x, a");
    int perms = 0;
    for (char c : value) {
      switch (std::tolower(static_cast<unsigned char>(c))) {
        case 'r': perms |= AUDIT_PERM_READ; break;
        case 'w': perms |= AUDIT_PERM_WRITE; break;
        case 'x': perms |= AUDIT_PERM_EXEC; break;
        case 'a': perms |= AUDIT_PERM_ATTR; break;
        default: return Fail(std::string("permission '") + c + "' is not one of r, w, x, a");
      }
    }
    if (audit_update_watch_perms(rule_.get(), perms) != 0) return Fail("cannot set permissions");
    _audit_permadded = 1;
    return true;
  }

  // Turns the options into commands once the whole line parsed.
  bool Finish() {
    if (delete_all_) {
      if (list() != kUnset || saw_rule_option_ || !commands_.empty()) {
        return Fail("-D takes no other option than -k key");
      }
      RuleCommand c;
      c.kind = RuleCommand::Kind::kDeleteAll;
      c.where = where_;
      c.text = text_;
      c.key = key_;
      commands_.push_back(std::move(c));
      return true;
    }
    if (list() == kUnset) {
      if (saw_rule_option_ || !key_.empty()) {
        return Fail("rule options need a list: start the rule with -a, -A, -d, -w or -W");
      }
      return true;  // control options only
    }
    const int l = list();
    if (_audit_syscalladded &&
        (l == AUDIT_FILTER_TASK || l == AUDIT_FILTER_USER || l == AUDIT_FILTER_EXCLUDE ||
         l == AUDIT_FILTER_FS)) {
      return Fail(std::string("syscalls (-S) cannot be used on the ") + ListName(l) + " list");
    }
    if (l != AUDIT_FILTER_TASK && !_audit_syscalladded) {
      audit_rule_syscallbyname_data(rule_.get(), "all");  // as auditctl: every syscall
    }
    if (!key_.empty()) {
      std::string pair_text = "key=" + key_;
      std::vector<char> pair(pair_text.begin(), pair_text.end());
      pair.push_back('\0');
      int rc = audit_rule_fieldpair_data(rule_.address(), pair.data(), l);
      if (rc != 0) return Fail(LibauditError(rc, 'k', pair_text));
    }
    if (without_arch_ && named_syscalls_ && add_ != kUnset &&
        HasCompatArch(audit_detect_machine())) {
      warnings_.push_back(
          "syscall rule without -F arch: it matches these syscall numbers in every arch, and "
          "32-bit numbers differ; add -F arch=b64 (and a b32 twin)");
    }
    audit_rule_data* rule = rule_.get();
    rule->flags = static_cast<uint32_t>(l) | (prepend_ ? AUDIT_FILTER_PREPEND : 0);
    rule->action = static_cast<uint32_t>(action_);
    RuleCommand c;
    c.kind = add_ != kUnset ? RuleCommand::Kind::kAddRule : RuleCommand::Kind::kDeleteRule;
    c.where = where_;
    c.text = text_;
    c.rule = EncodedRule::FromData(*rule);
    commands_.push_back(std::move(c));
    return true;
  }

  SourceLocation where_;
  std::string text_;
  RuleSet* out_;
  RuleBuilder rule_;
  std::vector<RuleCommand> commands_;
  std::vector<std::string> warnings_;
  std::string key_;
  int add_ = kUnset;
  int del_ = kUnset;
  int action_ = kUnset;
  int list_ops_ = 0;
  bool prepend_ = false;
  bool delete_all_ = false;
  bool saw_rule_option_ = false;
  bool without_arch_ = false;
  bool named_syscalls_ = false;
};

bool ReadFile(const std::string& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::string("cannot read: ") + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    *error = std::string("read error: ") + std::strerror(errno);
    return false;
  }
  *text = buffer.str();
  return true;
}

void ParseFileInto(const std::string& path, RuleSet* rules) {
  std::string text, error;
  if (!ReadFile(path, &text, &error)) {
    rules->errors.push_back({{path, 0}, error});
    return;
  }
  ParseRulesTextInto(text, path, rules);
}

}  // namespace

void ParseRulesTextInto(std::string_view text, const std::string& source_name, RuleSet* rules) {
  std::lock_guard<std::mutex> lock(g_libaudit_mutex);
  set_aumessage_mode(MSG_QUIET, DBG_NO);  // problems come back as RuleErrors, not on stderr
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    std::vector<std::string> words = SplitWords(line);
    if (words.empty() || words[0][0] == '#') continue;
    size_t first = line.find_first_not_of(" \t");
    size_t last = line.find_last_not_of(" \t\r");
    std::string trimmed(line.substr(first, last - first + 1));
    LineParser(SourceLocation{source_name, line_number}, trimmed, rules).Run(words);
  }
}

RuleSet ParseRulesText(std::string_view text, const std::string& source_name) {
  RuleSet rules;
  ParseRulesTextInto(text, source_name, &rules);
  return rules;
}

RuleSet ParseRulesPath(const std::string& path) {
  RuleSet rules;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    rules.errors.push_back({{path, 0}, std::string("cannot read: ") + std::strerror(errno)});
    return rules;
  }
  if (S_ISREG(st.st_mode)) {
    ParseFileInto(path, &rules);
    return rules;
  }
  if (!S_ISDIR(st.st_mode)) {
    rules.errors.push_back({{path, 0}, "not a regular file or a directory"});
    return rules;
  }
  DIR* dir = opendir(path.c_str());
  if (!dir) {
    rules.errors.push_back({{path, 0}, std::string("cannot list: ") + std::strerror(errno)});
    return rules;
  }
  std::vector<std::string> names;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    const std::string suffix = ".rules";
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    struct stat file_st;
    if (stat((path + "/" + name).c_str(), &file_st) == 0 && S_ISREG(file_st.st_mode)) {
      names.push_back(name);
    }
  }
  closedir(dir);
  // Version order, as augenrules' "ls -1v": 9-a.rules before 10-b.rules.
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return strverscmp(a.c_str(), b.c_str()) < 0;
  });
  if (names.empty()) rules.warnings.push_back({{path, 0}, "no *.rules files in this directory"});
  std::string base = path;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  for (const auto& name : names) ParseFileInto(base + "/" + name, &rules);
  return rules;
}

}  // namespace auditlens
