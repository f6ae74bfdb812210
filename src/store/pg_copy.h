// Rows (as records, pg_spool.h) turned into the text format of PostgreSQL's COPY, one text per
// staging table of the fleet store (pg_schema.h gives their columns, in this order).
//
// Contract:
// - Text values: an empty string is NULL (\N), as everywhere in the store. Backslash, tab,
//   newline and carriage return are escaped the COPY way; a NUL byte and every byte that is not
//   part of a valid UTF-8 sequence become U+FFFD (a PostgreSQL text value can hold neither; the
//   JSON output keeps the exact bytes, percent-encoded). Hostile file names cannot break a line.
// - JSON values (detail, args) are the recorder's own JSON, which holds no \u0000 (the escape
//   jsonb refuses: the recorder writes a NUL byte as U+FFFD); they are escaped like text.
// - A `network` event row with its typed connection columns (connect/accept of an IPv4/IPv6
//   socket inside a login session: rows.h, col::kNetOp ...) also gives a connections row.
// - Rows are tagged with the host and boot id of the last context record before them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/rows.h"

namespace auditlens {

void AppendCopyText(std::string_view s, std::string* out);
void AppendCopyJson(std::string_view json, std::string* out);
void AppendCopyNum(int64_t v, std::string* out);  // col::kNull is \N

struct CopyBatch {
  std::string events, processes, sessions, connections, containers;
  uint64_t event_rows = 0, process_rows = 0, session_rows = 0, connection_rows = 0;
  uint64_t container_rows = 0;
  uint64_t skipped = 0;       // rows without their key (no time, entity or id): not written
  std::vector<int64_t> days;  // days (time_ms / 86400000) of events and connections, distinct
  uint64_t seq = 0;           // order of process, session and container rows, for folding repeats
  std::string host, boot_id;  // the context in force
  void Clear();
  uint64_t rows() const { return event_rows + process_rows + session_rows + container_rows; }
};

// Appends the rows of a buffer of whole records. Returns the bytes consumed: all of it, or up to a
// garbled record (the caller decides what to do with the rest).
size_t AddRecords(std::string_view records, CopyBatch* batch);
// Appends one row (the unit tests, and AddRecords).
void AddRow(const Row& row, CopyBatch* batch);

}  // namespace auditlens
