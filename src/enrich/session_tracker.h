// Login sessions: who logged in, how, from where, when it ended, and which events belong to it.
// Also the enricher that writes the top-level "session" member into every event of a session.
//
// A session is (host, boot id, audit session id `ses`). The kernel gives a process a new ses when
// it writes its loginuid (pam_loginuid; the LOGIN record: old-auid/auid, old-ses/ses), and every
// later record of that process and its descendants carries auid= and ses=. So:
// - LOGIN (pid P, auid, ses) opens the session: P is its login process (sshd's per-connection
//   process, login, cron's child); its image in the process table gives the service ("sshd") and,
//   for sshd, the client's port (the connection sshd accepted before starting P).
// - PAM records (USER_AUTH, USER_ACCT, CRED_ACQ, CRED_REFR, USER_START, USER_END, CRED_DISP,
//   USER_LOGIN, USER_LOGOUT) from P before the LOGIN carry ses=unset: they are kept per pid as a
//   login attempt (account, addr=, hostname=, terminal=) and joined to the session at its LOGIN. An
//   attempt that fails (res=failed) becomes a failed login of its own, id "<boot>-f<serial>".
// - From the login process (or its service program): USER_START fills in the details, USER_END /
//   USER_LOGOUT (or the login process's exit) end the session. From another program inside the
//   session (su, sudo, runuser): a privilege change; a failed one counts as a failure.
// - Any event with ses=S belongs to S, whatever order events arrive in: an event of S before its
//   LOGIN creates S (its start is the earliest time seen), the LOGIN fills it in later.
// Roles of processes (process_table.h SessionRole): the login process and its forks are the
// service; what the login process itself starts (PAM helpers such as pam_motd's scripts) are login
// scripts; the first program its descendants exec is the user's shell (or the ssh command's shell);
// everything below a shell is a command.
//
// Contract: single-threaded, after the ProcessTable (its Prepare must run first: the tracker reads
// its subject and images). Per event: one hash lookup; a session's JSON member is rendered when the
// session changes. Memory bounded: ended sessions leave memory five minutes after their end, login
// attempts after ten minutes, and at most max_sessions are kept (the store keeps them all).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decode/id_names.h"
#include "decode/parsed_event.h"
#include "enrich/enricher.h"
#include "enrich/process_table.h"

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
  Endpoint source;          // the client (PAM addr=; port from the accepted connection)
  Endpoint destination;     // our end of that connection, when known
  // Community ID (community_id.h) of the TCP connection source → destination, when all four of
  // its addresses and ports are known: what joins this login to the connect on the client's host.
  std::string community_id;
  std::string hostname;     // PAM hostname=
  std::string terminal;     // PAM terminal= ("ssh", "/dev/pts/0", "cron")
  std::string tty;          // LOGIN tty=
  int32_t login_pid = -1;
  std::string leader_entity;
  uint64_t start_ms = 0;
  uint64_t opened_ms = 0;   // USER_START from the login service: PAM's session modules are done
  uint64_t end_ms = 0;      // 0 while open
  uint64_t last_seen_ms = 0;
  SessionState state = SessionState::kOpen;
  uint32_t failures = 0;    // failed authentications: of the failed login, or inside the session
  bool from_proc = false;   // known from /proc at start (its login happened before the agent)
  std::string json;         // the "session" member's value, rendered when the session changes
};

// What the event last given to Prepare() is to sessions (for the store).
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

struct SessionTrackerOptions {
  std::string boot_id;
  size_t max_sessions = 8192;
  size_t max_attempts = 4096;
  uint64_t ended_keep_ms = 300000;
  uint64_t attempt_keep_ms = 600000;
  uint64_t sweep_every_ms = 30000;
  // Name users through NSS (the live host); off, or when NSS has no name for the auid, the account
  // PAM named in the login's records is used (logs from other hosts, tests).
  bool lookup_names = true;
};

class SessionTracker : public Enricher {
 public:
  SessionTracker(SessionTrackerOptions options, ProcessTable* table);

  // Sessions of the processes the table read from /proc (logins before the agent started), and
  // the roles of those processes. Call after ProcessTable::SeedFromProc.
  size_t SeedFromTable(const std::string& proc_root = "/proc");

  void Prepare(const ParsedEvent& event) override;
  void WriteTopLevel(const ParsedEvent& event, JsonWriter& w) override;

  // Of the event last given to Prepare().
  const SessionInfo* current() const { return current_; }
  const SessionEventInfo& event_info() const { return info_; }
  // Sessions created or changed by that event.
  const std::vector<SessionInfo*>& changed() const { return changed_; }
  const SessionInfo* Find(uint32_t ses) const;
  template <typename F> void ForEach(F f) {
    for (auto& [ses, s] : sessions_) f(*s);
    for (auto& [pid, a] : attempts_) {
      if (a.failed) f(*a.failed);
    }
  }
  size_t size() const { return sessions_.size(); }
  // The first 8 characters of the boot id: sessions are "<boot8>-<ses>".
  const std::string& boot8() const { return boot8_; }
  // Ends what is stale now (called by Prepare every sweep_every_ms of event time).
  void Sweep(uint64_t now_ms);

 private:
  struct Attempt {
    std::string acct, addr, hostname, terminal, exe;
    uint64_t first_ms = 0, last_ms = 0;
    uint64_t last_auth_failure_ms = 0;  // a USER_AUTH that failed
    uint32_t failures = 0;
    std::unique_ptr<SessionInfo> failed;  // the failed login, once one failed
  };

  SessionInfo* GetOrCreate(uint32_t ses, uint32_t auid, uint64_t time_ms);
  void HandleLogin(const ParsedEvent& e, int r);
  void HandleUserMessage(const ParsedEvent& e, uint16_t type);
  void SetLoginProcess(SessionInfo* s, int32_t pid);
  void AssignRole(ProcessImage* image);
  void Changed(SessionInfo* s);
  void Render(SessionInfo* s);
  std::string_view Decode(std::string_view raw, std::string* out);
  std::string NameOf(uint32_t auid);

  SessionTrackerOptions options_;
  ProcessTable* table_;
  std::string boot8_;
  IdNames names_;
  std::unordered_map<uint32_t, std::unique_ptr<SessionInfo>> sessions_;
  std::unordered_map<int32_t, Attempt> attempts_;
  std::unordered_map<int32_t, uint32_t> ses_of_login_pid_;  // login process -> its session
  SessionInfo* current_ = nullptr;
  SessionEventInfo info_;
  std::vector<SessionInfo*> changed_;
  uint64_t next_sweep_ms_ = 0;
  std::string acct_, exe_, scratch_;
};

// "sshd" from "/usr/sbin/sshd".
std::string_view ServiceOfExe(std::string_view exe);

}  // namespace auditlens
