// A login session as a timeline a person can read: who logged in, from where and how; every command
// as it was typed, nested under the command that started it; the connections, file changes and
// privilege changes each command made; failures marked; the logout and how long it lasted.
// `auditlens timeline` (src/cli/cmd_timeline.cc) prints it; `auditlens sessions` lists sessions.
// A container's timeline (TimelineData::container_view) is built the same way from everything that
// ran in one container, with no login or logout and every program a command; each command names
// the login session it came from. In a session's timeline, what ran in a container is marked.
//
// Noise is collapsed: programs the login service ran while opening the session (pam_motd's
// scripts, "login scripts") become one line; identical commands run one after another under the
// same parent become one line with a count; PAM bookkeeping (account checks, credentials) folds
// into the login line; the PATH search of execvp (execve failing with ENOENT) is not shown.
//
// Contract: pure functions of the rows read from the store (store_reader.h); no I/O. Times are
// shown in the local time zone (TZ).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/store_reader.h"

namespace auditlens {

struct TimelineEntry {
  std::string kind;    // login, login-scripts, shell, command, exec-failed, network, bind, file,
                       // privilege, auth, logout
  int64_t time_ms = 0;
  int depth = 0;       // nesting under commands
  bool failed = false;
  int count = 1;       // identical consecutive commands merged into this one
  std::string text;    // what happened, in words
  std::string status;  // "exit 1", "ECONNREFUSED", ... (empty when nothing to add)
  std::string json;    // the kind's own members as a JSON object ({"args":[...],...})
  // Marks (store schema version 4). The container the entry's process ran in (a session's
  // timeline): its id, and how it is shown ("web-1 (localhost/busybox:1)", or the short id when
  // its name is not known). The login session a command came from (a container's timeline), on
  // the first entry of that session at each level. The process's systemd unit when it differs
  // from the session's own (Timeline::unit).
  std::string container_id, container;
  std::string session_id;
  std::string service;
  // The stored event the entry was made from (its key in the events table: time and serial), to
  // open it whole (`auditlens web`); serial -1 for lines made of no one event (login scripts, the
  // logout of a session whose logout record is missing, shell startup files).
  int64_t event_time_ms = 0;
  int64_t event_serial = -1;
};

struct Timeline {
  StoredSession session;
  // The systemd unit of the session's processes (session-3.scope), when the store knows it.
  std::string unit;
  // The containers the session's processes ran in; for a container's timeline, that one.
  std::vector<StoredContainer> containers;
  bool container_view = false;  // a container's or a label's timeline (TimelineData::container_view)
  StoredContainer container;
  std::string label;             // a label's timeline (TimelineData::label)
  size_t label_processes = 0;    // its processes, and the login sessions they ran in
  size_t label_sessions = 0;
  std::vector<TimelineEntry> entries;
  int hidden = 0;      // events folded away (login scripts, PAM bookkeeping)
  std::vector<StoredEvent> folded;  // those events, in time order, with TimelineOptions::keep_folded
};

struct TimelineOptions {
  bool show_login_scripts = false;  // list them instead of folding them into one line
  bool keep_folded = false;         // copy the folded events into Timeline::folded (for --json)
};

// Also counts, into timeline.session: commands (entries of kind command, with their repeats),
// failed_commands, and failed (every entry marked failed: commands, refused logins and su/sudo,
// connections that failed).
Timeline BuildTimeline(const TimelineData& data, const TimelineOptions& options = {});
// Those counts for each session of a listing, and its containers: from the session row when its
// stored summary is current (StoredSession::summarized), else by building its timeline.
bool SummarizeSessions(StoreReader& reader, std::vector<StoredSession>* sessions,
                       std::string* error);
std::string RenderTimelineText(const Timeline& timeline, bool colour);
// The JSON has the entries, the folded count and the folded events themselves ("folded", each
// with its stored detail; empty unless built with keep_folded).
std::string RenderTimelineJson(const Timeline& timeline);
// Parts of those, for views made of several sessions (`auditlens trace`, query/trace.h): the entry
// lines alone, each indented by indent spaces (and the folded-away note); the entries as a JSON
// array; a session as a JSON object (what `auditlens sessions --json` prints per line).
std::string RenderTimelineEntriesText(const Timeline& timeline, bool colour, int indent);
std::string TimelineEntriesJson(const Timeline& timeline);
std::string SessionJson(const StoredSession& session, int64_t now_ms);

// `auditlens sessions`: one line per session (id, user, source, start, duration, commands,
// failures, state, service), and the same as JSON lines.
std::string RenderSessionsText(const std::vector<StoredSession>& sessions, int64_t now_ms,
                               bool colour);
std::string RenderSessionsJson(const std::vector<StoredSession>& sessions, int64_t now_ms);

// How a container is shown: "web-1 (localhost/busybox:1)", "web-1", or its short id.
std::string ContainerText(const StoredContainer& c);
// A container as a JSON object (id, name, image, runtime, pod, first/last seen, counts).
std::string StoredContainerJson(const StoredContainer& c);
// `auditlens containers`: one line per container (short id, name, image, runtime, pod, first and
// last seen, processes, sessions), and the same as JSON lines.
std::string RenderContainersText(const std::vector<StoredContainer>& containers, bool colour);
std::string RenderContainersJson(const std::vector<StoredContainer>& containers);

// A shell word for arg: as is when it needs no quoting, else in single quotes ('\'' inside).
std::string ShellQuote(std::string_view arg);
// "0.2 s", "45 s", "3 min 12 s", "2 h 5 min", "3 d 4 h".
std::string FormatDuration(int64_t ms);
// Local time: "2026-11-22 11:33:25" (with_date) or "11:33:25.183".
std::string FormatLocalTime(int64_t ms, bool with_date);
// The local time zone's abbreviation at that time ("UTC", "CET").
std::string ZoneName(int64_t ms);
// Parses --since: "2026-11-22", "2026-11-22 11:00[:00]", "2026-11-22T11:00:00", or an age such as
// "90s", "30m", "12h", "7d" (before now_ms). Returns false when it is none of these.
bool ParseSince(std::string_view text, int64_t now_ms, int64_t* out_ms);

}  // namespace auditlens
