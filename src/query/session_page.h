// A page of the session list for `auditlens web` (src/web/): the sessions that match a query, newest
// first, continuing after a cursor, with what `auditlens sessions` shows of each (commands,
// failures, containers: timeline.h SummarizeSessions). Keyset paging: the next page starts after the
// (start, id) of this page's last session, through the sessions_start (or sessions_user) index, so
// page 2,000 costs what page 1 does.
//
// Contract: reads only (StoreReader); a cursor is text the page hands back unchanged
// ("START_MS:ID"); ParseSessionCursor refuses anything else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/store_reader.h"

namespace auditlens {

struct SessionPage {
  std::vector<StoredSession> sessions;  // newest first
  std::string next;                     // the cursor of the next page; empty: this is the last
};

// query.limit sessions at most (1 to 1000). With failures_only the rows are read in batches until
// the page is full or the list ends.
bool ListSessionPage(StoreReader& reader, const SessionQuery& query, SessionPage* out,
                     std::string* error);

std::string SessionCursor(const StoredSession& s);
bool ParseSessionCursor(std::string_view text, SessionQuery* query);

}  // namespace auditlens
