#include "record/log_file.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace auditlens {

namespace {

constexpr size_t kFingerprintSpan = 64 * 1024;

LogFile::Compression Sniff(const unsigned char* m, size_t n) {
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return LogFile::Compression::kGzip;
  if (n >= 6 && std::memcmp(m, "\xfd" "7zXZ\0", 6) == 0) return LogFile::Compression::kXz;
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
    return LogFile::Compression::kZstd;
  }
  return LogFile::Compression::kNone;
}

// pread until n bytes or the end; false on an error.
bool ReadAt(int fd, char* buf, size_t n, off_t at, size_t* got) {
  *got = 0;
  while (*got < n) {
    ssize_t r = pread(fd, buf + *got, n - *got, at + static_cast<off_t>(*got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) break;
    *got += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

LogFile::~LogFile() { Close(); }

void LogFile::Close() {
  if (archive_ != nullptr) {
    archive_read_free(archive_);
    archive_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

const char* LogFile::CompressionName(Compression c) {
  switch (c) {
    case Compression::kGzip: return "gzip";
    case Compression::kXz: return "xz";
    case Compression::kZstd: return "zstd";
    case Compression::kNone: break;
  }
  return "none";
}

bool LogFile::Open(const std::string& path, std::string* error) {
  Close();
  path_ = path;
  error_.clear();
  plain_read_ = 0;
  fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    *error = "cannot open " + path + ": " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd_, &st) != 0) {
    *error = "cannot stat " + path + ": " + strerror(errno);
    Close();
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    *error = path + " is a directory";
    Close();
    return false;
  }
  size_ = static_cast<uint64_t>(st.st_size);
  unsigned char magic[8];
  size_t got = 0;
  if (!ReadAt(fd_, reinterpret_cast<char*>(magic), sizeof magic, 0, &got)) {
    *error = "cannot read " + path + ": " + strerror(errno);
    Close();
    return false;
  }
  compression_ = Sniff(magic, got);
  if (compression_ == Compression::kNone) return true;
  archive_ = archive_read_new();
  if (archive_ == nullptr) {
    *error = "cannot start decompressing " + path + ": out of memory";
    Close();
    return false;
  }
  switch (compression_) {
    case Compression::kGzip: archive_read_support_filter_gzip(archive_); break;
    case Compression::kXz: archive_read_support_filter_xz(archive_); break;
    case Compression::kZstd: archive_read_support_filter_zstd(archive_); break;
    case Compression::kNone: break;
  }
  archive_read_support_format_raw(archive_);
  struct archive_entry* entry = nullptr;
  if (archive_read_open_fd(archive_, fd_, 1 << 20) != ARCHIVE_OK ||
      archive_read_next_header(archive_, &entry) != ARCHIVE_OK) {
    *error = std::string("cannot decompress ") + path + " (" + CompressionName(compression_) +
             "): " + (archive_error_string(archive_) ? archive_error_string(archive_) : "unknown");
    Close();
    return false;
  }
  return true;
}

long LogFile::Read(char* buf, size_t n) {
  if (archive_ == nullptr) {
    if (fd_ < 0) return 0;
    for (;;) {
      ssize_t r = read(fd_, buf, n);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) error_ = strerror(errno);
      if (r > 0) plain_read_ += static_cast<uint64_t>(r);
      return r;
    }
  }
  // In pieces: a damaged stream fails the call that meets the damage, with the bytes decompressed
  // in that call; smaller calls hand out all that came before it.
  la_ssize_t r = archive_read_data(archive_, buf, std::min<size_t>(n, 64 * 1024));
  if (r < 0) {
    const char* why = archive_error_string(archive_);
    error_ = std::string(CompressionName(compression_)) + " stream: " + (why ? why : "corrupt");
    errno = EIO;
    return -1;
  }
  return static_cast<long>(r);
}

uint64_t LogFile::consumed() const {
  if (archive_ != nullptr) {
    la_int64_t b = archive_filter_bytes(archive_, -1);
    return b > 0 ? static_cast<uint64_t>(b) : 0;
  }
  return plain_read_;
}

bool LogFile::Fingerprint(const std::string& path, std::string* out, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open " + path + ": " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *error = "cannot stat " + path + ": " + strerror(errno);
    close(fd);
    return false;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  std::vector<char> buf(2 * kFingerprintSpan);
  size_t head = 0, tail = 0;
  bool ok = ReadAt(fd, buf.data(), kFingerprintSpan, 0, &head);
  if (ok && size > kFingerprintSpan) {
    const uint64_t from = size > 2 * kFingerprintSpan ? size - kFingerprintSpan : kFingerprintSpan;
    ok = ReadAt(fd, buf.data() + head, kFingerprintSpan, static_cast<off_t>(from), &tail);
  }
  const int saved = errno;
  close(fd);
  if (!ok) {
    *error = "cannot read " + path + ": " + strerror(saved);
    return false;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(buf.data(), head + tail, digest, &digest_len, EVP_sha256(), nullptr) != 1) {
    *error = "cannot hash " + path;
    return false;
  }
  static const char kHex[] = "0123456789abcdef";
  *out = std::to_string(size) + "-";
  for (unsigned int i = 0; i < digest_len; ++i) {
    out->push_back(kHex[digest[i] >> 4]);
    out->push_back(kHex[digest[i] & 15]);
  }
  return true;
}

}  // namespace auditlens
