// The unix-socket output of [[outputs]] (type "unix"): JSON lines, one per event, written to a
// stream socket a local shipper listens on (the agent connects; after any failure it connects
// again with the backoff of output/output_sink.h). Lines handed to the kernel before the shipper
// closed its end cannot be told from lines it read; a line a broken connection cut is sent again
// whole on the next one (the shipper sees the cut part as an unfinished last line).
#pragma once

#include "output/output_sink.h"
#include "output/sink_socket.h"

namespace auditlens {

class UnixSink : public OutputSink {
 public:
  UnixSink(const std::string& path, const std::string& profile, size_t max_spool_bytes);
  ~UnixSink() override;

 protected:
  bool Open(std::string* error) override;
  void Close() override { socket_.Close(); }
  WriteResult Write(std::string_view lines, size_t* consumed, std::string* error) override;

 private:
  const std::string path_;
  SinkSocket socket_;
};

}  // namespace auditlens
