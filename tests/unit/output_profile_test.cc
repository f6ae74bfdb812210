// output/output_profile: the compact profile's capability sets. Each short form ("all", "all but
// a,b", a list, "none") names exactly the capabilities the full profile lists; on recorded logs
// (tests/data) the compact line is the full line with only capability sets rewritten, every one of
// which still says the same set: nothing the records said is lost.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "agent/pipeline.h"
#include "common/json_value.h"
#include "decode/value_decoder.h"
#include "enrich/network_enricher.h"
#include "output/output_profile.h"
#include "record/record.h"

namespace auditlens {
namespace {

std::set<std::string> Split(std::string_view list) {
  std::set<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    out.insert(std::string(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// Every capability name this build knows (full's rendering of the whole 64-bit set).
std::set<std::string> AllNames() {
  ValueDecoder d;
  std::string out;
  d.Decode(FieldKind::kCapBitmap, "ffffffffffffffff", SyscallContext(), &out);
  std::set<std::string> names;
  for (const std::string& name : Split(out)) {
    if (name.rfind("cap_", 0) != 0) names.insert(name);  // cap_N: a bit without a name
  }
  return names;
}

// The set a compact value names.
std::set<std::string> FromCompact(const std::string& text) {
  if (text == "all") return AllNames();
  if (text == "none") return {};
  if (text.rfind("all but ", 0) == 0) {
    std::set<std::string> out = AllNames();
    for (const std::string& name : Split(text.substr(8))) {
      EXPECT_EQ(out.erase(name), 1u) << text;
    }
    return out;
  }
  return Split(text);
}

std::set<std::string> FromFull(const std::string& text) {
  return text == "none" ? std::set<std::string>() : Split(text);
}

TEST(OutputProfile, Names) {
  OutputProfile p;
  std::string why;
  ASSERT_TRUE(ParseOutputProfile("full", &p, &why));
  EXPECT_EQ(p, OutputProfile::kFull);
  ASSERT_TRUE(ParseOutputProfile("compact", &p, &why));
  EXPECT_EQ(p, OutputProfile::kCompact);
  EXPECT_EQ(OutputProfileName(p), "compact");
  ASSERT_TRUE(ParseOutputProfile("lean", &p, &why));
  EXPECT_EQ(p, OutputProfile::kLean);
  EXPECT_EQ(OutputProfileName(p), "lean");
  ASSERT_TRUE(ParseOutputProfile("brief", &p, &why));
  EXPECT_EQ(p, OutputProfile::kBrief);
  EXPECT_EQ(OutputProfileName(p), "brief");
  EXPECT_FALSE(ParseOutputProfile("leaner", &p, &why));
  EXPECT_NE(why.find("\"full\", \"compact\", \"lean\" or \"brief\""), std::string::npos) << why;
}

// A bit this build has no name for is written as cap_N, in every profile: none is left out.
TEST(OutputProfile, UnknownCapabilityBitsAreWritten) {
  ValueDecoder d;
  std::string out;
  d.Decode(FieldKind::kCapBitmap, "20000000000", SyscallContext(), &out);
  EXPECT_EQ(out, "cap_41");
  out.clear();
  d.Decode(FieldKind::kCapBitmap, "8000020000000003", SyscallContext(), &out);
  EXPECT_EQ(out, "chown,dac_override,cap_41,cap_63");
  out.clear();
  d.Decode(FieldKind::kCapBitmap, "ffffffffffffffff", SyscallContext(), &out);
  EXPECT_NE(out.find(",checkpoint_restore,cap_41,cap_42,"), std::string::npos) << out;
  EXPECT_EQ(out.substr(out.size() - 7), ",cap_63") << out;
  // One capability by number (capability=): a number without a name, or past any table, is
  // written as unknown, never read past the table.
  for (const char* raw : {"41", "64", "4000000000"}) {
    out.clear();
    d.Decode(FieldKind::kCapability, raw, SyscallContext(), &out);
    EXPECT_EQ(out, "unknown-capability(" + std::string(raw) + ")");
  }
  out.clear();
  d.Decode(FieldKind::kCapability, "21", SyscallContext(), &out);
  EXPECT_EQ(out, "sys_admin");
  out.clear();
  d.Decode(FieldKind::kCapBitmap, "ffffffffffffffff", SyscallContext(), &out);
  // compact: with a nameless bit, the plain list (never "all"/"all but", which name known ones).
  std::string compact;
  ValueDecoder::AppendCapSetCompact("ffffffffffffffff", &compact);
  EXPECT_EQ(compact, out);
  compact.clear();
  ValueDecoder::AppendCapSetCompact("20000000000", &compact);
  EXPECT_EQ(compact, "cap_41");
}

TEST(OutputProfile, CompactCapabilitySetsNameTheSameSet) {
  ValueDecoder d;
  const size_t known = AllNames().size();
  ASSERT_GT(known, 38u);
  std::vector<uint64_t> values = {0, 1, 0x1fffffffffull, 0x1ffffffffffull, 0x000001fffeffffffull,
                                  0xffffffffffffffffull, 0x3000000000ull, 0xffffffffull};
  std::mt19937_64 random(25);
  for (int i = 0; i < 2000; ++i) values.push_back(random() & (i % 2 ? 0x1ffffffffffull : ~0ull));
  for (uint64_t v : values) {
    char hex[24];
    snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(v));
    std::string full, compact;
    d.Decode(FieldKind::kCapBitmap, hex, SyscallContext(), &full);
    ValueDecoder::AppendCapSetCompact(hex, &compact);
    EXPECT_EQ(FromCompact(compact), FromFull(full)) << hex << ": " << compact << " vs " << full;
    EXPECT_LE(compact.size(), full.size()) << hex;
  }
  std::string s;
  ValueDecoder::AppendCapSetCompact("000001fffeffffff", &s);
  EXPECT_EQ(s, "all but sys_resource");
  s.clear();
  ValueDecoder::AppendCapSetCompact("0", &s);
  EXPECT_EQ(s, "none");
  s.clear();
  ValueDecoder::AppendCapSetCompact("3", &s);
  EXPECT_EQ(s, "chown,dac_override");
}

std::vector<std::string> Lines(const std::string& log_path, OutputProfile profile) {
  PipelineOptions po;
  po.assembler.expect_eoe = false;
  po.profile = profile;
  NetworkEnricher network(nullptr);
  po.enrichers.push_back(&network);
  const std::string path = ::testing::TempDir() + "profile." + std::to_string(getpid());
  OutputFile out;
  std::string error;
  EXPECT_TRUE(out.Open(path, &error)) << error;
  {
    Pipeline p(po, &out);
    std::ifstream in(log_path, std::ios::binary);
    Record rec;
    for (std::string line; std::getline(in, line);) {
      if (ParseLogRecord(line, &rec) == nullptr) p.AddRecord(rec);
    }
    p.Flush();
  }
  EXPECT_TRUE(out.Flush());
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::remove(path.c_str());
  return lines;
}

bool IsCapField(const std::string& type, const std::string& name) {
  static const std::set<std::string> kFcaps = {"fp", "fi", "fe", "old_pp", "old_pi", "old_pe",
                                               "old_pa", "pp", "pi", "pe", "pa"};
  if (type == "BPRM_FCAPS") return kFcaps.count(name) > 0;
  if (type == "CAPSET") return name.rfind("cap_", 0) == 0;
  return false;
}

TEST(OutputProfile, CompactLosesNothingOfRecordedLogs) {
  size_t sets = 0, shorter = 0, bytes_full = 0, bytes_compact = 0;
  for (const char* log : {"/differential/corpus-debian12.log", "/unit/machine_enriched.log",
                          "/sessions/ssh_interactive_sudo_su.log", "/foreign/db7_enriched.log"}) {
    const std::vector<std::string> full = Lines(std::string(AUDITLENS_TEST_DATA) + log, OutputProfile::kFull);
    const std::vector<std::string> compact =
        Lines(std::string(AUDITLENS_TEST_DATA) + log, OutputProfile::kCompact);
    ASSERT_EQ(full.size(), compact.size()) << log;
    ASSERT_FALSE(full.empty()) << log;
    for (size_t i = 0; i < full.size(); ++i) {
      bytes_full += full[i].size();
      bytes_compact += compact[i].size();
      JsonValue f, c;
      ASSERT_TRUE(JsonValue::Parse(full[i], &f)) << full[i];
      ASSERT_TRUE(JsonValue::Parse(compact[i], &c)) << compact[i];
      // The summary is the same: the part of the line before auditd.records.
      const size_t records_at = full[i].find("\"records\":[");
      ASSERT_NE(records_at, std::string::npos);
      EXPECT_EQ(compact[i].substr(0, records_at), full[i].substr(0, records_at));
      const auto& fr = f["auditd"]["records"].items();
      const auto& cr = c["auditd"]["records"].items();
      ASSERT_EQ(fr.size(), cr.size()) << full[i];
      for (size_t r = 0; r < fr.size(); ++r) {
        const std::string type = fr[r].Str("type");
        ASSERT_EQ(fr[r].members().size(), cr[r].members().size()) << full[i];
        for (size_t k = 0; k < fr[r].members().size(); ++k) {
          const auto& [name, fv] = fr[r].members()[k];
          const auto& [cname, cv] = cr[r].members()[k];
          ASSERT_EQ(name, cname);
          if (IsCapField(type, name) && fv.is_string()) {
            ++sets;
            shorter += cv.text().size() < fv.text().size();
            EXPECT_EQ(FromCompact(cv.text()), FromFull(fv.text()))
                << type << "." << name << ": " << cv.text() << " vs " << fv.text();
          } else {
            EXPECT_EQ(cv.text(), fv.text()) << type << "." << name;
          }
        }
      }
      // With the records' capability sets put back in full's words, the lines are byte for byte
      // equal: the profile changed nothing else.
      if (full[i].find("\"BPRM_FCAPS\"") == std::string::npos &&
          full[i].find("\"CAPSET\"") == std::string::npos) {
        EXPECT_EQ(compact[i], full[i]);
      }
    }
  }
  EXPECT_GT(sets, 0u);
  EXPECT_GT(shorter, 0u);
  EXPECT_LT(bytes_compact, bytes_full);
}

// Structural equality of two JSON values (numbers by their text).
bool SameJson(const JsonValue& a, const JsonValue& b) {
  if (a.type() != b.type() || a.text() != b.text()) return false;
  if (a.items().size() != b.items().size() || a.members().size() != b.members().size()) {
    return false;
  }
  for (size_t i = 0; i < a.items().size(); ++i) {
    if (!SameJson(a.items()[i], b.items()[i])) return false;
  }
  for (size_t i = 0; i < a.members().size(); ++i) {
    if (a.members()[i].first != b.members()[i].first ||
        !SameJson(a.members()[i].second, b.members()[i].second)) {
      return false;
    }
  }
  return true;
}

bool IsArgName(const std::string& name) {
  if (name.size() < 2 || name[0] != 'a') return false;
  for (size_t i = 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return name.size() == 2 || name[1] != '0';
}

// Every log the parse tests read.
std::vector<std::string> RecordedLogs() {
  std::vector<std::string> logs;
  for (const char* dir : {"/differential", "/sessions", "/unit", "/foreign", "/containers", "/cgroup"}) {
    const std::string path = std::string(AUDITLENS_TEST_DATA) + dir;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
      if (entry.is_regular_file() && entry.path().extension() == ".log") {
        logs.push_back(entry.path().string());
      }
    }
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

// lean: the summary is compact's, byte for byte, and its records are brief's (what each record
// keeps is checked on every recorded log by tests/cli/test_brief_profile.sh); an event without a
// SYSCALL record is compact's line.
TEST(OutputProfile, LeanIsCompactsSummaryWithBriefsRecords) {
  const std::vector<std::string> logs = RecordedLogs();
  ASSERT_GE(logs.size(), 7u);
  size_t events = 0, trimmed = 0, bytes_compact = 0, bytes_lean = 0;
  for (const std::string& log : logs) {
    const std::vector<std::string> compact = Lines(log, OutputProfile::kCompact);
    const std::vector<std::string> lean = Lines(log, OutputProfile::kLean);
    const std::vector<std::string> brief = Lines(log, OutputProfile::kBrief);
    ASSERT_EQ(compact.size(), lean.size()) << log;
    ASSERT_EQ(brief.size(), lean.size()) << log;
    for (size_t i = 0; i < compact.size(); ++i) {
      ++events;
      bytes_compact += compact[i].size();
      bytes_lean += lean[i].size();
      const size_t at = compact[i].find("\"records\":[");
      if (at == std::string::npos) {
        EXPECT_EQ(lean[i], compact[i]);  // a loss event
        continue;
      }
      EXPECT_EQ(lean[i].substr(0, at), compact[i].substr(0, at)) << log;
      JsonValue l, b;
      ASSERT_TRUE(JsonValue::Parse(lean[i], &l)) << lean[i];
      ASSERT_TRUE(JsonValue::Parse(brief[i], &b)) << brief[i];
      const auto& lr = l["auditd"]["records"].items();
      const auto& br = b["auditd"]["records"].items();
      if (lean[i].substr(at) != compact[i].substr(at)) ++trimmed;
      // The same records kept, with the same members (ids may differ: brief gives no names; the
      // session's number is brief's own), in the same order.
      ASSERT_EQ(lr.size(), br.size()) << lean[i] << "\n" << brief[i];
      for (size_t r = 0; r < lr.size(); ++r) {
        EXPECT_EQ(lr[r].Str("type"), br[r].Str("type"));
        for (const auto& [name, value] : br[r].members()) {
          if (name != "ses") EXPECT_TRUE(lr[r].Has(name)) << name << " in " << lean[i];
        }
      }
    }
  }
  EXPECT_GT(events, 500u);
  EXPECT_GT(trimmed, 400u);
  EXPECT_LT(bytes_lean, bytes_compact);
  std::printf("lean: %zu events, %zu with trimmed records, %zu bytes against compact's %zu\n",
              events, trimmed, bytes_lean, bytes_compact);
}

}  // namespace
}  // namespace auditlens
