// `auditlens import [--host NAME] [--db FILE | --postgres URL] FILE|DIR...`: auditd logs of any
// host (RAW or ENRICHED, rotated, gzip/xz/zstd-compressed) → the store, through the live agent's
// own stages (pipeline, process table, session tracker, recorder: agent/agent_store.h in its log
// input mode), so that `sessions`, `timeline` and `trace` work on the result (docs/import.md).
//
// The log is read as written: nothing of this machine is consulted (no /proc, no boot id, no host
// name; names of ids only with --resolve-names local). The host is node= or --host; the entity
// and session ids are derived from it, so a second import of the same records writes the same
// rows (the store's keys make it add nothing), and a file already imported (its fingerprint in
// the store's meta) is skipped without being read.
#include <dirent.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <set>

#include "agent/agent_store.h"
#include "agent/pipeline.h"
#include "cli/commands.h"
#include "common/time_format.h"
#include "config/config.h"
#include "enrich/network_enricher.h"
#include "query/store_reader.h"
#include "record/line_reader.h"
#include "record/log_file.h"
#include "record/record.h"
#include "record/record_types.h"
#include "store/import_registry.h"

namespace auditlens {
namespace {

struct ImportArgs {
  std::vector<std::string> inputs;
  std::string host;
  std::string db;
  std::string postgres;
  std::string resolve_names = "none";
  std::string passwd_file;
  std::string group_file;
  uint32_t timeout_ms = 2000;
  uint32_t max_errors_shown = 20;
  std::string progress = "auto";
};

struct InputFile {
  std::string path;
  uint64_t size = 0;
  uint64_t first_ms = 0;  // the first record's stamp; 0: none found near the start
  bool has_stamp = false;
  std::string node;       // node= of that record
  int name_rank = 0;      // audit.log.N → N (older first when stamps tie), audit.log → 0
  std::string fingerprint;
};

void Log(const std::string& message) { std::cerr << "auditlens import: " << message << "\n"; }

// audit.log.7 → 7; audit.log → 0; audit.log.3.gz → 3.
int RotationNumber(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  size_t at = name.find("audit.log.");
  if (at == std::string::npos) return 0;
  return atoi(name.c_str() + at + 10);
}

// Reads up to the first readable record of the file (at most 1,000 lines); false when the file
// cannot be opened (or its compressed stream not started) or fingerprinted.
bool Sniff(InputFile* f, std::string* error) {
  LogFile file;
  if (!file.Open(f->path, error)) return false;
  f->size = file.size();
  LineReader reader(&file);
  std::string_view line;
  uint64_t number = 0;
  Record record;
  for (int i = 0; i < 1000; ++i) {
    LineReader::Status st = reader.Next(&line, &number);
    if (st == LineReader::Status::kEnd) break;
    // A damaged stream: the import reads up to the damage and reports it there.
    if (st == LineReader::Status::kError) break;
    if (st != LineReader::Status::kLine || line.empty()) continue;
    if (ParseLogRecord(line, &record) != nullptr) continue;
    f->has_stamp = true;
    f->first_ms = record.time_ms();
    f->node = std::string(record.node);
    break;
  }
  f->name_rank = RotationNumber(f->path);
  return LogFile::Fingerprint(f->path, &f->fingerprint, error);
}

// A stable stand-in for the boot id of the log's host: the first 128 bits of SHA-256 of the host
// name, as a UUID. Entity ids and session ids ("<first 8>-<ses>") are then the same whenever the
// same host's records are imported.
std::string ImportBootId(const std::string& host) {
  const std::string input = "auditlens-import:" + host;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

// The boot id of the log's n-th boot (a kernel serial that started again): the first keeps
// ImportBootId(host); a later one is derived from the host and the first record of that boot, so
// that its sessions ("<first 8>-<ses>") and processes never merge with an earlier boot's, and a
// second import of the same records derives the same ids.
std::string EpochBootId(const std::string& host, int epoch, const Record& first) {
  if (epoch == 0) return ImportBootId(host);
  return ImportBootId(fmt::format("{}@{}:{}", host, first.time_ms(), first.serial));
}

// A kernel serial far below the last one seen, with time going on: the kernel's counter started
// again, i.e. the host booted. (Records of one boot come a few serials out of order at most; the
// DAEMON_* records are auditd's own counter, and records of other nodes have theirs.)
constexpr uint32_t kSerialRestart = 10000;

std::string Megabytes(uint64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

std::string Duration(double seconds) {
  if (seconds < 0) seconds = 0;
  const uint64_t s = static_cast<uint64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

struct Malformed {
  std::string file;
  uint64_t line;
  std::string why;
};

int RunImport(const ImportArgs& args) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point started = Clock::now();
  // The inputs: files, and the audit.log* files of directories.
  std::vector<InputFile> files;
  for (const std::string& input : args.inputs) {
    struct stat st;
    if (stat(input.c_str(), &st) != 0) {
      Log("cannot read " + input + ": " + strerror(errno));
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      files.emplace_back().path = input;
      continue;
    }
    DIR* dir = opendir(input.c_str());
    if (dir == nullptr) {
      Log("cannot read the directory " + input + ": " + strerror(errno));
      return 1;
    }
    size_t before = files.size();
    while (struct dirent* d = readdir(dir)) {
      const std::string name = d->d_name;
      if (name.rfind("audit.log", 0) != 0) continue;
      const std::string path = input + (input.back() == '/' ? "" : "/") + name;
      struct stat fst;
      if (stat(path.c_str(), &fst) == 0 && S_ISREG(fst.st_mode)) files.emplace_back().path = path;
    }
    closedir(dir);
    if (files.size() == before) Log("no audit.log* file in " + input);
  }
  if (files.empty()) {
    Log("nothing to import");
    return 1;
  }
  std::string error;
  for (InputFile& f : files) {
    if (!Sniff(&f, &error)) {
      Log(error);
      return 1;
    }
  }
  // Time order: by the first record's stamp (names can lie: a copied set, a renamed file); on a
  // tie (or without a stamp), the higher rotation number (older) first. Files without any record
  // near their start go last: their lines are read and reported like any other.
  std::stable_sort(files.begin(), files.end(), [](const InputFile& a, const InputFile& b) {
    if (a.has_stamp != b.has_stamp) return a.has_stamp;
    if (a.has_stamp && a.first_ms != b.first_ms) return a.first_ms < b.first_ms;
    return a.name_rank > b.name_rank;
  });

  // The host: --host names the records without node=; otherwise the first node= found.
  std::string host = args.host;
  if (host.empty()) {
    for (const InputFile& f : files) {
      if (!f.node.empty()) {
        host = f.node;
        break;
      }
    }
  }
  if (host.empty()) {
    Log("the log names no host (its records have no node=): give --host NAME, the name of the "
        "host that wrote it (this machine's name is never assumed)");
    return 2;
  }

  // The store, and what it holds already.
  std::string db_path;
  if (!args.db.empty() || args.postgres.empty()) {
    if (!ResolveStorePath("", args.db, &db_path, &error)) {
      Log(error);
      return 1;
    }
  }
  ImportRegistry registry;
  if (!db_path.empty() && !registry.Open(db_path, &error)) {
    Log(error);
    return 1;
  }
  const std::string boot_id = ImportBootId(host);
  const uint64_t events_before = registry.CountEvents();
  const uint64_t sessions_before = registry.CountSessions(host);
  std::vector<InputFile> todo;
  uint64_t skipped = 0;
  std::set<std::string> seen;  // the same content given twice in one run is read once
  for (const InputFile& f : files) {
    std::string was;
    if (!seen.insert(f.fingerprint).second) {
      ++skipped;
      Log(f.path + ": the same content as another input, skipped");
      continue;
    }
    if (registry.Imported(f.fingerprint, &was)) {
      ++skipped;
      Log(f.path + ": imported already (as " + was + "), skipped");
      continue;
    }
    todo.push_back(f);
  }
  registry.Close();  // the store's writer opens it now
  if (todo.empty()) {
    Log(fmt::format("nothing new: all {} files were imported already into {}", files.size(),
                    db_path.empty() ? std::string("the store") : db_path));
    return 0;
  }

  // The agent's stages, on a log: the store's rows from the same code as live.
  Config config = DefaultConfig();
  config.store.enabled = !db_path.empty();
  config.store.path = db_path;
  config.store.postgres = args.postgres;
  // The fleet store's spool (rows waiting for the database) is the import's own, and must be empty
  // at the end: an import never leaves rows for a later agent to deliver.
  std::string spool_dir;
  if (!args.postgres.empty()) {
    char tmpl[] = "/tmp/auditlens-import-spool.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      Log(std::string("cannot make the fleet spool's directory: ") + strerror(errno));
      return 1;
    }
    spool_dir = tmpl;
    config.store.postgres_spool_path = spool_dir + "/fleet-spool";
  }
  struct SpoolCleanup {
    const std::string& dir;
    ~SpoolCleanup() {
      if (dir.empty()) return;
      unlink((dir + "/fleet-spool").c_str());
      rmdir(dir.c_str());
    }
  } spool_cleanup{spool_dir};
  // Imported history is kept whatever its age or size: retention is the live agent's business.
  config.store.retention_days = 0;
  config.store.max_bytes = 0;
  // The agent's stages, one set per boot of the log's host: a boot starts its process table and
  // sessions afresh, with ids of its own (EpochBootId).
  struct Stages {
    OutputFile output;  // the JSON lines are not kept (`auditlens parse` gives them)
    NetworkEnricher network{nullptr};  // what the records say, nothing looked up here
    AgentStore agent_store;
    std::unique_ptr<Pipeline> pipeline;
  };
  auto configure = [&args](IdNames& ids, std::string* err) {
    if (!args.passwd_file.empty()) return ids.LoadFiles(args.passwd_file, args.group_file, err);
    ids.set_source(args.resolve_names == "local" ? IdNames::Source::kLocal : IdNames::Source::kNone);
    return true;
  };
  auto start_stages = [&](const std::string& boot, std::string* err) -> std::unique_ptr<Stages> {
    auto st = std::make_unique<Stages>();
    if (!st->output.Open("/dev/null", err)) return nullptr;
    PipelineOptions options;
    options.assembler.expect_eoe = false;  // logs never contain EOE
    options.assembler.timeout_ms = args.timeout_ms;
    options.hostname = host;
    options.format_events = false;  // only the store's rows are kept
    options.enrichers.push_back(&st->network);
    st->agent_store.set_log_input(boot);
    // A log's records come in the order they were written, and after a process's exit its
    // children name their new parent: an exited image is kept for late records of its own event
    // (the assembler's timeout, five times over), not the live agent's minute. The same rows on
    // the 1,750-session log and on the first 11,100 sessions of the 37,000-session one, with 6 MB
    // less peak RSS (the table held ~15,000 exited images).
    st->agent_store.set_exited_keep_ms(std::max<uint64_t>(10000, 5ull * args.timeout_ms));
    st->agent_store.Attach(config, host, &options, Log);
    st->pipeline = std::make_unique<Pipeline>(options, &st->output);
    if (!configure(st->pipeline->id_names(), err) ||
        !st->agent_store.UseLogNames(*st->pipeline, configure, err)) {
      return nullptr;
    }
    st->agent_store.set_file_input(true);
    // 8 MiB of page cache (docs/performance.md, "Memory of an import"): against 16 MiB, 8 MB less
    // peak RSS for 2.5% more CPU (pages read back from the OS) on the 37,000-session log; 4 MiB:
    // 6% slower on 1,750 sessions.
    st->agent_store.set_cache_kib(8192);
    // The reader waits for the writer (file input), so the ring only evens out the writer's
    // transactions: 4,096 rows (0.8 MB and the slots' strings) instead of the live agent's 32,768;
    // 8,192 were no faster, 2,048 made the reader wait twice as often.
    st->agent_store.set_queue_rows(4096);
    st->agent_store.OpenStore(config);
    if (!db_path.empty() && st->agent_store.store() == nullptr) {
      *err = "cannot open the store " + db_path;
      st->agent_store.Stop();
      return nullptr;
    }
    if (!args.postgres.empty() && !st->agent_store.fleet_open()) {
      *err = "cannot open the fleet store";
      st->agent_store.Stop();
      return nullptr;
    }
    return st;
  };
  PipelineCounters totals;
  PostgresStats fleet_lost;
  // Completes what the stages hold and closes their stores; adds up their counters.
  auto finish_stages = [&](Stages& st, uint64_t now_ms) {
    st.pipeline->Flush(now_ms);
    st.output.Flush();
    st.agent_store.Tick(st.pipeline.get(), now_ms);
    st.agent_store.Stop();
    const PipelineCounters c = st.pipeline->counters();
    totals.records += c.records;
    totals.events += c.events;
    if (!args.postgres.empty()) {
      const PostgresStats f = st.agent_store.fleet_stats();
      fleet_lost.queue_dropped += f.queue_dropped;
      fleet_lost.spool_dropped += f.spool_dropped;
      fleet_lost.spool_rows += f.spool_rows;
      fleet_lost.rejected += f.rejected;
      if (!f.last_error.empty()) fleet_lost.last_error = f.last_error;
    }
  };
  std::unique_ptr<Stages> stages = start_stages(boot_id, &error);
  if (!stages) {
    Log(error);
    return 1;
  }
  int boots = 1;
  uint32_t last_serial = 0;
  bool have_serial = false;

  const bool progress =
      args.progress == "always" || (args.progress == "auto" && isatty(STDERR_FILENO));
  uint64_t total_bytes = 0;
  for (const InputFile& f : todo) total_bytes += f.size;
  uint64_t done_bytes = 0;  // of the files finished
  Clock::time_point last_shown = started;
  Clock::time_point last_tick = started;
  bool shown_progress = false;

  std::vector<Malformed> malformed;
  uint64_t malformed_count = 0;
  std::set<std::string> hosts;
  std::string last_node = "\x01";  // no node= seen yet
  uint64_t first_ms = UINT64_MAX, last_ms = 0;
  std::vector<std::pair<const InputFile*, uint64_t>> completed;  // files read whole, records
  int status = 0;
  uint64_t last_advance_ms = 0;
  Record record;
  for (const InputFile& f : todo) {
    LogFile file;
    if (!file.Open(f.path, &error)) {
      Log(error);
      status = 1;
      continue;
    }
    LineReader reader(&file);
    uint64_t line_number = 0, file_records = 0;
    bool read_error = false;
    for (;;) {
      const char* why = nullptr;
      const LogRead got = NextLogRecord(reader, &record, &line_number, &why);
      if (got == LogRead::kEnd) break;
      if (got == LogRead::kError) {
        Log(f.path + ": read error after line " + std::to_string(line_number) + ": " +
            file.error());
        read_error = true;
        status = 1;
        break;
      }
      if (got == LogRead::kMalformed) {
        if (malformed_count++ < args.max_errors_shown) {
          malformed.push_back({f.path, line_number, why});
        }
        continue;
      }
      ++file_records;
      if (record.node != last_node) {
        last_node = std::string(record.node);
        hosts.insert(last_node.empty() ? host : last_node);
      }
      const uint64_t t = record.time_ms();
      first_ms = std::min(first_ms, t);
      last_ms = std::max(last_ms, t);
      if ((record.node.empty() || record.node == host) &&
          !(record.type >= rectype::kDaemonStart && record.type <= rectype::kLastDaemon)) {
        if (have_serial && record.serial + kSerialRestart < last_serial) {
          // The host booted: what the last boot left open is complete; the next boot's ids.
          finish_stages(*stages, last_advance_ms);
          stages = start_stages(EpochBootId(host, boots, record), &error);
          if (!stages) {
            Log(error);
            return 1;
          }
          ++boots;
          last_advance_ms = 0;
          last_serial = record.serial;
        } else {
          last_serial = have_serial ? std::max(last_serial, record.serial) : record.serial;
        }
        have_serial = true;
      }
      Pipeline& pipeline = *stages->pipeline;
      pipeline.AddRecord(record, t);
      if (t >= last_advance_ms + 100) {
        pipeline.AdvanceTime(t);
        last_advance_ms = t;
      }
      if ((file_records & 4095) == 0) {
        const Clock::time_point now = Clock::now();
        if (now - last_tick >= std::chrono::seconds(1)) {
          stages->agent_store.Tick(&pipeline, last_advance_ms);  // the fleet ring's losses
          last_tick = now;
        }
        if (progress && now - last_shown >= std::chrono::milliseconds(250)) {
          last_shown = now;
          const double elapsed = std::chrono::duration<double>(now - started).count();
          const uint64_t bytes = done_bytes + file.consumed();
          const uint64_t records = totals.records + pipeline.counters().records;
          const double left =
              bytes > 0 ? elapsed * static_cast<double>(total_bytes - std::min(bytes, total_bytes)) /
                              static_cast<double>(bytes)
                        : 0;
          std::cerr << fmt::format("\rauditlens import: {} / {}, {:.0f} records/s, {} left   ",
                                   Megabytes(bytes), Megabytes(total_bytes),
                                   elapsed > 0 ? records / elapsed : 0.0, Duration(left))
                    << std::flush;
          shown_progress = true;
        }
      }
    }
    done_bytes += f.size;
    if (!read_error) completed.emplace_back(&f, file_records);
  }
  if (shown_progress) std::cerr << "\r\033[K" << std::flush;
  finish_stages(*stages, last_advance_ms);
  stages.reset();
  const PipelineCounters& c = totals;
  if (!args.postgres.empty()) {
    const PostgresStats& f = fleet_lost;
    const uint64_t lost = f.queue_dropped + f.spool_dropped + f.spool_rows + f.rejected;
    if (lost > 0) {
      Log(fmt::format("the fleet store did not take every row: {} dropped by its full queue, {} "
                      "by its full spool, {} still spooled (database unreachable: {}), {} refused",
                      f.queue_dropped, f.spool_dropped, f.spool_rows,
                      f.last_error.empty() ? "no" : f.last_error, f.rejected));
      status = 1;
    }
  }

  // What the store holds now, and the files it has.
  uint64_t events_after = 0, sessions_after = 0;
  if (!db_path.empty()) {
    if (!registry.Open(db_path, &error)) {
      Log(error);
      return 1;
    }
    for (const auto& [f, records] : completed) {
      if (!registry.Record(f->fingerprint, f->path, records, &error)) {
        Log("cannot record " + f->path + " as imported: " + error);
        status = 1;
      }
    }
    events_after = registry.CountEvents();
    sessions_after = registry.CountSessions(host);
  }

  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  std::string out = fmt::format("auditlens import: {} into {} in {:.1f} s\n",
                                todo.size() == 1 ? "1 file" : std::to_string(todo.size()) + " files",
                                db_path.empty() ? std::string("the fleet store") : db_path, elapsed);
  if (skipped > 0) {
    out += fmt::format("  skipped:   {} files (imported already, or given twice)\n", skipped);
  }
  out += fmt::format("  records:   {} ({:.0f} records/s)\n", c.records,
                     elapsed > 0 ? c.records / elapsed : 0.0);
  if (!db_path.empty()) {
    out += fmt::format("  events:    {} ({} new in the store)\n", c.events,
                       events_after - std::min(events_after, events_before));
    out += fmt::format("  sessions:  {} of host {} in the store ({} new)\n", sessions_after, host,
                       sessions_after - std::min(sessions_after, sessions_before));
  } else {
    out += fmt::format("  events:    {}\n", c.events);
  }
  std::string host_list;
  for (const std::string& h : hosts) host_list += (host_list.empty() ? "" : ", ") + h;
  out += fmt::format("  hosts:     {} ({})\n", hosts.size(), host_list);
  if (boots > 1) out += fmt::format("  boots:     {} (the kernel's serials started again)\n", boots);
  if (c.records > 0) {
    out += fmt::format("  time:      {} to {}\n", FormatIsoMs(static_cast<int64_t>(first_ms)),
                       FormatIsoMs(static_cast<int64_t>(last_ms)));
  }
  out += fmt::format("  malformed: {} lines\n", malformed_count);
  for (const Malformed& m : malformed) {
    out += fmt::format("    {}:{}: {}\n", m.file, m.line, m.why);
  }
  if (malformed_count > malformed.size()) {
    out += fmt::format("    ({} more not shown; --max-errors-shown)\n",
                       malformed_count - malformed.size());
  }
  if (hosts.size() > 1) {
    out += fmt::format("  note: the records name {} hosts; the store's rows are all host {}'s "
                       "(import each host's log on its own)\n",
                       hosts.size(), host);
  }
  std::cerr << out;
  if (c.records == 0) {
    Log("no audit record read");
    return 1;
  }
  return status;
}

}  // namespace

void AddImportCommand(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Build sessions and timelines in the store from auditd logs of any host");
  cmd->add_option("inputs", args->inputs,
                  "auditd log files (RAW or ENRICHED, plain or gzip/xz/zstd) and directories "
                  "(their audit.log* files)")
      ->type_name("FILE|DIR")
      ->required();
  cmd->add_option("--host", args->host,
                  "the name of the host that wrote the log (default: its node=; required without)")
      ->type_name("NAME");
  CLI::Option* db = cmd->add_option(
      "--db", args->db, "the store file to write (default: the configured store's path)");
  db->type_name("FILE");
  CLI::Option* pg = cmd->add_option(
      "--postgres", args->postgres, "write the fleet store instead (a libpq conninfo or URI)");
  pg->type_name("URL");
  db->excludes(pg);
  CLI::Option* resolve =
      cmd->add_option("--resolve-names", args->resolve_names,
                      "names of uids the log does not give itself: 'none' (the default: ids stay "
                      "numbers) or 'local' (this machine's)")
          ->type_name("SOURCE")
          ->check(CLI::IsMember({"local", "none"}));
  CLI::Option* passwd = cmd->add_option("--passwd", args->passwd_file,
                                        "the log's host's passwd file (with --group)");
  passwd->type_name("FILE");
  CLI::Option* group =
      cmd->add_option("--group", args->group_file, "the log's host's group file (with --passwd)");
  group->type_name("FILE");
  passwd->needs(group);
  group->needs(passwd);
  resolve->excludes(passwd);
  resolve->excludes(group);
  cmd->add_option("--timeout-ms", args->timeout_ms,
                  "log time after which an event with no further records is complete (default 2000)")
      ->type_name("MS");
  cmd->add_option("--max-errors-shown", args->max_errors_shown,
                  "malformed lines listed in the summary (default 20; all are counted)")
      ->type_name("N");
  cmd->add_option("--progress", args->progress,
                  "progress on stderr: auto (on a terminal), always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->footer(
      "The files are read in time order (by their first record's stamp, not their names), through\n"
      "the live agent's own stages, so that sessions, timeline and trace work on the result. The\n"
      "log is read as written: its host is node= or --host (never this machine's name), names of\n"
      "ids are the log's own (ENRICHED), else numbers (or --resolve-names local, or the log host's\n"
      "--passwd/--group); no /proc is read (a process is known from its first record). Importing\n"
      "the same file again adds nothing: a file whose size and first and last 64 KiB were imported\n"
      "is skipped, and the same records give the same rows. Imported rows are not subject to\n"
      "retention during the import. See docs/import.md.\n"
      "\n"
      "Exit status:\n"
      "  0  imported (malformed lines are listed in the summary), or every file was imported\n"
      "     already\n"
      "  1  an input or the store could not be opened or read, or no audit record was read\n"
      "  2  usage error; the log names no host (no node=) and --host was not given\n");
  cmd->callback([args]() {
    int rc = RunImport(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
