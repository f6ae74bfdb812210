// The subcommands of the `auditlens` program, one file each.
#pragma once

namespace CLI { class App; }

namespace auditlens {

void AddRunCommand(CLI::App& app);       // cmd_run.cc: the agent
void AddParseCommand(CLI::App& app);     // cmd_parse.cc: log files → JSON lines
void AddStatusCommand(CLI::App& app);    // cmd_status.cc: kernel status and agent counters
void AddRulesCommand(CLI::App& app);     // cmd_rules.cc: list | load | delete-all
void AddSessionsCommand(CLI::App& app);  // cmd_sessions.cc: login sessions in the store
void AddTimelineCommand(CLI::App& app);  // cmd_timeline.cc: one session, command by command
void AddTraceCommand(CLI::App& app);     // cmd_trace.cc: a session's hops across the fleet

}  // namespace auditlens
