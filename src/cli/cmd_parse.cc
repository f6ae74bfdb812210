// `auditlens parse [--host NAME] [FILE...]`: auditd log lines (RAW or ENRICHED) → JSON lines on
// stdout. A log is read as it was written, wherever that was: its host is its node= or --host,
// never this machine's name; an ENRICHED log's own names of its ids win over this machine's
// passwd and group; records of types this build does not know are kept.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>

#include "agent/filtering.h"
#include "agent/pipeline.h"
#include "config/config.h"
#include "enrich/process_table.h"
#include "cli/commands.h"
#include "enrich/network_enricher.h"
#include "record/line_reader.h"
#include "record/record.h"

namespace auditlens {
namespace {

struct ParseArgs {
  std::vector<std::string> files;
  std::string output = "-";
  uint32_t timeout_ms = 2000;
  uint32_t max_errors_shown = 100;
  bool strict = false;
  std::string host;  // host.name of records without node=; empty: left out
  std::string resolve_names = "local";  // ids the log does not name: "local" or "none"
  std::string passwd_file;              // the log's host's passwd and group files
  std::string group_file;
  std::string config_path;     // its [[filters]], [[labels]] and [output] profile
  std::string dropped_output;  // where filtered events go ("" nowhere)
  std::string profile;         // output profile; "" the config's, else full
};

int RunParse(const ParseArgs& args) {
  OutputFile output;
  output.set_create_parent_dirs(false);  // a mistyped -o directory is an error, not a new directory
  std::string error;
  if (!output.Open(args.output, &error)) {
    std::cerr << "auditlens parse: " << error << "\n";
    return 1;
  }
  // The agent's filters and labels, from its config: the same tables, the same decisions.
  Filtering filtering;
  std::string profile_name = "full";
  if (!args.config_path.empty()) {
    Config config;
    if (!LoadConfig(args.config_path, &config, &error) ||
        !filtering.Build(config.filtering, &error)) {
      std::cerr << "auditlens parse: " << error << "\n";
      return 1;
    }
    profile_name = config.filtering.profile;
    if (filtering.rules() != nullptr && filtering.rules()->reads_cgroup()) {
      std::cerr << "auditlens parse: note: a log says nothing of containers and services: "
                   "filters on them match no event here\n";
    }
  }
  OutputFile dropped;
  dropped.set_create_parent_dirs(false);
  if (!args.dropped_output.empty() && !dropped.Open(args.dropped_output, &error)) {
    std::cerr << "auditlens parse: " << error << "\n";
    return 1;
  }
  PipelineOptions options;
  if (!args.profile.empty()) profile_name = args.profile;
  if (!ParseOutputProfile(profile_name, &options.profile, &error)) {
    std::cerr << "auditlens parse: " << error << "\n";
    return 1;
  }
  options.assembler.expect_eoe = false;  // logs never contain EOE
  options.assembler.timeout_ms = args.timeout_ms;
  // The log may come from anywhere: only node= or --host name its host (formatter: no name else).
  options.hostname = args.host;
  // No live process behind a log: the network fields say what the records say, nothing looked up.
  NetworkEnricher network(nullptr);
  options.enrichers.push_back(&network);
  // Labels live in the process table: with [[labels]] the log's processes are followed too (no
  // /proc: only what the log shows), and process.entity_id and its kin are written.
  std::unique_ptr<ProcessTable> table;
  if (const ProcessLabeler* labeler = filtering.labels()) {
    ProcessTableOptions table_options;
    table_options.boot_id = "parse";
    table_options.labeler = labeler;
    table = std::make_unique<ProcessTable>(table_options);
    options.enrichers.push_back(table.get());
    options.label_names = &labeler->names();
  }
  options.rules = filtering.rules();
  if (!args.dropped_output.empty()) options.dropped_file = &dropped;
  Pipeline pipeline(options, &output);
  // Names of ids the log itself does not give (an ENRICHED log gives its own, which win).
  IdNames& ids = pipeline.id_names();
  if (!args.passwd_file.empty() || !args.group_file.empty()) {
    if (!ids.LoadFiles(args.passwd_file, args.group_file, &error)) {
      std::cerr << "auditlens parse: " << error << "\n";
      return 1;
    }
  } else if (args.resolve_names == "none") {
    ids.set_source(IdNames::Source::kNone);
  }

  uint64_t malformed = 0;
  uint64_t shown = 0;
  uint64_t without_host = 0;  // records with neither node= nor --host
  int status = 0;
  std::vector<std::string> inputs = args.files;
  if (inputs.empty()) inputs.push_back("-");
  for (const std::string& name : inputs) {
    int fd = name == "-" ? STDIN_FILENO : open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "auditlens parse: cannot open " << name << ": " << strerror(errno) << "\n";
      status = 1;
      continue;
    }
    const std::string shown_name = name == "-" ? "<stdin>" : name;
    LineReader reader(fd);
    uint64_t line_number = 0;
    uint64_t last_advance_ms = 0;
    Record record;
    for (;;) {
      const char* why = nullptr;
      const LogRead got = NextLogRecord(reader, &record, &line_number, &why);
      if (got == LogRead::kEnd) break;
      if (got == LogRead::kError) {
        std::cerr << "auditlens parse: " << shown_name << ": read error: " << strerror(reader.error())
                  << "\n";
        status = 1;
        break;
      }
      if (got == LogRead::kMalformed) {
        ++malformed;
        if (shown++ < args.max_errors_shown) {
          std::cerr << "auditlens parse: " << shown_name << ":" << line_number << ": " << why << "\n";
        }
        continue;
      }
      without_host += record.node.empty();
      pipeline.AddRecord(record);
      // Stream time: complete events that saw no record for the timeout, checked every 100 ms of
      // log time rather than on every line.
      uint64_t newest = record.time_ms();
      if (newest >= last_advance_ms + 100) {
        pipeline.AdvanceTime(newest);
        last_advance_ms = newest;
      }
    }
    if (fd != STDIN_FILENO) close(fd);
  }
  pipeline.Flush(0);
  output.Flush();
  if (!args.dropped_output.empty() && !dropped.Flush()) {
    std::cerr << "auditlens parse: " << dropped.last_error() << "\n";
    status = 1;
  }
  PipelineCounters c = pipeline.counters();
  if (shown > args.max_errors_shown) {
    std::cerr << "auditlens parse: " << (shown - args.max_errors_shown)
              << " more malformed lines not shown\n";
  }
  std::cerr << "auditlens parse: " << c.records << " records, " << c.events << " events, "
            << malformed << " malformed lines\n";
  if (const FilterSet* rules = filtering.rules()) {
    std::cerr << "auditlens parse: " << c.filtered << " events dropped by filters;";
    for (const FilterSet::Counter& f : rules->counters()) {
      std::cerr << " " << f.name << " (" << (f.drop ? "drop" : "keep") << ") " << f.matched;
    }
    std::cerr << "\n";
  }
  if (args.host.empty() && without_host > 0) {
    std::cerr << "auditlens parse: " << without_host
              << " records have no node= and no --host was given: their host is unknown, "
                 "host.name is left out\n";
  }
  if (output.write_errors() > 0) {
    std::cerr << "auditlens parse: " << output.last_error() << "\n";
    return 1;
  }
  if (c.records == 0) {
    // Nothing in the input was an audit record (an empty file, or not an audit log at all).
    std::cerr << "auditlens parse: no audit record read"
              << (malformed > 0 ? " (every non-empty line was malformed)" : "") << "\n";
    return 1;
  }
  if (args.strict && malformed > 0) return 1;
  return status;
}

}  // namespace

