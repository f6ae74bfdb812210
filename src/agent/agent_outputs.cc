#include "agent/agent_outputs.h"

#include <chrono>
#include <fmt/format.h>

#include "output/file_sink.h"
#include "output/json_writer.h"

namespace auditlens {

bool AgentOutputs::Build(const Config& config, const std::string& hostname, std::string* error) {
  settings_ = config.outputs;
  reported_.assign(settings_.size(), Reported{});
  if (!fanout_.Build(config.outputs, hostname, config.output_path, error)) return false;
  all_.clear();
  for (const auto& sink : fanout_.sinks()) all_.push_back(sink.get());
  return true;
}

void AgentOutputs::OpenDropped(const std::string& path, const std::string& profile) {
  dropped_ = std::make_unique<FileSink>(path, profile, kDroppedSpoolBytes, 0, 1);
  OutputSettings settings;
  settings.type = "file";
  settings.path = path;
  settings.max_spool_bytes = kDroppedSpoolBytes;
  settings_.push_back(settings);
  reported_.push_back(Reported{});
  all_.push_back(dropped_.get());
}

void AgentOutputs::Start(const LogFn& log) {
  fanout_.Start();
  for (const auto& sink : fanout_.sinks()) {
    const OutputSinkStatus s = sink->Status();
    log(fmt::format("also writing to {} (profile {})", s.name, s.profile));
  }
  if (dropped_) dropped_->Start();
}

void AgentOutputs::Reopen() {
  fanout_.ReopenAll();
  if (dropped_) dropped_->RequestReopen();
}

void AgentOutputs::Tick(Pipeline* pipeline, uint64_t now_ms, const LogFn& log) {
  fanout_.OfferAll();
  if (dropped_) dropped_->Offer();
  for (size_t i = 0; i < all_.size(); ++i) {
    const OutputSinkStatus s = all_[i]->Status();
    Reported& r = reported_[i];
    if (s.failing && !r.failing) {
      r.failing = true;
      r.failed_ms = now_ms;
      log(fmt::format("{}: {}: keeping up to {} bytes of events in memory and trying again",
                      s.name, s.last_error, settings_[i].max_spool_bytes));
    } else if (!s.failing && r.failing) {
      r.failing = false;
      log(fmt::format("{} works again after {:.1f} s", s.name,
                      static_cast<double>(now_ms - r.failed_ms) / 1000.0));
    }
    if (s.oversize_lines != r.oversize) {
      const uint64_t n = s.oversize_lines - r.oversize;
      const uint64_t by_socket = s.socket_refused_lines - r.socket_refused;
      std::string detail;
      if (by_socket < n) {
        detail = fmt::format(
            "{} events were not sent to {}: as syslog messages they were longer than its "
            "max_message_bytes ({}); raise max_message_bytes together with the collector's limit "
            "(rsyslog maxMessageSize) to have them",
            n - by_socket, s.name, settings_[i].max_message_bytes);
      }
      if (by_socket > 0) {
        detail += fmt::format(
            "{}{} events were not sent to {}: the socket refused them as too long for one "
            "datagram (its send buffer, about 200 KB by default); send syslog over tcp:// to have "
            "events that long",
            detail.empty() ? "" : "; ", by_socket, s.name);
      }
      detail += fmt::format(" (the longest {} bytes)", s.largest_oversize);
      LossInfo loss;
      loss.cause = "output-oversize";
      loss.count = n;
      loss.time_ms = now_ms;
      loss.detail = detail;
      r.oversize = s.oversize_lines;
      r.socket_refused = s.socket_refused_lines;
      pipeline->ReportLoss(loss);
    }
    const bool still_dropping = s.dropped_lines != r.dropped_seen;
    r.dropped_seen = s.dropped_lines;
    if (s.dropped_lines != r.dropped && r.pending_ms == 0) r.pending_ms = now_ms;
    if (s.dropped_lines != r.dropped && !s.failing &&
        (!still_dropping || now_ms >= r.pending_ms + 10000)) {
      r.pending_ms = 0;
      const uint64_t n = s.dropped_lines - r.dropped;
      const std::string detail = fmt::format(
          "{} lines (events and loss events) could not be written to {} ({}) and were dropped, "
          "oldest first, when its {}-byte spool was full",
          n, s.name, s.last_error.empty() ? std::string("it was too slow") : s.last_error,
          settings_[i].max_spool_bytes);
      LossInfo loss;
      loss.cause = "output-full";
      loss.count = n;
      loss.time_ms = now_ms;
      loss.detail = detail;
      r.dropped = s.dropped_lines;
      pipeline->ReportLoss(loss);
    }
  }
  fanout_.OfferAll();  // the loss events too
}

void AgentOutputs::Stop(const LogFn& log) {
  fanout_.OfferAll();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (OutputSink* sink : all_) {
    const auto now = std::chrono::steady_clock::now();
    const uint64_t left_ms =
        deadline > now
            ? static_cast<uint64_t>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count())
            : 0;
    const uint64_t left = sink->Stop(left_ms);
    const OutputSinkStatus s = sink->Status();
    if (left > 0) {
      log(fmt::format("{}: {} bytes of events could not be written at exit ({})", s.name, left,
                      s.last_error.empty() ? std::string("no time left") : s.last_error));
    }
  }
}

std::string AgentOutputs::StatusJson() const {
  if (all_.empty()) return {};
  std::string out = ",\"outputs\":";
  JsonWriter w(&out);
  w.BeginArray();
  for (const OutputSink* sink : all_) {
    const OutputSinkStatus s = sink->Status();
    w.BeginObject();
    w.Key("name");
    w.String(s.name);
    w.Key("type");
    w.String(s.type);
    w.Key("profile");
    w.String(s.profile);
    w.Key("written_lines");
    w.UInt(s.written_lines);
    w.Key("written_bytes");
    w.UInt(s.written_bytes);
    w.Key("dropped_lines");
    w.UInt(s.dropped_lines);
    w.Key("oversize_lines");
    w.UInt(s.oversize_lines);
    w.Key("spool_bytes");
    w.UInt(s.spool_bytes);
    w.Key("reconnects");
    w.UInt(s.reconnects);
    w.Key("errors");
    w.UInt(s.errors);
    w.Key("rotations");
    w.UInt(s.rotations);
    w.Key("failing");
    w.Bool(s.failing);
    w.Key("last_error");
    w.String(s.last_error);
    w.EndObject();
  }
  w.EndArray();
  return out;
}

}  // namespace auditlens
