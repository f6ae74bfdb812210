// libFuzzer target: the whole `auditlens parse` path — lines → records → events → decoded JSON —
// and the live path — netlink records with serial tracking and EOE — on arbitrary
// bytes. Every line the pipeline writes must be one valid JSON object with valid UTF-8 strings.
//
// The first input byte picks the mode: even = log lines, odd = "TYPE payload" lines fed as netlink
// records (expect_eoe and serial tracking on, as in `auditlens run`). Lines are split here rather
// than by LineReader, whose 1 MiB buffer per input would make this target ten times slower; the
// reader has its own hostile-input tests (tests/unit/hostile_test.cc).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "agent/pipeline.h"
#include "feed_lines.h"
#include "json_check.h"
#include "output/output_file.h"
#include "record/record.h"

namespace {

// What the pipeline wrote since the last check must be whole valid JSON lines. Lines already
// flushed to /dev/null (only when more than 256 KiB piled up) are not seen; the rest always
// starts at a line boundary.
void CheckOutput(auditlens::OutputFile& out) {
  std::string* buf = out.buffer();
  size_t bad = 0;
  if (const char* why = auditlens::jsoncheck::CheckJsonLines(*buf, &bad)) {
    fprintf(stderr, "invalid output line %zu: %s\n%s\n", bad, why, buf->c_str());
    abort();
  }
  buf->clear();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool netlink = data[0] & 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  auditlens::OutputFile out;
  std::string error;
  if (!out.Open("/dev/null", &error)) abort();
  auditlens::PipelineOptions options;
  options.assembler.expect_eoe = netlink;
  options.assembler.timeout_ms = 2000;
  options.assembler.max_in_flight = 64;  // small, so eviction paths run too
  options.track_serials = netlink;
  options.hostname = "fuzzhost";
  {
    auditlens::Pipeline pipeline(options, &out);
    auditlens::fuzz::FeedLines(pipeline, out, input, netlink, CheckOutput);
  }
  return 0;
}
