// The subcommands of the `auditlens` program, one file each.
#pragma once

namespace CLI { class App; }

namespace auditlens {

// The exit status of a command is 0 on success, 1 when it failed (its message on stderr says why)
// and 2 on a usage error (main.cc prints a one-line hint naming the command's --help). Each
// command's --help ends with its own list (help text and man pages are made from it).

// The --help footer of the commands that read the local store (sessions).
inline constexpr const char* kStoreExitStatus =
    "Exit status:\n"
    "  0  success, also when nothing matched\n"
    "  1  no store at the path; a store this user cannot read (it is root's: run as root); not\n"
    "     an auditlens store; no such container (--container); or a store error\n"
    "  2  usage error (--last below 1, a --since that is not a date or an age)\n";

void AddRunCommand(CLI::App& app);       // cmd_run.cc: the agent
void AddParseCommand(CLI::App& app);     // cmd_parse.cc: log files → JSON lines
void AddImportCommand(CLI::App& app);    // cmd_import.cc: log files of any host → the store
void AddStatusCommand(CLI::App& app);    // cmd_status.cc: kernel status and agent counters
void AddRulesCommand(CLI::App& app);     // cmd_rules.cc: list | load | delete-all | check | show-default
void AddSessionsCommand(CLI::App& app);  // cmd_sessions.cc: login sessions in the store
void AddTimelineCommand(CLI::App& app);  // cmd_timeline.cc: one session, command by command
void AddContainersCommand(CLI::App& app);  // cmd_containers.cc: containers in the store
void AddTraceCommand(CLI::App& app);     // cmd_trace.cc: a session's hops across the fleet
void AddFleetCommand(CLI::App& app);     // cmd_fleet.cc: migrate the fleet database's schema
void AddWebCommand(CLI::App& app);       // cmd_web.cc: the read-only web page (src/web/)

}  // namespace auditlens
