#include "agent/agent.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

#include "agent/agent_outputs.h"
#include "agent/agent_store.h"
#include "agent/governor.h"
#include "agent/pipeline.h"
#include "agent/receive_pacer.h"
#include "agent/rules_session.h"
#include "agent/security.h"
#include "agent/state_file.h"
#include "common/boot_id.h"
#include "common/clock.h"
#include "common/conninfo_mask.h"
#include "agent/filtering.h"
#include "filter/netns_scope.h"
#include "enrich/network_enricher.h"
#include "netlink/audit_netlink.h"
#include "output/output_file.h"
#include "record/record.h"

namespace auditlens {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reopen{false};

void OnStopSignal(int) { g_stop = true; }
void OnHangup(int) { g_reopen = true; }

// Nothing the agent logs shows a connection string's password (common/conninfo_mask.h).
void Log(const std::string& message) {
  fprintf(stderr, "auditlens: %s\n", MaskConnectionStrings(message).c_str());
}

std::string LocalHostname() {
  char buf[256] = {};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

// Hands each netlink record to the pipeline; counts records the parser refuses.
class NetlinkToPipeline : public RecordHandler {
 public:
  explicit NetlinkToPipeline(Pipeline* pipeline) : pipeline_(pipeline) {}
  void set_now(uint64_t now_ms) { now_ms_ = now_ms; }
  uint64_t malformed() const { return malformed_; }

  void OnRecord(uint16_t type, std::string_view payload) override {
    Record record;
    if (const char* why = ParseNetlinkRecord(type, payload, &record)) {
      if (malformed_++ < 20) {
        Log(fmt::format("malformed record of type {} ({}): {:.120}", type, why, payload));
      }
      return;
    }
    pipeline_->AddRecord(record, now_ms_);
  }

 private:
  Pipeline* pipeline_;
  uint64_t now_ms_ = 0;
  uint64_t malformed_ = 0;
};

class Agent {
 public:
  explicit Agent(const Config& config) : config_(config), governor_(config.governor) {}
  int Run();

 private:
  bool Start(std::string* error);
  void Loop();
  // started: whether Start succeeded; a refused second agent must not touch the status file of
  // the agent that holds the kernel.
  void Stop(bool started);
  void Tick(uint64_t now_ms);
  void DrainQueued();
  void WriteStatus(bool running);
  // Reports a change of the kernel's lost counter as a kernel-lost loss event; true if it grew.
  bool ReportKernelLost(uint64_t now_ms);
  // Durable state (agent/state_file.h): read at start to resume serial tracking, written after
  // every successful flush (at most every 200 ms, only when it changed) and at a clean exit.
  void LoadState(const KernelStatus& status, uint64_t now_ms);
  void SaveState(bool clean);
  // Writes the output; on failure keeps spooling (bounded, see OutputFile) and reading the kernel,
  // and once the output works again reports what was dropped. True when everything was written.
  bool FlushOutput(uint64_t now_ms);
  void MakeStdoutNonBlocking();
  void RestoreStdout();
  // Passive mode: what was loaded beside whom, in one line.
  void LogPassive(const KernelStatus& status, const KernelModeCheck& mode_check);
  // Passive mode, from the 1 s tick: our rules put back when someone deleted them (at most every
  // RulesSession::kRestoreIntervalMs), said in the log and as a rules-removed loss event.
  void RestoreRules(uint64_t now_ms);
  // The overload governor (agent/governor.h), sampled on the 1 s tick.
  void GovernorTick(bool kernel_dropped, uint64_t now_ms);
  void GovernorEngage(double cpu, uint64_t now_ms);
  void GovernorRelease(const std::string& why, uint64_t now_ms);

  Config config_;
  OutputFile output_;
  // [[filters]] and [[labels]]: before pipeline_, which points at them.
  Filtering filtering_;
  // [[outputs]] and the file of dropped events ([output] dropped_path); before pipeline_:
  // outlives it.
  AgentOutputs outputs_;
  std::unique_ptr<NetworkEnricher> network_;  // before pipeline_: outlives it
  AgentStore store_;  // process tree, sessions, the store: before pipeline_ too
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<NetlinkToPipeline> handler_;
  std::unique_ptr<AuditNetlink> netlink_;
  RulesSession rules_;
  uint64_t next_restore_ms_ = 0;  // monotonic
  bool restore_error_logged_ = false;
  bool registered_ = false;
  bool have_kernel_lost_ = false;
  uint32_t last_kernel_lost_ = 0;
  uint64_t last_enobufs_ = 0;
  uint64_t started_ms_ = 0;
  KernelStatus last_status_;
  bool kernel_immutable_ = false;
  // Durable state.
  std::string boot_id_;
  AgentState saved_state_;  // as last written
  bool have_saved_state_ = false;
  bool state_error_logged_ = false;
  // Output failures.
  bool output_failing_ = false;
  uint64_t output_failed_ms_ = 0;
  uint64_t dropped_reported_ = 0;
  int stdout_flags_ = -1;  // a pipe or socket stdout made non-blocking: its flags before
  // Governor.
  Governor governor_;
  bool governor_usable_ = false;   // not passive, kernel not immutable
  bool governor_applied_ = false;  // the kernel rate limit is the governor's now
  uint32_t governor_prev_rate_ = 0;
  uint64_t last_cpu_us_ = 0;
  uint64_t last_cpu_mono_ = 0;
  double cpu_percent_ = 0;
};

uint64_t CpuMicros() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
         static_cast<uint64_t>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

bool Agent::Start(std::string* error) {
  started_ms_ = WallMs();
  // Passive mode loads rules: refused up front, before anything is opened, when it cannot.
  if (!RulesSession::CheckPassive(config_, error)) return false;
  if (!output_.SetGroup(config_.output_group, error)) return false;
  if (!output_.Open(config_.output_path, error)) return false;
  if (!output_.group_note().empty()) Log(output_.group_note());
  output_.set_max_buffer_bytes(config_.max_spool_bytes);
  MakeStdoutNonBlocking();

  PipelineOptions options;
  options.assembler.expect_eoe = true;
  options.assembler.timeout_ms = config_.event_timeout_ms;
  options.assembler.max_in_flight = config_.max_in_flight;
  options.track_serials = true;
  options.hostname = config_.hostname.empty() ? LocalHostname() : config_.hostname;
  if (!outputs_.Build(config_, options.hostname, error)) return false;
  options.fanout = outputs_.fanout();
  std::string network_note;
  network_ = MakeAgentNetworkEnricher(config_.enrich.network, config_.enrich.network_budget_ms,
                                      &network_note);
  if (!network_note.empty()) Log(network_note);
  if (network_) options.enrichers.push_back(network_.get());
  if (!config_.netns.empty()) {
    uint64_t inode = 0;
    if (!NetnsInode(config_.netns, &inode, error)) return false;
  }
  options.redact.args = config_.redact_args;
  options.redact.env = config_.redact_env;
  if (options.redact.enabled()) {
    if (!CheckRedactOptions(options.redact, error)) return false;
    Log(fmt::format("redacting command lines: the value after or in {} and of environment "
                    "assignments named {} become \"{}\" (docs/sensitive-data.md)",
                    options.redact.args.empty() ? "no flag" : fmt::format("{}", fmt::join(options.redact.args, ", ")),
                    options.redact.env.empty() ? "nothing" : fmt::format("{}", fmt::join(options.redact.env, ", ")),
                    kRedactedMarker));
  }
  if (!filtering_.Build(config_.filtering, error)) return false;
  if (!ParseOutputProfile(config_.filtering.profile, &options.profile, error)) return false;
  if (filtering_.labels() != nullptr) {
    store_.set_labeler(filtering_.labels());
    options.label_names = &filtering_.labels()->names();
  }
  if (FilterSet* rules = filtering_.rules()) {
    if (rules->reads_cgroup() && !config_.enrich.containers) {
      *error = "a [[filters]] table matches container or service, which needs enrich.containers = "
               "true";
      return false;
    }
    options.rules = rules;
    if (!config_.filtering.dropped_path.empty()) {
      outputs_.OpenDropped(config_.filtering.dropped_path, config_.filtering.profile);
      options.dropped_output = outputs_.dropped();
    }
    Log(fmt::format("{} filters ([[filters]]){}", rules->counters().size(),
                    options.dropped_output ? ", dropped events to " + config_.filtering.dropped_path
                                           : std::string()));
  }
  store_.Attach(config_, options.hostname, &options, Log);
  const bool cgroup_filters = filtering_.rules() != nullptr && filtering_.rules()->reads_cgroup();
  if ((filtering_.labels() != nullptr || cgroup_filters) && store_.table() == nullptr) {
    *error = std::string(cgroup_filters ? "a [[filters]] table matching container or service"
                                        : "[[labels]]") +
             " needs the process tree (kept per process): enrich.process_tree = true and no "
             "AUDITLENS_PROCESS_TREE=off";
    return false;
  }
  if (!config_.netns.empty() && !store_.scoped()) {
    *error = "[agent] netns needs the process tree (it knows each process's namespace): "
             "enrich.process_tree = true and no AUDITLENS_PROCESS_TREE=off";
    return false;
  }
  pipeline_ = std::make_unique<Pipeline>(options, &output_);
  handler_ = std::make_unique<NetlinkToPipeline>(pipeline_.get());

  KernelStatus status;
  // A passive reader that loads no rules needs only CAP_AUDIT_READ; without CAP_AUDIT_CONTROL it
  // cannot read the kernel's status either, and goes on without it.
  const bool read_only = config_.passive && !config_.load_rules &&
                         !HasEffectiveCapability(CAP_AUDIT_CONTROL);
  if (read_only) {
    Log("passive, [rules] load = false, no CAP_AUDIT_CONTROL: the kernel's status (its lost "
        "counter, immutable mode) cannot be read; losses show as serial gaps only");
  } else if (!GetKernelStatus(&status, error)) {
    *error = "cannot read the kernel audit status (" + *error +
             "): auditlens needs root (CAP_AUDIT_CONTROL) and a kernel with CONFIG_AUDIT";
    return false;
  }
  // Immutable (enabled 2): nothing can be changed until reboot. Say so and change nothing;
  // reading still works. A panic-on-loss kernel (failure 2) is reported, not changed.
  const KernelModeCheck mode_check = read_only ? KernelModeCheck{} : CheckKernelMode(status);
  for (const std::string& m : mode_check.messages) Log(m);
  kernel_immutable_ = mode_check.immutable;
  LoadState(status, started_ms_);

  AuditNetlink::Mode mode =
      config_.passive ? AuditNetlink::Mode::kMulticast : AuditNetlink::Mode::kUnicast;
  netlink_ = AuditNetlink::Open(mode, config_.receive_buffer_bytes, error);
  if (!netlink_) return false;
  if (!config_.passive) {
    if (!netlink_->RegisterDaemon(error)) {
      *error += "; stop it first, or run auditlens beside it with --passive";
      return false;
    }
    registered_ = true;
  }
  // Once registered (a refused second agent must not write it), and before the rules and the
  // enabling: opening the store syncs its file several times, which on a slow disk takes seconds,
  // and audited syscalls would queue in the kernel's backlog unread all that time.
  store_.OpenStore(config_);
  if (mode_check.may_change && !rules_.Install(config_, error)) return false;
  for (const std::string& w : rules_.warnings()) Log(w);
  if (config_.passive) LogPassive(status, mode_check);
  outputs_.Start(Log);
  governor_usable_ = governor_.enabled() && !config_.passive && mode_check.may_change;
  if (governor_.enabled() && !governor_usable_) {
    Log(config_.passive ? "governor off: a passive reader does not change the kernel's limits"
                        : "governor off: the kernel audit configuration is immutable");
  }
  last_cpu_us_ = CpuMicros();
  last_cpu_mono_ = MonotonicMs();
  Log(fmt::format("running as {} (pid {}), {} rules loaded, writing to {}",
                  config_.passive ? "a passive reader" : "the audit daemon", getpid(),
                  rules_.installed_count(), config_.output_path));
  return true;
}

bool Agent::ReportKernelLost(uint64_t now_ms) {
  KernelStatus status;
  std::string error;
  bool grew = false;
  if (GetKernelStatus(&status, &error)) {
    last_status_ = status;
    if (have_kernel_lost_ && status.lost != last_kernel_lost_) {
      grew = true;
      uint32_t delta = status.lost - last_kernel_lost_;
      std::string detail = fmt::format(
          "the kernel dropped {} records (backlog limit {}, rate limit {}): its lost counter "
          "went from {} to {}",
          delta, status.backlog_limit, status.rate_limit, last_kernel_lost_, status.lost);
      LossInfo loss;
      loss.cause = "kernel-lost";
      loss.count = delta;
      loss.time_ms = now_ms;
      loss.detail = detail;
      pipeline_->ReportLoss(loss);
    }
    last_kernel_lost_ = status.lost;
    have_kernel_lost_ = true;
  }
  return grew;
}

void Agent::LogPassive(const KernelStatus& status, const KernelModeCheck& mode_check) {
  if (!config_.load_rules) {
    Log("passive: [rules] load = false: no rules of our own and nothing changed in the kernel; "
        "reading only what the other audit daemon's rules produce");
    return;
  }
  if (!mode_check.may_change) {
    Log("passive: no rules loaded (the kernel's audit configuration cannot be changed); reading "
        "only what the rules already in the kernel produce");
    return;
  }
  const std::string beside =
      status.pid != 0
          ? fmt::format("beside the running audit daemon (pid {}, {})", status.pid,
                        ExecutableOfPid(status.pid))
          : std::string("with no audit daemon registered (the kernel also writes the records to "
                        "its log)");
  Log(fmt::format("passive: loaded {} rules {}; {} on exit. Rules of ours deleted meanwhile (by "
                  "auditctl -D, or the daemon loading its own) are put back within about {} s",
                  rules_.installed_count(), beside,
                  config_.keep_rules_on_exit ? "they stay in the kernel (rules.keep_on_exit)"
                                             : "they are removed",
                  RulesSession::kRestoreIntervalMs / 1000));
  if (status.enabled == 0) {
    Log("passive: auditing is off in the kernel (enabled 0): no records arrive until the "
        "audit daemon (or auditctl -e 1) enables it; a passive reader never changes it");
  }
}

void Agent::RestoreRules(uint64_t now_ms) {
  const uint64_t mono = MonotonicMs();
  if (!config_.passive || !rules_.watching() || mono < next_restore_ms_) return;
  next_restore_ms_ = mono + RulesSession::kRestoreIntervalMs;
  RulesSession::RestoreResult restored;
  const bool listed = rules_.Restore(&restored);
  if (!listed && restore_error_logged_) return;
  restore_error_logged_ = !listed;
  for (const std::string& m : restored.messages) Log(m);
  if (restored.missing == 0) return;
  LossInfo loss;
  loss.cause = "rules-removed";
  loss.count = 0;
  loss.time_ms = now_ms;
  loss.detail = restored.messages.front();
  pipeline_->ReportLoss(loss);
}

void Agent::Tick(uint64_t now_ms) {
  store_.Tick(pipeline_.get(), now_ms);
  RestoreRules(now_ms);
  const bool kernel_dropped = ReportKernelLost(now_ms);
  uint64_t enobufs = netlink_->enobufs();
  if (enobufs != last_enobufs_) {
    std::string detail = fmt::format(
        "the netlink receive buffer overflowed {} times; the records lost are counted by the "
        "serial-gap events that follow",
        enobufs - last_enobufs_);
    LossInfo loss;
    loss.cause = "enobufs";
    loss.count = 0;
    loss.time_ms = now_ms;
    loss.detail = detail;
    pipeline_->ReportLoss(loss);
    last_enobufs_ = enobufs;
  }
  GovernorTick(kernel_dropped, now_ms);
  WriteStatus(true);
}

void Agent::WriteStatus(bool running) {
  if (config_.status_path.empty()) return;
  PipelineCounters c = pipeline_->counters();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::string json = fmt::format(
      "{{\"pid\":{},\"running\":{},\"mode\":\"{}\",\"started_ms\":{},\"updated_ms\":{},"
      "\"records\":{},\"events\":{},\"loss_events\":{},\"lost_events\":{},\"lost_records\":{},"
      "\"late_records\":{},\"timed_out_events\":{},\"enobufs\":{},\"malformed\":{},"
      "\"rules_loaded\":{},\"output_bytes\":{},\"output_errors\":{},\"output_dropped_lines\":{},"
      "\"last_serial\":{},\"kernel_lost\":{},\"kernel_backlog\":{},\"cpu_user_us\":{},"
      "\"cpu_system_us\":{},\"max_rss_kb\":{},\"cpu_percent\":{:.1f},\"governor\":\"{}\","
      "\"output_failing\":{},\"output_spool_bytes\":{},\"kernel_immutable\":{},"
      "\"out_of_scope_events\":{},\"rules_restores\":{},\"rules_restored\":{}}}\n",
      getpid(), running ? "true" : "false", config_.passive ? "passive" : "daemon", started_ms_,
      WallMs(), c.records, c.events, c.loss_events, c.lost_events, c.lost_records, c.late_records,
      c.timed_out, netlink_ ? netlink_->enobufs() : 0, handler_ ? handler_->malformed() : 0,
      rules_.installed_count(), output_.bytes_written(), output_.write_errors(),
      output_.dropped_lines(), pipeline_->last_serial(), last_status_.lost, last_status_.backlog,
      ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
      ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, ru.ru_maxrss, cpu_percent_,
      !governor_usable_ ? "off" : governor_.engaged() ? "engaged" : "watching",
      output_failing_ ? "true" : "false", output_.buffer()->size(),
      kernel_immutable_ ? "true" : "false", c.out_of_scope, rules_.restores(),
      rules_.restored_rules());
  json.insert(json.size() - 2, store_.FleetStatusJson() + store_.CgroupStatusJson() +
                                   outputs_.StatusJson());  // before "}\n"
  if (const FilterSet* rules = filtering_.rules()) json.insert(json.size() - 2, rules->StatusJson());
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(config_.status_path).parent_path(), ec);
  std::string tmp = config_.status_path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  bool ok = write(fd, json.data(), json.size()) == static_cast<ssize_t>(json.size());
  close(fd);
  if (ok) rename(tmp.c_str(), config_.status_path.c_str());
}

void Agent::LoadState(const KernelStatus& status, uint64_t now_ms) {
  have_kernel_lost_ = true;
  last_kernel_lost_ = status.lost;
  if (config_.state_path.empty()) return;
  boot_id_ = ReadBootId();
  AgentState saved;
  bool missing = false;
  std::string error;
  const bool valid = ReadStateFile(config_.state_path, &saved, &missing, &error);
  if (!valid && !missing) Log(error);
  const ResumePlan plan = PlanResume(valid ? &saved : nullptr, boot_id_);
  Log(plan.reason);
  if (!plan.resume) return;
  pipeline_->serials().Resume(saved.delivered_through);
  // What the kernel lost while no agent was reading is reported at the first tick, unless the
  // counter went backwards (reset by hand): then only later losses can be told.
  if (static_cast<int32_t>(status.lost - saved.kernel_lost) >= 0) {
    last_kernel_lost_ = saved.kernel_lost;
  }
  if (!saved.clean) {
    std::string detail = fmt::format(
        "the previous agent (pid {}) stopped without a clean shutdown; every serial after {} that "
        "does not reach the output is reported by the serial-gap event that follows (it may also "
        "count events written just before the agent stopped)",
        saved.pid, saved.delivered_through);
    LossInfo loss;
    loss.cause = "agent-restart";
    loss.count = 0;
    loss.time_ms = now_ms;
    loss.detail = detail;
    pipeline_->ReportLoss(loss);
  }
}

void Agent::SaveState(bool clean) {
  if (config_.state_path.empty() || boot_id_.empty()) return;
  AgentState s;
  if (!pipeline_->DeliveredThrough(&s.delivered_through)) return;  // nothing seen yet
  s.boot_id = boot_id_;
  s.kernel_lost = last_kernel_lost_;
  s.clean = clean;
  s.pid = static_cast<uint32_t>(getpid());
  if (have_saved_state_ && saved_state_.delivered_through == s.delivered_through &&
      saved_state_.kernel_lost == s.kernel_lost && saved_state_.clean == s.clean) {
    return;
  }
  s.written_ms = WallMs();
  std::string error;
  if (!WriteStateFile(config_.state_path, s, &error)) {
    if (!state_error_logged_) {
      Log(error + " (retried after every flush; a restart may then report more as lost)");
    }
    state_error_logged_ = true;
    return;
  }
  state_error_logged_ = false;
  saved_state_ = s;
  have_saved_state_ = true;
}

bool Agent::FlushOutput(uint64_t now_ms) {
  if (!output_.Flush()) {
    if (!output_failing_) {
      output_failing_ = true;
      output_failed_ms_ = now_ms;
      Log(fmt::format("{}: keeping up to {} bytes of events in memory and reading the kernel on; "
                      "retrying every 200 ms",
                      output_.last_error(), config_.max_spool_bytes));
    }
    return false;
  }
  if (output_failing_) {
    output_failing_ = false;
    Log(fmt::format("the output is writable again after {:.1f} s",
                    static_cast<double>(now_ms - output_failed_ms_) / 1000.0));
  }
  if (output_.dropped_lines() != dropped_reported_) {
    const uint64_t dropped = output_.dropped_lines() - dropped_reported_;
    std::string detail = fmt::format(
        "{} lines (events and loss events) could not be written to {} ({}) and were dropped, "
        "oldest first, when the {}-byte spool was full",
        dropped, config_.output_path, output_.last_error(), config_.max_spool_bytes);
    LossInfo loss;
    loss.cause = "output-full";
    loss.count = dropped;
    loss.time_ms = now_ms;
    loss.detail = detail;
    pipeline_->ReportLoss(loss);
    dropped_reported_ = output_.dropped_lines();
    return output_.Flush();
  }
  return true;
}

// A pipe or socket whose reader stops must not stop the agent: writes to it become
// non-blocking (a full pipe is then like a full disk). Files and terminals are left alone.
void Agent::MakeStdoutNonBlocking() {
  if (config_.output_path != "-") return;
  struct stat st;
  if (fstat(STDOUT_FILENO, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return;
  int flags = fcntl(STDOUT_FILENO, F_GETFL);
  if (flags < 0 || (flags & O_NONBLOCK)) return;
  if (fcntl(STDOUT_FILENO, F_SETFL, flags | O_NONBLOCK) == 0) stdout_flags_ = flags;
}

void Agent::RestoreStdout() {
  if (stdout_flags_ >= 0) fcntl(STDOUT_FILENO, F_SETFL, stdout_flags_);
  stdout_flags_ = -1;
}

void Agent::GovernorTick(bool kernel_dropped, uint64_t now_ms) {
  const uint64_t cpu_us = CpuMicros();
  const uint64_t mono = MonotonicMs();
  const uint64_t tick_ms = mono - last_cpu_mono_;
  cpu_percent_ = CpuPercent(last_cpu_us_, cpu_us, tick_ms);
  last_cpu_us_ = cpu_us;
  last_cpu_mono_ = mono;
  if (!governor_usable_) return;
  // Pressure while acting: the kernel still drops records at the governor's rate limit.
  switch (governor_.Sample(cpu_percent_, tick_ms, kernel_dropped && governor_applied_)) {
    case Governor::Action::kEngage:
      GovernorEngage(cpu_percent_, now_ms);
      break;
    case Governor::Action::kRelease:
      GovernorRelease(fmt::format("the load passed (CPU {:.0f}%, no records dropped by the rate "
                                  "limit for {} s)",
                                  cpu_percent_, governor_.settings().release_s),
                      now_ms);
      break;
    case Governor::Action::kNone:
      break;
  }
}

void Agent::GovernorEngage(double cpu, uint64_t now_ms) {
  const GovernorSettings& g = governor_.settings();
  const uint32_t current = last_status_.rate_limit;
  std::string detail;
  if (current != 0 && current <= g.rate_limit) {
    // Already as strict or stricter: the governor has nothing to add, but says it is over.
    governor_applied_ = false;
    detail = fmt::format(
        "the agent used {:.0f}% CPU, above its {}% ceiling, for {} s; the kernel rate limit is "
        "already {} records/s, so the governor leaves it",
        cpu, g.max_cpu, g.sustain_s, current);
  } else {
    KernelStatus wanted;
    wanted.rate_limit = g.rate_limit;
    std::string error;
    if (!SetKernelStatus(wanted, AUDIT_STATUS_RATE_LIMIT, &error)) {
      Log("governor: cannot set the kernel rate limit: " + error);
      governor_.Reset();
      return;
    }
    governor_applied_ = true;
    governor_prev_rate_ = current;
    last_status_.rate_limit = g.rate_limit;
    detail = fmt::format(
        "the agent used {:.0f}% CPU, above its {}% ceiling, for {} s: the governor set the kernel "
        "rate limit to {} records/s (it was {}); records beyond it are dropped by the kernel and "
        "reported as kernel-lost",
        cpu, g.max_cpu, g.sustain_s, g.rate_limit,
        current == 0 ? std::string("unlimited") : std::to_string(current));
  }
  Log("governor: " + detail);
  LossInfo loss;
  loss.cause = "governor";
  loss.count = 0;
  loss.time_ms = now_ms;
  loss.detail = detail;
  pipeline_->ReportLoss(loss);
}

void Agent::GovernorRelease(const std::string& why, uint64_t now_ms) {
  std::string detail;
  if (governor_applied_) {
    KernelStatus now;
    std::string error;
    const uint32_t mine = governor_.settings().rate_limit;
    if (GetKernelStatus(&now, &error) && now.rate_limit != mine) {
      // Someone changed it meanwhile: theirs stands.
      detail = fmt::format("{}: the kernel rate limit was changed to {} by someone else meanwhile; "
                           "the governor leaves it",
                           why, now.rate_limit);
    } else {
      KernelStatus previous;
      previous.rate_limit = governor_prev_rate_;
      if (SetKernelStatus(previous, AUDIT_STATUS_RATE_LIMIT, &error)) {
        detail = fmt::format("{}: the governor put the kernel rate limit back to {}", why,
                             governor_prev_rate_ == 0 ? std::string("unlimited")
                                                      : std::to_string(governor_prev_rate_));
      } else {
        detail = fmt::format("{}: cannot put the kernel rate limit back to {}: {}", why,
                             governor_prev_rate_, error);
      }
    }
    governor_applied_ = false;
  } else {
    detail = why + ": the governor stands down";
  }
  governor_.Reset();
  Log("governor: " + detail);
  LossInfo loss;
  loss.cause = "governor";
  loss.count = 0;
  loss.time_ms = now_ms;
  loss.detail = detail;
  pipeline_->ReportLoss(loss);
}

void Agent::DrainQueued() {
  std::string error;
  for (int round = 0; round < 1000; ++round) {
    handler_->set_now(WallMs());
    int n = netlink_->ReceiveBatch(*handler_, &error);
    if (n <= 0) break;
  }
}

void Agent::Loop() {
  pollfd pfd{netlink_->fd(), POLLIN, 0};
  uint64_t next_tick = MonotonicMs() + 1000;
  uint64_t next_advance = 0;
  uint64_t last_flush = MonotonicMs();
  std::string error;
  // Polls in a row that found nothing: after 3 (300 ms of silence, so the output was flushed and
  // the events in flight had their chance to time out), the agent sleeps until its next tick
  // instead of waking 10 times a second for nothing.
  int silent_polls = 0;
  ReceivePacer pacer(config_.drain_interval_ms, netlink_->receive_buffer_bytes(),
                     AuditNetlink::kDatagramsPerReceive);
  while (!g_stop) {
    int timeout = 100;
    if (silent_polls >= 3) {
      const uint64_t now = MonotonicMs();
      timeout = next_tick > now ? static_cast<int>(std::min<uint64_t>(next_tick - now, 1000)) : 0;
    }
    int ready = poll(&pfd, 1, timeout);
    silent_polls = ready == 0 ? silent_polls + 1 : 0;
    if (ready < 0 && errno != EINTR) {
      Log(std::string("poll: ") + strerror(errno));
      break;
    }
    uint64_t wall = WallMs();
    handler_->set_now(wall);
    int n = 0;
    if (ready > 0) {
      n = netlink_->ReceiveBatch(*handler_, &error);
      if (n < 0) {
        Log("netlink receive failed: " + error);
        break;
      }
    }
    uint64_t mono = MonotonicMs();
    if (g_reopen.exchange(false)) {
      outputs_.Reopen();
      if (!output_.Reopen(&error)) {
        Log(error);
      } else if (!output_.group_note().empty()) {
        Log(output_.group_note());
      }
    }
    if (mono >= next_advance) {
      pipeline_->AdvanceTime(wall);
      next_advance = mono + 100;
    }
    // Write out at least every 200 ms so the file is never far behind; more often when full.
    // The durable state follows each successful flush.
    if (mono >= last_flush + 200) {
      outputs_.Tick(pipeline_.get(), wall, Log);
      if (FlushOutput(wall)) SaveState(false);
      last_flush = mono;
    }
    if (mono >= next_tick) {
      Tick(wall);
      next_tick = mono + 1000;
    }
    // Once the socket is empty, let records accumulate before the next receive (see
    // receive_pacer.h): fewer wake-ups per record, never a full socket buffer.
    if (uint64_t wait_us = pacer.AfterBatch(n, netlink_->drained(), MonotonicUs())) {
      timespec ts{static_cast<time_t>(wait_us / 1000000), static_cast<long>(wait_us % 1000000) * 1000};
      nanosleep(&ts, nullptr);
    }
  }
}

void Agent::Stop(bool started) {
  std::string error;
  // The governor's rate limit first: the rules session puts back only what it changed itself.
  if (started && governor_applied_) GovernorRelease("the agent stops", WallMs());
  if (netlink_) {
    DrainQueued();
  }
  // Rules out and settings back first, so nothing new is queued; then take what is left.
  if (!rules_.Uninstall(config_.keep_rules_on_exit, &error)) {
    Log("could not restore the kernel audit state: " + error);
  }
  if (netlink_) {
    DrainQueued();
  }
  if (started && pipeline_) ReportKernelLost(WallMs());
  if (pipeline_) {
    pipeline_->Flush(WallMs());
    store_.Stop();
  }
  if (started) {
    // A full disk or a slow reader gets a moment to take the rest; then what could not be
    // written is said in the agent's log (no loss event can reach an output that takes nothing),
    // and the state stays where the output really is, so the next start reports it.
    outputs_.Tick(pipeline_.get(), WallMs(), Log);  // their last loss events, to [output] too
    bool flushed = FlushOutput(WallMs());
    for (int i = 0; i < 20 && !flushed; ++i) {
      timespec ts{0, 100 * 1000000L};
      nanosleep(&ts, nullptr);
      flushed = FlushOutput(WallMs());
    }
    if (flushed) {
      SaveState(true);
    } else {
      Log(fmt::format("{} bytes of events could not be written at exit ({}); the next start "
                      "reports them lost",
                      output_.buffer()->size(), output_.last_error()));
      output_.buffer()->clear();
    }
    outputs_.Stop(Log);
  } else {
    output_.Flush();
  }
  RestoreStdout();
  if (registered_) {
    if (!netlink_->UnregisterDaemon(&error)) Log("could not unregister: " + error);
    registered_ = false;
  }
  if (pipeline_ && started) {
    WriteStatus(false);
    PipelineCounters c = pipeline_->counters();
    Log(fmt::format("stopped: {} records, {} events, {} loss events", c.records, c.events,
                    c.loss_events));
  }
}

int Agent::Run() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = OnHangup;
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string error;
  if (!Start(&error)) {
    Log(error);
    Stop(false);
    return 1;
  }
  Loop();
  Stop(true);
  return 0;
}

}  // namespace

int RunAgent(const Config& config) {
  // glibc gives the top of the heap back to the kernel once 128 KiB of it is free, and the next
  // batch faults the same pages in again: about 1,400 page faults in a 3,000-exec storm. Keeping
  // up to 16 MiB (the agent's peak is about 20 MB) costs no more than the peak already took.
  mallopt(M_TRIM_THRESHOLD, 16 << 20);
  Agent agent(config);
  return agent.Run();
}

}  // namespace auditlens
