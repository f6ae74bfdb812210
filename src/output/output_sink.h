// One of the outputs of [[outputs]] (docs/configuration.md): a bounded spool of JSON lines and a
// writer thread of its own that empties it into a file, standard output, a syslog collector or a
// unix socket. Beside it, the [output] file (output/output_file.h) stays as it always was.
//
// Contract:
// - The pipeline's thread only copies: Copy() appends a line to the staging buffer, and Offer()
//   (every 64 KiB, and from the agent every 200 ms) moves the staging buffer itself into the spool
//   under the output's lock (output/line_spool.h: no copy, whether the writer keeps up or not) and
//   takes back a buffer the writer is done with. It never waits for the writer, the disk or the
//   network. The writer is woken once per buffer, not per line.
// - The spool holds at most max_spool_bytes (the batch the writer is writing included): past it the
//   oldest whole lines are dropped and counted (dropped_lines). Lines refused because no
//   destination takes them (a syslog message longer than max_message_bytes) are counted apart
//   (oversize_lines, with the longest). The agent turns both counts into loss events
//   (agent/agent.cc: output-full once the output writes again, output-oversize at once).
// - The writer thread opens (connects) the destination, and after any failure tries again with a
//   backoff from 200 ms doubling to 10 s; a broken connection counts a reconnect once it is made
//   again. A write is only ever of whole lines (messages): a message a broken connection cut is
//   sent again whole on the next connection.
// - RequestReopen() (SIGHUP): a file output closes and opens its path again (after logrotate moved
//   it); other outputs ignore it.
// - Stop(drain_ms) waits at most drain_ms for the spool to be written, then gives up every wait
//   (each blocking step waits at most 200 ms at a time) and joins the thread; it returns the bytes
//   left unwritten.
// - Status() may be called from any thread. An output whose write has waited kStalledMs (the
//   destination takes nothing: a stopped reader, a collector that accepts and never reads) is
//   failing there, with that as its last_error, until the write moves.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "output/line_spool.h"

namespace auditlens {

struct OutputSinkStatus {
  std::string name;     // "syslog tcp://127.0.0.1:514", "file /var/log/x.json", ...
  std::string type;     // file, stdout, syslog, unix
  std::string profile;  // the event profile written ("full")
  uint64_t written_lines = 0;
  uint64_t written_bytes = 0;
  uint64_t dropped_lines = 0;   // spool full
  uint64_t oversize_lines = 0;  // too long for the destination
  uint64_t largest_oversize = 0;
  // Of oversize_lines, those within max_message_bytes that the socket itself refused (a unix
  // datagram longer than the socket's send buffer: EMSGSIZE).
  uint64_t socket_refused_lines = 0;
  uint64_t spool_bytes = 0;     // queued, the batch being written included
  uint64_t reconnects = 0;
  uint64_t errors = 0;
  uint64_t rotations = 0;       // file outputs
  bool failing = false;         // the last open or write failed
  std::string last_error;
};

class OutputSink {
 public:
  OutputSink(std::string type, std::string target, std::string profile, size_t max_spool_bytes);
  virtual ~OutputSink();
  // How long a write may wait before the output is failing (kStalledMs; shorter in tests).
  void set_stalled_ms(int64_t ms) { stalled_ms_.store(ms, std::memory_order_relaxed); }
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  // Starts the writer thread.
  void Start();
  // The hot path: one whole line (with its '\n').
  void Copy(std::string_view line) {
    staging_.append(line);
    if (staging_.size() >= kOfferBytes) Offer();
  }
  void Offer();
  void RequestReopen();
  uint64_t Stop(uint64_t drain_ms);
  OutputSinkStatus Status() const;
  const std::string& name() const { return name_; }

  static constexpr size_t kOfferBytes = 64 * 1024;
  static constexpr uint64_t kMinBackoffMs = 200;
  static constexpr uint64_t kMaxBackoffMs = 10000;
  // A write that has waited this long (a collector or reader that takes nothing) makes the output
  // failing in its status until it moves again.
  static constexpr int64_t kStalledMs = 10000;

 protected:
  enum class WriteResult {
    kDone,    // every line handled
    kRetry,   // could not write now (disk full, reader not reading): same destination, later
    kBroken,  // the connection is gone: close, connect again
  };
  // On the writer thread. Open: open the file, connect the socket.
  virtual bool Open(std::string* error) = 0;
  virtual void Close() = 0;
  virtual bool ReopensOnHangup() const { return false; }
  // Writes whole lines of `lines` (each ends in '\n'); *consumed: the bytes of the lines handled
  // (written, or refused and counted with CountOversize). kDone: all of them.
  virtual WriteResult Write(std::string_view lines, size_t* consumed, std::string* error) = 0;

  void CountWritten(uint64_t lines, uint64_t bytes) {
    written_lines_.fetch_add(lines, std::memory_order_relaxed);
    written_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  // by_socket: refused by the socket (EMSGSIZE), not by max_message_bytes.
  void CountOversize(uint64_t bytes, bool by_socket = false);
  void CountDropped(uint64_t lines) { dropped_lines_.fetch_add(lines, std::memory_order_relaxed); }
  void CountRotation() { rotations_.fetch_add(1, std::memory_order_relaxed); }
  // True once Stop() has given up draining: every wait must end.
  bool abandoning() const { return abandon_.load(std::memory_order_relaxed); }
  const std::atomic<bool>* abandon_flag() const { return &abandon_; }
  // Call first in the derived class's destructor: the thread uses its virtual functions.
  void Join();

 private:
  void Run();

  const std::string type_;
  const std::string name_;
  const std::string profile_;
  const size_t max_spool_bytes_;
  const size_t batch_bytes_;
  std::string staging_;  // the pipeline thread's only

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  LineSpool spool_;
  size_t in_flight_ = 0;  // the writer's batch, not yet written
  // When the write under way began (steady clock, ms); 0 when the writer is not in a write.
  std::atomic<int64_t> write_since_ms_{0};
  std::atomic<int64_t> stalled_ms_{kStalledMs};
  static int64_t SteadyMs();  // never 0 on a running system
  bool stop_ = false;
  bool reopen_ = false;
  bool done_ = false;
  bool failing_ = false;
  std::string last_error_;
  std::thread thread_;
  std::atomic<bool> abandon_{false};
  std::atomic<uint64_t> written_lines_{0}, written_bytes_{0}, dropped_lines_{0}, oversize_lines_{0},
      largest_oversize_{0}, socket_refused_lines_{0}, reconnects_{0}, errors_{0}, rotations_{0};
};

}  // namespace auditlens
