#include "output/line_spool.h"

#include <algorithm>
#include <cstring>

namespace auditlens {
namespace {

// The end of the line holding text[at] (one past its '\n'), or text.size().
size_t LineEnd(std::string_view text, size_t at) {
  const size_t nl = text.find('\n', at);
  return nl == std::string_view::npos ? text.size() : nl + 1;
}

}  // namespace

uint64_t CountLines(std::string_view text) {
  uint64_t n = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const void* nl = memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) break;
    ++n;
    p = static_cast<const char*>(nl) + 1;
  }
  return n;
}

uint64_t LineSpool::Push(std::string_view lines, size_t max_bytes) {
  uint64_t dropped = 0;
  if (bytes() + lines.size() > max_bytes) {
    size_t excess = bytes() + lines.size() - max_bytes;
    // The queued lines go first, whole.
    if (excess >= bytes()) {
      dropped += CountLines(std::string_view(buf_).substr(head_));
      excess -= bytes();
      buf_.clear();
      head_ = 0;
    } else {
      const size_t cut = LineEnd(buf_, head_ + excess - 1);
      dropped += CountLines(std::string_view(buf_).substr(head_, cut - head_));
      head_ = cut;
      excess = 0;
    }
    // Then, when the new text alone is too long, its oldest lines.
    if (excess > 0) {
      const size_t cut = LineEnd(lines, excess - 1);
      dropped += CountLines(lines.substr(0, cut));
      lines.remove_prefix(cut);
    }
  }
  Compact();
  buf_.append(lines);
  return dropped;
}

uint64_t LineSpool::Push(std::string* lines, size_t max_bytes) {
  if (empty() && lines->size() <= max_bytes) {
    // The usual case while the writer keeps up: no copy.
    buf_.clear();
    head_ = 0;
    buf_.swap(*lines);
    lines->clear();
    return 0;
  }
  const uint64_t dropped = Push(std::string_view(*lines), max_bytes);
  lines->clear();
  return dropped;
}

bool LineSpool::Take(std::string* out, size_t max_bytes) {
  if (empty()) return false;
  if (head_ == 0 && out->empty() && buf_.size() <= max_bytes) {
    out->swap(buf_);
    buf_.clear();
    return true;
  }
  const std::string_view queued = std::string_view(buf_).substr(head_);
  size_t end = LineEnd(queued, 0);  // at least one line
  while (end < queued.size()) {
    const size_t next = LineEnd(queued, end);
    if (next > max_bytes) break;
    end = next;
  }
  out->append(queued.substr(0, end));
  head_ += end;
  if (head_ == buf_.size()) {
    buf_.clear();
    head_ = 0;
  }
  return true;
}

void LineSpool::Compact() {
  // What was taken is given back once it is half of the buffer: each byte moves at most once more.
  if (head_ > 0 && head_ >= buf_.size() / 2) {
    buf_.erase(0, head_);
    head_ = 0;
  }
}

}  // namespace auditlens
