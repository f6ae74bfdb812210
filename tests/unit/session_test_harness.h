// For the process, session, store and timeline tests: a recorded record stream (auditd log lines)
// through the pipeline with the process table, the session tracker and the recorder, as
// `auditlens run` wires them; rows go to a vector, or to a real SQLite store in a temp dir.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/pipeline.h"
#include "enrich/process_table.h"
#include "enrich/session_tracker.h"
#include "output/output_file.h"
#include "common/json_value.h"
#include "query/store_reader.h"
#include "record/record.h"
#include "query/session_summaries.h"
#include "store/recorder.h"
#include "store/rows.h"
#include "store/sqlite_store.h"

namespace auditlens::testing {

inline constexpr char kTestBoot[] = "0123abcd-0000-4000-8000-000000000000";

inline std::string ReadSessionData(const std::string& name) {
  std::ifstream in(std::string(AUDITLENS_TEST_DATA) + "/sessions/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Keeps every row (copies), or refuses past `capacity` like a full ring.
class VectorSink : public RowSink {
 public:
  explicit VectorSink(size_t capacity = SIZE_MAX) : capacity_(capacity) {}
  Row* Begin() override {
    if (rows.size() >= capacity_) {
      ++dropped;
      return nullptr;
    }
    rows.emplace_back();
    return &rows.back();
  }
  void Commit() override {}
  std::vector<const Row*> Of(RowType type) const {
    std::vector<const Row*> out;
    for (const Row& r : rows) {
      if (r.type == type) out.push_back(&r);
    }
    return out;
  }
  std::deque<Row> rows;
  uint64_t dropped = 0;

 private:
  size_t capacity_;
};

// The log's lines split into events (a blank line never occurs in auditd logs; events are the runs
// of lines with one serial), so tests can reorder whole events.
inline std::vector<std::string> SplitEvents(const std::string& log) {
  std::vector<std::string> events;
  std::string current, current_serial;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find("):");
    size_t dot = line.find("msg=audit(");
    std::string serial = dot != std::string::npos && colon != std::string::npos
                             ? line.substr(dot, colon - dot)
                             : line;
    if (serial != current_serial && !current.empty()) {
      events.push_back(current);
      current.clear();
    }
    current_serial = serial;
    current += line + "\n";
  }
  if (!current.empty()) events.push_back(current);
  return events;
}

class SessionHarness {
 public:
  // Without a store rows go to `sink`; with one, to a SqliteStore in the harness's temp dir.
  // redact: the agent's [output] redact_args / redact_env (none by default). rules: the
  // [[filters]] (agent/filtering.h), none by default.
  explicit SessionHarness(bool with_store = false, bool lookup_names = false,
                          RedactOptions redact = {}, EventFilter* rules = nullptr) {
    dir_ = std::filesystem::temp_directory_path() /
           ("auditlens-session-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
    ProcessTableOptions topt;
    topt.boot_id = kTestBoot;
    table = std::make_unique<ProcessTable>(topt);
    SessionTrackerOptions sopt;
    sopt.boot_id = kTestBoot;
    sopt.lookup_names = lookup_names;
    sessions = std::make_unique<SessionTracker>(sopt, table.get());
    RowSink* target = &sink;
    if (with_store) {
      InstallTimelineSummaries();  // as the agent: ended sessions get their listing summaries
      store_path = (dir_ / "store" / "auditlens.db").string();
      StoreOptions o;
      o.path = store_path;
      o.host = "testhost";
      o.boot_id = kTestBoot;
      o.batch_ms = 20;
      store = std::make_unique<SqliteStore>();
      std::string error;
      opened = store->Open(o, &error);
      open_error = error;
      if (opened) target = store->sink();
    }
    // Every event gets a row here (the agent's default is sessions only): the tests count them.
    RecorderOptions recorder_options;
    recorder_options.index_all_events = true;
    recorder = std::make_unique<Recorder>(table.get(), sessions.get(), target, recorder_options);
    PipelineOptions options;
    options.assembler.expect_eoe = false;
    options.hostname = "testhost";
    options.enrichers = {table.get(), sessions.get()};
    options.observers = {recorder.get()};
    options.redact = std::move(redact);
    options.rules = rules;
    std::string error;
    out_path_ = (dir_ / "out.json").string();
    output_.Open(out_path_, &error);
    pipeline = std::make_unique<Pipeline>(options, &output_);
  }
  ~SessionHarness() {
    pipeline.reset();
    if (store) store->Close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void Feed(const std::string& log) {
    std::istringstream in(log);
    std::string line;
    Record record;
    while (std::getline(in, line)) {
      if (line.empty() || ParseLogRecord(line, &record) != nullptr) continue;
      pipeline->AddRecord(record);
      if (record.time_ms() >= last_advance_ + 100) {
        pipeline->AdvanceTime(record.time_ms());
        last_advance_ = record.time_ms();
      }
    }
  }
  // Completes every open event; writes the JSON lines; waits for the store.
  void Finish() {
    pipeline->Flush();
    output_.Flush();
    if (store) store->Sync();
    std::ifstream in(out_path_);
    std::string line;
    lines.clear();
    while (std::getline(in, line)) lines.push_back(line);
  }
  std::vector<JsonValue> Events() const {
    std::vector<JsonValue> out;
    for (const std::string& l : lines) {
      JsonValue v;
      if (JsonValue::Parse(l, &v)) out.push_back(std::move(v));
    }
    return out;
  }
  std::string TempPath(const std::string& name) const { return (dir_ / name).string(); }

  std::unique_ptr<ProcessTable> table;
  std::unique_ptr<SessionTracker> sessions;
  VectorSink sink;
  std::unique_ptr<SqliteStore> store;
  std::string store_path;
  bool opened = false;
  std::string open_error;
  std::unique_ptr<Recorder> recorder;
  std::unique_ptr<Pipeline> pipeline;
  std::vector<std::string> lines;

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::string out_path_;
  OutputFile output_;
  uint64_t last_advance_ = 0;
};

// Through h (made with a store): the recorded log `name` (ReadSessionData), then *reader opened on
// h's store. Its checks are fatal (ASSERT): call it inside ASSERT_NO_FATAL_FAILURE.
inline void RecordAndOpen(SessionHarness& h, const std::string& name, StoreReader* reader) {
  ASSERT_TRUE(h.opened) << h.open_error;
  h.Feed(ReadSessionData(name));
  h.Finish();
  std::string error;
  ASSERT_TRUE(reader->Open(h.store_path, &error)) << error;
}

// The last session row with this id (rows are upserts: the last one has the most).
inline const Row* LastSessionRow(const VectorSink& sink, std::string_view id) {
  const Row* found = nullptr;
  for (const Row& r : sink.rows) {
    if (r.type == RowType::kSession && r.Str(col::kId) == id) found = &r;
  }
  return found;
}

// The two recorded SSH sessions (a failed password then a command; an interactive login with sudo
// and su) written into the harness's store, which is then closed: its path.
inline std::string RecordBothSessions(SessionHarness& h) {
  EXPECT_TRUE(h.opened) << h.open_error;
  h.Feed(ReadSessionData("ssh_command_failed_password.log"));
  h.Feed(ReadSessionData("ssh_interactive_sudo_su.log"));
  h.Finish();
  h.store->Close();
  return h.store_path;
}

// SQLite's plan of a statement, one step a line (EXPLAIN QUERY PLAN's detail column).
inline std::string QueryPlan(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db) << "\n" << sql;
  std::string plan;
  while (sqlite3_step(st) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    plan += "\n";
  }
  sqlite3_finalize(st);
  return plan;
}

}  // namespace auditlens::testing
