#include "rules/rule_loader.h"

#include <libaudit.h>
#include <linux/audit.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "netlink/audit_control.h"
#include "netlink/audit_netlink.h"
#include "rules/default_rules.h"
#include "rules/rule_format.h"
#include "rules/rule_parser.h"

namespace auditlens {
namespace {

constexpr int kReplyTimeoutMs = 2000;

std::string RuleErrno(int err, bool adding) {
  switch (err) {
    case EEXIST: return "the kernel already has this rule";
    case ENOENT:
      return adding ? "No such file or directory (a watch needs its parent directory to exist, "
                      "and -F dir= its directory)"
                    : "no such rule in the kernel";
    case EPERM: return "Operation not permitted (needs CAP_AUDIT_CONTROL; or audit is immutable)";
    default: return std::strerror(err);
  }
}

// Returns 0 or the positive errno of the kernel's refusal.
int AddRule(AuditControl& control, const EncodedRule& rule) {
  std::vector<uint8_t> bytes = rule.MutableCopy();
  auto* data = reinterpret_cast<audit_rule_data*>(bytes.data());
  int rc = audit_add_rule_data(control.fd(), data, static_cast<int>(data->flags),
                               static_cast<int>(data->action));
  return rc < 0 ? -rc : 0;
}

int DeleteRule(AuditControl& control, const EncodedRule& rule) {
  std::vector<uint8_t> bytes = rule.MutableCopy();
  auto* data = reinterpret_cast<audit_rule_data*>(bytes.data());
  int rc = audit_delete_rule_data(control.fd(), data,
                                  static_cast<int>(data->flags & ~AUDIT_FILTER_PREPEND),
                                  static_cast<int>(data->action));
  return rc < 0 ? -rc : 0;
}

bool ListRules(AuditControl& control, std::vector<EncodedRule>* rules, std::string* error) {
  rules->clear();
  int rc = audit_request_rules_list_data(control.fd());
  if (rc < 0) {
    *error = std::string("requesting the rule list: ") + std::strerror(-rc);
    return false;
  }
  audit_reply reply;
  for (;;) {
    if (!control.NextReply(&reply, kReplyTimeoutMs, error)) return false;
    switch (reply.type) {
      case NLMSG_DONE:
        return true;
      case NLMSG_ERROR:
        if (reply.error->error == 0) break;  // the ACK
        *error = std::string("listing rules: ") + std::strerror(-reply.error->error);
        return false;
      case AUDIT_LIST_RULES: {
        size_t len = reply.nlh->nlmsg_len > NLMSG_HDRLEN ? reply.nlh->nlmsg_len - NLMSG_HDRLEN : 0;
        size_t got = reply.len > static_cast<int>(NLMSG_HDRLEN) ? reply.len - NLMSG_HDRLEN : 0;
        EncodedRule rule;
        if (!EncodedRule::FromBytes(reply.ruledata, std::min(len, got), &rule)) {
          *error = "the kernel sent a malformed rule";
          return false;
        }
        rules->push_back(std::move(rule));
        break;
      }
      default:
        break;
    }
  }
}

uint32_t* StatusField(KernelStatus* s, uint32_t bit) {
  switch (bit) {
    case AUDIT_STATUS_ENABLED: return &s->enabled;
    case AUDIT_STATUS_FAILURE: return &s->failure;
    case AUDIT_STATUS_RATE_LIMIT: return &s->rate_limit;
    case AUDIT_STATUS_BACKLOG_LIMIT: return &s->backlog_limit;
    case AUDIT_STATUS_BACKLOG_WAIT_TIME: return &s->backlog_wait_time;
    default: return nullptr;
  }
}

const char* StatusName(uint32_t bit) {
  switch (bit) {
    case AUDIT_STATUS_ENABLED: return "enabled";
    case AUDIT_STATUS_FAILURE: return "failure";
    case AUDIT_STATUS_RATE_LIMIT: return "rate_limit";
    case AUDIT_STATUS_BACKLOG_LIMIT: return "backlog_limit";
    case AUDIT_STATUS_BACKLOG_WAIT_TIME: return "backlog_wait_time";
    default: return "?";
  }
}

// Sets one status field, recording its previous value when it changes. *changed tells whether
// anything was sent.
bool SetRecorded(uint32_t bit, uint32_t value, InstalledRules* installed, bool* changed,
                 std::string* error) {
  *changed = false;
  KernelStatus now;
  if (!GetKernelStatus(&now, error)) return false;
  uint32_t* field = StatusField(&now, bit);
  if (!field) {
    *error = "unsupported status field";
    return false;
  }
  if (now.enabled == 2) {
    *error = "audit is in immutable mode (enabled=2): nothing can change until reboot";
    return false;
  }
  const uint32_t previous = *field;
  if (previous == value) return true;
  KernelStatus wanted;
  *StatusField(&wanted, bit) = value;
  if (!SetKernelStatus(wanted, bit, error)) return false;
  installed->status_changes.push_back({bit, previous, value});
  *changed = true;
  return true;
}

// The self-exclusion rule of the registered audit daemon, if one is registered: -D and delete-all
// keep it, or the running agent would start auditing itself (every event it writes could become
// events again).
std::optional<EncodedRule> DaemonSelfExclusion() {
  KernelStatus status;
  std::string ignored;
  if (!GetKernelStatus(&status, &ignored) || status.pid == 0) return std::nullopt;
  // After a crash the kernel may still name the dead daemon until it next sends a record.
  if (kill(static_cast<pid_t>(status.pid), 0) != 0 && errno != EPERM) return std::nullopt;
  RuleSet self = ParseRulesText(fmt::format("-A never,exit -F pid={}", status.pid), "<self>");
  if (!self.ok() || self.commands.size() != 1) return std::nullopt;
  return self.commands[0].rule;
}

bool Holds(const InstalledRules& installed, const EncodedRule& rule) {
  if (installed.self_exclusion && installed.self_exclusion->SameAs(rule)) return true;
  return std::any_of(installed.added.begin(), installed.added.end(),
                     [&](const InstalledRule& r) { return r.rule.SameAs(rule); });
}

}  // namespace

AddAttempt AddRuleWithFallback(const EncodedRule& rule,
                               const std::function<int(const EncodedRule&)>& add,
                               const std::function<bool(const EncodedRule&)>& ours) {
  AddAttempt attempt;
  attempt.err = add(rule);
  if (attempt.err == 0) {
    attempt.added = true;
    attempt.loaded = rule;
    return attempt;
  }
  // The parser refuses what else the kernel would refuse in saddr_fam (a bit test, a value past
  // AF_MAX), so EINVAL on a rule with the field means a kernel without it. Widening is safe only
  // for an always-rule: it audits more, never less.
  if (attempt.err != EINVAL || rule.action() != AUDIT_ALWAYS || !rule.HasField(AUDIT_SADDR_FAM)) {
    return attempt;
  }
  EncodedRule wider = rule.WithoutField(AUDIT_SADDR_FAM);
  int err = add(wider);
  if (err == 0) {
    attempt.widened = attempt.added = true;
  } else if (err == EEXIST && ours(wider)) {
    attempt.widened = true;  // an earlier line (the other family's twin) put it in
  } else {
    return attempt;          // refused for another reason too: report the first answer
  }
  attempt.loaded = std::move(wider);
  return attempt;
}

std::string SaddrFamFallbackMessage(const std::vector<EncodedRule>& widened) {
  std::vector<std::string> names;
  for (const EncodedRule& rule : widened) {
    for (std::string& name : RuleSyscallNames(rule)) {
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(std::move(name));
      }
    }
  }
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : "/") + name;
  if (list.empty()) list = "these rules' syscalls";
  return "kernel does not support saddr_fam (needs Linux 5.3): auditing " + list +
         " for every address family";
}

