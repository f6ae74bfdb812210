// One recorder, two stores: a RowSink that hands every row to two sinks (the SQLite store and the
// fleet store). The recorder fills the first sink's slot; Commit copies it into the second's
// (numbers, string ends, and the blob into a buffer that keeps its capacity: no allocation once
// warm). Each sink counts its own drops: a full ring on one side never costs the other its row.
#pragma once

#include <cstring>

#include "store/rows.h"

namespace auditlens {

class TeeSink : public RowSink {
 public:
  TeeSink(RowSink* first, RowSink* second) : first_(first), second_(second) {}

  Row* Begin() override {
    a_ = first_->Begin();
    b_ = second_->Begin();
    return a_ != nullptr ? a_ : b_;
  }
  void Commit() override {
    if (a_ != nullptr && b_ != nullptr) {
      b_->type = a_->type;
      memcpy(b_->num, a_->num, sizeof(a_->num));
      memcpy(b_->str_end, a_->str_end, sizeof(a_->str_end[0]) * a_->str_count);
      b_->str_count = a_->str_count;
      b_->blob.assign(a_->blob);
    }
    if (a_ != nullptr) first_->Commit();
    if (b_ != nullptr) second_->Commit();
  }

 private:
  RowSink* first_;
  RowSink* second_;
  Row* a_ = nullptr;
  Row* b_ = nullptr;
};

}  // namespace auditlens
