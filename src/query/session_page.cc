#include "query/session_page.h"

#include <algorithm>

#include "common/parse_int.h"
#include "query/timeline.h"

namespace auditlens {

std::string SessionCursor(const StoredSession& s) {
  return std::to_string(s.start_ms) + ":" + s.id;
}

bool ParseSessionCursor(std::string_view text, SessionQuery* query) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  int64_t start = 0;
  if (!ParseI64(text.substr(0, colon), &start)) return false;
  query->after_cursor = true;
  query->cursor_start_ms = start;
  query->cursor_id = std::string(text.substr(colon + 1));
  return true;
}

namespace {
bool HasFailures(const StoredSession& s) {
  return s.state == "failed" || s.failures > 0 || s.failed > 0;
}
}  // namespace

bool ListSessionPage(StoreReader& reader, const SessionQuery& query, SessionPage* out,
                     std::string* error) {
  SessionQuery q = query;
  const size_t want = q.limit;
  out->sessions.clear();
  out->next.clear();
  // One row more than asked tells whether another page follows; with failures_only, batches.
  q.limit = q.failures_only ? std::max<size_t>(want * 2, 64) : want + 1;
  for (;;) {
    std::vector<StoredSession> rows;
    if (!reader.ListSessionRows(q, &rows, error)) return false;
    const bool list_ended = rows.size() < q.limit;
    if (!q.failures_only) {
      const bool more = rows.size() > want;
      if (more) rows.resize(want);
      if (!SummarizeSessions(reader, &rows, error)) return false;
      out->sessions = std::move(rows);
      if (more) out->next = SessionCursor(out->sessions.back());
      return true;
    }
    if (!SummarizeSessions(reader, &rows, error)) return false;
    for (StoredSession& s : rows) {
      if (out->sessions.size() == want) {
        // Full, and at least one more row was read: the next page starts after the last kept.
        out->next = SessionCursor(out->sessions.back());
        return true;
      }
      const StoredSession& last_read = s;
      q.after_cursor = true;
      q.cursor_start_ms = last_read.start_ms;
      q.cursor_id = last_read.id;
      if (HasFailures(s)) out->sessions.push_back(std::move(s));
    }
    if (list_ended) return true;
  }
}

}  // namespace auditlens
