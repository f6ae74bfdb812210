#include "output/output_fanout.h"

#include <unistd.h>

#include <algorithm>

#include "output/file_sink.h"
#include "output/stdout_sink.h"
#include "output/syslog_sink.h"
#include "output/unix_sink.h"

namespace auditlens {

bool OutputFanout::Build(const std::vector<OutputSettings>& outputs, const std::string& hostname,
                         const std::string& primary_path, std::string* error) {
  std::vector<std::unique_ptr<OutputSink>> built;
  std::vector<OutputProfile> profiles, distinct;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const OutputSettings& o = outputs[i];
    const std::string name = "outputs[" + std::to_string(i) + "] (" + o.type + ")";
    OutputProfile profile;
    std::string why;
    if (!ParseOutputProfile(o.profile, &profile, &why)) {
      *error = name + ": profile " + why;
      return false;
    }
    profiles.push_back(profile);
    if (std::find(distinct.begin(), distinct.end(), profile) == distinct.end()) {
      distinct.push_back(profile);
    }
    if ((o.type == "file" && o.path == primary_path) || (o.type == "stdout" && primary_path == "-")) {
      *error = name + ": writes to [output]'s destination too (" + primary_path + ")";
      return false;
    }
    if (o.type == "file") {
      auto sink = std::make_unique<FileSink>(o.path, o.profile, o.max_spool_bytes, o.max_bytes,
                                             o.generations);
      if (!sink->SetGroup(o.group, error)) {
        *error = name + ": " + *error;
        return false;
      }
      built.push_back(std::move(sink));
    } else if (o.type == "stdout") {
      built.push_back(std::make_unique<StdoutSink>(o.profile, o.max_spool_bytes));
    } else if (o.type == "syslog") {
      SyslogSinkOptions so;
      so.address = o.address;
      so.transport = o.transport == "tls"   ? SyslogSinkOptions::Transport::kTls
                     : o.transport == "tcp" ? SyslogSinkOptions::Transport::kTcp
                                            : SyslogSinkOptions::Transport::kUnixDatagram;
      so.path = o.syslog_path;
      so.host = o.host;
      so.port = o.port;
      so.ca_file = o.ca_file;
      so.header.facility = o.facility_code;
      so.header.hostname = hostname;
      so.header.app_name = o.app_name;
      so.header.procid = std::to_string(getpid());
      so.max_message_bytes = o.max_message_bytes;
      auto sink = std::make_unique<SyslogSink>(so, o.profile, o.max_spool_bytes);
      if (!sink->Prepare(error)) {
        *error = name + ": " + *error;
        return false;
      }
      built.push_back(std::move(sink));
    } else if (o.type == "unix") {
      built.push_back(std::make_unique<UnixSink>(o.path, o.profile, o.max_spool_bytes));
    } else {
      *error = name + ": unknown output type";
      return false;
    }
  }
  sinks_ = std::move(built);
  profiles_ = std::move(profiles);
  distinct_ = std::move(distinct);
  return true;
}

void OutputFanout::Start() {
  for (const auto& s : sinks_) s->Start();
}

void OutputFanout::OfferAll() {
  for (const auto& s : sinks_) s->Offer();
}

void OutputFanout::ReopenAll() {
  for (const auto& s : sinks_) s->RequestReopen();
}

}  // namespace auditlens
