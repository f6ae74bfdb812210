// output/output_profile: the compact profile's capability sets. Each short form ("all", "all but
// a,b", a list, "none") names exactly the capabilities the full profile lists; on recorded logs
// (tests/data) the compact line is the full line with only capability sets rewritten, every one of
// which still says the same set: nothing the records said is lost.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
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
  return Split(out);
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
  EXPECT_FALSE(ParseOutputProfile("lean", &p, &why));
  EXPECT_NE(why.find("\"full\" or \"compact\""), std::string::npos) << why;
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

}  // namespace
}  // namespace auditlens
