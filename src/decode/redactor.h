// Redaction of secrets in command lines ([output] redact_args, redact_env; docs/sensitive-data.md):
// the values of named arguments (`--password VALUE`, `--password=VALUE`) and of environment
// assignments passed as arguments (`DB_PASSWORD=VALUE`) are replaced by "[redacted]" in the
// event itself, before anything reads it, so every place that shows a command line agrees: the
// EXECVE record's arguments, process.args, PROCTITLE and process.command_line, sudo's USER_CMD cmd, the
// store's process rows and event details, the timeline.
//
// Contract:
// - RedactArgs works on decoded arguments (argv[0], the program, is never touched):
//   - an argument equal to a listed flag: the next argument, whatever it is, is replaced (a flag
//     that is the last argument has nothing to replace);
//   - an argument `FLAG=VALUE` for a listed flag: VALUE is replaced (`FLAG=[redacted]`);
//   - an argument `NAME=VALUE` whose NAME (no space in it) matches a listed pattern (`*` any
//     bytes, `?` one byte, ASCII letters in any case): VALUE is replaced;
//   - an argument holding spaces that matched none of these (a command line passed as one
//     argument: `sh -c "mysql -p SECRET"`) is split at spaces and its words are redacted the same
//     way, and joined again with single spaces (a shell's quoting inside it is not understood:
//     `--password="a b"` keeps `b"`). A `NAME=VALUE` argument that matched loses all of VALUE,
//     spaces and all (`DB_TOKEN=x mysql ...` as one argument keeps only `DB_TOKEN=[redacted]`).
//   Flags are compared byte for byte (case matters: -p is not -P); attached short values
//   (`-pSECRET`) are not recognised. Arguments already "[redacted]" stay as they are.
// - Apply(event) returns the event itself when it has no EXECVE, PROCTITLE or USER_CMD record or
//   nothing in them matched; else a copy (owned by the Redactor, valid until the next Apply) whose
//   records are rewritten: a replaced EXECVE argument becomes one plain `aN=` field (a long
//   argument's pieces `aN[k]=` and `aN_len=` go), PROCTITLE is re-encoded in hex with the NUL
//   separators, USER_CMD's cmd (the command line as one string) is split at spaces, redacted
//   and re-encoded. Values are encoded as the kernel does: quoted when every byte is printable
//   ASCII other than '"', else hex. Other records and fields are kept byte for byte.
// - Any bytes are safe: hex or quoted values, NUL inside an argument, invalid UTF-8, hostile
//   argument indexes (past 65,535: left alone), an unterminated quote.
// - The Pipeline holds a Redactor only when redaction is configured: off, it costs one branch per
//   event. On, the last EXECVE record (an event's only one) and the last PROCTITLE are remembered
//   with their outcome: a storm's repeats cost a comparison. The PROCTITLE of an execve whose
//   EXECVE arguments had nothing to redact is not looked at (the same argv, at most cut short),
//   nor one whose raw value holds neither a flag (plain or hex) nor '=' (plain or hex).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "assemble/event.h"
#include "record/fields.h"

namespace auditlens {

inline constexpr std::string_view kRedactedMarker = "[redacted]";

struct RedactOptions {
  std::vector<std::string> args;  // flags: "--password", "-p"
  std::vector<std::string> env;   // NAME patterns: "*PASSWORD*", "AWS_SECRET_*"
  bool enabled() const { return !args.empty() || !env.empty(); }
};

// An empty flag or pattern, or one with white space or '=' (a flag) is refused, naming it.
bool CheckRedactOptions(const RedactOptions& options, std::string* error);

class Redactor {
 public:
  explicit Redactor(RedactOptions options);

  // Redacts args[1..] in place; true when something was replaced. split_words: an argument with
  // spaces that matched nothing is also redacted word by word.
  bool RedactArgs(std::vector<std::string>* args, bool split_words = true) const;
  const Event& Apply(const Event& event);
  uint64_t redacted_events() const { return redacted_events_; }

 private:
  bool NameMatches(std::string_view name) const;
  // Whether an argument with spaces could hold a flag or an assignment (worth splitting).
  bool MayMatch(std::string_view arg) const;
  // The same on a raw value, quoted or hex, before decoding it (false: nothing can match).
  bool MayMatchRaw(std::string_view raw) const;
  // args[1..n) in place; changed_at (n flags, may be null) marks the arguments replaced.
  bool Redact(std::string* args, size_t n, uint8_t* changed_at, bool split_words) const;
  // The rewritten body of record r into *out; false when nothing in it changes.
  bool RewriteExecve(std::string_view body, std::string* out);
  bool RewriteProctitle(std::string_view body, std::string* out);
  bool RewriteUserCmd(std::string_view body, std::string* out);

  // The outcome for one record body seen last (its rewritten body when changed).
  struct Memo {
    bool Find(std::string_view body, std::string* out, bool* changed) const;
    void Store(std::string_view body, bool changed, const std::string& out);
    bool valid = false;
    bool result_changed = false;
    std::string key;
    std::string result;
  };

  RedactOptions options_;
  std::vector<std::string> hex_args_;  // the flags hex-encoded, as in a hex value
  Memo execve_memo_;  // an event's only EXECVE record
  Memo title_memo_;   // PROCTITLE
  Event copy_;
  std::vector<Field> fields_;
  std::vector<std::string> args_;       // EXECVE arguments, decoded, joined, then redacted
  size_t arg_count_ = 0;                // of args_ in use (the rest keep their capacity)
  std::vector<uint8_t> changed_;        // per argument: replaced
  std::vector<uint8_t> seen_;           // per argument: its replacement written already
  std::vector<std::string> title_;      // PROCTITLE's arguments (reused)
  std::vector<uint32_t> ends_;
  std::vector<std::string> bodies_;     // rewritten bodies, by record
  std::vector<uint8_t> rewritten_;      // by record: bodies_ holds its new body
  std::string scratch_;
  uint64_t redacted_events_ = 0;
};

// A value as the kernel writes it: "quoted" when every byte is 0x21..0x7e and not '"', else
// upper-case hex.
void AppendKernelEncoded(std::string_view value, std::string* out);

}  // namespace auditlens
