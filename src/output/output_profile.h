// Output profiles: how much of each event a line carries (docs/schema.md, "Output profiles").
//   full     the ECS summary, the enrichment and every record with every field decoded: the
//            default, unchanged
//   compact  full, with capability sets in their short form (decode/value_decoder.h
//            AppendCapSetCompact): "all", or "all but sys_resource" instead of forty names when
//            that is shorter than the list. A root exec's
//            BPRM_FCAPS and a CAPSET record shrink most; every other byte is full's.
//   lean     compact, with each record field whose value the summary already holds left out of its
//            record: the record then lists the names it left out in "elided" (a space-separated
//            string; "a*" stands for every aN of an EXECVE record). Which field may be left out,
//            and how it is rebuilt from the summary, is the one table LeanRules() below: the
//            formatter leaves a field out only when LeanRebuild() gives back, byte for byte, the
//            JSON full writes for it (checked per event, so no rule can say what is not so), and
//            the unit test (tests/unit/output_profile_test.cc) rebuilds every full field of the
//            recorded logs from the lean line with the same function. Nothing is left out of an
//            event with a percent-encoded value (auditd.encoded).
//   brief    what the records said, in ECS's fields, and the ids that join events (the process's,
//            its parent's and the login session's): no names looked up, no leaders, hash,
//            ancestry, related or constants (ecs.version, event.kind/module/dataset, host.os). An
//            event with a SYSCALL record leaves out of its records every field the summary holds,
//            by the fixed rules of docs/schema.md ("The brief profile"), and whole EXECVE, CWD and
//            PROCTITLE records when the summary holds all of them; other events keep their records
//            whole. Capability sets as compact writes them. Nothing read back: each rule is the
//            condition under which the summary wrote the value (EventJsonFormatter).
// Chosen by [output] profile (config/config.h) and, for each output of [[outputs]], by its
// `profile` key: the pipeline formats each event once per profile in use, with a formatter of that
// profile (EventJsonFormatter::set_profile), and OutputFanout hands each output its profile's line.
//
// Contract: ParseOutputProfile accepts exactly the names above; a profile changes only how values
// are written, never which events are written. compact and lean never lose a value the full
// profile writes; brief never loses a value of the event's records (what the agent learned beyond
// them, it writes only as ids).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auditlens {

enum class OutputProfile : uint8_t { kFull, kCompact, kLean, kBrief };

// False with *why (listing the names) for a name that is not a profile.
bool ParseOutputProfile(std::string_view name, OutputProfile* out, std::string* why);
std::string_view OutputProfileName(OutputProfile profile);

// The lean profile's table: a record field and the summary field that holds its value.
enum class LeanRelation : uint8_t {
  kEqual,       // the same string
  kNumber,      // the summary's number, as the record's string ("4242" for 4242)
  kNameElseId,  // the summary object's name (path.name), or its id (path.id) when it has no name
  kArg,         // EXECVE aN (field "a*"): item N of path (process.args)
  kArgsTitle,   // PROCTITLE: path's items (process.args) joined by NUL, cut to the kernel's 128
                // bytes, split at each NUL: the array full writes
  kTags,        // SYSCALL key: path (tags) when it has one item, its string; else the array
  kNoTty,       // SYSCALL tty: "(none)" when path (process.interactive) is false
  kOutcome,     // SYSCALL success: path (event.outcome) "success" is "yes", "failure" "no"
  kMode,        // PATH mode: path.type (file.type), a comma, path.mode without its leading 0
                // (file "file", "0644" → "file,644")
  kSockaddr,    // SOCKADDR saddr: path (destination) as {"family":"inet" ("inet6" when the ip has
                // a colon),"address":ip,"port":port}
};
struct LeanRule {
  std::string_view type;   // the record type's name, as in "type"
  std::string_view field;  // the record field ("a*": every aN)
  std::string_view path;   // the summary field, dotted (process.parent.pid)
  LeanRelation relation;
};
std::span<const LeanRule> LeanRules();
// The rule for a record field; nullptr when it has none (the field is always written).
const LeanRule* FindLeanRule(std::string_view type, std::string_view field);
// Whether the record type has a rule at all.
bool HasLeanRules(std::string_view type);
// The JSON text of an event's object, as the formatter wrote it (its summary is enough), read
// for the fields the table names: each object on their paths is split into its members once.
class LeanSummary {
 public:
  // text must outlive the reads.
  void Reset(std::string_view text);
  // The JSON text of the value at a dotted path (process.parent.pid); empty when absent.
  std::string_view At(std::string_view path);
  // The items of process.args (JSON text each), read once; nullptr when it is not an array.
  const std::vector<std::string_view>* Args();

 private:
  struct Object {
    std::string_view path;
    std::vector<std::pair<std::string_view, std::string_view>> members;
  };
  std::string_view text_;
  std::vector<Object> objects_;  // the first used_ are this text's
  size_t used_ = 0;
  std::vector<std::string_view> args_;
  bool args_read_ = false;
  bool args_ok_ = false;
};
// Sets *json to the JSON text full writes for field, rebuilt by rule from line; false when the
// summary lacks what the rule reads.
bool LeanRebuild(const LeanRule& rule, std::string_view field, LeanSummary& line,
                 std::string* json);
// The number of items of line's process.args (0 without).
size_t LeanArgCount(LeanSummary& line);

}  // namespace auditlens
