#include "decode/redactor.h"

#include <charconv>
#include <utility>

#include "decode/value_decoder.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

constexpr size_t kMaxArgIndex = 65535;
constexpr uint16_t kUserCmd = 1123;  // AUDIT_USER_CMD: sudo's command line in cmd=

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// '*' any bytes, '?' one byte; ASCII letters in any case. Iterative, with one backtrack point.
bool Glob(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && (pattern[p] == '?' || Lower(pattern[p]) == Lower(name[n]))) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// An EXECVE argument field: "a12" (piece -1) or "a12[3]" (piece 3); false for anything else
// (argc, a12_len, a hostile name).
bool ArgField(std::string_view name, size_t* index, bool* piece) {
  if (name.size() < 2 || name[0] != 'a' || name[1] < '0' || name[1] > '9') return false;
  auto [p, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), *index);
  if (ec != std::errc() || *index > kMaxArgIndex) return false;
  std::string_view rest(p, name.data() + name.size() - p);
  *piece = !rest.empty();
  return rest.empty() || rest[0] == '[';
}

bool LengthField(std::string_view name, size_t* index) {
  if (name.size() < 2 || name[0] != 'a' || name[1] < '0' || name[1] > '9') return false;
  auto [p, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), *index);
  return ec == std::errc() && std::string_view(p, name.data() + name.size() - p) == "_len";
}

size_t Offset(std::string_view body, std::string_view part) {
  return static_cast<size_t>(part.data() - body.data());
}

}  // namespace

void AppendKernelEncoded(std::string_view value, std::string* out) {
  bool plain = true;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e || c == '"') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out->push_back('"');
    out->append(value);
    out->push_back('"');
    return;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    out->push_back(kHex[u >> 4]);
    out->push_back(kHex[u & 15]);
  }
}

bool CheckRedactOptions(const RedactOptions& options, std::string* error) {
  for (const std::string& flag : options.args) {
    if (flag.empty() || flag.find_first_of(" \t\n=") != std::string::npos) {
      *error = "redact_args: \"" + flag + "\" is not a flag (empty, or with white space or '=')";
      return false;
    }
  }
  for (const std::string& pattern : options.env) {
    if (pattern.empty() || pattern.find_first_of(" \t\n=") != std::string::npos) {
      *error = "redact_env: \"" + pattern + "\" is not a name pattern (empty, or with white "
               "space or '=')";
      return false;
    }
  }
  return true;
}

Redactor::Redactor(RedactOptions options) : options_(std::move(options)) {
  for (const std::string& flag : options_.args) {
    std::string hex;
    AppendKernelEncoded(flag + '\x01', &hex);  // forced to hex; the 01 dropped
    hex.resize(hex.size() - 2);
    hex_args_.push_back(hex);
  }
}

bool Redactor::NameMatches(std::string_view name) const {
  for (const std::string& pattern : options_.env) {
    if (Glob(pattern, name)) return true;
  }
  return false;
}

bool Redactor::MayMatch(std::string_view a) const {
  if (!options_.env.empty() && a.find('=') != std::string_view::npos) return true;
  for (const std::string& flag : options_.args) {
    if (a.find(flag) != std::string_view::npos) return true;
  }
  return false;
}

