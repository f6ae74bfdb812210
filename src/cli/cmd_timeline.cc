// `auditlens timeline SESSION [--json]`: one login session as a readable timeline (query/timeline.h):
// the login, every command nested under the one that started it, connections, file and privilege
// changes, failures, the logout; commands that ran in a container are marked. `auditlens timeline
// --container C`: everything that ran in one container, with the login session each command came
// from; `auditlens timeline --label L`: the same for the processes of a [[labels]] label. Reads the
// store while the agent writes it.
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
  std::string container;
  std::string label;
  std::string config_path;
  std::string db;
  bool json = false;
  bool login_scripts = false;
  std::string color = "auto";
};

int RunTimeline(const TimelineArgs& args) {
  if (args.session.empty() && args.container.empty() && args.label.empty()) {
    std::cerr << "auditlens timeline: a SESSION, --container CONTAINER or --label LABEL is "
                 "required; see 'auditlens timeline --help'\n";
    return 2;
  }
  std::string path, error;
  StoreReader reader;
  if (!OpenStore(args.config_path, args.db, &reader, &path, &error)) {
    std::cerr << "auditlens timeline: " << error << "\n";
    return 1;
  }
  std::string id;
  TimelineData data;
  if (!args.label.empty()) {
    if (!reader.LoadLabelTimeline(args.label, &data, &error)) {
      std::cerr << "auditlens timeline: " << path << ": " << error << "\n";
      return 1;
    }
  } else if (!args.container.empty()) {
    if (!reader.ResolveContainer(args.container, &id, &error)) {
      std::cerr << "auditlens timeline: " << error << " (auditlens containers lists them)\n";
      return 1;
    }
    if (!reader.LoadContainerTimeline(id, &data, &error)) {
      std::cerr << "auditlens timeline: " << path << ": " << error << "\n";
      return 1;
    }
  } else {
    if (!reader.ResolveSession(args.session, &id, &error)) {
      std::cerr << "auditlens timeline: " << error << " (auditlens sessions lists them)\n";
      return 1;
    }
    if (!reader.LoadTimeline(id, &data, &error)) {
      std::cerr << "auditlens timeline: " << path << ": " << error << "\n";
      return 1;
    }
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
      "timeline",
      "Show what happened in one login session (or one container, or under one label), command by "
      "command");
  CLI::Option* session =
      cmd->add_option("session", args->session,
                      "the session: its id from `auditlens sessions`, a unique prefix of it, or the "
                      "audit session number (the latest session with it)")
          ->type_name("SESSION");
  CLI::Option* container =
      cmd->add_option("--container", args->container,
                      "instead of a session, everything that ran in this container, in any login "
                      "session or none: its id, an id prefix of at least 12 characters, or its "
                      "name (`auditlens containers` lists them)")
          ->type_name("CONTAINER");
  CLI::Option* label =
      cmd->add_option("--label", args->label,
                      "instead of a session, everything the processes with this [[labels]] label "
                      "did (a labelled process's children have its label), in any login session "
                      "or none")
          ->type_name("LABEL");
  session->excludes(container);
  container->excludes(session);
  label->excludes(session);
  label->excludes(container);
  session->excludes(label);
  container->excludes(label);
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
      "line; --json lists them under \"folded\". A command that ran in a container is marked\n"
      "[container NAME (IMAGE)] (the short id when the name is not known); in a container's\n"
      "or a label's timeline, [session ID] names the login session a command came from.\n"
      "\n"
      "Exit status:\n"
      "  0  success\n"
      "  1  no such session, container or labelled process; no store at the path; a store this\n"
      "     user cannot read"
      " (it is root's: run as root); or a store error\n"
      "  2  usage error (none of a session, --container and --label, or more than one)\n");
  cmd->callback([args]() {
    int rc = RunTimeline(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
