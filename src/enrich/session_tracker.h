// Login sessions: who logged in, how, from where, when it ended, and which events belong to it.
// Also the enricher that gives every event of a session its SessionInfo (EventFacts::session), which
// the output renders as the top-level "session" member (output/session_json.h).
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
// Contract: single-threaded, after the ProcessTable (its Enrich must run first: the tracker reads
// its subject and images). Per event: one hash lookup. Memory bounded: ended sessions leave memory five minutes after their end, login
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
#include "enrich/session_info.h"

namespace auditlens {

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
  ~SessionTracker();
  SessionTracker(const SessionTracker&) = delete;
  SessionTracker& operator=(const SessionTracker&) = delete;

  // Sessions of the processes the table read from /proc (logins before the agent started), and
  // the roles of those processes. Call after ProcessTable::SeedFromProc.
  size_t SeedFromTable(const std::string& proc_root = "/proc");

  void Enrich(const ParsedEvent& event, EventFacts* facts) override;

  // Of the event last given to Enrich().
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
  // Where the login users' names come from (with lookup_names): this machine's NSS by default; a
  // log of another host points it at the log's own names (IdNames::set_log_names) and a source.
  IdNames& names() { return names_; }
  // The first 8 characters of the boot id: sessions are "<boot8>-<ses>".
  const std::string& boot8() const { return boot8_; }
  // Ends what is stale now (called by Enrich every sweep_every_ms of event time).
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
  // After a change: the login's Community ID again, and a new generation.
  void Refresh(SessionInfo* s);
  void Track(const ParsedEvent& e);
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
  uint64_t generation_ = 0;
  std::string acct_, exe_, scratch_;
};

// "sshd" from "/usr/sbin/sshd".
std::string_view ServiceOfExe(std::string_view exe);

}  // namespace auditlens
