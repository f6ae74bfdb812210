// `auditlens run`: the agent.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "agent/agent.h"
#include "agent/filtering.h"
#include "agent/security.h"
#include "cli/commands.h"
#include "common/conninfo_mask.h"
#include "config/config.h"
#include "config/default_config.h"
#include "config/destinations.h"
#include "output/output_file.h"
#include "query/fleet_reader.h"
#include "rules/rule_loader.h"

namespace auditlens {
namespace {

struct RunArgs {
  std::string config_path;
  std::string rules_path;
  std::string output;
  bool passive = false;
  bool keep_rules = false;
  bool check_config = false;
};

// One line per output of [[outputs]].
std::string OtherOutputs(const Config& config) {
  std::string out;
  for (const OutputSettings& o : config.outputs) {
    std::string where = o.type == "syslog" ? o.address : o.type == "stdout" ? "-" : o.path;
    if (o.type == "file" && o.max_bytes > 0) {
      where += " (rotated at " + std::to_string(o.max_bytes) + " bytes, " +
               std::to_string(o.generations) + " generations)";
    }
    out += "also:     " + o.type + " " + where + ", profile " + o.profile + "\n";
  }
  return out;
}

// --check-config: what `run` would use, from the config and rules alone. Reads files only: no
// kernel, nothing created or written.
int CheckConfig(const Config& config, const RunArgs& args) {
  Filtering filtering;
  std::string filter_error;
  if (!filtering.Build(config.filtering, &filter_error)) {
    std::cerr << "auditlens run: " << filter_error << "\n";
    return 1;
  }
  // A group the host lacks stops the agent at start: said here too.
  std::vector<std::pair<std::string, std::string>> groups;  // (who, group): the error names the key
  if (!config.output_group.empty()) groups.emplace_back("", config.output_group);
  for (size_t i = 0; i < config.outputs.size(); ++i) {
    if (config.outputs[i].type == "file" && !config.outputs[i].group.empty()) {
      groups.emplace_back("outputs[" + std::to_string(i) + "] (file)", config.outputs[i].group);
    }
  }
  for (const auto& [who, group] : groups) {
    gid_t gid;
    std::string group_error;
    if (!LookUpOutputGroup(group, &gid, &group_error)) {
      std::cerr << "auditlens run: " << (who.empty() ? "" : who + ": ") << group_error << "\n";
      return 1;
    }
  }
  RuleSet rules = LoadRuleSet(config.rules_path);
  for (const RuleError& e : rules.errors) std::cerr << "error: " << e.ToString() << "\n";
  for (const RuleError& e : rules.warnings) std::cerr << "warning: " << e.ToString() << "\n";
  const std::string store =
      config.store.enabled && !config.store.path.empty() ? config.store.path : "off";
  std::cout << "config:   " << (args.config_path.empty() ? "<embedded defaults>" : args.config_path)
            << "\n"
            << "mode:     " << (config.passive ? "passive (beside another audit daemon)" : "daemon")
            << "\n"
            << "output:   " << (config.output_path == "-" ? "- (standard output)" : config.output_path)
            << "\n"
            << OtherOutputs(config) << "store:    " << store << "\n"
            << "fleet:    "
            << (config.store.postgres.empty() ? "off" : MaskConnInfo(config.store.postgres))
            << "\n"
            << "status:   " << (config.status_path.empty() ? "off" : config.status_path) << "\n"
            << "filters:  " << config.filtering.filters.size() << ", labels: "
            << (filtering.labels() ? filtering.labels()->names().size() : 0) << ", profile: "
            << config.filtering.profile << "\n"
            << "rules:    "
            << (config.rules_path.empty() ? "<embedded default rules>" : config.rules_path) << ", "
            << rules.CountRules() << " rule" << (rules.CountRules() == 1 ? "" : "s");
  if (!rules.errors.empty()) std::cout << ", " << rules.errors.size() << " with errors";
  std::cout << "\n";
  if (!rules.errors.empty()) {
    std::cerr << "auditlens run: the rules have " << rules.errors.size() << " error"
              << (rules.errors.size() == 1 ? "" : "s") << " (the agent would skip those lines)\n";
    return 1;
  }
  std::cout << "valid\n";
  return 0;
}

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
    std::cerr << "auditlens run: " << MaskConnectionStrings(error) << "\n";
    return 1;
  }
  // A password in a file others can read: said at every start, the agent runs all the same.
  const std::string secret_warning = SecretFileWarning(args.config_path, config.store.postgres);
  if (!secret_warning.empty()) std::cerr << "auditlens: " << secret_warning << "\n";
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
  // The command line may have named a destination the config's outputs already use: checked
  // here again, for --check-config as for the agent.
  if (!CheckDestinations(config, args.config_path.empty() ? "<config>" : args.config_path,
                         &error)) {
    std::cerr << "auditlens run: " << error << "\n";
    return 1;
  }
  if (args.check_config) return CheckConfig(config, args);
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
      "run", "Run the agent: kernel audit events as one decoded JSON object per event");
  cmd->add_option("-c,--config", args->config_path,
                  "TOML config file (default: the embedded defaults, see docs/configuration.md)")
      ->type_name("FILE");
  cmd->add_option("-r,--rules", args->rules_path,
                  "rules file or rules.d directory in auditctl syntax (default: the embedded rules)")
      ->type_name("PATH");
  cmd->add_option("-o,--output", args->output, "JSON lines output: a file path, or - for stdout")
      ->type_name("PATH");
  cmd->add_flag("--passive", args->passive,
                "read the multicast feed beside a running auditd instead of becoming the daemon");
  cmd->add_flag("--keep-rules", args->keep_rules, "leave the loaded rules in the kernel on exit");
  cmd->add_flag("--check-config", args->check_config,
                "dry run: load and check the config and the rules, print the effective settings "
                "(mode, output, store, rules and their count) and exit; touches neither the "
                "kernel nor any file, needs no root");
  cmd->footer(
      "Without --config the embedded defaults apply (docs/configuration.md); --rules, --output,\n"
      "--passive and --keep-rules override the config. The agent runs until SIGINT or SIGTERM,\n"
      "then takes its rules and kernel settings back out.\n"
      "\n"
      "Exit status:\n"
      "  0  the agent stopped cleanly; --check-config: the config and the rules are valid\n"
      "  1  it could not start or it failed (bad or untrusted config or rules, not root, the\n"
      "     kernel refused: the message says why); --check-config: an error was found\n"
      "  2  usage error\n");
  cmd->callback([args]() {
    int rc = Run(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
