// auditlens: a Linux audit listener. See README.md and docs/.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"auditlens: the kernel audit stream as one decoded JSON object per event"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "auditlens 0.1.0");
  auditlens::AddRunCommand(app);
  auditlens::AddParseCommand(app);
  auditlens::AddStatusCommand(app);
  auditlens::AddRulesCommand(app);
  auditlens::AddSessionsCommand(app);
  auditlens::AddTimelineCommand(app);
  auditlens::AddTraceCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
