// What a sink of formatted events implements: the pipeline (agent/pipeline.h) calls every observer
// once per event, after the event is formatted, with the event's typed facts (enrich/event_facts.h:
// the parsed records and what the enrichers learned) and its JSON line. A sink builds what it keeps
// from the facts; the line is there to be copied whole (a tee), never to be read back. Declared here, below the sinks (src/store/), so that a sink
// depends on the output stage and not on the agent that wires it (docs/architecture.md, layers).
//
// An event the [[filters]] dropped is not written and has no line: OnDropped gets its facts, so
// that a sink that keeps state beyond events (the store's process tree and login sessions) still
// records what the event changed there. A sink of events alone ignores it (the default).
//
// Contract: OnEvent and OnDropped run on the pipeline thread, so they must be as cheap as an
// enricher: look up, copy a few values, hand them to another thread (the store, src/store/). The
// line is valid only during the call.
#pragma once

#include <string_view>

#include "enrich/event_facts.h"

namespace auditlens {

class EventObserver {
 public:
  virtual ~EventObserver() = default;
  virtual void OnEvent(const EventFacts& facts, std::string_view json_line) = 0;
  virtual void OnDropped(const EventFacts&) {}
};

}  // namespace auditlens
