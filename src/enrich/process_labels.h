// Process labels ([[labels]] in the config; docs/filters.md): a name given to a process because of
// the program it runs (exe), its command line (argv) or a rule key one of its events carries
// (key). A labelled process keeps its labels for as long as it lives, across exec, and every
// process it starts from then on inherits them: "everything under the deploy tool". Labels are
// written in events as ECS `labels` (labels.NAME: "true", output/event_json.h) and matched by
// filters (filter/filter_set.h, `label = [...]`).
//
// A [[labels]] table: name (required: [A-Za-z0-9_.-], 1..64 bytes) and one or more of exe, argv,
// key, each a string or a list of them. A table matches when every key it gives matches (a list
// matches when any of its items does):
//   exe   the executable's path, exactly, or a glob with * ? [...] (fnmatch, '*' crosses '/')
//   argv  a glob over the command line, the arguments joined with single spaces
//   key   one of the event's rule keys, exactly (several keys of one rule each count)
// Tables without key are tried when the process table makes an image (an exec, a process first
// seen, one read from /proc); tables with key on every event that has a key (then exe and argv
// are the event's process's). Several tables may give the same name.
//
// Contract: compiled once at start (Compile: false with "FILE:LINE: reason" for a bad table; the
// agent does not start). Labels are a bit set (at most kMaxLabels distinct names) in
// ProcessImage::labels, copied on fork: a process with no label and no labeler costs nothing. The
// matchers allocate nothing per event once warm (one reused buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "enrich/process_image.h"

namespace auditlens {

// A glob (fnmatch without flags) or, without * ? [, an exact string; told apart once, when made
// (a glob that is a prefix and one '*' at its end is compared, not given to fnmatch).
class Glob {
 public:
  explicit Glob(std::string pattern);
  bool Match(std::string_view text, std::string* scratch) const {
    if (!glob_) return text == pattern_;
    if (prefix_) {  // "PREFIX*": a comparison, not fnmatch
      return text.size() >= pattern_.size() - 1 &&
             text.compare(0, pattern_.size() - 1, pattern_, 0, pattern_.size() - 1) == 0;
    }
    return MatchGlob(text, scratch);
  }
  const std::string& pattern() const { return pattern_; }

 private:
  bool MatchGlob(std::string_view text, std::string* scratch) const;
  std::string pattern_;
  bool glob_ = false;
  bool prefix_ = false;  // one '*', at the end, and no other pattern character
};
std::vector<Glob> Globs(const std::vector<std::string>& patterns);

class ProcessLabeler {
 public:
  static constexpr size_t kMaxLabels = 64;

  // Compiles the [[labels]] tables. False with *error ("FILE:LINE: reason") on the first bad one.
  bool Compile(const std::vector<ConfigTable>& tables, std::string* error);

  bool empty() const { return rules_.empty(); }
  // Any table with a key: events with a key are looked at.
  bool has_key_rules() const { return has_key_rules_; }
  // The label names, by bit (bit i is names()[i]).
  const std::vector<std::string>& names() const { return names_; }
  // The bit of a label name, or -1.
  int IndexOf(std::string_view name) const;

  // The labels the key-less tables give an image (its exe and args).
  uint64_t OfImage(const ProcessImage& image) const { return Match(image, {}, false); }
  // The labels the tables with a key give the image for an event whose key field is key_raw (as in
  // the record: quoted, or hex with 0x01 between several keys). 0 when key_raw is empty or (null).
  uint64_t OfKey(const ProcessImage& image, std::string_view key_raw) const;

 private:
  struct Rule {
    uint64_t bit = 0;
    std::vector<Glob> exe;
    std::vector<Glob> argv;
    std::vector<std::string> key;
  };
  uint64_t Match(const ProcessImage& image, std::string_view keys, bool keyed) const;

  std::vector<Rule> rules_;
  std::vector<std::string> names_;
  bool has_key_rules_ = false;
  mutable std::string scratch_;
  mutable std::string keys_;
};


}  // namespace auditlens
