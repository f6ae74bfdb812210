// An auditd log file as its bytes, plain or compressed (a rotated log that logrotate or a
// responder compressed): gzip, xz and zstd, recognised by their magic bytes, never by the name,
// and decompressed as a stream by libarchive's raw reader (nothing is unpacked to disk, memory
// stays at the decompressor's window).
//
// Contract:
// - Open() fails, with the file and the reason in *error, when the file cannot be opened or its
//   compressed stream cannot be started. A file of any other content is read as it is (a log
//   that is not audit records is then reported line by line by the parser, not here).
// - Read() (a ByteSource for LineReader) returns the decompressed bytes; -1 on an error (a
//   truncated or corrupt compressed stream), with error() saying why.
// - consumed() is the bytes of the file on disk read so far (for progress against size()).
// - Fingerprint() names a file's content cheaply: its size and the SHA-256 of its first and last
//   64 KiB, as hex ("<size>-<sha256>"). Equal files have equal fingerprints; a log that grew (or
//   was rotated into another name unchanged) is recognised by it.
#pragma once

#include <cstdint>
#include <string>

#include "record/line_reader.h"

struct archive;

namespace auditlens {

class LogFile : public ByteSource {
 public:
  enum class Compression { kNone, kGzip, kXz, kZstd };

  LogFile() = default;
  ~LogFile() override;
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  bool Open(const std::string& path, std::string* error);
  long Read(char* buf, size_t n) override;
  void Close();

  Compression compression() const { return compression_; }
  static const char* CompressionName(Compression c);
  uint64_t size() const { return size_; }
  uint64_t consumed() const;
  const std::string& error() const { return error_; }

  // False, with *error, when the file cannot be read.
  static bool Fingerprint(const std::string& path, std::string* out, std::string* error);

 private:
  int fd_ = -1;
  struct archive* archive_ = nullptr;
  Compression compression_ = Compression::kNone;
  uint64_t size_ = 0;
  uint64_t plain_read_ = 0;
  std::string path_;
  std::string error_;
};

}  // namespace auditlens
