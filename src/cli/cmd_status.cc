// `auditlens status [--json] [--config FILE]`: the kernel's audit status and, when the agent runs
// (or ran), the counters it writes to status_path every second.
#include <signal.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

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

namespace auditlens {
namespace {

// The agent rewrites its status file every second; older than this, it has stopped updating.
constexpr int64_t kStaleMs = 10000;

// A top-level member of the agent's status file. Scalars only matter; a nested value is kept as
// its raw JSON text.
struct Member {
  enum class Kind { kNumber, kString, kBool, kNull, kRaw };
  std::string key;
  Kind kind = Kind::kNull;
  std::string text;  // the number / nested JSON as written, the decoded string, "true"/"false"
};

// A small reader for the one flat JSON object the agent writes (see agent/agent.cc).
class StatusFileReader {
 public:
  explicit StatusFileReader(std::string_view text) : s_(text) {}

  bool Read(std::vector<Member>* members) {
    Blank();
    if (!Eat('{')) return false;
    Blank();
    if (Eat('}')) return true;
    for (;;) {
      Member m;
      Blank();
      if (!String(&m.key)) return false;
      Blank();
      if (!Eat(':')) return false;
      Blank();
      if (!Value(&m)) return false;
      members->push_back(std::move(m));
      Blank();
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
    }
  }

 private:
  void Blank() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'u': {
          if (i_ + 4 > s_.size()) return false;
          std::string hex(s_.substr(i_, 4));
          char* end = nullptr;
          unsigned long code = std::strtoul(hex.c_str(), &end, 16);
          if (*end != '\0') return false;
          i_ += 4;
          if (code < 0x80) {
            out->push_back(static_cast<char>(code));
          } else {
            out->push_back('?');  // status strings are ASCII; anything else is shown as '?'
          }
          break;
        }
        default: out->push_back(e); break;
      }
    }
    return false;
  }
  // Skips one nested value, keeping its text.
  bool Nested(std::string* out) {
    size_t start = i_;
    int depth = 0;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        std::string ignored;
        if (!String(&ignored)) return false;
        continue;
      }
      ++i_;
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) {
          *out = std::string(s_.substr(start, i_ - start));
          return true;
        }
      }
    }
    return false;
  }
  bool Value(Member* m) {
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '"') {
      m->kind = Member::Kind::kString;
      return String(&m->text);
    }
    if (c == '{' || c == '[') {
      m->kind = Member::Kind::kRaw;
      return Nested(&m->text);
    }
    for (const char* word : {"true", "false", "null"}) {
      std::string_view w(word);
      if (s_.substr(i_, w.size()) == w) {
        i_ += w.size();
        m->kind = w == "null" ? Member::Kind::kNull : Member::Kind::kBool;
        m->text = std::string(w);
        return true;
      }
    }
    size_t start = i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                              s_[i_] == '+' || s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E'))
      ++i_;
    if (i_ == start) return false;
    m->kind = Member::Kind::kNumber;
    m->text = std::string(s_.substr(start, i_ - start));
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

