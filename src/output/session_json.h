// Renders an event's login session (EventFacts::session, enrich/session_info.h) in two places:
//
//   WriteEntryLeader, inside "process": ECS's entry leader, what Session View groups a session by.
//   The entry leader of a login session is its login process, the first process of the session
//   (it wrote the loginuid: sshd's per-connection process, login, cron's child); its user is the
//   session's user (auid), entry_meta.type says how the session was entered (sshd, console,
//   terminal, init, unknown) and entry_meta.source.ip from where:
//     "entry_leader":{"entity_id":"…","pid":812,"start":"…","name":"sshd",
//                     "executable":"/usr/sbin/sshd","user":{"id":"1000","name":"alice"},
//                     "entry_meta":{"type":"sshd","source":{"ip":"10.0.0.5"}},
//                     "same_as_process":false}
//   WriteAuditd, inside "auditd": the session as auditlens tracks it (docs/sessions.md), for which
//   ECS has no field set:
//     "session":{"id":"3f2a9c1e-7","ses":"7","user":{"id":"1000","name":"alice"},
//                "service":"sshd","source":{"ip":"10.0.0.5","port":50122},"terminal":"ssh",
//                "start":"…"}            ("failed":true for a failed login; "ses" alone when the
//                                          event's ses is set but no session is tracked)
//   WriteAuditdBrief, the brief profile's: the session's id when one is tracked and the event's
//     own ses, as its record says it (decoded: "unset" for 4294967295):
//     "session":{"id":"3f2a9c1e-7","ses":"7"}
//
// Contract: writes nothing without a session (the entry leader: nor for a failed login, which has
// no session). Every event of a session repeats both, so the last rendering is kept under the
// session's generation (which changes with any rendered member).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "enrich/event_facts.h"
#include "output/json_writer.h"

namespace auditlens {

// ECS process.entry_leader.entry_meta.type of a session entered through `service` (the login
// program's name) on terminal `tty` (LOGIN tty=).
std::string_view EntryTypeOf(std::string_view service, std::string_view tty);

class LoginSessionJson {
 public:
  void WriteEntryLeader(const EventFacts& facts, JsonWriter& w);
  // ses: the subject record's decoded ses ("unset" or empty: none).
  void WriteAuditd(const EventFacts& facts, std::string_view ses, JsonWriter& w);
  // ses: as above, "unset" included; nothing when empty and no session is tracked.
  void WriteAuditdBrief(const EventFacts& facts, std::string_view ses, JsonWriter& w);

 private:
  void Render(const SessionInfo& s);
  uint64_t generation_ = 0;  // of the session rendered below; 0: none
  std::string session_json_;  // members of auditd.session
  std::string leader_json_;   // members of process.entry_leader, but same_as_process
};

}  // namespace auditlens
