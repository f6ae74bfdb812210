// The typed facts the session tracker (session_tracker.h) keeps: a login session (SessionInfo) and
// what one event is to sessions (SessionEventInfo). Plain data: the output stage renders the event's
// session (output/session_json.h), the store writes its rows from it (store/recorder.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/endpoint.h"
#include "enrich/process_image.h"

namespace auditlens {

enum class SessionState : uint8_t { kOpen, kClosed, kFailed };
std::string_view SessionStateName(SessionState s);

struct SessionInfo {
  std::string id;           // "<first 8 of boot id>-<ses>", or "<boot8>-f<serial>" (failed login)
  uint32_t ses = kUnsetId;  // unset for a failed login
  uint32_t auid = kUnsetId;
  std::string user;         // name of auid; for a failed login the account that was tried
  std::string service;      // "sshd", "login", "cron", "su", ... (basename of the login program)
  std::string service_exe;
  // IP ends (kNone when unknown), written as given (Endpoint::FormatIpAsGiven): PAM's addr= text,
  // or the login process's accepted connection (process_image.h, ProcessImage::Ends).
  Endpoint source;          // the client (PAM addr=; port from the accepted connection)
  Endpoint destination;     // our end of that connection, when known
  // Community ID (community_id.h) of the TCP connection source → destination, when all four of
  // its addresses and ports are known: what joins this login to the connect on the client's host.
  std::string community_id;
  std::string hostname;     // PAM hostname=
  std::string terminal;     // PAM terminal= ("ssh", "/dev/pts/0", "cron")
  std::string tty;          // LOGIN tty=
  int32_t login_pid = -1;
  // The login process's entity id and start (the session's entry leader, output/session_json.h).
  std::string leader_entity;
  uint64_t leader_start_ms = 0;
  uint64_t start_ms = 0;
  uint64_t opened_ms = 0;   // USER_START from the login service: PAM's session modules are done
  uint64_t end_ms = 0;      // 0 while open
  uint64_t last_seen_ms = 0;
  SessionState state = SessionState::kOpen;
  uint32_t failures = 0;    // failed authentications: of the failed login, or inside the session
  bool from_proc = false;   // known from /proc at start (its login happened before the agent)
  // Changes whenever a member the output renders changes (a tracker-wide counter: it never
  // repeats for another session), so a renderer may keep what it rendered under it.
  uint64_t generation = 0;
};

// What the event last given to the tracker is to sessions (for the store).
enum class SessionOp : uint8_t {
  kNone,
  kLogin,       // LOGIN record: the session gets its ses
  kAuth,        // USER_AUTH
  kAccount,     // USER_ACCT
  kCredAcquire, // CRED_ACQ, CRED_REFR
  kCredDispose, // CRED_DISP
  kOpen,        // USER_START, USER_LOGIN
  kClose,       // USER_END, USER_LOGOUT
  kCommand,     // USER_CMD (sudo)
};
std::string_view SessionOpName(SessionOp op);

struct SessionEventInfo {
  SessionOp op = SessionOp::kNone;
  bool failed = false;      // res=failed / no / 0
  bool privilege = false;   // from a program other than the session's login service (su, sudo)
  std::string_view acct;    // decoded (valid until the next event)
  std::string_view exe;     // decoded
};

}  // namespace auditlens
