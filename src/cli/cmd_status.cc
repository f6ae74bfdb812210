// `auditlens status [--json] [--config FILE]`: the kernel's audit status and, when the agent runs
// (or ran), the counters it writes to status_path every second.
#include <signal.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "common/clock.h"
#include "common/conninfo_mask.h"
#include "common/proc_reader.h"
#include "common/time_format.h"
#include "config/config.h"
#include "config/default_config.h"
#include "netlink/audit_netlink.h"
#include "output/json_writer.h"
#include "common/json_value.h"

namespace auditlens {
namespace {

// The agent rewrites its status file every second; older than this, it has stopped updating.
constexpr int64_t kStaleMs = 10000;

// The status file is nested no deeper than this (the agent writes two levels); deeper, it is not
// one, and rewriting it could outgrow the JSON writer's nesting.
constexpr int kMaxDepth = 16;

int Depth(const JsonValue& v) {
  int deepest = 0;
  for (const JsonValue& item : v.items()) deepest = std::max(deepest, Depth(item));
  for (const auto& [key, member] : v.members()) deepest = std::max(deepest, Depth(member));
  return (v.is_array() || v.is_object()) ? deepest + 1 : 0;
}

// The member key as a whole number (a fraction is cut), or fallback when it is no number or out of
// range.
int64_t NumberOf(const JsonValue& object, std::string_view key, int64_t fallback) {
  const JsonValue& v = object[key];
  if (!v.is_number() || !(v.number() > -9.2e18 && v.number() < 9.2e18)) return fallback;
  return static_cast<int64_t>(v.number());
}

std::string LocalTime(int64_t ms) { return FormatLocal(ms, "%Y-%m-%d %H:%M:%S %z"); }

std::string Ago(int64_t ms) {
  int64_t s = ms / 1000;
  if (s < 0) s = 0;
  if (s < 120) return fmt::format("{}s ago", s);
  if (s < 7200) return fmt::format("{}m ago", s / 60);
  if (s < 172800) return fmt::format("{}h ago", s / 3600);
  return fmt::format("{}d ago", s / 86400);
}

// Whether pid is a live auditlens process (not a reused pid).
bool AgentAlive(uint32_t pid) {
  if (pid == 0) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  std::string exe = ExecutableOfPid(pid);
  if (exe == "?" || exe.find("auditlens") != std::string::npos) return true;
  const std::string args = ReadSmallFile(ProcPidPath(static_cast<pid_t>(pid), "cmdline"));
  return args.find("auditlens") != std::string::npos;  // e.g. under valgrind
}

struct AgentState {
  enum class State { kNoFile, kUnreadable, kRunning, kStopped, kGone };
  State state = State::kNoFile;
  bool stale = false;  // running, but the file is no longer updated
  uint32_t pid = 0;
  int64_t started_ms = 0;
  int64_t updated_ms = 0;
  std::string problem;
  // The status file: an object whose members are in the order the agent wrote them (null when it
  // could not be read). Shown masked (MaskedText, WriteMasked); kept as read.
  JsonValue file;
};

AgentState ReadAgent(const std::string& path) {
  AgentState a;
  if (path.empty()) {
    a.problem = "no status_path configured";
    return a;
  }
  std::ifstream in(path);
  if (!in) {
    a.problem = fmt::format("no status file at {}", path);
    return a;
  }
  std::stringstream text;
  text << in.rdbuf();
  if (!JsonValue::Parse(text.str(), &a.file) || !a.file.is_object() ||
      Depth(a.file) > kMaxDepth) {
    a.file = JsonValue();
    a.state = AgentState::State::kUnreadable;
    a.problem = fmt::format("{} is not a status file", path);
    return a;
  }
  a.pid = static_cast<uint32_t>(NumberOf(a.file, "pid", 0));
  // Milliseconds since the epoch (started_ms/updated_ms), or seconds (started/updated).
  a.started_ms = NumberOf(a.file, "started_ms", NumberOf(a.file, "started", 0) * 1000);
  a.updated_ms = NumberOf(a.file, "updated_ms", NumberOf(a.file, "updated", 0) * 1000);
  // Only a "running" that says false (the agent's clean stop) means stopped; absent, running.
  const bool says_running = a.file.Str("running") != "false";
  if (!says_running) {
    a.state = AgentState::State::kStopped;
  } else if (AgentAlive(a.pid)) {
    a.state = AgentState::State::kRunning;
    a.stale = a.updated_ms > 0 && static_cast<int64_t>(WallMs()) - a.updated_ms > kStaleMs;
  } else {
    a.state = AgentState::State::kGone;
  }
  return a;
}

// What the status file says is shown with the connection string's password masked (the agent
// masks its errors before writing them; a file from elsewhere is masked here): every string, keys
// included, is masked as text.
std::string Masked(const std::string& text, std::string_view conninfo) {
  return MaskConnInfoIn(text, conninfo);
}

// v as JSON, its strings masked.
void WriteMasked(const JsonValue& v, std::string_view conninfo, JsonWriter* w) {
  switch (v.type()) {
    case JsonValue::Type::kNull: w->Null(); break;
    case JsonValue::Type::kBool: w->Bool(v.boolean()); break;
    case JsonValue::Type::kNumber: w->Raw(v.text()); break;  // as the agent wrote it
    case JsonValue::Type::kString: w->String(Masked(v.text(), conninfo)); break;
    case JsonValue::Type::kArray:
      w->BeginArray();
      for (const JsonValue& item : v.items()) WriteMasked(item, conninfo, w);
      w->EndArray();
      break;
    case JsonValue::Type::kObject:
      w->BeginObject();
      for (const auto& [key, member] : v.members()) {
        w->Key(Masked(key, conninfo));
        WriteMasked(member, conninfo, w);
      }
      w->EndObject();
      break;
  }
}

// A member's value as the text output shows it: a string as its text, anything else as JSON.
std::string MaskedText(const JsonValue& v, std::string_view conninfo) {
  if (v.is_string()) return Masked(v.text(), conninfo);
  std::string out;
  JsonWriter w(&out);
  WriteMasked(v, conninfo, &w);
  return out;
}

const char* StateName(AgentState::State s) {
  switch (s) {
    case AgentState::State::kNoFile: return "not_running";
    case AgentState::State::kUnreadable: return "unknown";
    case AgentState::State::kRunning: return "running";
    case AgentState::State::kStopped: return "stopped";
    case AgentState::State::kGone: return "not_running";
  }
  return "unknown";
}

void PrintHuman(const KernelStatus* k, const std::string& kernel_error, const AgentState& a,
                std::string_view conninfo) {
  std::string out = "kernel audit\n";
  if (k) {
    const char* failure = k->failure == 0 ? "silent" : k->failure == 1 ? "printk" : "panic";
    const char* enabled = k->enabled == 0 ? "off" : k->enabled == 1 ? "on" : "immutable";
    std::string daemon =
        k->pid ? fmt::format("pid {} ({})", k->pid, ExecutableOfPid(k->pid)) : "none";
    out += fmt::format("  {:<26}{} ({})\n", "enabled", k->enabled, enabled);
    out += fmt::format("  {:<26}{} ({})\n", "failure", k->failure, failure);
    out += fmt::format("  {:<26}{}\n", "daemon", daemon);
    out += fmt::format("  {:<26}{}{}\n", "rate_limit", k->rate_limit,
                       k->rate_limit ? " records/s" : " (unlimited)");
    out += fmt::format("  {:<26}{}\n", "backlog_limit", k->backlog_limit);
    out += fmt::format("  {:<26}{}\n", "backlog", k->backlog);
    out += fmt::format("  {:<26}{}\n", "lost", k->lost);
    out += fmt::format("  {:<26}{}\n", "backlog_wait_time", k->backlog_wait_time);
    out += fmt::format("  {:<26}{}\n", "backlog_wait_time_actual", k->backlog_wait_time_actual);
  } else {
    out += "  unavailable: " + kernel_error + "\n";
  }

  const int64_t now = static_cast<int64_t>(WallMs());
  switch (a.state) {
    case AgentState::State::kNoFile:
      out += "agent: not running (" + a.problem + ")\n";
      break;
    case AgentState::State::kUnreadable:
      out += "agent: unknown (" + a.problem + ")\n";
      break;
    case AgentState::State::kRunning:
      out += fmt::format("agent: running, pid {}, started {} ({})", a.pid, LocalTime(a.started_ms),
                         Ago(now - a.started_ms));
      out += a.stale ? fmt::format(", but its counters stopped updating {}\n",
                                   Ago(now - a.updated_ms))
                     : "\n";
      break;
    case AgentState::State::kStopped:
      out += fmt::format("agent: not running (pid {} stopped at {}); its last counters:\n", a.pid,
                         LocalTime(a.updated_ms));
      break;
    case AgentState::State::kGone:
      out += fmt::format(
          "agent: not running (pid {} is gone without a clean stop); stale counters from {}:\n",
          a.pid, LocalTime(a.updated_ms));
      break;
  }
  for (const auto& [key, value] : a.file.members()) {
    if (key == "pid" || key == "running" || key == "started_ms" || key == "updated_ms" ||
        key == "started" || key == "updated") {
      continue;
    }
    if (key == "filters" && value.is_array()) {
      // One line per [[filters]] table: how many events it decided (docs/filters.md).
      out += "  filters (events decided)\n";
      for (const JsonValue& f : value.items()) {
        out += fmt::format("    {:<24}{} {}\n",
                           Masked(f["name"].is_string() ? f["name"].text() : "?", conninfo),
                           f["action"].is_string() ? f["action"].text() : "?",
                           NumberOf(f, "matched", 0));
      }
      continue;
    }
    out += fmt::format("  {:<26}{}\n", Masked(key, conninfo), MaskedText(value, conninfo));
  }
  std::cout << out;
}

void PrintJson(const KernelStatus* k, const std::string& kernel_error, const AgentState& a,
               const std::string& status_path, std::string_view conninfo) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("kernel");
  if (k) {
    w.BeginObject();
    w.Key("enabled"); w.UInt(k->enabled);
    w.Key("failure"); w.UInt(k->failure);
    w.Key("pid"); w.UInt(k->pid);
    w.Key("daemon_exe");
    if (k->pid) w.String(ExecutableOfPid(k->pid)); else w.Null();
    w.Key("rate_limit"); w.UInt(k->rate_limit);
    w.Key("backlog_limit"); w.UInt(k->backlog_limit);
    w.Key("backlog"); w.UInt(k->backlog);
    w.Key("lost"); w.UInt(k->lost);
    w.Key("backlog_wait_time"); w.UInt(k->backlog_wait_time);
    w.Key("backlog_wait_time_actual"); w.UInt(k->backlog_wait_time_actual);
    w.EndObject();
  } else {
    w.BeginObject();
    w.Key("error"); w.String(kernel_error);
    w.EndObject();
  }
  w.Key("agent");
  w.BeginObject();
  w.Key("state"); w.String(StateName(a.state));
  // stale: the counters shown are not those of a live, updating agent.
  w.Key("stale");
  w.Bool(!a.file.members().empty() && (a.state != AgentState::State::kRunning || a.stale));
  w.Key("status_path"); w.String(status_path);
  if (!a.problem.empty()) {
    w.Key("problem");
    w.String(a.problem);
  }
  if (!a.file.members().empty()) {
    w.Key("counters");
    WriteMasked(a.file, conninfo, &w);
  }
  w.EndObject();
  w.EndObject();
  std::cout << out << "\n";
}

struct StatusArgs {
  bool json = false;
  std::string config_path;
};

// The exit codes of `auditlens status` (docs/operations.md); 1 is a bad config, 2 a usage error.
constexpr int kHealthy = 0;
constexpr int kAgentNotRunning = 3;
constexpr int kOutputFailing = 4;
constexpr int kKernelUnreadable = 5;

// Why a running agent's output is not healthy, or empty: it cannot write now (output_failing), or
// it dropped lines since it started (its spool was full), or its fleet store dropped rows.
std::string OutputProblem(const JsonValue& file) {
  if (file.Str("output_failing") == "true") return "its output is failing (events are spooled in memory)";
  const int64_t dropped = NumberOf(file, "output_dropped_lines", 0);
  if (dropped > 0) {
    return fmt::format("its output dropped {} lines since it started (spool full)", dropped);
  }
  const JsonValue& fleet = file["fleet"];
  if (fleet.is_object()) {
    const int64_t lost = NumberOf(fleet, "queue_dropped", 0) + NumberOf(fleet, "spool_dropped", 0);
    if (lost > 0) {
      return fmt::format("its fleet store dropped {} rows since it started", lost);
    }
  }
  return {};
}

int Status(const StatusArgs& args) {
  Config config;
  std::string error;
  bool ok = args.config_path.empty() ? ParseConfig(kDefaultConfig, &config, &error)
                                     : LoadConfig(args.config_path, &config, &error);
  if (!ok) {
    std::cerr << "auditlens status: " << MaskConnectionStrings(error) << "\n";
    return 1;
  }
  KernelStatus kernel;
  std::string kernel_error;
  bool have_kernel = GetKernelStatus(&kernel, &kernel_error);
  AgentState agent = ReadAgent(config.status_path);
  if (args.json) {
    PrintJson(have_kernel ? &kernel : nullptr, kernel_error, agent, config.status_path,
              config.store.postgres);
  } else {
    PrintHuman(have_kernel ? &kernel : nullptr, kernel_error, agent, config.store.postgres);
  }
  // The most telling problem decides the code: a stopped agent, then a failing output, then a
  // kernel status this user cannot read.
  if (agent.state != AgentState::State::kRunning || agent.stale) {
    std::cerr << "auditlens status: the agent is not running";
    if (agent.state == AgentState::State::kRunning) std::cerr << " (its status file is stale)";
    if (!agent.problem.empty()) std::cerr << " (" << agent.problem << ")";
    std::cerr << "\n";
    return kAgentNotRunning;
  }
  const std::string output_problem = OutputProblem(agent.file);
  if (!output_problem.empty()) {
    std::cerr << "auditlens status: the agent runs, but " << output_problem << "\n";
    return kOutputFailing;
  }
  if (!have_kernel) {
    std::cerr << "auditlens status: cannot read the kernel audit status: " << kernel_error << "\n";
    return kKernelUnreadable;
  }
  return kHealthy;
}

}  // namespace

void AddStatusCommand(CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand(
      "status", "Kernel audit status (enabled, daemon, limits, lost) and the agent's counters");
  cmd->add_flag("--json", args->json, "one JSON object instead of text (same exit status)");
  cmd->add_option("-c,--config", args->config_path,
                  "TOML config file, to find status_path (default: the embedded defaults)")
      ->type_name("FILE");
  cmd->footer(
      "Exit status:\n"
      "  0  the agent runs and is healthy\n"
      "  1  the config cannot be read\n"
      "  2  usage error\n"
      "  3  the agent is not running: no status file, a status file no longer updated, or its\n"
      "     pid is gone or stopped\n"
      "  4  the agent runs but its output is failing now (output_failing), or it dropped lines\n"
      "     (output_dropped_lines) or fleet rows (fleet queue_dropped, spool_dropped) since it\n"
      "     started\n"
      "  5  the kernel audit status cannot be read (it needs CAP_AUDIT_CONTROL: run as root)\n"
      "When several apply, the first of 3, 4, 5 is given; --json exits the same way.\n");
  cmd->callback([args]() {
    int rc = Status(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
