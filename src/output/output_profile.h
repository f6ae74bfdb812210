// Output profiles: how much of each event a line carries (docs/schema.md, "Output profiles").
//   full     the ECS summary, the enrichment and every record with every field decoded: the
//            default, unchanged
//   compact  full, with capability sets in their short form (decode/value_decoder.h
//            AppendCapSetCompact): "all", or "all but sys_resource" instead of forty names when
//            that is shorter than the list. A root exec's
//            BPRM_FCAPS and a CAPSET record shrink most; every other byte is full's.
// Chosen for all outputs by [output] profile (config/config.h); an output of its own (the outputs'
// `profile` key) is given one by calling EventJsonFormatter::set_profile on its formatter, after
// ParseOutputProfile of its config value.
//
// Contract: ParseOutputProfile accepts exactly the names above; a profile changes only how values
// are written, never which events are written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

enum class OutputProfile : uint8_t { kFull, kCompact };

// False with *why (listing the names) for a name that is not a profile.
bool ParseOutputProfile(std::string_view name, OutputProfile* out, std::string* why);
std::string_view OutputProfileName(OutputProfile profile);

}  // namespace auditlens
