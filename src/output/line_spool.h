// A bounded queue of whole JSON lines, the spool of one output (output/output_sink.h).
//
// Contract: Push() takes text made of whole lines (each ends in '\n') and never lets the spool hold
// more than max_bytes: past it the oldest whole lines are dropped (those already queued first,
// then the oldest of the text pushed) and the count is returned, so the owner can report the
// loss. Take() moves whole lines from the front, at least one however long it is. Not
// thread-safe: the output's lock guards it.
//
// Memory: the spool is a queue of the buffers pushed (the pipeline's staging buffers), moved in
// and out, never copied nor grown: pushing a buffer costs a move whether the writer keeps up or
// not, the bytes held are never more than max_bytes, and nothing is reallocated as the spool
// fills. The buffers the writer is done with come back (Recycle) and are handed to the next
// Push(std::string*) in place of the one it took, so in a steady state nothing is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace auditlens {

// The '\n' in text (memchr: a byte loop such as std::count costs ten times more per byte).
uint64_t CountLines(std::string_view text);

class LineSpool {
 public:
  // Appends lines (copied), dropping the oldest past max_bytes; returns the lines dropped.
  uint64_t Push(std::string_view lines, size_t max_bytes);
  // The same, taking *lines' buffer (moved in, not copied); *lines is left empty, holding a
  // recycled buffer when there is one.
  uint64_t Push(std::string* lines, size_t max_bytes);
  // Appends to *out the whole lines at the front, up to max_bytes in all but at least one line;
  // false when the spool is empty. Into an empty *out, a front buffer that fits whole is swapped
  // out (no copy), and that is all Take gives then.
  bool Take(std::string* out, size_t max_bytes);
  // A buffer its user is done with, kept for a later Push(std::string*) (a few at most).
  void Recycle(std::string* buffer);
  size_t bytes() const { return bytes_; }
  bool empty() const { return bytes_ == 0; }

  static constexpr size_t kKeepBuffers = 4;
  static constexpr size_t kKeepCapacity = 512 * 1024;  // a larger buffer is freed, not kept

 private:
  void PopFront();
  std::deque<std::string> chunks_;  // each holds whole lines
  size_t head_ = 0;                 // bytes of chunks_.front() already taken or dropped
  size_t bytes_ = 0;                // queued: the chunks past head_
  std::vector<std::string> spare_;
};

}  // namespace auditlens
