#include "enrich/exe_hasher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cerrno>
#include <chrono>
#include <memory>

namespace auditlens {
namespace {

FileKey KeyOfStat(const struct stat& st) {
  FileKey k;
  k.dev = static_cast<uint64_t>(st.st_dev);
  k.ino = static_cast<uint64_t>(st.st_ino);
  k.size = static_cast<uint64_t>(st.st_size);
  k.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  k.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return k;
}

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

bool FileKeyOf(const std::string& path, FileKey* key) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  *key = KeyOfStat(st);
  return true;
}

std::string_view HashStateName(HashState s) {
  switch (s) {
    case HashState::kNone: return "none";
    case HashState::kKnown: return "known";
    case HashState::kPending: return "pending";
    case HashState::kTooLarge: return "too_large";
    case HashState::kUnreadable: return "unreadable";
    case HashState::kChanged: return "changed";
    case HashState::kQueueFull: return "queue_full";
    case HashState::kDeferred: return "deferred";
  }
  return "none";
}

size_t ExeHasher::KeyHash::operator()(const FileKey& k) const {
  uint64_t h = k.dev * 0x9E3779B97F4A7C15ull ^ k.ino;
  h = (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull ^ k.size;
  h = (h ^ (h >> 32)) * 0x94D049BB133111EBull ^ static_cast<uint64_t>(k.mtime_ns);
  h ^= static_cast<uint64_t>(k.ctime_ns) + (h << 6) + (h >> 2);
  return static_cast<size_t>(h);
}

ExeHasher::ExeHasher(ExeHasherOptions options) : options_(options) {
  worker_ = std::thread([this] { Run(); });
}

ExeHasher::~ExeHasher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

HashState ExeHasher::Lookup(const FileKey& key, const std::string& path, std::string* hex) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    if (it->second.state == HashState::kKnown) *hex = it->second.hex;
    return it->second.state;
  }
  if (key.size > options_.max_file_bytes) {
    ++counts_.too_large;
    entries_[key].state = HashState::kTooLarge;
    return HashState::kTooLarge;
  }
  if (queue_.size() >= options_.max_queue) {
    ++counts_.queue_full;
    return HashState::kQueueFull;
  }
  if (entries_.size() >= options_.max_entries) {
    // Drop the oldest half (an unordered_map keeps no order: any half will do, pending ones stay).
    size_t drop = entries_.size() / 2;
    for (auto e = entries_.begin(); e != entries_.end() && drop > 0;) {
      if (e->second.state == HashState::kPending) {
        ++e;
        continue;
      }
      e = entries_.erase(e);
      --drop;
    }
  }
  entries_[key].state = HashState::kPending;
  queue_.push_back(Job{key, path});
  wake_.notify_one();
  return HashState::kPending;
}

ExeHasherCounts ExeHasher::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void ExeHasher::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  drained_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void ExeHasher::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    std::string hex;
    uint64_t bytes = 0;
    const HashState state = Hash(job, &hex, &bytes);
    lock.lock();
    busy_ = false;
    counts_.bytes += bytes;
    switch (state) {
      case HashState::kKnown: ++counts_.hashed; break;
      case HashState::kChanged: ++counts_.changed; break;
      case HashState::kTooLarge: ++counts_.too_large; break;
      default: ++counts_.unreadable; break;
    }
    Entry& e = entries_[job.key];
    e.state = state;
    e.hex = std::move(hex);
    if (queue_.empty()) drained_.notify_all();
  }
}

void ExeHasher::Throttle(uint64_t n) {
  if (options_.bytes_per_s == 0) return;
  uint64_t now = NowNs();
  if (now - second_start_ns_ >= 1000000000ull) {
    second_start_ns_ = now;
    second_bytes_ = 0;
  }
  second_bytes_ += n;
  if (second_bytes_ >= options_.bytes_per_s) {
    // The second's budget is spent: wait for the next one (or for the stop).
    const uint64_t left = 1000000000ull - (now - second_start_ns_);
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::nanoseconds(left), [this] { return stop_.load(); });
    second_start_ns_ = NowNs();
    second_bytes_ = 0;
  }
}

HashState ExeHasher::Hash(const Job& job, std::string* hex, uint64_t* bytes) {
  const int fd = open(job.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return HashState::kUnreadable;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return HashState::kUnreadable;
  }
  if (!(KeyOfStat(st) == job.key)) {
    close(fd);
    return HashState::kChanged;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    close(fd);
    return HashState::kUnreadable;
  }
  static constexpr size_t kChunk = 64 * 1024;
  auto buf = std::make_unique<char[]>(kChunk);
  uint64_t total = 0;
  for (;;) {
    const ssize_t n = read(fd, buf.get(), kChunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      *bytes = total;
      return HashState::kUnreadable;
    }
    if (n == 0) break;
    if (stop_) {  // the agent stops: not worth finishing
      close(fd);
      *bytes = total;
      return HashState::kUnreadable;
    }
    total += static_cast<uint64_t>(n);
    if (total > options_.max_file_bytes) {  // it grew past the limit since it was stat'ed
      close(fd);
      *bytes = total;
      return HashState::kTooLarge;
    }
    EVP_DigestUpdate(ctx.get(), buf.get(), static_cast<size_t>(n));
    Throttle(static_cast<uint64_t>(n));
  }
  close(fd);
  *bytes = total;
  // Read to its end: it must still be the file of the key (not rewritten while read).
  if (total != job.key.size) return HashState::kChanged;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) return HashState::kUnreadable;
  static constexpr char kHex[] = "0123456789abcdef";
  hex->resize(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    (*hex)[2 * i] = kHex[digest[i] >> 4];
    (*hex)[2 * i + 1] = kHex[digest[i] & 15];
  }
  return HashState::kKnown;
}

}  // namespace auditlens
