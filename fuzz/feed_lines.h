// The fuzz targets' input, fed to a Pipeline as the agent or `auditlens parse` would: one record a
// line, either an auditd log line or (netlink) "TYPE payload" as the kernel sends it.
//
// Contract: FeedLines never fails; lines that do not parse are skipped (the parser's refusal is
// what the targets test elsewhere). Time moves with the records, clamped so that a wild timestamp
// cannot make every later record look ancient (the assembler and enrichers sweep by event time).
// check(out) runs after every record and once at the end, after the pipeline has flushed.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

#include "agent/pipeline.h"
#include "output/output_file.h"
#include "record/record.h"

namespace auditlens::fuzz {

template <typename Check>
void FeedLines(Pipeline& pipeline, OutputFile& out, std::string_view input, bool netlink,
               Check check) {
  uint64_t number = 0;
  uint64_t now = 0;
  Record record;
  while (!input.empty()) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    ++number;
    if (line.empty()) continue;
    const char* why;
    if (netlink) {
      uint16_t type = 0;
      auto r = std::from_chars(line.data(), line.data() + line.size(), type);
      if (r.ec != std::errc() || r.ptr == line.data() + line.size() || *r.ptr != ' ') continue;
      std::string_view payload(r.ptr + 1, line.data() + line.size() - r.ptr - 1);
      why = ParseNetlinkRecord(type, payload, &record);
    } else {
      why = ParseLogRecord(line, &record);
    }
    if (why != nullptr) continue;
    uint64_t t = record.time_ms();
    if (t > now && t - now < 100000) now = t;
    pipeline.AddRecord(record, netlink ? now : 0);
    if (number % 16 == 0) pipeline.AdvanceTime(now);
    check(out);
  }
  pipeline.AdvanceTime(now + 10000);
  pipeline.Flush(now + 20000);
  check(out);
}

}  // namespace auditlens::fuzz
