// SHA-256 of the programs processes run (ECS process.hash.sha256), computed on a thread of its own:
// the pipeline never reads a program's file, it only asks.
//
// A file is known by its FileKey (device, inode, size, mtime, ctime: stat(2) of the running
// program, /proc/PID/exe), so a binary replaced in place (a new inode, or the same inode rewritten:
// a new mtime and ctime) is hashed again, and a program run many times is hashed once.
//
// Contract:
// - Lookup() runs on the pipeline thread: one mutex and one hash lookup, never a file read. A key
//   not seen before is queued (the path to read it from with it) and reported kPending; a file
//   larger than max_file_bytes is kTooLarge at once; past max_queue waiting files a new one is
//   kQueueFull (asked again by a later event).
// - The worker reads at most bytes_per_s bytes a second (it sleeps out the rest of the second), so
//   a storm of new binaries costs a bounded share of one core and of the disk. It opens the path,
//   checks with fstat that it is still the file of the key (else kChanged: replaced meanwhile), and
//   hashes it in 64 KiB reads.
// - At most max_entries keys are kept; past it the oldest half is dropped (asked again, hashed
//   again). The destructor stops the worker at once (a file being hashed or a wait for the next
//   second's budget is cut short).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace auditlens {

struct FileKey {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileKey&) const = default;
};

// stat(2) of path into *key; false when it cannot be stat'ed or is not a regular file.
bool FileKeyOf(const std::string& path, FileKey* key);

enum class HashState : uint8_t {
  kNone,       // not asked (hashing off, or the program's file is unknown)
  kKnown,      // hashed: the SHA-256 is there
  kPending,    // queued or being hashed
  kTooLarge,   // larger than max_file_bytes
  kUnreadable, // could not be opened or read
  kChanged,    // the file at the path was another one when the worker came to it
  kQueueFull,  // too many files waiting: asked again later
  kDeferred,   // not asked yet (a process read from /proc at start: asked at its first event)
};
// "pending", "too_large", ... (auditd.process.hash_status).
std::string_view HashStateName(HashState s);
// Final: will not change for this key.
inline bool HashStateFinal(HashState s) {
  return s == HashState::kKnown || s == HashState::kTooLarge || s == HashState::kUnreadable ||
         s == HashState::kChanged;
}

struct ExeHasherOptions {
  uint64_t max_file_bytes = 256ull << 20;
  uint64_t bytes_per_s = 64ull << 20;
  size_t max_entries = 8192;
  size_t max_queue = 256;
};

struct ExeHasherCounts {
  uint64_t hashed = 0, bytes = 0, too_large = 0, unreadable = 0, changed = 0, queue_full = 0;
};

class ExeHasher {
 public:
  explicit ExeHasher(ExeHasherOptions options);
  ~ExeHasher();
  ExeHasher(const ExeHasher&) = delete;
  ExeHasher& operator=(const ExeHasher&) = delete;

  // The state of the file with this key; kKnown copies the hex digest (64 characters) to *hex. A
  // new key is queued to be read from path.
  HashState Lookup(const FileKey& key, const std::string& path, std::string* hex);
  ExeHasherCounts counts() const;
  // Blocks until no file waits or is being hashed (tests).
  void Drain();

 private:
  struct KeyHash {
    size_t operator()(const FileKey& k) const;
  };
  struct Entry {
    HashState state = HashState::kPending;
    std::string hex;
  };
  struct Job {
    FileKey key;
    std::string path;
  };
  void Run();
  // Hashes one file (no lock held); the state, and the digest when kKnown.
  HashState Hash(const Job& job, std::string* hex, uint64_t* bytes);
  void Throttle(uint64_t n);

  ExeHasherOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;     // a job came, or stop
  std::condition_variable drained_;  // the queue became empty and idle
  std::unordered_map<FileKey, Entry, KeyHash> entries_;
  std::deque<Job> queue_;
  bool busy_ = false;
  std::atomic<bool> stop_{false};  // set under mu_; read by the worker while it hashes too
  ExeHasherCounts counts_;
  // The worker's budget: bytes read in the current second.
  uint64_t second_start_ns_ = 0;
  uint64_t second_bytes_ = 0;
  std::thread worker_;
};

}  // namespace auditlens
