#include "enrich/process_labels.h"

#include <fnmatch.h>

#include "decode/value_decoder.h"

namespace auditlens {
namespace {

bool ValidLabelName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsGlob(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

// Each key of a decoded key field (0x01 between several), in turn; true when f says so for one.
template <typename F>
bool AnyKey(std::string_view keys, F f) {
  while (!keys.empty()) {
    size_t sep = keys.find('\x01');
    std::string_view one = keys.substr(0, sep);
    if (!one.empty() && f(one)) return true;
    if (sep == std::string_view::npos) break;
    keys.remove_prefix(sep + 1);
  }
  return false;
}

}  // namespace

Glob::Glob(std::string pattern) : pattern_(std::move(pattern)), glob_(IsGlob(pattern_)) {
  prefix_ = glob_ && pattern_.back() == '*' && pattern_.find_first_of("*?[\\") == pattern_.size() - 1;
}

bool Glob::MatchGlob(std::string_view text, std::string* scratch) const {
  scratch->assign(text);
  // A NUL inside the text cannot match past it: fnmatch stops there, and so does the kernel's view
  // of a path.
  return fnmatch(pattern_.c_str(), scratch->c_str(), 0) == 0;
}

std::vector<Glob> Globs(const std::vector<std::string>& patterns) {
  std::vector<Glob> out;
  for (const std::string& p : patterns) out.emplace_back(p);
  return out;
}

bool ProcessLabeler::Compile(const std::vector<ConfigTable>& tables, std::string* error) {
  rules_.clear();
  names_.clear();
  has_key_rules_ = false;
  for (const ConfigTable& t : tables) {
    Rule rule;
    std::string name;
    bool has_condition = false;
    for (const ConfigTable::Entry& e : t.entries) {
      if (e.key == "name") {
        if (e.values.size() != 1 || !ValidLabelName(e.values[0])) {
          *error = e.where + ": labels.name must be one name of 1 to 64 letters, digits, '_', '-' "
                   "or '.'";
          return false;
        }
        name = e.values[0];
        continue;
      }
      if (e.key != "exe" && e.key != "argv" && e.key != "key") {
        *error = e.where + ": unknown key 'labels." + e.key + "' (a [[labels]] table has name, "
                 "exe, argv, key)";
        return false;
      }
      for (const std::string& v : e.values) {
        if (v.empty()) {
          *error = e.where + ": labels." + e.key + " has an empty value";
          return false;
        }
      }
      if (e.key == "exe") rule.exe = Globs(e.values);
      if (e.key == "argv") rule.argv = Globs(e.values);
      if (e.key == "key") rule.key = e.values;
      has_condition = true;
    }
    if (name.empty()) {
      *error = t.where + ": a [[labels]] table needs a name";
      return false;
    }
    if (!has_condition) {
      *error = t.where + ": [[labels]] '" + name + "' needs exe, argv or key";
      return false;
    }
    int bit = IndexOf(name);
    if (bit < 0) {
      if (names_.size() >= kMaxLabels) {
        *error = t.where + ": more than " + std::to_string(kMaxLabels) + " label names";
        return false;
      }
      bit = static_cast<int>(names_.size());
      names_.push_back(name);
    }
    rule.bit = uint64_t{1} << bit;
    has_key_rules_ = has_key_rules_ || !rule.key.empty();
    rules_.push_back(std::move(rule));
  }
  return true;
}

int ProcessLabeler::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

uint64_t ProcessLabeler::OfKey(const ProcessImage& image, std::string_view key_raw) const {
  if (!has_key_rules_ || key_raw.empty() || key_raw == "(null)" || key_raw == "(none)") return 0;
  keys_.clear();
  ValueDecoder::AppendEscaped(key_raw, &keys_);
  return Match(image, keys_, true);
}

uint64_t ProcessLabeler::Match(const ProcessImage& image, std::string_view keys, bool keyed) const {
  uint64_t out = 0;
  bool have_argv = false;
  std::string argv;
  for (const Rule& rule : rules_) {
    if (rule.key.empty() == keyed) continue;
    if ((out & rule.bit) != 0) continue;
    if (keyed) {
      bool hit = AnyKey(keys, [&rule](std::string_view k) {
        for (const std::string& want : rule.key) {
          if (k == want) return true;
        }
        return false;
      });
      if (!hit) continue;
    }
    if (!rule.exe.empty()) {
      bool hit = false;
      for (const Glob& p : rule.exe) hit = hit || p.Match(image.exe, &scratch_);
      if (!hit) continue;
    }
    if (!rule.argv.empty()) {
      if (!image.args) continue;
      if (!have_argv) {
        image.args->ForEach([&argv](std::string_view a) {
          if (!argv.empty()) argv += ' ';
          argv.append(a);
        });
        have_argv = true;
      }
      bool hit = false;
      for (const Glob& p : rule.argv) hit = hit || p.Match(argv, &scratch_);
      if (!hit) continue;
    }
    out |= rule.bit;
  }
  return out;
}

}  // namespace auditlens