void AddParseCommand(CLI::App& app) {
  auto args = std::make_shared<ParseArgs>();
  CLI::App* cmd = app.add_subcommand(
      "parse", "Decode auditd log files (or standard input) into JSON lines, one per event");
  cmd->add_option("files", args->files, "auditd log files, RAW or ENRICHED; '-' or none: stdin")
      ->type_name("FILE");
  cmd->add_option("-o,--output", args->output, "where to write the JSON lines ('-': stdout); its directory must exist")
      ->type_name("PATH");
  cmd->add_option("--timeout-ms", args->timeout_ms,
                  "log time after which an event with no further records is complete (default 2000)")
      ->type_name("MS");
  cmd->add_option("--max-errors-shown", args->max_errors_shown,
                  "malformed lines reported one by one before only counting them (default 100)")
      ->type_name("N");
  cmd->add_flag("--strict", args->strict, "exit 1 when any line was malformed");
  CLI::Option* resolve = cmd->add_option("--resolve-names", args->resolve_names,
                  "names of uids and gids the log does not give itself: 'local' (this machine's, "
                  "the default) or 'none' (ids stay numbers)")
      ->type_name("SOURCE")
      ->check(CLI::IsMember({"local", "none"}));
  CLI::Option* passwd = cmd->add_option(
      "--passwd", args->passwd_file,
      "the log's host's passwd file: names of uids the log does not give itself (with --group)");
  passwd->type_name("FILE");
  CLI::Option* group = cmd->add_option(
      "--group", args->group_file,
      "the log's host's group file: names of gids the log does not give itself (with --passwd)");
  group->type_name("FILE");
  passwd->needs(group);
  group->needs(passwd);
  resolve->excludes(passwd);
  resolve->excludes(group);
  cmd->add_option("-c,--config", args->config_path,
                  "apply the [[filters]] and [[labels]] of this agent config (docs/filters.md)")
      ->type_name("FILE");
  cmd->add_option("--profile", args->profile,
                  "output profile: full (the default), compact, lean or brief (docs/schema.md); overrides the "
                  "config's [output] profile")
      ->type_name("NAME");
  cmd->add_option("--dropped-output", args->dropped_output,
                  "write the events the filters drop here instead of nowhere ('-': stdout)")
      ->type_name("PATH");
  cmd->add_option("--host", args->host,
                  "host.name of the records that have no node= (default: none, the host is unknown)")
      ->type_name("NAME");
  cmd->footer(
      "Logs are read as written, also those of other hosts and auditd versions: a record type\n"
      "this build does not know is kept under its name (or UNKNOWN[n]) with its fields; the stamp\n"
      "may lack msg= or the ':' after it. An ENRICHED log's names of its ids (after the 0x1d\n"
      "byte) win; ids it does not name get this machine's names, none (--resolve-names none), or\n"
      "those of --passwd/--group (then nothing is looked up here). host.name is the record's\n"
      "node=, else --host, else left out: the name of the machine running parse is never used.\n"
      "\n"
      "A line is dropped only when it has no type or no readable audit(...) stamp. Dropped lines\n"
      "are reported on stderr as FILE:LINE: reason (the first --max-errors-shown of them, then a\n"
      "count); the good lines around them still become events.\n"
      "\n"
      "Exit status:\n"
      "  0  at least one record was read (other lines may have been malformed)\n"
      "  1  no audit record was read at all (empty input, or not an audit log); an input or\n"
      "     the output could not be opened or written (-o never creates a directory); or\n"
      "     --strict and a line was malformed\n"
      "  2  usage error\n");
  cmd->callback([args]() {
    int rc = RunParse(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
