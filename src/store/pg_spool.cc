#include "store/pg_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>

namespace auditlens {
namespace {

constexpr char kMagic[8] = {'A', 'L', 'S', 'P', 'O', 'O', 'L', '1'};
constexpr size_t kHeader = 16;
// A record larger than this is garbage (rows are bounded by the recorder's strings).
constexpr uint32_t kMaxPayload = 64u << 20;

uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

void PutU32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
void PutU64(char* b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// Reserves the 8-byte record head, returns where the payload starts.
size_t BeginRecord(std::string* out) {
  out->append(8, '\0');
  return out->size();
}
void EndRecord(std::string* out, size_t payload_at) {
  std::string_view payload(out->data() + payload_at, out->size() - payload_at);
  const uint32_t len = static_cast<uint32_t>(payload.size());
  const uint32_t sum = Fnv1a(payload);
  char* head = out->data() + payload_at - 8;
  for (int i = 0; i < 4; ++i) {
    head[i] = static_cast<char>(len >> (8 * i));
    head[4 + i] = static_cast<char>(sum >> (8 * i));
  }
}

bool FullWrite(int fd, const char* p, size_t n, off_t at) {
  while (n > 0) {
    ssize_t w = pwrite(fd, p, n, at);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
    at += w;
  }
  return true;
}

bool FullRead(int fd, char* p, size_t n, off_t at) {
  while (n > 0) {
    ssize_t r = pread(fd, p, n, at);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    at += r;
  }
  return true;
}

}  // namespace

void AppendRowRecord(const Row& row, std::string* out) {
  const size_t at = BeginRecord(out);
  const char head[4] = {static_cast<char>(row.type), static_cast<char>(Row::kMaxNums),
                        static_cast<char>(row.str_count), 0};
  out->append(head, 4);
  char b[8];
  for (int i = 0; i < Row::kMaxNums; ++i) {
    PutU64(b, static_cast<uint64_t>(row.num[i]));
    out->append(b, 8);
  }
  for (int i = 0; i < row.str_count; ++i) PutU32(out, row.str_end[i]);
  const size_t used = row.str_count == 0 ? 0 : row.str_end[row.str_count - 1];
  out->append(row.blob.data(), used);
  EndRecord(out, at);
}

void AppendContextRecord(std::string_view host, std::string_view boot_id, std::string* out) {
  const size_t at = BeginRecord(out);
  out->push_back(static_cast<char>(kContextRecord));
  PutU32(out, static_cast<uint32_t>(host.size()));
  out->append(host);
  PutU32(out, static_cast<uint32_t>(boot_id.size()));
  out->append(boot_id);
  EndRecord(out, at);
}

bool ReadRecord(std::string_view data, size_t* pos, Row* row, RecordView* ctx) {
  size_t p = *pos;
  if (data.size() - p < 8 || p > data.size()) return false;
  const uint32_t len = GetU32(data.data() + p);
  const uint32_t sum = GetU32(data.data() + p + 4);
  if (len == 0 || len > kMaxPayload || data.size() - p - 8 < len) return false;
  std::string_view payload = data.substr(p + 8, len);
  if (Fnv1a(payload) != sum) return false;
  const unsigned char kind = static_cast<unsigned char>(payload[0]);
  if (kind == kContextRecord) {
    size_t q = 1;
    std::string_view parts[2];
    for (std::string_view& part : parts) {
      if (payload.size() - q < 4) return false;
      const uint32_t n = GetU32(payload.data() + q);
      q += 4;
      if (payload.size() - q < n) return false;
      part = payload.substr(q, n);
      q += n;
    }
    ctx->context = true;
    ctx->host = parts[0];
    ctx->boot_id = parts[1];
    *pos = p + 8 + len;
    return true;
  }
  if (payload.size() < 4 || kind > static_cast<unsigned char>(RowType::kContainer)) return false;
  const size_t nums = static_cast<unsigned char>(payload[1]);
  const size_t strs = static_cast<unsigned char>(payload[2]);
  if (nums > Row::kMaxNums || strs > Row::kMaxStrs) return false;
  size_t q = 4;
  if (payload.size() - q < nums * 8 + strs * 4) return false;
  row->Reset(static_cast<RowType>(kind));
  for (size_t i = 0; i < nums; ++i, q += 8) {
    row->num[i] = static_cast<int64_t>(GetU64(payload.data() + q));
  }
  uint32_t ends[Row::kMaxStrs];
  uint32_t prev = 0;
  for (size_t i = 0; i < strs; ++i, q += 4) {
    ends[i] = GetU32(payload.data() + q);
    if (ends[i] < prev) return false;
    prev = ends[i];
  }
  if (payload.size() - q != prev) return false;
  std::string_view bytes = payload.substr(q);
  for (size_t i = 0; i < strs; ++i) {
    row->AddStr(bytes.substr(i == 0 ? 0 : ends[i - 1], ends[i] - (i == 0 ? 0 : ends[i - 1])));
  }
  ctx->context = false;
  *pos = p + 8 + len;
  return true;
}

uint64_t CountRows(std::string_view records) {
  uint64_t n = 0;
  size_t p = 0;
  while (records.size() - p >= 9) {
    const uint32_t len = GetU32(records.data() + p);
    if (records.size() - p - 8 < len || len == 0) break;
    if (static_cast<unsigned char>(records[p + 8]) != kContextRecord) ++n;
    p += 8 + len;
  }
  return n;
}

PgSpool::~PgSpool() {
  if (fd_ >= 0) close(fd_);
}

bool PgSpool::Open(const std::string& path, uint64_t max_bytes, std::string* error) {
  path_ = path;
  max_bytes_ = max_bytes;
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      *error = "cannot create " + dir.string() + ": " + ec.message();
      return false;
    }
    chmod(dir.c_str(), 0700);
  }
  // Rows hold every command line of every user: 0600, whatever the umask.
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) {
    *error = "cannot open the spool " + path + ": " + strerror(errno);
    return false;
  }
  fchmod(fd_, 0600);
  struct stat st;
  if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = path + " is not a regular file";
    return false;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  char header[kHeader];
  if (size < kHeader) {
    // New (or cut before its header was whole): an empty spool.
    memcpy(header, kMagic, 8);
    PutU64(header + 8, kHeader);
    if (ftruncate(fd_, 0) != 0 || !FullWrite(fd_, header, kHeader, 0)) {
      *error = "cannot write the spool " + path + ": " + strerror(errno);
      return false;
    }
    offset_ = end_ = kHeader;
    pending_rows_ = 0;
    return true;
  }
  if (!FullRead(fd_, header, kHeader, 0) || memcmp(header, kMagic, 8) != 0) {
    *error = path + " is not an auditlens spool (remove it, or set [store] postgres_spool_path)";
    return false;
  }
  offset_ = GetU64(header + 8);
  if (offset_ < kHeader || offset_ > size) offset_ = kHeader;
  // Whole records up to the first torn or garbled one; the context in force at the offset. Read
  // through a window of a few MiB: a full spool is never all in memory.
  constexpr size_t kWindow = 4u << 20;
  std::string window;
  uint64_t base = kHeader;  // file offset of window[0]
  size_t at = 0;            // parse position in the window
  Row row;
  RecordView ctx;
  bool offset_on_record = offset_ == kHeader;
  uint64_t rows_after = 0, rows_all = 0;
  for (;;) {
    const uint64_t pos = base + at;
    if (pos == offset_) offset_on_record = true;
    if (pos >= size) break;
    // The next record whole in the window, reading more when it is not.
    size_t need = 8;
    if (window.size() - at >= 8) need = 8 + GetU32(window.data() + at);
    if (window.size() - at < need) {
      if (need > kMaxPayload + 8 || pos + need > size) break;  // garbled length, or torn
      window.erase(0, at);
      base += at;
      at = 0;
      const size_t want = std::max<size_t>(need, std::min<uint64_t>(kWindow, size - base));
      const size_t have = window.size();
      window.resize(want);
      if (!FullRead(fd_, window.data() + have, want - have, static_cast<off_t>(base + have))) {
        *error = "cannot read the spool " + path + ": " + strerror(errno);
        return false;
      }
      continue;
    }
    size_t next = at;
    if (!ReadRecord(window, &next, &row, &ctx)) break;
    at = next;
    if (ctx.context) {
      if (base + at <= offset_) {
        host_.assign(ctx.host);
        boot_id_.assign(ctx.boot_id);
      }
      ctx.context = false;
      continue;
    }
    ++rows_all;
    if (base + at > offset_) ++rows_after;
  }
  end_ = base + at;
  pending_rows_ = rows_after;
  if (!offset_on_record || offset_ > end_) {
    // The offset points inside a record or past the whole ones (should not happen): replay
    // everything again, the inserts are idempotent.
    offset_ = kHeader;
    host_.clear();
    boot_id_.clear();
    pending_rows_ = rows_all;
  }
  if (end_ < size && ftruncate(fd_, static_cast<off_t>(end_)) != 0) {
    *error = "cannot cut the torn end of the spool " + path + ": " + strerror(errno);
    return false;
  }
  return WriteOffset(error);
}