bool Redactor::MayMatchRaw(std::string_view raw) const {
  // Plain or hex (a hex match at an odd offset is a false alarm: the full check follows). A flag,
  // FLAG=VALUE and a flag among the words of an argument all hold the flag's bytes.
  if (!options_.env.empty() &&
      (raw.find('=') != std::string_view::npos || raw.find("3D") != std::string_view::npos)) {
    return true;
  }
  for (size_t i = 0; i < options_.args.size(); ++i) {
    if (raw.find(options_.args[i]) != std::string_view::npos ||
        raw.find(hex_args_[i]) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

bool Redactor::RedactArgs(std::vector<std::string>* args, bool split_words) const {
  return Redact(args->data(), args->size(), nullptr, split_words);
}

bool Redactor::Redact(std::string* args, size_t n, uint8_t* changed_at, bool split_words) const {
  bool changed = false;
  auto replace_value = [&](size_t i, size_t keep) {
    std::string& arg = args[i];
    if (std::string_view(arg).substr(std::min(keep, arg.size())) == kRedactedMarker) return;
    arg.resize(keep);
    arg.append(kRedactedMarker);
    changed = true;
    if (changed_at != nullptr) changed_at[i] = 1;
  };
  for (size_t i = 1; i < n; ++i) {
    std::string& a = args[i];
    bool done = false;
    for (const std::string& flag : options_.args) {
      if (a == flag) {
        if (i + 1 < n) replace_value(i + 1, 0);
        ++i;  // the value is not a flag of its own
        done = true;
        break;
      }
      if (a.size() > flag.size() && a[flag.size()] == '=' && a.compare(0, flag.size(), flag) == 0) {
        replace_value(i, flag.size() + 1);
        done = true;
        break;
      }
    }
    if (done) continue;
    const size_t eq = a.find('=');
    if (!options_.env.empty() && eq != std::string::npos && eq > 0 &&
        std::string_view(a).substr(0, eq).find(' ') == std::string_view::npos &&
        NameMatches(std::string_view(a).substr(0, eq))) {
      replace_value(i, eq + 1);
      continue;
    }
    // A command line inside one argument (sh -c "mysql -p secret"): its words, the same way.
    if (split_words && a.find(' ') != std::string::npos && MayMatch(a)) {
      std::vector<std::string> words(1);  // the words have no program of their own
      size_t begin = 0;
      for (;;) {
        const size_t space = a.find(' ', begin);
        const size_t end = space == std::string::npos ? a.size() : space;
        if (end > begin) words.emplace_back(a.substr(begin, end - begin));  // runs of spaces: one
        if (space == std::string::npos) break;
        begin = space + 1;
      }
      if (Redact(words.data(), words.size(), nullptr, false)) {
        a.clear();
        for (size_t w = 1; w < words.size(); ++w) {
          if (w > 1) a.push_back(' ');
          a += words[w];
        }
        changed = true;
        if (changed_at != nullptr) changed_at[i] = 1;
      }
    }
  }
  return changed;
}

bool Redactor::RewriteExecve(std::string_view body, std::string* out) {
  fields_.clear();
  SplitFields(body, &fields_);
  size_t at = 0;
  bool changed = false;
  for (const Field& f : fields_) {
    size_t index = 0;
    bool piece = false;
    bool drop = false;
    bool replace = false;
    if (ArgField(f.name, &index, &piece)) {
      if (index < arg_count_ && changed_[index]) {
        if (seen_[index]) {
          drop = true;  // a later piece of a replaced argument
        } else {
          replace = true;
          seen_[index] = 1;
        }
      }
    } else if (LengthField(f.name, &index)) {
      drop = index < arg_count_ && changed_[index];
    }
    if (!drop && !replace) continue;
    if (!changed) out->clear();
    changed = true;
    const size_t start = Offset(body, f.name);
    out->append(body.substr(at, start - at));
    at = Offset(body, f.value) + f.value.size();
    if (replace) {
      out->push_back('a');
      out->append(std::to_string(index));
      out->push_back('=');
      AppendKernelEncoded(args_[index], out);
    } else {
      if (at < body.size() && body[at] == ' ') {
        ++at;
      } else if (!out->empty() && out->back() == ' ') {
        out->pop_back();
      }
    }
  }
  if (changed) out->append(body.substr(at));
  return changed;
}

bool Redactor::RewriteProctitle(std::string_view body, std::string* out) {
  fields_.clear();
  SplitFields(body, &fields_);
  for (const Field& f : fields_) {
    if (f.name != "proctitle") continue;
    if (!MayMatchRaw(f.value)) return false;
    scratch_.clear();
    ends_.clear();
    ValueDecoder::SplitEscaped(f.value, '\0', &scratch_, &ends_);
    size_t n = 0;
    uint32_t begin = 0;
    for (uint32_t end : ends_) {
      if (n == title_.size()) title_.emplace_back();
      title_[n++].assign(scratch_, begin, end - begin);
      begin = end + 1;
    }
    if (!Redact(title_.data(), n, nullptr, true)) return false;
    std::string joined;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) joined.push_back('\0');
      joined += title_[i];
    }
    out->assign(body.substr(0, Offset(body, f.value)));
    AppendKernelEncoded(joined, out);
    out->append(body.substr(Offset(body, f.value) + f.value.size()));
    return true;
  }
  return false;
}

bool Redactor::RewriteUserCmd(std::string_view body, std::string* out) {
  fields_.clear();
  SplitFields(body, &fields_);
  for (const Field& f : fields_) {
    if (f.name != "cmd") continue;
    scratch_.clear();
    ValueDecoder::AppendEscaped(f.value, &scratch_);
    std::vector<std::string> words;
    size_t begin = 0;
    for (;;) {
      const size_t space = scratch_.find(' ', begin);
      words.emplace_back(scratch_.substr(begin, space == std::string::npos ? space : space - begin));
      if (space == std::string::npos) break;
      begin = space + 1;
    }
    if (!Redact(words.data(), words.size(), nullptr, false)) return false;
    std::string joined;
    for (size_t i = 0; i < words.size(); ++i) {
      if (i > 0) joined.push_back(' ');
      joined += words[i];
    }
    out->assign(body.substr(0, Offset(body, f.value)));
    AppendKernelEncoded(joined, out);
    out->append(body.substr(Offset(body, f.value) + f.value.size()));
    return true;
  }
  return false;
}

bool Redactor::Memo::Find(std::string_view body, std::string* out, bool* changed) const {
  if (!valid || key != body) return false;
  *changed = result_changed;
  if (result_changed) out->assign(result);
  return true;
}

void Redactor::Memo::Store(std::string_view body, bool changed, const std::string& out) {
  valid = true;
  key.assign(body);
  result_changed = changed;
  if (changed) result.assign(out);
}

const Event& Redactor::Apply(const Event& event) {
  size_t execve_records = 0;
  bool other = false;
  for (size_t r = 0; r < event.record_count(); ++r) {
    const uint16_t t = event.record_type(r);
    execve_records += t == rectype::kExecve;
    other = other || t == rectype::kProctitle || t == kUserCmd;
  }
  if (execve_records == 0 && !other) return event;
  if (bodies_.size() < event.record_count()) bodies_.resize(event.record_count());
  rewritten_.assign(event.record_count(), 0);
  bool changed = false;
  // A storm repeats one command line, and a process keeps its title from event to event: the
  // last EXECVE record (when it is the event's only one) and the last PROCTITLE are remembered
  // with their outcome, so a repeat costs one comparison.
  size_t execve_at = 0;
  bool execve_known = false;
  // With the EXECVE record(s) read and nothing in them to redact, the PROCTITLE of the same event
  // has nothing either: it is the same argv (read from the new process at the syscall's exit), at
  // most cut short, and a cut can only end the last argument early — a flag there has no value
  // after it, and a cut adds no '='.
  bool title_needed = true;
  if (execve_records == 1) {
    while (event.record_type(execve_at) != rectype::kExecve) ++execve_at;
    bool done = false;
    execve_known = execve_memo_.Find(event.record_body(execve_at), &bodies_[execve_at], &done);
    rewritten_[execve_at] = done;
    changed = done;
    if (execve_known) title_needed = done;
  }
  if (execve_records > 0 && !execve_known) {
    // The EXECVE arguments of the whole event (a long one may span records), decoded and joined.
    arg_count_ = 0;
    for (size_t r = 0; r < event.record_count(); ++r) {
      if (event.record_type(r) != rectype::kExecve) continue;
      fields_.clear();
      SplitFields(event.record_body(r), &fields_);
      for (const Field& f : fields_) {
        size_t index = 0;
        bool piece = false;
        if (!ArgField(f.name, &index, &piece)) continue;
        if (index >= args_.size()) args_.resize(index + 1);
        // Strings keep their capacity from event to event: cleared when first reached.
        for (; arg_count_ <= index; ++arg_count_) args_[arg_count_].clear();
        ValueDecoder::AppendEscaped(f.value, &args_[index]);
      }
    }
    changed_.assign(arg_count_, 0);
    const bool args_changed =
        arg_count_ > 1 && Redact(args_.data(), arg_count_, changed_.data(), true);
    seen_.assign(arg_count_, 0);
    for (size_t r = 0; r < event.record_count() && args_changed; ++r) {
      if (event.record_type(r) != rectype::kExecve) continue;
      rewritten_[r] = RewriteExecve(event.record_body(r), &bodies_[r]);
      changed = changed || rewritten_[r];
    }
    if (execve_records == 1) {
      execve_memo_.Store(event.record_body(execve_at), rewritten_[execve_at], bodies_[execve_at]);
    }
    title_needed = args_changed;
  }
  for (size_t r = 0; r < event.record_count(); ++r) {
    const uint16_t t = event.record_type(r);
    bool done = false;
    if (t == rectype::kProctitle) {
      if (!title_needed) continue;
      if (!title_memo_.Find(event.record_body(r), &bodies_[r], &done)) {
        done = RewriteProctitle(event.record_body(r), &bodies_[r]);
        title_memo_.Store(event.record_body(r), done, bodies_[r]);
      }
    } else if (t == kUserCmd) {
      done = RewriteUserCmd(event.record_body(r), &bodies_[r]);
    } else {
      continue;
    }
    rewritten_[r] = done;
    changed = changed || done;
  }
  if (!changed) return event;
  ++redacted_events_;
  for (size_t r = 0; r < event.record_count(); ++r) {
    Record record;
    record.type = event.record_type(r);
    record.sec = event.sec();
    record.msec = event.msec();
    record.serial = event.serial();
    record.node = event.node();
    record.body = rewritten_[r] ? std::string_view(bodies_[r]) : event.record_body(r);
    if (record.type == 0) record.type_name = event.record_type_name(r);
    record.enriched = event.record_enriched(r);
    if (r == 0) {
      copy_.Reset(record);
    } else {
      copy_.Append(record);
    }
  }
  copy_.set_completion(event.completion());
  copy_.set_last_arrival_ms(event.last_arrival_ms());
  return copy_;
}

}  // namespace auditlens
