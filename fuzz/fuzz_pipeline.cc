// libFuzzer target: the agent's whole pipeline with the enrichers on — audit log lines (or netlink
// records) → events → decoded fields → process table, session tracker and network enricher →
// JSON line → the store's recorder — on arbitrary bytes. The wiring is the agent's
// (agent/agent_store.cc Attach, bench/replay.cc), minus what would make a run depend on the
// machine: nothing is read from /proc (the process table's proc_root is empty, so an unknown
// parent is not adopted and no netns is tracked; the table is not seeded from /proc), no socket is
// looked up (the network enricher works from the records, as in `auditlens parse`), no user is
// named through NSS (the session tracker takes PAM's names), and the recorder's rows go to a
// checking sink here rather than through the ring to SQLite (the SQLite writer has its own tests,
// tests/unit/store_test.cc).
//
// Checked: every output line is one valid JSON object with valid UTF-8 strings (json_check.h); every
// row the recorder commits has its type's number of strings, and its JSON strings (an event's
// detail, a process's args) are valid JSON.
//
// The first input byte picks the options: bit 0: netlink records "TYPE payload" (expect_eoe and
// serial tracking on, as in `auditlens run`) instead of log lines; bit 1: redaction of arguments and
// environment on; bit 2: the recorder indexes every event, not only those of login sessions;
// bit 3: host scoping (filter/netns_scope.h) as the pipeline's filter.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "agent/pipeline.h"
#include "filter/netns_scope.h"
#include "enrich/network_enricher.h"
#include "enrich/process_table.h"
#include "enrich/session_tracker.h"
#include "feed_lines.h"
#include "json_check.h"
#include "output/output_file.h"
#include "record/record.h"
#include "store/recorder.h"
#include "store/rows.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  fprintf(stderr, "%s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  abort();
}

// What the pipeline wrote since the last check must be whole valid JSON lines.
void CheckOutput(auditlens::OutputFile& out) {
  std::string* buf = out.buffer();
  size_t bad = 0;
  if (const char* why = auditlens::jsoncheck::CheckJsonLines(*buf, &bad)) {
    fprintf(stderr, "invalid output line %zu: %s\n", bad, why);
    Fail("output:", *buf);
  }
  buf->clear();
}

// The recorder's end: checks each row as the store's writer would read it, then forgets it.
class CheckingSink : public auditlens::RowSink {
 public:
  auditlens::Row* Begin() override { return &row_; }
  void Commit() override {
    using namespace auditlens;
    int want = static_cast<int>(col::kSessionStrs);
    if (row_.type == RowType::kEvent) {
      // Up to the detail; a network row in a session also has its typed connection columns.
      const bool network = row_.num[col::kKind] == static_cast<int64_t>(EventKind::kNetwork);
      want = network && row_.str_count == col::kEventStrs ? col::kEventStrs : col::kNetOp;
    }
    if (row_.type == RowType::kProcess) want = col::kProcessStrs;
    if (row_.str_count != want) Fail("row with the wrong number of strings:", row_.blob);
    uint32_t prev = 0;
    for (int i = 0; i < row_.str_count; ++i) {
      if (row_.str_end[i] < prev || row_.str_end[i] > row_.blob.size()) {
        Fail("row string bounds out of order:", row_.blob);
      }
      prev = row_.str_end[i];
    }
    std::string_view json;
    if (row_.type == RowType::kEvent) json = row_.Str(col::kDetail);
    if (row_.type == RowType::kProcess) json = row_.Str(col::kArgs);
    if (!json.empty()) {
      if (const char* why = jsoncheck::CheckJsonLine(json)) {
        fprintf(stderr, "invalid JSON in a row: %s\n", why);
        Fail("row string:", json);
      }
    }
  }

 private:
  auditlens::Row row_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace auditlens;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const bool netlink = mode & 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  OutputFile out;
  std::string error;
  if (!out.Open("/dev/null", &error)) abort();
  PipelineOptions options;
  options.assembler.expect_eoe = netlink;
  options.assembler.timeout_ms = 2000;
  options.assembler.max_in_flight = 64;  // small, so eviction paths run too
  options.track_serials = netlink;
  options.hostname = "fuzzhost";
  if (mode & 2) {
    options.redact.args = {"--password", "-p", "--token"};
    options.redact.env = {"*PASSWORD*", "*TOKEN*", "AWS_SECRET_*"};
  }

  // As the agent wires them (agent/agent_store.cc), with small bounds so eviction runs too.
  NetworkEnricher network(nullptr);
  ProcessTableOptions table_options;
  table_options.boot_id = "00000000-0000-4000-8000-000000000000";
  table_options.max_entries = 64;
  table_options.max_args_bytes = 512;
  ProcessTable table(table_options);
  SessionTrackerOptions session_options;
  session_options.boot_id = table_options.boot_id;
  session_options.max_sessions = 16;
  session_options.max_attempts = 16;
  session_options.lookup_names = false;
  SessionTracker sessions(session_options, &table);
  options.enrichers = {&network, &table, &sessions};
  NetnsScope scope(0);
  if (mode & 8) options.filter = &scope;
  CheckingSink sink;
  RecorderOptions recorder_options;
  recorder_options.index_all_events = mode & 4;
  Recorder recorder(&table, &sessions, &sink, recorder_options);
  options.observers = {&recorder};
  {
    Pipeline pipeline(options, &out);
    auditlens::fuzz::FeedLines(pipeline, out, input, netlink, CheckOutput);
  }
  // What the agent writes when it opens the store: every process and session known now.
  recorder.WriteAll();
  return 0;
}
