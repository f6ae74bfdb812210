// `auditlens trace SESSION [--json] [--window SECONDS] [--postgres URL]`: the chain of hosts, users,
// sessions and commands that led to a login session and that it led to, from the fleet's
// PostgreSQL database (query/trace.h, docs/fleet.md).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "common/conninfo_mask.h"
#include "config/config.h"
#include "config/default_config.h"
#include "query/fleet_reader.h"
#include "query/store_reader.h"
#include "query/trace.h"

namespace auditlens {
namespace {

struct TraceArgs {
  std::string session;
  std::string config_path;
  std::string postgres;
  double window_s = 120;
  bool json = false;
  std::string color = "auto";
};

// --postgres, else [store] postgres of the config (or of the embedded defaults).
bool ResolveUrl(const TraceArgs& args, std::string* url, std::string* error) {
  if (!args.postgres.empty()) {
    *url = args.postgres;
    return true;
  }
  Config config;
  bool ok = args.config_path.empty() ? ParseConfig(kDefaultConfig, &config, error)
                                     : LoadConfig(args.config_path, &config, error);
  if (!ok) return false;
  if (config.store.postgres.empty()) {
    *error = (args.config_path.empty() ? std::string("the default config") : args.config_path) +
             " has no fleet database ([store] postgres); give --postgres URL";
    return false;
  }
  *url = config.store.postgres;
  return true;
}

// Every message names the database as MaskConnInfo shows it; whatever libpq, the server or the
// config loader says is masked against the connection string too.
void Fail(const std::string& url, const std::string& error) {
  std::cerr << "auditlens trace: " << MaskConnInfoIn(error, url) << "\n";
}

int RunTrace(const TraceArgs& args) {
  if (!(args.window_s > 0) || args.window_s > 86400) {
    std::cerr << "auditlens trace: --window must be more than 0 and at most 86400 seconds; see "
                 "'auditlens trace --help'\n";
    return 2;
  }
  std::string url, error;
  if (!ResolveUrl(args, &url, &error)) {
    Fail(url.empty() ? args.postgres : url, error);
    return 1;
  }
  FleetReader reader;
  if (!reader.Open(url, &error)) {
    Fail(url, error);
    return 1;
  }
  FleetSessionKey key;
  if (!reader.ResolveSession(args.session, &key, &error)) {
    Fail(url, error);
    return 1;
  }
  TraceOptions options;
  options.window_ms = static_cast<int64_t>(args.window_s * 1000);
  Trace trace;
  if (!BuildTrace(reader, key, options, &trace, &error)) {
    Fail(url, MaskConnInfo(url) + ": " + error);
    return 1;
  }
  if (args.json) {
    std::cout << RenderTraceJson(trace);
  } else {
    std::cout << RenderTraceText(trace, UseColour(args.color, STDOUT_FILENO));
  }
  return 0;
}

}  // namespace

void AddTraceCommand(CLI::App& app) {
  auto args = std::make_shared<TraceArgs>();
  CLI::App* cmd = app.add_subcommand(
      "trace", "Follow a login session across hosts: where it came from, where it went, what ran");
  cmd->add_option("session", args->session,
                  "the session: HOST:ID, or an ID (or unique prefix) only one host has")
      ->type_name("SESSION")
      ->required();
  cmd->add_flag("--json", args->json, "the trace as one JSON object");
  cmd->add_option("--window", args->window_s,
                  "seconds between a connect and the login it started, at most (default 120)")
      ->type_name("SECONDS");
  cmd->add_option("--postgres", args->postgres,
                  "the fleet database's URL (default: [store] postgres of the config)")
      ->type_name("URL");
  cmd->add_option("-c,--config", args->config_path,
                  "TOML config whose [store] postgres to read (default: the embedded defaults)")
      ->type_name("FILE");
  cmd->add_option("--color", args->color, "colour: auto (on a terminal), always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}).description(""));
  cmd->footer(
      "Exit status:\n"
      "  0  success\n"
      "  1  no fleet database configured or reachable, no such (or an ambiguous) session, or a\n"
      "     database error; a URL's password is never shown\n"
      "  2  usage error, --window out of range included\n");
  cmd->callback([args]() {
    int rc = RunTrace(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
