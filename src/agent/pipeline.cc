#include "agent/pipeline.h"

#include <string>

namespace auditlens {

Pipeline::Pipeline(const PipelineOptions& options, OutputFile* output)
    : options_(options),
      output_(output),
      assembler_(options.assembler, this),
      serials_(options.gap_grace_ms),
      formatter_(options.hostname) {}

void Pipeline::AddRecord(const Record& record, uint64_t arrival_ms) {
  if (options_.track_serials && record.node.empty()) {
    serials_.Observe(record.serial, arrival_ms != 0 ? arrival_ms : record.time_ms());
  }
  assembler_.Add(record, arrival_ms);
}

void Pipeline::OnEvent(const Event& event) {
  parsed_.Parse(event);
  formatter_.Format(parsed_, output_->buffer());
  last_serial_ = event.serial();
  ++counters_.events;
  output_->MaybeFlush();
}

void Pipeline::AdvanceTime(uint64_t now_ms) {
  assembler_.AdvanceTime(now_ms);
  if (!options_.track_serials) return;
  while (auto gap = serials_.Poll(now_ms)) {
    std::string detail = "serials " + std::to_string(gap->first) + ".." +
                         std::to_string(gap->last) + " never arrived";
    LossInfo loss;
    loss.cause = "serial-gap";
    loss.count = gap->count();
    loss.has_range = true;
    loss.first_serial = gap->first;
    loss.last_serial = gap->last;
    loss.time_ms = now_ms;
    loss.detail = detail;
    counters_.lost_events += loss.count;
    ReportLoss(loss);
  }
}

void Pipeline::ReportLoss(const LossInfo& loss) {
  if (loss.cause == "kernel-lost") counters_.lost_records += loss.count;
  ++counters_.loss_events;
  formatter_.FormatLoss(loss, output_->buffer());
  output_->MaybeFlush();
}

void Pipeline::Flush() { assembler_.Flush(); }

PipelineCounters Pipeline::counters() const {
  PipelineCounters c = counters_;
  c.records = assembler_.records();
  c.late_records = assembler_.late_records();
  c.timed_out = assembler_.timed_out();
  return c;
}

}  // namespace auditlens
