#include "output/output_profile.h"

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

}  // namespace auditlens
