// The fleet store's row records and its spool file (docs/fleet.md).
//
// A record is one Row (rows.h) in a self-checking binary form: the writer thread encodes the rows
// it takes from its ring into a buffer of records, and that buffer is either written to PostgreSQL
// or appended as is to the spool when the database cannot be reached. A context record (host and
// boot id) starts every buffer, so rows spooled before a reboot keep the boot they came from.
//
// Record: u32 payload length, u32 FNV-1a of the payload, payload (little-endian):
//   row:     u8 type (RowType), u8 number count, u8 string count, u8 0, int64 numbers...,
//            u32 string ends..., string bytes
//   context: u8 0xff, then u32 length + bytes of the host, then of the boot id
//
// Spool file: a 16-byte header ("ALSPOOL1", u64 replay offset: records before it are in the
// database), then records. Contract:
// - Open() creates it 0600 (its directory 0700) or reopens it; a torn or garbled tail (a crash in
//   the middle of an append) is cut off at the last whole record. Fails with a reason when the
//   file cannot be created or is not a spool. The file is read through a window of a few MiB,
//   never all at once.
// - Append() adds whole records while the file stays within max_bytes; the records that do not
//   fit are not written, and their rows are counted (the caller reports them as lost).
// - Read() gives whole records from the replay offset; Advance() moves the offset past records
//   the database has committed; when everything is replayed the file is cut back to its header.
//   A crash between commit and Advance replays records again: the inserts are idempotent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/rows.h"

namespace auditlens {

inline constexpr uint8_t kContextRecord = 0xff;

void AppendRowRecord(const Row& row, std::string* out);
void AppendContextRecord(std::string_view host, std::string_view boot_id, std::string* out);

// One decoded record. For a context record `row` is untouched and host/boot_id are set.
struct RecordView {
  bool context = false;
  std::string_view host;
  std::string_view boot_id;
};
// Decodes the record at data[*pos] into *row (or *ctx for a context record) and moves *pos past
// it. False, with *pos unchanged, when no whole valid record starts there.
bool ReadRecord(std::string_view data, size_t* pos, Row* row, RecordView* ctx);
// Counts the row records of a buffer of whole records (context records not counted).
uint64_t CountRows(std::string_view records);

class PgSpool {
 public:
  PgSpool() = default;
  ~PgSpool();
  PgSpool(const PgSpool&) = delete;
  PgSpool& operator=(const PgSpool&) = delete;

  bool Open(const std::string& path, uint64_t max_bytes, std::string* error);
  // Appends the records of `records` that fit; *rows_written and *rows_dropped count rows.
  bool Append(std::string_view records, uint64_t* rows_written, uint64_t* rows_dropped,
              std::string* error);
  // Up to max_bytes of whole records from the replay offset (at least one record if any). The
  // context in force at the offset is returned first, as a context record.
  bool Read(size_t max_bytes, std::string* out, std::string* error);
  // The database has committed `bytes` of what Read returned (the context record it put first
  // not counted).
  bool Advance(size_t bytes, std::string* error);

  uint64_t pending_bytes() const { return end_ - offset_; }
  uint64_t pending_rows() const { return pending_rows_; }
  uint64_t file_bytes() const { return end_; }

 private:
  bool WriteOffset(std::string* error);

  int fd_ = -1;
  std::string path_;
  uint64_t max_bytes_ = 0;
  uint64_t offset_ = 0;  // replay offset
  uint64_t end_ = 0;     // end of the last whole record
  uint64_t pending_rows_ = 0;
  // The context in force at offset_ (the last context record before it), and what Read handed
  // out: Advance moves both.
  std::string host_, boot_id_;
  std::string last_read_;
  size_t last_read_prefix_ = 0;
};

}  // namespace auditlens
