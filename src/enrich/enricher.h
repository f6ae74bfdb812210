// The enrich stage: what the records alone do not say, added to an event between decoding and
// output (the local end of a connection, the process tree, the login session).
//
// Contract: enrichers run on the pipeline thread, once per event, in the order they were added to
// the formatter. Prepare() sees the event first (to look things up while they still exist, e.g. a
// socket); the Write* calls then add members to the event's JSON: at the top level ("source",
// "destination", "network", "session", ...) and inside the "process" object ("entity_id",
// "parent.entity_id", ...). They must be fast (a cache, never a blocking call per event) and must
// not write a member the formatter already writes.
#pragma once

#include "decode/parsed_event.h"
#include "output/json_writer.h"

namespace auditlens {

class Enricher {
 public:
  virtual ~Enricher() = default;
  virtual void Prepare(const ParsedEvent& event) {}
  virtual void WriteProcess(const ParsedEvent& event, JsonWriter& w) {}
  // Inside "process.parent" (written when the record has a ppid), after its "pid".
  virtual void WriteProcessParent(const ParsedEvent& event, JsonWriter& w) {}
  virtual void WriteTopLevel(const ParsedEvent& event, JsonWriter& w) {}
};

// Decides, once the enrichers have prepared an event, whether it is reported at all (host scoping:
// enrich/netns_scope.h). An event it refuses goes to neither the output nor the observers, and is
// not formatted past the point where it was prepared.
class EventFilter {
 public:
  virtual ~EventFilter() = default;
  virtual bool Keep(const ParsedEvent& event) = 0;
};

}  // namespace auditlens
