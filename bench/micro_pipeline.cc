// Micro-benchmarks of each pipeline stage over a log made on this machine's kernel
// (tests/data/differential/corpus-debian12.log, or the file named by AUDITLENS_MICRO_LOG).
// Run: build/release/bench/bench_micro [--benchmark_filter=...]. Items are records.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/pipeline.h"
#include "assemble/assembler.h"
#include "decode/parsed_event.h"
#include "output/event_json.h"
#include "output/json_writer.h"
#include "output/output_file.h"
#include "record/fields.h"
#include "record/record.h"

namespace auditlens {
namespace {

struct Corpus {
  std::string text;
  std::vector<std::string_view> lines;
  std::vector<Record> records;

  Corpus() {
    const char* path = getenv("AUDITLENS_MICRO_LOG");
    std::ifstream in(path ? path : AUDITLENS_CORPUS, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    size_t start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      if (nl > start) lines.emplace_back(text.data() + start, nl - start);
      start = nl + 1;
    }
    for (std::string_view l : lines) {
      Record r;
      if (ParseLogRecord(l, &r) == nullptr) records.push_back(r);
    }
  }
};

const Corpus& GetCorpus() {
  static const Corpus corpus;
  return corpus;
}

class NullSink : public EventSink {
 public:
  void OnEvent(const Event& e) override { benchmark::DoNotOptimize(e.record_count()); }
};

class FormatSink : public EventSink {
 public:
  FormatSink() : formatter_("bench") { out_.reserve(1 << 20); }
  void OnEvent(const Event& e) override {
    parsed_.Parse(e);
    formatter_.Format(parsed_, &out_);
    if (out_.size() > (1 << 20)) out_.clear();
  }
  size_t bytes = 0;

 private:
  ParsedEvent parsed_;
  EventJsonFormatter formatter_;
  std::string out_;
};

void BM_ParseLogRecord(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  Record r;
  for (auto _ : state) {
    for (std::string_view l : c.lines) benchmark::DoNotOptimize(ParseLogRecord(l, &r));
  }
  state.SetItemsProcessed(state.iterations() * c.lines.size());
}
BENCHMARK(BM_ParseLogRecord);

void BM_SplitFields(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  std::vector<Field> fields;
  for (auto _ : state) {
    for (const Record& r : c.records) {
      fields.clear();
      SplitFields(r.body, &fields);
      benchmark::DoNotOptimize(fields.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * c.records.size());
}
BENCHMARK(BM_SplitFields);

void BM_Assemble(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  NullSink sink;
  AssemblerOptions options;
  options.expect_eoe = false;
  Assembler assembler(options, &sink);
  for (auto _ : state) {
    for (const Record& r : c.records) assembler.Add(r);
    assembler.Flush();
  }
  state.SetItemsProcessed(state.iterations() * c.records.size());
}
BENCHMARK(BM_Assemble);

void BM_AssembleDecodeFormat(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  FormatSink sink;
  AssemblerOptions options;
  options.expect_eoe = false;
  Assembler assembler(options, &sink);
  for (auto _ : state) {
    for (const Record& r : c.records) assembler.Add(r);
    assembler.Flush();
  }
  state.SetItemsProcessed(state.iterations() * c.records.size());
}
BENCHMARK(BM_AssembleDecodeFormat);

// The summary's lookups on the SYSCALL record (ids, comm, exe, key...): split once, then indexed
// (and, for a body seen before, the split and index come from ParsedEvent's memo).
class SubjectLookupSink : public EventSink {
 public:
  void OnEvent(const Event& e) override {
    parsed_.Parse(e);
    const int r = parsed_.syscall_record();
    if (r < 0) return;
    static constexpr std::string_view kNames[] = {"pid", "ppid", "comm", "exe", "tty", "uid",
                                                  "euid", "auid", "gid", "ses", "key", "success"};
    for (std::string_view n : kNames) benchmark::DoNotOptimize(parsed_.Get(r, n).size());
  }

 private:
  ParsedEvent parsed_;
};

void BM_SubjectLookups(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  SubjectLookupSink sink;
  AssemblerOptions options;
  options.expect_eoe = false;
  Assembler assembler(options, &sink);
  for (auto _ : state) {
    for (const Record& r : c.records) assembler.Add(r);
    assembler.Flush();
  }
  state.SetItemsProcessed(state.iterations() * c.records.size());
}
BENCHMARK(BM_SubjectLookups);

void BM_JsonEscapeAscii(benchmark::State& state) {
  std::string value = "/usr/lib/x86_64-linux-gnu/libaudit.so.1.0.0";
  std::string out;
  out.reserve(1 << 16);
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < 100; ++i) JsonWriter::AppendEscaped(value, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * 100 * value.size());
}
BENCHMARK(BM_JsonEscapeAscii);

// The whole of `auditlens parse` but the file reading: lines → JSON in memory.
void BM_FullPipeline(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  OutputFile output;
  std::string error;
  output.Open("/dev/null", &error);
  PipelineOptions options;
  options.assembler.expect_eoe = false;
  options.hostname = "bench";
  Pipeline pipeline(options, &output);
  Record r;
  for (auto _ : state) {
    for (std::string_view l : c.lines) {
      if (ParseLogRecord(l, &r) == nullptr) pipeline.AddRecord(r);
    }
    pipeline.Flush();
  }
  state.SetItemsProcessed(state.iterations() * c.lines.size());
}
BENCHMARK(BM_FullPipeline);

// Appending JSON lines to a file as the agent does (256 KiB writes), with the blocks reserved
// ahead (arg: reservation in MiB; 0 = off). CPU time includes the kernel's: that is the point. The
// file is in the working directory (the filesystem the output would be on) and rewritten per
// 64 MiB, so the page cache does not grow without bound.
void BM_OutputFileAppend(benchmark::State& state) {
  const std::string path = "bench_output_file.json";
  const std::string line(1665, 'x');  // a connect event's JSON is about that long
  const size_t per_file = (64u << 20) / (line.size() + 1);
  std::unique_ptr<OutputFile> out;
  std::string error;
  size_t lines = 0;
  for (auto _ : state) {
    if (lines % per_file == 0) {
      state.PauseTiming();
      out.reset();
      unlink(path.c_str());
      out = std::make_unique<OutputFile>();
      out->set_reserve_bytes(static_cast<uint64_t>(state.range(0)) << 20);
      if (!out->Open(path, &error)) state.SkipWithError(error.c_str());
      state.ResumeTiming();
    }
    out->buffer()->append(line);
    out->buffer()->push_back('\n');
    out->MaybeFlush();
    ++lines;
  }
  out.reset();
  unlink(path.c_str());
  state.SetBytesProcessed(static_cast<int64_t>(lines * (line.size() + 1)));
}
BENCHMARK(BM_OutputFileAppend)->Arg(0)->Arg(4);

}  // namespace
}  // namespace auditlens

BENCHMARK_MAIN();
