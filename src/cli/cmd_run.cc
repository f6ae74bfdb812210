// `auditlens run`: the agent.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/agent.h"
#include "agent/security.h"
#include "cli/commands.h"
#include "config/config.h"
#include "config/default_config.h"

namespace auditlens {
namespace {

struct RunArgs {
  std::string config_path;
  std::string rules_path;
  std::string output;
  bool passive = false;
  bool keep_rules = false;
};

int Run(const RunArgs& args) {
  Config config;
  std::string error;
  // Config and rules decide what a root process loads and writes: only root may change them.
  if (!args.config_path.empty() && !CheckTrustedFile(args.config_path, "config file", &error)) {
    std::cerr << "auditlens run: " << error << "\n";
    return 1;
  }
  bool ok = args.config_path.empty() ? ParseConfig(kDefaultConfig, &config, &error)
                                     : LoadConfig(args.config_path, &config, &error);
  if (!ok) {
    std::cerr << "auditlens run: " << error << "\n";
    return 1;
  }
  if (!args.rules_path.empty()) {
    config.rules_path = args.rules_path;
    config.load_rules = true;  // rules named on the command line are meant to be loaded
  }
  if (!args.output.empty()) config.output_path = args.output;
  if (args.passive) config.passive = true;
  if (args.keep_rules) config.keep_rules_on_exit = true;
  if (!config.rules_path.empty() && !CheckTrustedRulesPath(config.rules_path, &error)) {
    std::cerr << "auditlens run: " << error << "\n";
    return 1;
  }
  if (geteuid() != 0) {
    std::cerr << "auditlens run: must run as root (it needs CAP_AUDIT_CONTROL and CAP_AUDIT_READ)\n";
    return 1;
  }
  return RunAgent(config);
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Run the agent: kernel audit events → one decoded JSON object per event");
  cmd->add_option("-c,--config", args->config_path,
                  "TOML config file (default: the embedded defaults, see docs/configuration.md)");
  cmd->add_option("-r,--rules", args->rules_path,
                  "rules file or rules.d directory in auditctl syntax (default: the embedded rules)");
  cmd->add_option("-o,--output", args->output, "JSON lines output: a file path, or - for stdout");
  cmd->add_flag("--passive", args->passive,
                "read the multicast feed beside a running auditd instead of becoming the daemon");
  cmd->add_flag("--keep-rules", args->keep_rules, "leave the loaded rules in the kernel on exit");
  cmd->callback([args]() {
    int rc = Run(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
