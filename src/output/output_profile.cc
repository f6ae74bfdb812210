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
  *why = "'" + std::string(name) + "' is not an output profile (\"full\" or \"compact\")";
  return false;
}

std::string_view OutputProfileName(OutputProfile profile) {
  switch (profile) {
    case OutputProfile::kFull: return "full";
    case OutputProfile::kCompact: return "compact";
  }
  return "full";
}

}  // namespace auditlens