bool PgSpool::WriteOffset(std::string* error) {
  char b[8];
  PutU64(b, offset_);
  if (!FullWrite(fd_, b, 8, 8)) {
    *error = "cannot write the spool " + path_ + ": " + strerror(errno);
    return false;
  }
  return true;
}

bool PgSpool::Append(std::string_view records, uint64_t* rows_written, uint64_t* rows_dropped,
                     std::string* error) {
  *rows_written = 0;
  *rows_dropped = 0;
  // The prefix of whole records that fits (context records included); the rest is dropped.
  size_t fits = 0, p = 0;
  uint64_t rows = 0;
  while (records.size() - p >= 8) {
    const uint32_t len = GetU32(records.data() + p);
    if (records.size() - p - 8 < len || len == 0) break;
    if (max_bytes_ > 0 && end_ + p + 8 + len > max_bytes_) break;
    if (static_cast<unsigned char>(records[p + 8]) != kContextRecord) ++rows;
    p += 8 + len;
    fits = p;
  }
  *rows_dropped = CountRows(records.substr(fits));
  if (fits == 0) return true;
  if (!FullWrite(fd_, records.data(), fits, static_cast<off_t>(end_))) {
    *error = "cannot write the spool " + path_ + ": " + strerror(errno);
    // Cut what may have been written partly: the file stays whole records.
    if (ftruncate(fd_, static_cast<off_t>(end_)) != 0) {
      // Open() cuts a garbled tail anyway.
    }
    *rows_dropped += rows;
    return false;
  }
  end_ += fits;
  pending_rows_ += rows;
  *rows_written = rows;
  return true;
}

