// The configured filters and labels ([[filters]], [[labels]]; docs/filters.md) built from the
// config once, for the agent (`auditlens run`), `run --check-config` and `auditlens parse`, so all
// three accept and refuse the same tables.
//
// Contract: Build() compiles the labels, then the filters (which may name the labels); false with
// "FILE:LINE: reason" on the first bad table. After a successful Build, rules() is null when there
// is no [[filters]] table and labels() null when there is no [[labels]] table: what is not
// configured is not looked at.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "enrich/process_labels.h"
#include "filter/filter_set.h"

namespace auditlens {

class Filtering {
 public:
  bool Build(const FilterSettings& settings, std::string* error);

  FilterSet* rules() { return rules_.get(); }
  const FilterSet* rules() const { return rules_.get(); }
  const ProcessLabeler* labels() const { return labeler_.empty() ? nullptr : &labeler_; }

 private:
  ProcessLabeler labeler_;
  std::unique_ptr<FilterSet> rules_;
};

}  // namespace auditlens