RuleSet LoadRuleSet(const std::string& path) {
  if (path.empty()) return ParseRulesText(kDefaultRules, "<default rules>");
  return ParseRulesPath(path);
}

ApplyResult ApplyRules(const RuleSet& rules, InstalledRules* installed) {
  ApplyResult result;
  std::string error;
  auto control = AuditControl::Open(&error);
  if (!control) {
    result.errors.push_back({{"<kernel>", 0}, error});
    return result;
  }
  auto report = [&](const RuleCommand& c, std::string message) {
    RuleError e{c.where, std::move(message) + " [" + c.text + "]"};
    (rules.ignore_errors ? result.warnings : result.errors).push_back(std::move(e));
  };

  std::vector<EncodedRule> widened;  // loaded without saddr_fam
  SourceLocation first_widened;
  auto add = [&](const EncodedRule& rule) { return AddRule(*control, rule); };
  auto ours = [&](const EncodedRule& rule) { return Holds(*installed, rule); };

  for (const RuleCommand& c : rules.commands) {
    switch (c.kind) {
      case RuleCommand::Kind::kAddRule: {
        AddAttempt attempt = AddRuleWithFallback(c.rule, add, ours);
        if (!attempt.ok()) {
          std::string why = RuleErrno(attempt.err, true);
          if (attempt.err == EINVAL && c.rule.HasField(AUDIT_SADDR_FAM)) {
            why += c.rule.action() == AUDIT_ALWAYS
                       ? " (and without saddr_fam too)"
                       : " (a kernel before 5.3 has no saddr_fam; a never rule is not loaded "
                         "without it, that would silence more than it says)";
          }
          report(c, "the kernel refused the rule: " + why);
          break;
        }
        if (attempt.widened) {
          if (widened.empty()) first_widened = c.where;
          widened.push_back(attempt.loaded);
        }
        if (attempt.added) {
          installed->added.push_back({attempt.loaded, c.where});
          ++result.added;
        }
        break;
      }
      case RuleCommand::Kind::kDeleteRule: {
        int err = DeleteRule(*control, c.rule);
        if (err != 0) {
          report(c, "cannot delete the rule: " + RuleErrno(err, false));
          break;
        }
        installed->deleted.push_back(c.rule);
        ++result.deleted;
        break;
      }
      case RuleCommand::Kind::kDeleteAll: {
        std::vector<EncodedRule> current;
        if (!ListRules(*control, &current, &error)) {
          report(c, error);
          break;
        }
        const std::optional<EncodedRule> daemon_rule = DaemonSelfExclusion();
        for (const EncodedRule& rule : current) {
          if (Holds(*installed, rule)) continue;
          if (daemon_rule && daemon_rule->SameAs(rule)) {
            result.warnings.push_back({c.where, "-D kept '" + FormatRule(rule) +
                                                    "', the running audit daemon's self-exclusion"});
            continue;
          }
          if (!c.key.empty()) {
            auto keys = rule.Keys();
            if (std::find(keys.begin(), keys.end(), c.key) == keys.end()) continue;
          }
          int err = DeleteRule(*control, rule);
          if (err == ENOENT) continue;  // gone meanwhile
          if (err != 0) {
            report(c, "cannot delete '" + FormatRule(rule) + "': " + RuleErrno(err, false));
            continue;
          }
          installed->deleted.push_back(rule);
          ++result.deleted;
        }
        break;
      }
      case RuleCommand::Kind::kSetStatus: {
        bool changed = false;
        if (!SetRecorded(c.status_mask, c.status_value, installed, &changed, &error)) {
          report(c, error);
          break;
        }
        result.status_set += changed;
        break;
      }
    }
  }
  if (!widened.empty()) {
    result.warnings.push_back({first_widened, SaddrFamFallbackMessage(widened)});
  }
  return result;
}

