// libFuzzer target: one record, as a log line and as a netlink payload, then split into fields.
// Whatever the bytes, parsing must not crash, read out of bounds or loop, and every view it hands
// back must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "record/fields.h"
#include "record/record.h"

namespace {

void CheckInside(std::string_view part, std::string_view whole) {
  if (part.empty()) return;
  if (part.data() < whole.data() || part.data() + part.size() > whole.data() + whole.size()) {
    abort();
  }
}

void Split(std::string_view body, std::string_view whole) {
  std::vector<auditlens::Field> fields;
  auditlens::SplitFields(body, &fields);
  for (const auditlens::Field& f : fields) {
    // The AVC prefix gives fields with constant names (seresult, seperms); values always view
    // the body.
    if (f.name != "seresult" && f.name != "seperms") CheckInside(f.name, whole);
    CheckInside(f.value, whole);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auditlens::Record record;
  if (auditlens::ParseLogRecord(input, &record) == nullptr) {
    CheckInside(record.node, input);
    CheckInside(record.body, input);
    Split(record.body, input);
  }
  // The same bytes as the kernel's payload; the type comes from the first two bytes.
  uint16_t type = size >= 2 ? static_cast<uint16_t>(data[0] | data[1] << 8) : 1300;
  if (auditlens::ParseNetlinkRecord(type, input, &record) == nullptr) {
    CheckInside(record.body, input);
    Split(record.body, input);
  }
  // And as a bare body.
  Split(input, input);
  return 0;
}
