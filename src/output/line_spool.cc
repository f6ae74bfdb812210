#include "output/line_spool.h"

#include <cstring>
#include <utility>

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

void LineSpool::PopFront() {
  Recycle(&chunks_.front());
  chunks_.pop_front();
  head_ = 0;
}

void LineSpool::Recycle(std::string* buffer) {
  if (spare_.size() < kKeepBuffers && buffer->capacity() <= kKeepCapacity &&
      buffer->capacity() > 0) {
    buffer->clear();
    spare_.push_back(std::move(*buffer));
  }
  buffer->clear();
}

uint64_t LineSpool::Push(std::string* lines, size_t max_bytes) {
  uint64_t dropped = 0;
  size_t cut = 0;  // the oldest bytes of *lines dropped
  if (bytes_ + lines->size() > max_bytes) {
    size_t excess = bytes_ + lines->size() - max_bytes;
    // The queued lines go first, whole: whole buffers, then lines of the front one.
    while (excess > 0 && !chunks_.empty()) {
      const std::string_view front = std::string_view(chunks_.front()).substr(head_);
      if (excess >= front.size()) {
        dropped += CountLines(front);
        excess -= front.size();
        bytes_ -= front.size();
        PopFront();
      } else {
        const size_t end = LineEnd(front, excess - 1);
        dropped += CountLines(front.substr(0, end));
        head_ += end;
        bytes_ -= end;
        excess = 0;
        if (head_ == chunks_.front().size()) PopFront();
      }
    }
    // Then, when the new text alone is too long, its oldest lines.
    if (excess > 0) {
      cut = LineEnd(*lines, excess - 1);
      dropped += CountLines(std::string_view(*lines).substr(0, cut));
    }
  }
  if (cut < lines->size()) {
    if (cut > 0) lines->erase(0, cut);
    bytes_ += lines->size();
    chunks_.push_back(std::move(*lines));
  }
  lines->clear();
  if (!spare_.empty()) {
    lines->swap(spare_.back());
    spare_.pop_back();
  }
  return dropped;
}

uint64_t LineSpool::Push(std::string_view lines, size_t max_bytes) {
  std::string copy;
  if (!spare_.empty()) {
    copy.swap(spare_.back());
    spare_.pop_back();
  }
  copy.assign(lines);
  const uint64_t dropped = Push(&copy, max_bytes);
  Recycle(&copy);
  return dropped;
}

bool LineSpool::Take(std::string* out, size_t max_bytes) {
  if (empty()) return false;
  if (out->empty() && head_ == 0 && chunks_.front().size() <= max_bytes) {
    // The usual case: the writer takes the buffer the pipeline filled, and leaves its own.
    out->swap(chunks_.front());
    bytes_ -= out->size();
    PopFront();
    return true;
  }
  size_t taken = 0;
  while (!chunks_.empty()) {
    const std::string_view front = std::string_view(chunks_.front()).substr(head_);
    size_t end = 0;
    if (taken == 0) end = LineEnd(front, 0);  // at least one line
    while (end < front.size()) {
      const size_t next = LineEnd(front, end);
      if (taken + next > max_bytes) break;
      end = next;
    }
    out->append(front.substr(0, end));
    taken += end;
    head_ += end;
    bytes_ -= end;
    if (end < front.size()) break;  // the next line does not fit
    PopFront();
  }
  return true;
}

}  // namespace auditlens
