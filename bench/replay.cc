// bench_replay: a raw audit log (EOE records included, as the kernel sends them) through the
// agent's own stages — pipeline, network enricher (from the records: nothing to look up in a log),
// process table, session tracker, recorder and SQLite store — without the kernel. It is what
// `auditlens run` does per event, minus receiving, so its instruction count under callgrind is a
// load-independent measure of the live agent's user-space work (docs/performance.md).
//
//   bench_replay LOG [--store PATH] [--no-tree] [--no-network] [--no-store]
//                [--output PATH] [--redact-args A,B,...] [--redact-env P,Q,...]   ([output] redact_args/redact_env)
//                [--drop-when-full] [--queue-rows N] [--config PATH]
//
// The input is a file, so by default the reader waits for the store's writer when its ring is full
// and no row is dropped (as `auditlens import` will). --drop-when-full gives the live agent's
// behaviour instead (a full ring drops rows, counted in the "store:" line); --queue-rows sets the
// ring's size (default the agent's).
//
// Per-event cost without start-up: run two prefixes of one storm and divide the difference, e.g.
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null bench_replay exec_1500.log
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null bench_replay exec_6000.log
// (bench/replay_cost.sh does exactly that). The process table is seeded from this machine's /proc,
// as the agent's is.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "agent/agent_store.h"
#include "agent/filtering.h"
#include "agent/pipeline.h"
#include "config/config.h"
#include "enrich/network_enricher.h"
#include "common/proc_reader.h"
#include "output/output_file.h"
#include "query/session_summaries.h"
#include "record/line_reader.h"
#include "record/record.h"

namespace {

void Log(const std::string& message) { fprintf(stderr, "bench_replay: %s\n", message.c_str()); }

}  // namespace

