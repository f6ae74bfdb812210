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
    if (!blocking_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    WaitForRoom(tail);
  }
  return &slots_[tail & mask_];
}

void RowQueue::WaitForRoom(uint64_t tail) {
  waits_.fetch_add(1, std::memory_order_relaxed);
  Wake();  // the consumer writes now rather than at its next batch
  // Until a quarter of the ring is free: one wait per quarter, never one per row.
  const uint64_t room = slots_.size() - slots_.size() / 4;
  std::unique_lock<std::mutex> lock(room_mutex_);
  // Sequentially consistent with Pop's store of head_ and load of producer_waiting_: either Pop
  // sees the flag and notifies, or the predicate below sees Pop's head.
  producer_waiting_.store(true, std::memory_order_seq_cst);
  room_cv_.wait(lock, [&] { return tail - head_.load(std::memory_order_seq_cst) <= room; });
  producer_waiting_.store(false, std::memory_order_relaxed);
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
  const uint64_t head = head_.load(std::memory_order_relaxed) + 1;
  if (!blocking_) {
    head_.store(head, std::memory_order_release);
    return;
  }
  head_.store(head, std::memory_order_seq_cst);
  // A producer waits for room (blocking mode): wake it once a quarter of the ring is free (its
  // tail does not move while it waits).
  if (producer_waiting_.load(std::memory_order_seq_cst) &&
      tail_.load(std::memory_order_acquire) - head <= slots_.size() - slots_.size() / 4) {
    std::lock_guard<std::mutex> lock(room_mutex_);
    room_cv_.notify_one();
  }
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
