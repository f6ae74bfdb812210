#include "output/output_sink.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>

namespace auditlens {

OutputSink::OutputSink(std::string type, std::string target, std::string profile,
                       size_t max_spool_bytes)
    : type_(std::move(type)),
      name_(type_ + (target.empty() ? std::string() : " " + target)),
      profile_(std::move(profile)),
      max_spool_bytes_(max_spool_bytes),
      // The batch counts against the spool's bound: at most a quarter of it.
      batch_bytes_(std::clamp<size_t>(max_spool_bytes / 4, 4096, 256 * 1024)) {
  staging_.reserve(kOfferBytes * 2);
}

OutputSink::~OutputSink() {
  // A derived class joins first (its Write must not run on a half-destroyed object); this is the
  // last resort for one that did not start.
  if (thread_.joinable()) {
    abandon_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
}

void OutputSink::Start() { thread_ = std::thread([this] { Run(); }); }

void OutputSink::Offer() {
  if (staging_.empty()) return;
  uint64_t dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t room = max_spool_bytes_ > in_flight_ ? max_spool_bytes_ - in_flight_ : 0;
    dropped = spool_.Push(&staging_, room);
  }
  if (dropped) dropped_lines_.fetch_add(dropped, std::memory_order_relaxed);
  wake_.notify_one();
}

void OutputSink::RequestReopen() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    reopen_ = true;
  }
  wake_.notify_one();
}

void OutputSink::CountOversize(uint64_t bytes, bool by_socket) {
  if (by_socket) socket_refused_lines_.fetch_add(1, std::memory_order_relaxed);
  oversize_lines_.fetch_add(1, std::memory_order_relaxed);
  uint64_t seen = largest_oversize_.load(std::memory_order_relaxed);
  while (bytes > seen && !largest_oversize_.compare_exchange_weak(seen, bytes)) {
  }
}

uint64_t OutputSink::Stop(uint64_t drain_ms) {
  Offer();
  {
    std::unique_lock<std::mutex> lock(mu_);
    stop_ = true;
    wake_.notify_all();
    if (thread_.joinable()) {
      idle_.wait_for(lock, std::chrono::milliseconds(drain_ms), [this] { return done_; });
    }
  }
  Join();
  std::lock_guard<std::mutex> lock(mu_);
  return spool_.bytes() + in_flight_;
}

void OutputSink::Join() {
  if (!thread_.joinable()) return;
  abandon_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

OutputSinkStatus OutputSink::Status() const {
  OutputSinkStatus s;
  s.name = name_;
  s.type = type_;
  s.profile = profile_;
  s.written_lines = written_lines_.load(std::memory_order_relaxed);
  s.written_bytes = written_bytes_.load(std::memory_order_relaxed);
  s.dropped_lines = dropped_lines_.load(std::memory_order_relaxed);
  s.oversize_lines = oversize_lines_.load(std::memory_order_relaxed);
  s.largest_oversize = largest_oversize_.load(std::memory_order_relaxed);
  s.socket_refused_lines = socket_refused_lines_.load(std::memory_order_relaxed);
  s.reconnects = reconnects_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  s.rotations = rotations_.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  s.spool_bytes = spool_.bytes() + in_flight_;
  s.failing = failing_;
  s.last_error = last_error_;
  const int64_t since = write_since_ms_.load(std::memory_order_relaxed);
  const int64_t waited = since == 0 ? 0 : SteadyMs() - since;
  if (!s.failing && waited >= stalled_ms_.load(std::memory_order_relaxed)) {
    s.failing = true;
    s.last_error = "a write has waited " + std::to_string(waited / 1000) +
                   " s: the destination takes nothing";
  }
  return s;
}

int64_t OutputSink::SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void OutputSink::Run() {
  // Its CPU is visible on its own (top -H, /proc/PID/task/*/comm): "out-file", "out-syslog", ...
  pthread_setname_np(pthread_self(), ("out-" + type_).substr(0, 15).c_str());
  using Clock = std::chrono::steady_clock;
  uint64_t backoff_ms = kMinBackoffMs;
  Clock::time_point next_try{};
  bool open = false, ever_open = false;
  std::string batch;
  size_t batch_done = 0;
  std::unique_lock<std::mutex> lock(mu_);
  // A failure: counted, said in the status, and the next try after the backoff.
  auto failed = [&](const std::string& error) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    failing_ = true;
    last_error_ = error;
    next_try = Clock::now() + std::chrono::milliseconds(backoff_ms);
    backoff_ms = std::min(backoff_ms * 2, kMaxBackoffMs);
  };
  while (true) {
    if (abandon_) break;
    if (stop_ && spool_.empty() && batch_done == batch.size()) break;
    if (reopen_) {
      reopen_ = false;
      if (open && ReopensOnHangup()) {
        lock.unlock();
        Close();
        lock.lock();
        open = false;
        next_try = {};
      }
      continue;
    }
    if (!open) {
      if (Clock::now() < next_try) {
        wake_.wait_until(lock, next_try);
        continue;
      }
      std::string error;
      lock.unlock();
      const bool ok = Open(&error);
      lock.lock();
      if (!ok) {
        failed(error);
        continue;
      }
      open = true;
      if (ever_open && failing_) reconnects_.fetch_add(1, std::memory_order_relaxed);
      ever_open = true;
      failing_ = false;
      next_try = {};
      continue;
    }
    if (batch_done == batch.size()) {
      batch.clear();
      batch_done = 0;
      if (!spool_.Take(&batch, batch_bytes_)) {
        in_flight_ = 0;
        wake_.wait_for(lock, std::chrono::milliseconds(200));
        continue;
      }
      in_flight_ = batch.size();
    }
    if (failing_ && Clock::now() < next_try) {
      wake_.wait_until(lock, next_try);
      continue;
    }
    lock.unlock();
    size_t consumed = 0;
    std::string error;
    write_since_ms_.store(SteadyMs(), std::memory_order_relaxed);
    const WriteResult result =
        Write(std::string_view(batch).substr(batch_done), &consumed, &error);
    write_since_ms_.store(0, std::memory_order_relaxed);
    lock.lock();
    batch_done += consumed;
    in_flight_ = batch.size() - batch_done;
    if (result == WriteResult::kDone) {
      failing_ = false;
      backoff_ms = kMinBackoffMs;
      continue;
    }
    failed(error);
    if (result == WriteResult::kBroken) {
      lock.unlock();
      Close();
      lock.lock();
      open = false;
    }
  }
  done_ = true;
  lock.unlock();
  if (open) Close();
  idle_.notify_all();
}

}  // namespace auditlens
