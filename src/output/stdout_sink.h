// The standard-output output of [[outputs]] (type "stdout"): JSON lines on file descriptor 1, for
// a shipper that runs the agent as its child. A pipe or socket is made non-blocking (and put back
// at exit) so that a reader that stops only fills the spool; a write error (EPIPE: the reader is
// gone) is retried after the backoff, the spool dropping the oldest lines meanwhile. Only one
// output may be standard output: [output] path = "-" or one stdout output.
#pragma once

#include "output/output_sink.h"

namespace auditlens {

class StdoutSink : public OutputSink {
 public:
  StdoutSink(const std::string& profile, size_t max_spool_bytes);
  ~StdoutSink() override;

 protected:
  bool Open(std::string* error) override;
  void Close() override;
  WriteResult Write(std::string_view lines, size_t* consumed, std::string* error) override;

 private:
  int saved_flags_ = -1;
  size_t partial_ = 0;  // bytes of the first line already written
};

}  // namespace auditlens
