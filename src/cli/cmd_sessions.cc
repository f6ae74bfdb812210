// `auditlens sessions [--user U] [--since T] [--container C] [--json]`: the login sessions in the
// store, one line each (id, user, how, from where, start, duration, commands, failures, state, and
// the containers its commands ran in, when any did). Reads the store while the agent writes it.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "common/clock.h"
#include "query/store_reader.h"
#include "query/timeline.h"

namespace auditlens {
namespace {

constexpr size_t kDefaultLast = 200;

struct SessionsArgs {
  std::string config_path;
  std::string db;
  std::string user;
  std::string since;
  std::string container;
  int64_t last = 0;  // 0: not given
  bool json = false;
  std::string color = "auto";
};

int RunSessions(const SessionsArgs& args) {
  const int64_t now = static_cast<int64_t>(WallMs());
  SessionFilter filter;
  filter.user = args.user;
  filter.limit = static_cast<size_t>(args.last);
  // Cron alone makes a session a minute: without a filter, the most recent ones.
  const bool defaulted = args.last == 0 && args.since.empty();
  if (defaulted) filter.limit = kDefaultLast;
  if (!args.since.empty() && !ParseSince(args.since, now, &filter.since_ms)) {
    std::cerr << "auditlens sessions: --since '" << args.since
              << "': expected a date (2026-11-22, '2026-11-22 11:00'), or an age (30m, 12h, 7d); "
                 "see 'auditlens sessions --help'\n";
    return 2;
  }
  std::string path, error;
  StoreReader reader;
  if (!OpenStore(args.config_path, args.db, &reader, &path, &error)) {
    std::cerr << "auditlens sessions: " << error << "\n";
    return 1;
  }
  if (!args.container.empty() && !reader.ResolveContainer(args.container, &filter.container_id, &error)) {
    std::cerr << "auditlens sessions: " << error << " (auditlens containers lists them)\n";
    return 1;
  }
  std::vector<StoredSession> sessions;
  if (!reader.ListSessions(filter, &sessions, &error) ||
      !SummarizeSessions(reader, &sessions, &error)) {
    std::cerr << "auditlens sessions: " << path << ": " << error << "\n";
    return 1;
  }
  if (defaulted && sessions.size() == kDefaultLast) {
    std::cerr << "auditlens sessions: the " << kDefaultLast
              << " most recent sessions; --last N or --since T for others\n";
  }
  if (args.json) {
    std::cout << RenderSessionsJson(sessions, now);
  } else if (sessions.empty()) {
    std::cout << "no sessions" << (args.user.empty() ? "" : " of " + args.user)
              << (args.container.empty() ? "" : " that ran something in container " + args.container)
              << (args.since.empty() ? "" : " since " + args.since) << " in " << path << "\n";
  } else {
    std::cout << RenderSessionsText(sessions, now, UseColour(args.color, STDOUT_FILENO));
  }
  return 0;
}

}  // namespace

void AddSessionsCommand(CLI::App& app) {
  auto args = std::make_shared<SessionsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sessions", "List login sessions: who, how, from where, when, how many commands and failures");
  cmd->add_option("--user", args->user, "only this user's sessions (the login user's name)")
      ->type_name("USER");
  cmd->add_option("--since", args->since,
                  "only sessions active since: a date ('2026-11-22', '2026-11-22 11:00') or an "
                  "age ('30m', '12h', '7d')")
      ->type_name("WHEN");
  cmd->add_option("--container", args->container,
                  "only sessions that ran something in this container: its id, an id prefix of at "
                  "least 12 characters, or its name")
      ->type_name("CONTAINER");
  cmd->add_option("--last", args->last,
                  "only the N most recent sessions, N at least 1 (default without --since: 200)")
      ->type_name("N")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000000}).description(""));
  cmd->add_flag("--json", args->json, "one JSON object per session and line");
  cmd->add_option("-c,--config", args->config_path,
                  "TOML config whose [store] path to read (default: the embedded defaults)")
      ->type_name("FILE");
  cmd->add_option("--db", args->db, "the store file to read (overrides --config)")
      ->type_name("FILE");
  cmd->add_option("--color", args->color, "colour: auto (on a terminal), always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}).description(""));
  cmd->footer(kStoreExitStatus);
  cmd->callback([args]() {
    int rc = RunSessions(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