bool InstallSelfExclusion(uint32_t pid, InstalledRules* installed, std::string* error) {
  if (installed->self_exclusion) return true;
  RuleSet self = ParseRulesText(fmt::format("-A never,exit -F pid={}", pid), "<self-exclusion>");
  if (!self.ok() || self.commands.size() != 1) {
    *error = self.ok() ? "cannot build the self-exclusion rule" : self.errors[0].ToString();
    return false;
  }
  auto control = AuditControl::Open(error);
  if (!control) return false;
  const EncodedRule& rule = self.commands[0].rule;
  int err = AddRule(*control, rule);
  // EEXIST: a rule for our own pid is ours whoever left it; record it so it goes on exit.
  if (err != 0 && err != EEXIST) {
    *error = "installing the self-exclusion rule: " + RuleErrno(err, true);
    return false;
  }
  installed->self_exclusion = rule;
  return true;
}

bool ApplyKernelLimits(const KernelSettings& settings, InstalledRules* installed,
                       std::string* error) {
  struct Wanted {
    uint32_t bit;
    const std::optional<uint32_t>& value;
  };
  const Wanted wanted[] = {
      {AUDIT_STATUS_FAILURE, settings.failure},
      {AUDIT_STATUS_RATE_LIMIT, settings.rate_limit},
      {AUDIT_STATUS_BACKLOG_LIMIT, settings.backlog_limit},
      {AUDIT_STATUS_BACKLOG_WAIT_TIME, settings.backlog_wait_time},
  };
  std::string problems;
  for (const auto& w : wanted) {
    if (!w.value) continue;
    bool changed;
    std::string e;
    if (!SetRecorded(w.bit, *w.value, installed, &changed, &e)) {
      problems += (problems.empty() ? "" : "; ") + e;
    }
  }
  if (!problems.empty()) {
    *error = problems;
    return false;
  }
  return true;
}

