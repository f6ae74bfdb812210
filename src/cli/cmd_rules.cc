// `auditlens rules list | load FILE|DIR | delete-all [-k KEY] | check FILE|DIR | show-default`:
// the kernel's audit rules, in auditctl syntax. Changes made here stay in the kernel (like
// auditctl -R), unlike the agent's. check and show-default never touch the kernel.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "rules/default_rules.h"
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

// Parses only: every error (the line adds nothing, the agent would skip it) and warning with
// file:line; exit 1 when there is an error.
int Check(const std::string& path) {
  RuleSet rules = ParseRulesPath(path);
  for (const RuleError& e : rules.errors) std::cout << "error: " << e.ToString() << "\n";
  for (const RuleError& e : rules.warnings) std::cout << "warning: " << e.ToString() << "\n";
  const size_t n = rules.CountRules();
  std::cout << path << ": " << n << " rule" << (n == 1 ? "" : "s") << ", " << rules.errors.size()
            << " error" << (rules.errors.size() == 1 ? "" : "s") << ", " << rules.warnings.size()
            << " warning" << (rules.warnings.size() == 1 ? "" : "s") << "\n";
  return rules.errors.empty() ? 0 : 1;
}

void Finish(int rc) {
  if (rc != 0) throw CLI::RuntimeError(rc);
}

}  // namespace

void AddRulesCommand(CLI::App& app) {
  CLI::App* rules = app.add_subcommand(
      "rules", "Kernel audit rules in auditctl syntax: list, load, delete-all, check, show-default");
  rules->require_subcommand(1);
  rules->footer(
      "Each subcommand has its own --help ('auditlens rules check --help'). list, load and\n"
      "delete-all need root (CAP_AUDIT_CONTROL); check and show-default do not.\n"
      "\n"
      "Exit status:\n"
      "  0  success\n"
      "  1  the command failed (load: a rule had an error or the kernel refused it; check: a\n"
      "     rule has an error; list, delete-all: the kernel refused)\n"
      "  2  usage error; bare 'auditlens rules' prints this help and exits 2\n");

  CLI::App* list = rules->add_subcommand("list", "List the kernel's rules, as auditctl -l does");
  list->footer(
      "Exit status:\n"
      "  0  listed (or 'No rules')\n"
      "  1  the kernel's rules cannot be read (not root)\n"
      "  2  usage error\n");
  list->callback([] { Finish(List()); });

  auto path = std::make_shared<std::string>();
  CLI::App* load = rules->add_subcommand(
      "load", "Load a rules file or rules.d directory (auditctl syntax); every bad line is "
              "reported with file:line, the good ones are loaded; exit 1 on any error");
  load->add_option("path", *path, "rules file, or directory of *.rules files")
      ->type_name("PATH")
      ->required();
  load->footer(
      "The rules stay in the kernel after the command (like auditctl -R).\n"
      "\n"
      "Exit status:\n"
      "  0  every rule loaded\n"
      "  1  a line had an error or the kernel refused a rule (the others are loaded)\n"
      "  2  usage error\n");
  load->callback([path] { Finish(Load(*path)); });

  auto key = std::make_shared<std::string>();
  CLI::App* delete_all =
      rules->add_subcommand("delete-all", "Delete every kernel rule, as auditctl -D does (but the "
                                          "running agent's self-exclusion stays)");
  delete_all->add_option("-k,--key", *key, "only the rules carrying this key")->type_name("KEY");
  delete_all->footer(
      "Exit status:\n"
      "  0  deleted\n"
      "  1  the kernel refused (not root)\n"
      "  2  usage error\n");
  delete_all->callback([key] { Finish(DeleteAll(*key)); });

  auto check_path = std::make_shared<std::string>();
  CLI::App* check = rules->add_subcommand(
      "check", "Check a rules file or rules.d directory (auditctl syntax) without touching the "
               "kernel: each error and warning with file:line and the reason, then a count");
  check->add_option("path", *check_path, "rules file, or directory of *.rules files")
      ->type_name("PATH")
      ->required();
  check->footer(
      "Only the syntax and the encoding are checked, as auditctl would encode the rules (watches\n"
      "are resolved against this machine's filesystem). The kernel can still refuse a rule that\n"
      "passes, e.g. a syscall or field this kernel lacks; 'auditlens rules load' reports those.\n"
      "\n"
      "Exit status:\n"
      "  0  no errors (warnings are printed but do not fail)\n"
      "  1  a line has an error (the agent would skip it), or the path cannot be read\n"
      "  2  usage error\n");
  check->callback([check_path] { Finish(Check(*check_path)); });

  CLI::App* show_default = rules->add_subcommand(
      "show-default", "Print the embedded default rules, exactly as the agent loads them when no "
                      "rules path is configured");
  show_default->footer(
      "Exit status:\n"
      "  0  printed\n"
      "  2  usage error\n");
  show_default->callback([] { std::cout << kDefaultRules; });
}

}  // namespace auditlens
