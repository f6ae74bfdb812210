// The enrich stage: what the records alone do not say, added to an event's typed model
// (event_facts.h) between decoding and output: the local end of a connection, the process tree,
// the login session.
//
// Contract: enrichers run on the pipeline thread, once per event, in the order the pipeline was
// given them (network, process table, session tracker: a later one may read what an earlier one
// filled in). Enrich() looks things up while they still exist (a socket, /proc) and fills its part
// of the facts; it must be fast (a cache, never a blocking call per event). Enrichers write no
// JSON: the output stage renders the facts.
#pragma once

#include "decode/parsed_event.h"
#include "enrich/event_facts.h"

namespace auditlens {

class Enricher {
 public:
  virtual ~Enricher() = default;
  virtual void Enrich(const ParsedEvent& event, EventFacts* facts) = 0;
};

// Decides, once the enrichers have filled an event's facts, whether it is reported at all (host
// scoping: filter/netns_scope.h; the configured filters: filter/filter_set.h). An event it refuses
// goes to neither the output nor the sinks, and is not formatted (unless [output] dropped_path
// names a file for what the configured filters drop).
class EventFilter {
 public:
  virtual ~EventFilter() = default;
  virtual bool Keep(const EventFacts& facts) = 0;
};

}  // namespace auditlens
