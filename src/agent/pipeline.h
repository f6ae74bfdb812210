// The pipeline after the source, one stage after another for every event: records → events
// (assemble) → fields (decode: ParsedEvent) → facts (enrich: each enricher fills its part of the
// event's EventFacts) → filter (the host scope, then the configured [[filters]]) → one JSON line
// (output, in the configured profile) → sinks (observers: the store). Used alike
// by `auditlens run` (records from netlink) and `auditlens parse` (log lines).
//
// Contract: single-threaded; AddRecord never fails; every completed event becomes exactly one
// line, or is dropped by the configured filters (counted); losses (serial gaps when track_serials
// is on, and any reported by the caller) become loss
// events in the same stream. With redaction configured (options.redact), secrets in command lines
// are replaced in the event before it is parsed (decode/redactor.h), so the JSON line, the
// enrichers, the observers (the store) all see the redacted event; without it, one branch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "assemble/serial_tracker.h"
#include "decode/parsed_event.h"
#include "decode/redactor.h"
#include "enrich/enricher.h"
#include "output/event_json.h"
#include "output/event_observer.h"
#include "output/output_fanout.h"
#include "output/output_file.h"

namespace auditlens {

struct PipelineOptions {
  AssemblerOptions assembler;
  bool track_serials = false;  // live streams only: a log file may be a filtered extract
  uint32_t gap_grace_ms = 3000;
  std::string hostname;
  std::vector<Enricher*> enrichers;  // not owned; see enrich/enricher.h
  std::vector<EventObserver*> observers;  // not owned; called after each event is formatted (output/event_observer.h)
  EventFilter* filter = nullptr;  // not owned; after the enrichers; null: every event is reported
  // The configured [[filters]] (filter/filter_set.h), after the host scope: an event it refuses is
  // counted in `filtered` and written to dropped_output or dropped_file when one is given, else not formatted at
  // all. Not owned; null: no filters (nothing is looked at).
  EventFilter* rules = nullptr;
  // Not owned; where dropped events go: the agent's file of dropped events ([output]
  // dropped_path), written by a thread of its own from a bounded spool; or `parse
  // --dropped-output`'s file, written on this thread (offline: nothing is dropped). At most one.
  OutputSink* dropped_output = nullptr;
  OutputFile* dropped_file = nullptr;
  // The names of ProcessImage::labels' bits, written as ECS labels (enrich/process_labels.h);
  // null: no labels. Not owned.
  const std::vector<std::string>* label_names = nullptr;
  OutputProfile profile = OutputProfile::kFull;  // [output] profile (output/output_profile.h)
  RedactOptions redact;           // [output] redact_args, redact_env; empty: no redaction
  // false: events are not formatted (the JSON lines would be discarded: `auditlens import` keeps
  // only the store's rows); observers get an empty line. Loss events are still written.
  bool format_events = true;
  // Not owned; [[outputs]]: every line written to the output (events and loss events) is copied
  // to each of them (output/output_fanout.h); null: [output] only.
  OutputFanout* fanout = nullptr;
};

struct PipelineCounters {
  uint64_t records = 0;
  uint64_t events = 0;
  uint64_t loss_events = 0;
  uint64_t lost_events = 0;   // events known missing (serial gaps)
  uint64_t lost_records = 0;  // records the kernel reported lost
  uint64_t late_records = 0;
  uint64_t timed_out = 0;
  uint64_t out_of_scope = 0;  // events the filter refused (not in `events`)
  uint64_t filtered = 0;      // events the rules (the [[filters]]) dropped (not in `events`)
};

class Pipeline : public EventSink {
 public:
  Pipeline(const PipelineOptions& options, OutputFile* output);

  void AddRecord(const Record& record, uint64_t arrival_ms = 0);
  // Completes timed-out events and reports serial gaps whose grace has passed.
  void AdvanceTime(uint64_t now_ms);
  void ReportLoss(const LossInfo& loss);
  void ReportGaps(uint64_t now_ms, bool force);
  // Completes every open event (end of input, shutdown) and, with serial tracking, reports every
  // serial still missing: nothing more will arrive to fill the holes.
  void Flush(uint64_t now_ms = 0);

  PipelineCounters counters() const;
  // The names an ENRICHED log gave its ids, for the event being handled (its node's), learned
  // before the enrichers run. Point another stage's IdNames at it (IdNames::set_log_names) to have
  // its names too.
  const LogNames& log_names() { return formatter_.decoder().log_names(); }
  // Where names of ids come from besides the log's own (IdNames::Source, LoadFiles): parse's
  // --resolve-names, --passwd and --group.
  IdNames& id_names() { return formatter_.decoder().ids(); }
  SerialTracker& serials() { return serials_; }
  // The highest serial (modular) of a delivered local event, i.e. what SerialTracker::Resume needs
  // after a restart. Events complete out of order, so this is not simply the last one written.
  uint32_t last_serial() const { return last_serial_; }
  // With serial tracking: every local serial up to and including *serial was delivered (handed to
  // the output) or reported lost — what the agent keeps durably, after a flush, to resume from.
  // False before any serial was seen (or resumed from). Scans the open events: for a timer only.
  bool DeliveredThrough(uint32_t* serial) const;

  void OnEvent(const Event& event) override;

 private:
  PipelineOptions options_;
  OutputFile* output_;
  Assembler assembler_;
  SerialTracker serials_;
  ParsedEvent parsed_;
  EventFacts facts_;
  std::unique_ptr<Redactor> redactor_;  // only when options.redact is enabled
  EventJsonFormatter formatter_;
  // The profiles of [[outputs]] other than [output]'s, each with its formatter; a reused line.
  std::vector<std::pair<OutputProfile, std::unique_ptr<EventJsonFormatter>>> other_profiles_;
  std::string other_line_;
  std::string dropped_line_;  // a dropped event's line, for dropped_output
  PipelineCounters counters_;
  uint32_t last_serial_ = 0;
  bool have_last_serial_ = false;
  std::string loss_detail_;  // reused: loss events allocate nothing either
};

}  // namespace auditlens
