#include "agent/agent.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

#include "agent/pipeline.h"
#include "agent/rules_session.h"
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

uint64_t WallMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

uint64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void Log(const std::string& message) { fprintf(stderr, "auditlens: %s\n", message.c_str()); }

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
  explicit Agent(const Config& config) : config_(config) {}
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

  Config config_;
  OutputFile output_;
  std::unique_ptr<NetworkEnricher> network_;  // before pipeline_: outlives it
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<NetlinkToPipeline> handler_;
  std::unique_ptr<AuditNetlink> netlink_;
  RulesSession rules_;
  bool registered_ = false;
  bool have_kernel_lost_ = false;
  uint32_t last_kernel_lost_ = 0;
  uint64_t last_enobufs_ = 0;
  uint64_t started_ms_ = 0;
  KernelStatus last_status_;
};

bool Agent::Start(std::string* error) {
  started_ms_ = WallMs();
  if (!output_.Open(config_.output_path, error)) return false;

  PipelineOptions options;
  options.assembler.expect_eoe = true;
  options.assembler.timeout_ms = config_.event_timeout_ms;
  options.assembler.max_in_flight = config_.max_in_flight;
  options.track_serials = true;
  options.hostname = config_.hostname.empty() ? LocalHostname() : config_.hostname;
  std::string network_note;
  network_ = MakeAgentNetworkEnricher(&network_note);
  if (!network_note.empty()) Log(network_note);
  if (network_) options.enrichers.push_back(network_.get());
  pipeline_ = std::make_unique<Pipeline>(options, &output_);
  handler_ = std::make_unique<NetlinkToPipeline>(pipeline_.get());

  KernelStatus status;
  if (!GetKernelStatus(&status, error)) {
    *error = "cannot read the kernel audit status (" + *error +
             "): auditlens needs root (CAP_AUDIT_CONTROL) and a kernel with CONFIG_AUDIT";
    return false;
  }
  if (status.enabled == 2) {
    // Immutable: nothing can be changed until reboot. Say so; reading still works.
    Log("the kernel audit configuration is immutable (enabled 2): rules and settings cannot be "
        "changed until reboot; auditlens only reads");
  }

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
  if (status.enabled != 2 && !rules_.Install(config_, error)) return false;
  for (const std::string& w : rules_.warnings()) Log(w);
  have_kernel_lost_ = true;
  last_kernel_lost_ = status.lost;
  Log(fmt::format("running as {} (pid {}), {} rules loaded, writing to {}",
                  config_.passive ? "a passive reader" : "the audit daemon", getpid(),
                  rules_.installed_count(), config_.output_path));
  return true;
}

void Agent::Tick(uint64_t now_ms) {
  KernelStatus status;
  std::string error;
  if (GetKernelStatus(&status, &error)) {
    last_status_ = status;
    if (have_kernel_lost_ && status.lost != last_kernel_lost_) {
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
      "\"cpu_system_us\":{},\"max_rss_kb\":{}}}\n",
      getpid(), running ? "true" : "false", config_.passive ? "passive" : "daemon", started_ms_,
      WallMs(), c.records, c.events, c.loss_events, c.lost_events, c.lost_records, c.late_records,
      c.timed_out, netlink_ ? netlink_->enobufs() : 0, handler_ ? handler_->malformed() : 0,
      rules_.installed_count(), output_.bytes_written(), output_.write_errors(),
      output_.dropped_lines(), pipeline_->last_serial(), last_status_.lost, last_status_.backlog,
      ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
      ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, ru.ru_maxrss);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(config_.status_path).parent_path(), ec);
  std::string tmp = config_.status_path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  bool ok = write(fd, json.data(), json.size()) == static_cast<ssize_t>(json.size());
  close(fd);
  if (ok) rename(tmp.c_str(), config_.status_path.c_str());
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
  while (!g_stop) {
    int timeout = 100;
    int ready = poll(&pfd, 1, timeout);
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
      if (!output_.Reopen(&error)) Log(error);
    }
    if (mono >= next_advance) {
      pipeline_->AdvanceTime(wall);
      next_advance = mono + 100;
    }
    // Write out at least every 200 ms so the file is never far behind; more often when full.
    if (mono >= last_flush + 200) {
      output_.Flush();
      last_flush = mono;
    }
    if (mono >= next_tick) {
      Tick(wall);
      next_tick = mono + 1000;
    }
    // Let records accumulate for a moment: a batch of many records costs far less per record
    // than a wake-up per record. The socket buffer holds seconds of a storm, so this is safe.
    if (n > 0 && config_.drain_interval_ms > 0) {
      timespec ts{0, static_cast<long>(config_.drain_interval_ms) * 1000000L};
      nanosleep(&ts, nullptr);
    }
  }
}

void Agent::Stop(bool started) {
  std::string error;
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
  if (pipeline_) {
    pipeline_->Flush(WallMs());
  }
  output_.Flush();
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
  Agent agent(config);
  return agent.Run();
}

}  // namespace auditlens