bool PgSpool::Read(size_t max_bytes, std::string* out, std::string* error) {
  out->clear();
  last_read_.clear();
  if (offset_ >= end_) return true;
  // The context first, so the caller tags the rows right even when the chunk starts mid-stream.
  AppendContextRecord(host_, boot_id_, out);
  last_read_prefix_ = out->size();
  size_t n = static_cast<size_t>(std::min<uint64_t>(end_ - offset_, max_bytes));
  std::string chunk(n, '\0');
  if (!FullRead(fd_, chunk.data(), n, static_cast<off_t>(offset_))) {
    *error = "cannot read the spool " + path_ + ": " + strerror(errno);
    return false;
  }
  // Whole records only; at least the first, however large.
  size_t p = 0;
  while (chunk.size() - p >= 8) {
    const uint32_t len = GetU32(chunk.data() + p);
    if (chunk.size() - p - 8 < len) break;
    p += 8 + len;
  }
  if (p == 0) {
    const uint32_t len = GetU32(chunk.data());
    chunk.resize(8 + len);
    if (!FullRead(fd_, chunk.data(), chunk.size(), static_cast<off_t>(offset_))) {
      *error = "cannot read the spool " + path_ + ": " + strerror(errno);
      return false;
    }
    p = chunk.size();
  }
  chunk.resize(p);
  out->append(chunk);
  last_read_ = std::move(chunk);
  return true;
}

bool PgSpool::Advance(size_t bytes, std::string* error) {
  bytes = std::min(bytes, last_read_.size());
  size_t pos = 0;
  Row row;
  RecordView ctx;
  while (pos < bytes && ReadRecord(last_read_, &pos, &row, &ctx)) {
    if (ctx.context) {
      host_.assign(ctx.host);
      boot_id_.assign(ctx.boot_id);
      ctx.context = false;
    } else if (pending_rows_ > 0) {
      --pending_rows_;
    }
  }
  offset_ += pos;
  last_read_.clear();
  if (offset_ >= end_) {
    // All in the database: back to an empty spool (keeping the context is not needed: every
    // append starts with one).
    offset_ = end_ = kHeader;
    pending_rows_ = 0;
    if (ftruncate(fd_, static_cast<off_t>(kHeader)) != 0) {
      *error = "cannot truncate the spool " + path_ + ": " + strerror(errno);
      return false;
    }
  }
  return WriteOffset(error);
}

}  // namespace auditlens
