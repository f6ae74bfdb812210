// The configured filters ([[filters]] tables, docs/filters.md): an ordered list of conditions
// (filter/event_match.h), each with an action, "keep" or "drop". The first table that matches an
// event decides; an event no table matches is kept. So a "keep" table before a "drop" table makes
// an exception to it.
//
// The pipeline runs it after the enrichers and the host scope (agent/pipeline.h,
// PipelineOptions::rules), on the typed event, before anything is formatted: a dropped event is
// never formatted, unless [output] dropped_path names a file for dropped events. Loss events never
// reach it. Each table counts the events it decided (its "matched" counter, in the status file and
// `auditlens status`).
//
// Contract: Compile fails on the first bad table with "FILE:LINE: reason" (a table without a
// name or action, two tables of one name, a table with no condition, any condition that does not
// compile); the agent does not start then. Keep() runs on the pipeline thread; with no table the
// agent makes no FilterSet at all, so an empty list costs nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "enrich/enricher.h"
#include "enrich/process_labels.h"
#include "filter/event_match.h"

namespace auditlens {

class FilterSet : public EventFilter {
 public:
  struct Counter {
    std::string name;
    bool drop = false;
    uint64_t matched = 0;  // events this table decided (it was the first to match)
  };

  // labeler: the compiled [[labels]] (null when there are none: a label condition is an error).
  bool Compile(const std::vector<ConfigTable>& tables, const ProcessLabeler* labeler,
               std::string* error);

  bool Keep(const EventFacts& facts) override;

  bool empty() const { return rules_.empty(); }
  // Some table reads a process's container or service (enrich.containers is needed).
  bool reads_cgroup() const;
  const std::vector<Counter>& counters() const { return counters_; }
  uint64_t dropped() const { return dropped_; }
  // ,"filtered_events":N,"filters":[{"name":"...","action":"drop","matched":N},...] for the
  // status file (a leading comma: inserted among its members).
  std::string StatusJson() const;

 private:
  std::vector<EventMatch> rules_;
  std::vector<Counter> counters_;
  uint64_t dropped_ = 0;
  EventView view_;
};

}  // namespace auditlens
