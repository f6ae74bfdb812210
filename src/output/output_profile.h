// Output profiles: how much of each event a line carries (docs/schema.md, "Output profiles").
//   full     the ECS summary, the enrichment and every record with every field decoded
//   compact  full, with capability sets in their short form (decode/value_decoder.h
//            AppendCapSetCompact): "all", or "all but sys_resource" instead of forty names when
//            that is shorter than the list. A root exec's
//            BPRM_FCAPS and a CAPSET record shrink most; every other byte is full's.
//   lean     compact's summary, and the records as brief writes them: each record field the
//            summary holds left out by brief's fixed rules (docs/schema.md "The brief profile").
//   brief    what the records said, in ECS's fields, and the ids that join events (the process's,
//            its parent's and the login session's): no names looked up, no leaders, hash,
//            ancestry, related or constants (ecs.version, event.module/dataset, host.os). An
//            event with a SYSCALL record leaves out of its records every field the summary holds,
//            by the fixed rules of docs/schema.md ("The brief profile"), and whole EXECVE, CWD and
//            PROCTITLE records when the summary holds all of them; other events keep their records
//            whole. Capability sets as compact writes them. Nothing read back: each rule is the
//            condition under which the summary wrote the value (EventJsonFormatter). The agent's
//            default ([output] profile).
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
#include <string>
#include <string_view>

namespace auditlens {

enum class OutputProfile : uint8_t { kFull, kCompact, kLean, kBrief };

// False with *why (listing the names) for a name that is not a profile.
bool ParseOutputProfile(std::string_view name, OutputProfile* out, std::string* why);
std::string_view OutputProfileName(OutputProfile profile);

}  // namespace auditlens
