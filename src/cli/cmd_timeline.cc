// `auditlens timeline SESSION [--json]`: one login session as a readable timeline (query/timeline.h):
// the login, every command nested under the one that started it, connections, file and privilege
// changes, failures, the logout. Reads the store while the agent writes it.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "query/store_reader.h"
#include "query/timeline.h"

namespace auditlens {
namespace {

struct TimelineArgs {
  std::string session;
  std::string config_path;
  std::string db;
  bool json = false;
  bool login_scripts = false;
  std::string color = "auto";
};

int RunTimeline(const TimelineArgs& args) {
  std::string path, error;
  StoreReader reader;
  if (!OpenStore(args.config_path, args.db, &reader, &path, &error)) {
    std::cerr << "auditlens timeline: " << error << "\n";
    return 1;
  }
  std::string id;
  if (!reader.ResolveSession(args.session, &id, &error)) {
    std::cerr << "auditlens timeline: " << error << " (auditlens sessions lists them)\n";
    return 1;
  }
  TimelineData data;
  if (!reader.LoadTimeline(id, &data, &error)) {
    std::cerr << "auditlens timeline: " << path << ": " << error << "\n";
    return 1;
  }
  TimelineOptions options;
  options.show_login_scripts = args.login_scripts;
  options.keep_folded = args.json;
  Timeline timeline = BuildTimeline(data, options);
  if (args.json) {
    std::cout << RenderTimelineJson(timeline);
  } else {
    std::cout << RenderTimelineText(timeline, UseColour(args.color, STDOUT_FILENO));
  }
  return 0;
}

}  // namespace

void AddTimelineCommand(CLI::App& app) {
  auto args = std::make_shared<TimelineArgs>();
  CLI::App* cmd = app.add_subcommand(
      "timeline", "Show what happened in one login session, command by command");
  cmd->add_option("session", args->session,
                  "the session: its id from `auditlens sessions`, a unique prefix of it, or the "
                  "audit session number (the latest session with it)")
      ->type_name("SESSION")
      ->required();
  cmd->add_flag("--json", args->json, "the timeline as one JSON object");
  cmd->add_flag("--login-scripts", args->login_scripts,
                "show the programs run while the login opened (motd and such) instead of one line");
  cmd->add_option("-c,--config", args->config_path,
                  "TOML config whose [store] path to read (default: the embedded defaults)")
      ->type_name("FILE");
  cmd->add_option("--db", args->db, "the store file to read (overrides --config)")
      ->type_name("FILE");
  cmd->add_option("--color", args->color, "colour: auto (on a terminal), always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}).description(""));
  cmd->footer(
      "Events with no line of their own (login scripts, PAM bookkeeping) are counted in a last\n"
      "line; --json lists them under \"folded\".\n"
      "\n"
      "Exit status:\n"
      "  0  success\n"
      "  1  no such session; no store at the path; a store this user cannot read (it is\n"
      "     root's: run as root); or a store error\n"
      "  2  usage error\n");
  cmd->callback([args]() {
    int rc = RunTimeline(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
