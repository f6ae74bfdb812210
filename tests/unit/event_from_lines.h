// Test helper: one assembled Event from RAW log lines of one serial (each line must parse).
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "assemble/event.h"
#include "record/record.h"

namespace auditlens {

inline Event EventOf(const std::vector<std::string>& lines) {
  Event event;
  bool first = true;
  for (const std::string& line : lines) {
    Record r;
    const char* why = ParseLogRecord(line, &r);
    EXPECT_EQ(why, nullptr) << line;
    if (why != nullptr) continue;
    if (first) {
      event.Reset(r);
      first = false;
    } else {
      event.Append(r);
    }
  }
  return event;
}

}  // namespace auditlens
