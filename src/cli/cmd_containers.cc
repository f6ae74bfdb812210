// `auditlens containers [--since T] [--json]`: the containers the store saw processes in, one line
// each (short id, name, image, runtime, pod, first and last seen, how many processes and login
// sessions ran in it). Reads the store while the agent writes it. What ran in one:
// `auditlens timeline --container X`; the sessions that did: `auditlens sessions --container X`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "common/clock.h"
#include "query/store_reader.h"
#include "query/timeline.h"

namespace auditlens {
namespace {

struct ContainersArgs {
  std::string config_path;
  std::string db;
  std::string since;
  bool json = false;
  std::string color = "auto";
};

int RunContainers(const ContainersArgs& args) {
  const int64_t now = static_cast<int64_t>(WallMs());
  ContainerFilter filter;
  if (!args.since.empty() && !ParseSince(args.since, now, &filter.since_ms)) {
    std::cerr << "auditlens containers: --since '" << args.since
              << "': expected a date (2026-11-22, '2026-11-22 11:00'), or an age (30m, 12h, 7d); "
                 "see 'auditlens containers --help'\n";
    return 2;
  }
  std::string path, error;
  StoreReader reader;
  if (!OpenStore(args.config_path, args.db, &reader, &path, &error)) {
    std::cerr << "auditlens containers: " << error << "\n";
    return 1;
  }
  std::vector<StoredContainer> containers;
  if (!reader.ListContainers(filter, &containers, &error)) {
    std::cerr << "auditlens containers: " << path << ": " << error << "\n";
    return 1;
  }
  if (args.json) {
    std::cout << RenderContainersJson(containers);
  } else if (containers.empty()) {
    std::cout << "no containers" << (args.since.empty() ? "" : " since " + args.since) << " in "
              << path
              << (reader.schema_version() < 4 ? " (its schema version records none; the agent "
                                                "upgrades it when it next opens it)"
                                              : "")
              << "\n";
  } else {
    std::cout << RenderContainersText(containers, UseColour(args.color, STDOUT_FILENO));
  }
  return 0;
}

}  // namespace

void AddContainersCommand(CLI::App& app) {
  auto args = std::make_shared<ContainersArgs>();
  CLI::App* cmd = app.add_subcommand(
      "containers",
      "List the containers processes ran in: id, name, image, runtime, pod, when, how much");
  cmd->add_option("--since", args->since,
                  "only containers active since: a date ('2026-11-22', '2026-11-22 11:00') or an "
                  "age ('30m', '12h', '7d')")
      ->type_name("WHEN");
  cmd->add_flag("--json", args->json, "one JSON object per container and line");
  cmd->add_option("-c,--config", args->config_path,
                  "TOML config whose [store] path to read (default: the embedded defaults)")
      ->type_name("FILE");
  cmd->add_option("--db", args->db, "the store file to read (overrides --config)")
      ->type_name("FILE");
  cmd->add_option("--color", args->color, "colour: auto (on a terminal), always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}).description(""));
  cmd->footer(
      "What ran in a container: 'auditlens timeline --container ID-OR-NAME'; the login sessions\n"
      "that ran something in it: 'auditlens sessions --container ID-OR-NAME'.\n"
      "\n"
      "Exit status:\n"
      "  0  success, also when nothing matched\n"
      "  1  no store at the path; a store this user cannot read (it is root's: run as root); not\n"
      "     an auditlens store; or a store error\n"
      "  2  usage error (a --since that is not a date or an age)\n");
  cmd->callback([args]() {
    int rc = RunContainers(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