const Member* Find(const std::vector<Member>& members, const std::string& key) {
  for (const auto& m : members) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

int64_t NumberOf(const std::vector<Member>& members, const std::string& key, int64_t fallback) {
  const Member* m = Find(members, key);
  if (!m || m->kind != Member::Kind::kNumber) return fallback;
  try {
    return static_cast<int64_t>(std::stod(m->text));
  } catch (...) {
    return fallback;
  }
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
  std::vector<Member> members;
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
  if (!StatusFileReader(text.str()).Read(&a.members)) {
    a.state = AgentState::State::kUnreadable;
    a.problem = fmt::format("{} is not a status file", path);
    return a;
  }
  a.pid = static_cast<uint32_t>(NumberOf(a.members, "pid", 0));
  // Milliseconds since the epoch (started_ms/updated_ms), or seconds (started/updated).
  a.started_ms = NumberOf(a.members, "started_ms", NumberOf(a.members, "started", 0) * 1000);
  a.updated_ms = NumberOf(a.members, "updated_ms", NumberOf(a.members, "updated", 0) * 1000);
  const Member* running = Find(a.members, "running");
  bool says_running = !running || running->text != "false";
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

// A JSON string's body (between its quotes) is still one after masking: every backslash starts a
// whole escape, no bare quote.
bool ValidJsonStringBody(std::string_view b) {
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i] == '"') return false;
    if (b[i] != '\\') continue;
    if (++i == b.size()) return false;
    if (b[i] == 'u') {
      if (i + 4 >= b.size()) return false;
      for (size_t k = 1; k <= 4; ++k) {
        if (!std::isxdigit(static_cast<unsigned char>(b[i + k]))) return false;
      }
      i += 4;
    } else if (std::string_view("\"\\/bfnrt").find(b[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// The strings of a nested JSON member (the fleet's last_error) with passwords masked; a string
// whose masking would cut an escape in two is masked whole.
std::string MaskJsonStrings(std::string_view raw, std::string_view conninfo) {
  std::string out;
  size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] != '"') {
      out.push_back(raw[i++]);
      continue;
    }
    size_t j = i + 1;
    while (j < raw.size() && raw[j] != '"') j += raw[j] == '\\' ? 2 : 1;
    if (j >= raw.size()) {  // not JSON after all: masked as text
      out += MaskConnInfoIn(raw.substr(i), conninfo);
      break;
    }
    const std::string_view body = raw.substr(i + 1, j - i - 1);
    // Masked as text (escapes undone), then escaped again; a \u escape is masked as it stands.
    std::string masked;
    if (body.find("\\u") == std::string_view::npos) {
      std::string text;
      for (size_t k = 0; k < body.size(); ++k) {
        char c = body[k];
        if (c == '\\' && k + 1 < body.size()) {
          c = body[++k];
          c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b' : c == 'f' ? '\f' : c;
        }
        text.push_back(c);
      }
      const std::string plain = MaskConnInfoIn(text, conninfo);
      if (plain == text) {
        masked.assign(body);
      } else {
        JsonWriter::AppendEscaped(plain, &masked);
      }
    } else {
      masked = MaskConnInfoIn(body, conninfo);
    }
    if (masked != body && !ValidJsonStringBody(masked)) masked = std::string(kMaskedSecret);
    out += '"';
    out += masked;
    out += '"';
    i = j + 1;
  }
  return out;
}

// What the status file says is shown with the connection string's password masked (the agent
// masks its errors before writing them; a file from elsewhere is masked here).
void MaskMembers(AgentState* a, std::string_view conninfo) {
  for (Member& m : a->members) {
    if (m.kind == Member::Kind::kString) m.text = MaskConnInfoIn(m.text, conninfo);
    if (m.kind == Member::Kind::kRaw) m.text = MaskJsonStrings(m.text, conninfo);
  }
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

void PrintHuman(const KernelStatus* k, const std::string& kernel_error, const AgentState& a) {
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
  for (const auto& m : a.members) {
    if (m.key == "pid" || m.key == "running" || m.key == "started_ms" || m.key == "updated_ms" ||
        m.key == "started" || m.key == "updated") {
      continue;
    }
    out += fmt::format("  {:<26}{}\n", m.key, m.text);
  }
  std::cout << out;
}

void PrintJson(const KernelStatus* k, const std::string& kernel_error, const AgentState& a,
               const std::string& status_path) {
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
  w.Bool(!a.members.empty() && (a.state != AgentState::State::kRunning || a.stale));
  w.Key("status_path"); w.String(status_path);
  if (!a.problem.empty()) {
    w.Key("problem");
    w.String(a.problem);
  }
  if (!a.members.empty()) {
    w.Key("counters");
    w.BeginObject();
    for (const auto& m : a.members) {
      w.Key(m.key);
      switch (m.kind) {
        case Member::Kind::kString: w.String(m.text); break;
        default: w.Raw(m.text); break;
      }
    }
    w.EndObject();
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
std::string OutputProblem(const std::vector<Member>& members) {
  const Member* failing = Find(members, "output_failing");
  if (failing && failing->text == "true") return "its output is failing (events are spooled in memory)";
  const int64_t dropped = NumberOf(members, "output_dropped_lines", 0);
  if (dropped > 0) {
    return fmt::format("its output dropped {} lines since it started (spool full)", dropped);
  }
  const Member* fleet = Find(members, "fleet");
  if (fleet && fleet->kind == Member::Kind::kRaw) {
    std::vector<Member> f;
    if (StatusFileReader(fleet->text).Read(&f)) {
      const int64_t lost = NumberOf(f, "queue_dropped", 0) + NumberOf(f, "spool_dropped", 0);
      if (lost > 0) {
        return fmt::format("its fleet store dropped {} rows since it started", lost);
      }
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
  MaskMembers(&agent, config.store.postgres);
  if (args.json) {
    PrintJson(have_kernel ? &kernel : nullptr, kernel_error, agent, config.status_path);
  } else {
    PrintHuman(have_kernel ? &kernel : nullptr, kernel_error, agent);
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
  const std::string output_problem = OutputProblem(agent.members);
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
