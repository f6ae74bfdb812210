// `auditlens rules list | load FILE|DIR | delete-all [-k KEY]`: the kernel's audit rules, in
// auditctl syntax. Changes made here stay in the kernel (like auditctl -R), unlike the agent's.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "rules/rule_format.h"
#include "rules/rule_loader.h"
#include "rules/rule_parser.h"

namespace auditlens {
namespace {

int List() {
  std::vector<EncodedRule> rules;
  std::string error;
  if (!ListKernelRules(&rules, &error)) {
    std::cerr << "auditlens rules list: " << error << "\n";
    return 1;
  }
  if (rules.empty()) {
    std::cout << "No rules\n";
    return 0;
  }
  std::string out;
  for (const EncodedRule& rule : rules) out += FormatRule(rule) + "\n";
  std::cout << out;
  return 0;
}

int Load(const std::string& path) {
  RuleSet rules = ParseRulesPath(path);
  for (const RuleError& e : rules.errors) std::cerr << "error: " << e.ToString() << "\n";
  for (const RuleError& e : rules.warnings) std::cerr << "warning: " << e.ToString() << "\n";
  InstalledRules installed;  // not undone: a load from the command line is meant to stay
  ApplyResult result = ApplyRules(rules, &installed);
  for (const RuleError& e : result.errors) std::cerr << "error: " << e.ToString() << "\n";
  for (const RuleError& e : result.warnings) std::cerr << "warning: " << e.ToString() << "\n";
  const size_t errors = rules.errors.size() + result.errors.size();
  std::cout << "loaded " << result.added << " rule" << (result.added == 1 ? "" : "s");
  if (result.deleted) std::cout << ", deleted " << result.deleted;
  if (result.status_set) std::cout << ", set " << result.status_set << " status field(s)";
  std::cout << " from " << path;
  if (errors) std::cout << " (" << errors << " error" << (errors == 1 ? "" : "s") << ")";
  std::cout << "\n";
  return errors ? 1 : 0;
}

int DeleteAll(const std::string& key) {
  size_t deleted = 0, kept = 0;
  std::string error;
  bool ok = DeleteAllKernelRules(key, &deleted, &kept, &error);
  std::cout << "deleted " << deleted << " rule" << (deleted == 1 ? "" : "s") << "\n";
  if (kept) std::cout << "kept the running audit daemon's self-exclusion rule\n";
  if (!ok) {
    std::cerr << "auditlens rules delete-all: " << error << "\n";
    return 1;
  }
  return 0;
}

void Finish(int rc) {
  if (rc != 0) throw CLI::RuntimeError(rc);
}

}  // namespace

void AddRulesCommand(CLI::App& app) {
  CLI::App* rules = app.add_subcommand("rules", "Kernel audit rules in auditctl syntax");
  rules->require_subcommand(1);

  CLI::App* list = rules->add_subcommand("list", "List the kernel's rules, as auditctl -l does");
  list->callback([] { Finish(List()); });

  auto path = std::make_shared<std::string>();
  CLI::App* load = rules->add_subcommand(
      "load", "Load a rules file or rules.d directory (auditctl syntax); every bad line is "
              "reported with file:line, the good ones are loaded; exit 1 on any error");
  load->add_option("path", *path, "rules file, or directory of *.rules files")->required();
  load->callback([path] { Finish(Load(*path)); });

  auto key = std::make_shared<std::string>();
  CLI::App* delete_all =
      rules->add_subcommand("delete-all", "Delete every kernel rule, as auditctl -D does (but the "
                                          "running agent's self-exclusion stays)");
  delete_all->add_option("-k,--key", *key, "only the rules carrying this key");
  delete_all->callback([key] { Finish(DeleteAll(*key)); });
}

}  // namespace auditlens
