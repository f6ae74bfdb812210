// The summaries of the session rows (store schema version 5, docs/store.md "Listings"): what
// `auditlens sessions` shows of each session (commands, failed commands, failures, containers),
// computed once a session has ended, by the store's writer thread, with the timeline's own rules
// (query/timeline.h BuildTimeline), so that a listing reads them from the rows instead of building
// every session's timeline.
//
// The timeline is a higher layer (query/): it provides the summaries through
// InstallSessionSummaries (query/session_summaries.h), which the programs that write stores call
// at start (cli/main.cc, bench_replay, the tests). Without it nothing is summarized and listings
// build the timelines as version 4 did.
//
// Contract:
// - Step() summarizes the ended sessions whose row has no current summary (sessions_pending),
//   oldest first, until the time budget is spent, then returns: it runs between the writer's
//   transactions, each session's UPDATE a transaction of its own (a few hundred microseconds).
//   A session is summarized once it ended settle_ms of event time before the newest event stored
//   (its last events, such as its processes' exits, arrive after its logout), or at once with
//   settle_ms 0 (Close).
// - The summary names the session's newest event (summary_ms, summary_serial): a reader uses it
//   only while that is still the newest one. A new session row sets summarized to NULL (the
//   writer's upsert), which puts the session back in sessions_pending.
// - Errors are returned (with SQLite's message) and leave the session pending.
#pragma once

#include <cstdint>
#include <string>

#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace auditlens {

// What the listing shows of an ended session, and the newest event it covers ((0, 0): none).
struct SessionSummary {
  int64_t newest_ms = 0, newest_serial = 0;
  int64_t commands = 0, failed_commands = 0, failed = 0;
  std::string containers;  // the ids of its containers, a JSON array ("" when none)
};

// Computes summaries from a store (its own read connection to the file).
class SessionSummarySource {
 public:
  virtual ~SessionSummarySource() = default;
  virtual bool Summarize(const std::string& id, SessionSummary* out, std::string* error) = 0;
};
using SessionSummarySourceFactory = std::unique_ptr<SessionSummarySource> (*)(
    const std::string& path, std::string* error);
// Process-wide; set once at start, before stores are opened.
void InstallSessionSummaries(SessionSummarySourceFactory factory);
SessionSummarySourceFactory InstalledSessionSummaries();

class SessionSummarizer {
 public:
  // db: the writer's connection; path: the same store, which a reader connection of its own reads.
  SessionSummarizer(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SessionSummarizer();
  SessionSummarizer(const SessionSummarizer&) = delete;
  SessionSummarizer& operator=(const SessionSummarizer&) = delete;

  // Summarizes sessions for at most budget_us; returns how many (-1 on an error: *error).
  int Step(uint64_t budget_us, int64_t settle_ms, std::string* error);
  uint64_t summarized() const { return summarized_; }

 private:
  bool Prepare(std::string* error);
  bool Summarize(const std::string& id, std::string* error);

  sqlite3* db_;
  std::string path_;
  std::unique_ptr<SessionSummarySource> source_;
  bool open_ = false;
  sqlite3_stmt* pending_ = nullptr;
  sqlite3_stmt* update_ = nullptr;
  uint64_t summarized_ = 0;
};

}  // namespace auditlens
