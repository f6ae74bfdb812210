#include "agent/pipeline.h"

#include <cstdio>
#include <string>

#include "record/record_types.h"

namespace auditlens {

Pipeline::Pipeline(const PipelineOptions& options, OutputFile* output)
    : options_(options),
      output_(output),
      assembler_(options.assembler, this),
      serials_(options.gap_grace_ms),
      formatter_(options.hostname) {
  if (options.redact.enabled()) redactor_ = std::make_unique<Redactor>(options.redact);
  formatter_.set_label_names(options.label_names);
  if (options.profile != OutputProfile::kFull) formatter_.set_profile(options.profile);
  // An output of [[outputs]] in another profile than [output]'s gets its lines from a formatter of
  // that profile (each event formatted once per profile in use).
  if (options.fanout != nullptr) {
    for (OutputProfile p : options.fanout->distinct_profiles()) {
      if (p == options.profile) continue;
      auto f = std::make_unique<EventJsonFormatter>(options.hostname);
      f->set_label_names(options.label_names);
      f->set_profile(p);
      other_profiles_.push_back({p, std::move(f)});
    }
  }
}

void Pipeline::AddRecord(const Record& record, uint64_t arrival_ms) {
  // An EOE alone says the event existed, not what it was: when every other record of the event was
  // dropped (rate limit), the serial must still count as missing.
  // DAEMON_* records are auditd's own, numbered by its counter, not the kernel's.
  if (options_.track_serials && record.node.empty() && record.type != rectype::kEoe &&
      !(record.type >= rectype::kDaemonStart && record.type <= rectype::kLastDaemon)) {
    serials_.Observe(record.serial, arrival_ms != 0 ? arrival_ms : record.time_ms());
  }
  assembler_.Add(record, arrival_ms);
}

void Pipeline::OnEvent(const Event& received) {
  const Event& event = redactor_ ? redactor_->Apply(received) : received;
  parsed_.Parse(event);
  // An ENRICHED log's own names of its ids, known before any stage reads a name (log_names()).
  formatter_.LearnNames(parsed_);
  facts_.Reset(parsed_);
  for (Enricher* e : options_.enrichers) e->Enrich(parsed_, &facts_);
  // The filter decides on the facts (the event's process is known): a refused event is not
  // formatted at all.
  const bool in_scope = options_.filter == nullptr || options_.filter->Keep(facts_);
  // Then the configured filters, on the same facts: a dropped event is formatted only for the
  // file of dropped events, if there is one.
  const bool keep = in_scope && (options_.rules == nullptr || options_.rules->Keep(facts_));
  if (!in_scope) {
    ++counters_.out_of_scope;
  } else if (!keep) {
    ++counters_.filtered;
    // No row of the event; what it changed in the process tree and the sessions is still kept.
    for (EventObserver* o : options_.observers) o->OnDropped(facts_);
    if (options_.dropped_output != nullptr) {
      dropped_line_.clear();
      formatter_.Format(parsed_, facts_, &dropped_line_);
      options_.dropped_output->Copy(dropped_line_);
    } else if (options_.dropped_file != nullptr) {
      formatter_.Format(parsed_, facts_, options_.dropped_file->buffer());
      options_.dropped_file->MaybeFlush();
    }
  } else if (!options_.format_events) {
    for (EventObserver* o : options_.observers) o->OnEvent(facts_, std::string_view());
  } else {
    std::string* out = output_->buffer();
    const size_t line_start = out->size();
    formatter_.Format(parsed_, facts_, out);
    if (!options_.observers.empty()) {
      std::string_view line(out->data() + line_start, out->size() - line_start);
      for (EventObserver* o : options_.observers) o->OnEvent(facts_, line);
    }
    if (options_.fanout) {
      options_.fanout->Copy(options_.profile, std::string_view(*out).substr(line_start));
      for (auto& [profile, formatter] : other_profiles_) {
        formatter->LearnNames(parsed_);
        other_line_.clear();
        formatter->Format(parsed_, facts_, &other_line_);
        options_.fanout->Copy(profile, other_line_);
      }
    }
  }
  if (event.node().empty()) {
    // Keep the highest: a serial far below it means the numbering began again (a reboot).
    int32_t ahead = static_cast<int32_t>(event.serial() - last_serial_);
    if (!have_last_serial_ || ahead > 0 || ahead < -(1 << 16)) last_serial_ = event.serial();
    have_last_serial_ = true;
  }
  if (keep) ++counters_.events;
  output_->MaybeFlush();
}

void Pipeline::AdvanceTime(uint64_t now_ms) {
  assembler_.AdvanceTime(now_ms);
  ReportGaps(now_ms, false);
}

void Pipeline::ReportGaps(uint64_t now_ms, bool force) {
  if (!options_.track_serials) return;
  while (auto gap = serials_.Poll(now_ms, force)) {
    char buf[160];
    int n = serials_.StartsAtResume(*gap)
                ? snprintf(buf, sizeof(buf),
                           "serials %u..%u never arrived: generated while auditlens was not "
                           "running (or not written by the previous agent)",
                           gap->first, gap->last)
                : snprintf(buf, sizeof(buf), "serials %u..%u never arrived", gap->first, gap->last);
    loss_detail_.assign(buf, n > 0 ? static_cast<size_t>(n) : 0);
    LossInfo loss;
    loss.cause = "serial-gap";
    loss.count = gap->count();
    loss.has_range = true;
    loss.first_serial = gap->first;
    loss.last_serial = gap->last;
    loss.time_ms = now_ms;
    loss.detail = loss_detail_;
    counters_.lost_events += loss.count;
    ReportLoss(loss);
  }
}

void Pipeline::ReportLoss(const LossInfo& loss) {
  if (loss.cause == "kernel-lost") counters_.lost_records += loss.count;
  ++counters_.loss_events;
  std::string* out = output_->buffer();
  const size_t line_start = out->size();
  formatter_.FormatLoss(loss, out);
  if (options_.fanout) options_.fanout->Copy(std::string_view(*out).substr(line_start));
  output_->MaybeFlush();
}

void Pipeline::Flush(uint64_t now_ms) {
  assembler_.Flush();
  ReportGaps(now_ms, true);
}

bool Pipeline::DeliveredThrough(uint32_t* serial) const {
  if (!options_.track_serials || !serials_.started()) return false;
  // Below the tracker's base every serial arrived or was reported lost; of those that arrived, the
  // ones still being assembled are not delivered yet.
  uint32_t first_open = serials_.next_expected();
  uint32_t oldest;
  if (assembler_.OldestOpenLocalSerial(first_open, &oldest) &&
      static_cast<int32_t>(oldest - first_open) < 0) {
    first_open = oldest;
  }
  *serial = first_open - 1;
  return true;
}

PipelineCounters Pipeline::counters() const {
  PipelineCounters c = counters_;
  c.records = assembler_.records();
  c.late_records = assembler_.late_records();
  c.timed_out = assembler_.timed_out();
  return c;
}

}  // namespace auditlens
