// libFuzzer target: the auditctl-syntax rule parser (rules files are operator input, but a
// hostile or corrupted rules.d file must give errors, never a crash). Parsing only: nothing is
// sent to the kernel.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <linux/audit.h>

#include "rules/rule_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auditlens::RuleSet rules = auditlens::ParseRulesText(text, "<fuzz>");
  // Every error names its source.
  for (const auto& e : rules.errors) {
    if (e.ToString().rfind("<fuzz>", 0) != 0) abort();
  }
  // Whatever the text, no command may ask for immutable mode or panic on failure.
  for (const auto& c : rules.commands) {
    if (c.kind != auditlens::RuleCommand::Kind::kSetStatus) continue;
    if ((c.status_mask & AUDIT_STATUS_ENABLED) && c.status_value > 1) abort();
    if ((c.status_mask & AUDIT_STATUS_FAILURE) && c.status_value > 1) abort();
  }
  return 0;
}