int main(int argc, char** argv) {
  using namespace auditlens;
  InstallTimelineSummaries();  // as auditlens run: the store summarizes ended sessions
  std::string log_path, store_path, config_path, output_path = "/dev/null";
  bool tree = true, network = true, store = true, drop_when_full = false;
  size_t queue_rows = 0;
  RedactOptions redact;
  auto split = [](const std::string& list, std::vector<std::string>* out) {
    size_t begin = 0;
    for (;;) {
      const size_t comma = list.find(',', begin);
      out->push_back(list.substr(begin, comma == std::string::npos ? comma : comma - begin));
      if (comma == std::string::npos) break;
      begin = comma + 1;
    }
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--redact-args" && i + 1 < argc) {
      split(argv[++i], &redact.args);
    } else if (a == "--redact-env" && i + 1 < argc) {
      split(argv[++i], &redact.env);
    } else if (a == "--config" && i + 1 < argc) {
      config_path = argv[++i];  // its [[filters]], [[labels]] and [output] profile only
    } else if (a == "--store" && i + 1 < argc) {
      store_path = argv[++i];
    } else if (a == "--output" && i + 1 < argc) {
      output_path = argv[++i];  // the JSON lines (default: discarded), to compare two builds
    } else if (a == "--drop-when-full") {
      drop_when_full = true;
    } else if (a == "--queue-rows" && i + 1 < argc) {
      queue_rows = strtoul(argv[++i], nullptr, 10);
      if (queue_rows == 0) {
        fprintf(stderr, "bench_replay: --queue-rows needs a positive number\n");
        return 2;
      }
    } else if (a == "--no-tree") {
      tree = false;
    } else if (a == "--no-network") {
      network = false;
    } else if (a == "--no-store") {
      store = false;
    } else if (!a.empty() && a[0] != '-' && log_path.empty()) {
      log_path = a;
    } else {
      fprintf(stderr,
              "usage: bench_replay LOG [--store PATH] [--output PATH] [--no-tree] [--no-network] "
              "[--no-store] "
              "[--redact-args A,B] [--redact-env P,Q] [--drop-when-full] [--queue-rows N] [--config PATH]\n");
      return 2;
    }
  }
  if (log_path.empty()) {
    fprintf(stderr, "bench_replay: no log given\n");
    return 2;
  }
  char tmp_dir[] = "/tmp/bench_replay.XXXXXX";
  bool made_tmp = false;
  if (store && store_path.empty()) {
    made_tmp = mkdtemp(tmp_dir) != nullptr;
    if (!made_tmp) {
      perror("bench_replay: mkdtemp");
      return 1;
    }
    store_path = std::string(tmp_dir) + "/store.db";
  }

  OutputFile output;
  std::string error;
  if (!output.Open(output_path, &error)) {
    fprintf(stderr, "bench_replay: %s\n", error.c_str());
    return 1;
  }
  Config config = DefaultConfig();  // as the agent runs without --config
  if (!config_path.empty()) {
    Config loaded;
    if (!LoadConfig(config_path, &loaded, &error)) {
      fprintf(stderr, "bench_replay: %s\n", error.c_str());
      return 1;
    }
    config.filtering = loaded.filtering;
  }
  Filtering filtering;
  if (!filtering.Build(config.filtering, &error)) {
    fprintf(stderr, "bench_replay: %s\n", error.c_str());
    return 1;
  }
  config.store.enabled = store;
  config.store.path = store_path;
  PipelineOptions options;
  options.assembler.expect_eoe = true;  // as live: the kernel ends multi-record events with EOE
  options.track_serials = true;
  options.hostname = "bench";
  options.redact = redact;
  options.rules = filtering.rules();
  if (filtering.labels() != nullptr) options.label_names = &filtering.labels()->names();
  if (!ParseOutputProfile(config.filtering.profile, &options.profile, &error)) {
    fprintf(stderr, "bench_replay: %s\n", error.c_str());
    return 1;
  }
  std::unique_ptr<NetworkEnricher> net;
  if (network) {
    net = std::make_unique<NetworkEnricher>(nullptr, static_cast<int32_t>(getpid()));
    options.enrichers.push_back(net.get());
  }
  AgentStore agent_store;
  agent_store.set_labeler(filtering.labels());
  if (tree) agent_store.Attach(config, options.hostname, &options, Log);
  Pipeline pipeline(options, &output);
  agent_store.set_file_input(!drop_when_full);
  if (queue_rows > 0) agent_store.set_queue_rows(queue_rows);
  if (tree) agent_store.OpenStore(config);

  int fd = open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "bench_replay: cannot open %s: %s\n", log_path.c_str(), strerror(errno));
    return 1;
  }
  LineReader reader(fd);
  std::string_view line;
  uint64_t line_number = 0, malformed = 0, last_advance_ms = 0;
  Record record;
  for (;;) {
    LineReader::Status st = reader.Next(&line, &line_number);
    if (st == LineReader::Status::kEnd || st == LineReader::Status::kError) break;
    if (st != LineReader::Status::kLine || line.empty()) continue;
    if (ParseLogRecord(line, &record) != nullptr) {
      ++malformed;
      continue;
    }
    pipeline.AddRecord(record, record.time_ms());
    if (record.time_ms() >= last_advance_ms + 100) {
      pipeline.AdvanceTime(record.time_ms());
      last_advance_ms = record.time_ms();
    }
    output.MaybeFlush();
  }
  close(fd);
  pipeline.Flush(last_advance_ms);
  output.Flush();
  if (tree) agent_store.Stop();
  PipelineCounters c = pipeline.counters();
  // Events handled: written, and dropped by the filters (replay_cost.sh divides by this).
  fprintf(stderr, "bench_replay: %llu records, %llu events, %llu malformed lines, %llu filtered\n",
          static_cast<unsigned long long>(c.records),
          static_cast<unsigned long long>(c.events + c.filtered),
          static_cast<unsigned long long>(malformed), static_cast<unsigned long long>(c.filtered));
  // The memory the replay ends with and its peak (what the agent would hold after such a stream).
  std::string status = ReadSmallFile("/proc/self/status");
  for (std::string_view key : {"VmRSS:", "VmHWM:"}) {
    size_t at = status.find(key);
    if (at == std::string::npos) continue;
    size_t end = status.find('\n', at);
    std::string_view line = std::string_view(status).substr(at, end - at);
    fprintf(stderr, "bench_replay: %.*s\n", static_cast<int>(line.size()), line.data());
  }
  if (made_tmp) {
    unlink(store_path.c_str());
    unlink((store_path + "-wal").c_str());
    unlink((store_path + "-shm").c_str());
    rmdir(tmp_dir);
  }
  return 0;
}
