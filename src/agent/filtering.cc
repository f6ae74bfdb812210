#include "agent/filtering.h"

namespace auditlens {

bool Filtering::Build(const FilterSettings& settings, std::string* error) {
  rules_.reset();
  if (!labeler_.Compile(settings.labels, error)) return false;
  if (settings.filters.empty()) return true;
  auto rules = std::make_unique<FilterSet>();
  if (!rules->Compile(settings.filters, labels(), error)) return false;
  rules_ = std::move(rules);
  return true;
}

}  // namespace auditlens
