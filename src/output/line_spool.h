// A bounded queue of whole JSON lines, the spool of one output (output/output_sink.h).
//
// Contract: Push() takes text made of whole lines (each ends in '\n') and never lets the spool hold
// more than max_bytes: past it the oldest whole lines are dropped (those already queued first,
// then the oldest of the text pushed) and the count is returned, so the owner can report the
// loss. Take() moves whole lines from the front, at least one however long it is. Not
// thread-safe: the output's lock guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

// The '\n' in text (memchr: a byte loop such as std::count costs ten times more per byte).
uint64_t CountLines(std::string_view text);

class LineSpool {
 public:
  // Appends lines, dropping the oldest past max_bytes; returns the lines dropped.
  uint64_t Push(std::string_view lines, size_t max_bytes);
  // The same, taking *lines (left empty); into an empty spool its buffer is swapped in, not copied.
  uint64_t Push(std::string* lines, size_t max_bytes);
  // Appends to *out the whole lines at the front, up to max_bytes in all but at least one line;
  // false when the spool is empty. An empty *out takes a whole spool that fits by a swap.
  bool Take(std::string* out, size_t max_bytes);
  size_t bytes() const { return buf_.size() - head_; }
  bool empty() const { return head_ == buf_.size(); }

 private:
  void Compact();
  std::string buf_;
  size_t head_ = 0;  // the spool is buf_[head_, end)
};

}  // namespace auditlens