bool EnableAuditing(InstalledRules* installed, std::string* error) {
  bool changed;
  return SetRecorded(AUDIT_STATUS_ENABLED, 1, installed, &changed, error);
}

bool UndoInstalledRules(InstalledRules* installed, const UndoOptions& options,
                        std::vector<std::string>* errors) {
  std::string error;
  auto control = AuditControl::Open(&error);
  if (!control) {
    errors->push_back(error);
    return false;
  }
  bool ok = true;

  if (options.restore_status) {
    auto& changes = installed->status_changes;
    while (!changes.empty()) {
      const StatusChange change = changes.back();
      KernelStatus values;
      *StatusField(&values, change.mask) = change.previous;
      if (!SetKernelStatus(values, change.mask, &error)) {
        errors->push_back(fmt::format("restoring {}={}: {}", StatusName(change.mask),
                                      change.previous, error));
        ok = false;
      }
      changes.pop_back();  // one attempt: retrying would not help
    }
  }

  if (!options.keep_rules) {
    auto& added = installed->added;
    while (!added.empty()) {
      int err = DeleteRule(*control, added.back().rule);
      if (err != 0 && err != ENOENT) {
        errors->push_back("removing '" + FormatRule(added.back().rule) + "': " +
                          RuleErrno(err, false));
        ok = false;
      }
      added.pop_back();
    }
  } else {
    installed->added.clear();
  }

  if (installed->self_exclusion) {
    int err = DeleteRule(*control, *installed->self_exclusion);
    if (err != 0 && err != ENOENT) {
      errors->push_back("removing the self-exclusion rule: " + RuleErrno(err, false));
      ok = false;
    }
    installed->self_exclusion.reset();
  }

  if (!options.keep_rules) {
    for (const EncodedRule& rule : installed->deleted) {
      int err = AddRule(*control, rule);
      if (err != 0 && err != EEXIST) {
        errors->push_back("re-adding '" + FormatRule(rule) + "': " + RuleErrno(err, true));
        ok = false;
      }
    }
  }
  installed->deleted.clear();
  return ok;
}

bool ListKernelRules(std::vector<EncodedRule>* rules, std::string* error) {
  auto control = AuditControl::Open(error);
  if (!control) return false;
  return ListRules(*control, rules, error);
}

bool DeleteAllKernelRules(const std::string& key, size_t* deleted, size_t* kept,
                          std::string* error) {
  *deleted = 0;
  *kept = 0;
  auto control = AuditControl::Open(error);
  if (!control) return false;
  std::vector<EncodedRule> rules;
  if (!ListRules(*control, &rules, error)) return false;
  const std::optional<EncodedRule> daemon_rule = DaemonSelfExclusion();
  for (const EncodedRule& rule : rules) {
    if (daemon_rule && daemon_rule->SameAs(rule)) {
      ++*kept;
      continue;
    }
    if (!key.empty()) {
      auto keys = rule.Keys();
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
    }
    int err = DeleteRule(*control, rule);
    if (err == ENOENT) continue;
    if (err != 0) {
      *error = "deleting '" + FormatRule(rule) + "': " + RuleErrno(err, false);
      return false;
    }
    ++*deleted;
  }
  return true;
}

}  // namespace auditlens
