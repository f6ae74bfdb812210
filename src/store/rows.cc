#include "store/rows.h"

#include <chrono>

namespace auditlens {

std::string_view EventKindName(EventKind k) {
  switch (k) {
    case EventKind::kOther: return "other";
    case EventKind::kExec: return "exec";
    case EventKind::kExit: return "exit";
    case EventKind::kNetwork: return "network";
    case EventKind::kBind: return "bind";
    case EventKind::kFile: return "file";
    case EventKind::kPrivilege: return "privilege";
    case EventKind::kLogin: return "login";
    case EventKind::kAuth: return "auth";
    case EventKind::kLogout: return "logout";
  }
  return "other";
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kSuccess: return "success";
    case Outcome::kFailure: return "failure";
    case Outcome::kUnknown: return "unknown";
  }
  return "unknown";
}

RowQueue::RowQueue(size_t capacity) {
  size_t n = 64;
  while (n < capacity) n <<= 1;
  slots_.resize(n);
  mask_ = n - 1;
}

Row* RowQueue::Begin() {
  uint64_t tail = tail_.load(std::memory_order_relaxed);
  if (tail - head_.load(std::memory_order_acquire) >= slots_.size()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  return &slots_[tail & mask_];
}

void RowQueue::Commit() {
  uint64_t tail = tail_.load(std::memory_order_relaxed) + 1;
  tail_.store(tail, std::memory_order_release);
  // Wake the writer early only when the ring reaches half full: one wake-up per crossing, never
  // one per row.
  if (tail - head_.load(std::memory_order_relaxed) == slots_.size() / 2) Wake();
}

void RowQueue::Pop() {
  Row& row = slots_[head_.load(std::memory_order_relaxed) & mask_];
  // A slot that once held a huge row gives its memory back, so the ring stays small.
  if (row.blob.capacity() > 16384) std::string().swap(row.blob);
  head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void RowQueue::Wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  cv_.notify_one();
}

void RowQueue::Wait(uint32_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] {
    return woken_ || Available() >= slots_.size() / 2;
  });
  woken_ = false;
}

}  // namespace auditlens
