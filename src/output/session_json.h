// Renders an event's login session (EventFacts::session, enrich/session_info.h) as the top-level
// "session" member (docs/sessions.md):
//
//   "session":{"id":"3f2a9c1e-7","user":{"id":"1000","name":"alice"},"service":"sshd",
//              "source":{"ip":"10.0.0.5","port":50122},"terminal":"ssh","start":"…"}
//
// Contract: writes nothing without a session. Every event of a session repeats the member, so the
// last rendering is kept under the session's generation (which changes with any rendered member).
#pragma once

#include <cstdint>
#include <string>

#include "enrich/event_facts.h"
#include "output/json_writer.h"

namespace auditlens {

class LoginSessionJson {
 public:
  void Write(const EventFacts& facts, JsonWriter& w);

 private:
  uint64_t generation_ = 0;  // of the session rendered in json_; 0: none
  std::string json_;
};

}  // namespace auditlens
