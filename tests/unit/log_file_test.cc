// src/record/log_file (auditlens import's input): plain and gzip/xz/zstd files read as the same
// lines, compression known by magic bytes (not by the name), a damaged stream an error after the
// lines before it, fingerprints equal for equal content; src/store/import_registry: files recorded
// as imported are found again.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "record/log_file.h"
#include "store/import_registry.h"
#include "store/sqlite_store.h"

namespace auditlens {
namespace {

class LogFileTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/log_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream out(dir_ + "/plain");
    for (int i = 0; i < 5000; ++i) {
      out << "type=SYSCALL msg=audit(1795400000." << (i % 1000 + 1000) % 1000 << ":" << i
          << "): arch=c000003e syscall=59 success=yes pid=" << i << "\n";
    }
  }
  void TearDown() override { ASSERT_EQ(system(("rm -rf " + dir_).c_str()), 0); }

  // The lines of path through LogFile and LineReader; *status: how the reading ended.
  std::vector<std::string> Read(const std::string& path, LineReader::Status* status,
                                LogFile::Compression* compression) {
    LogFile file;
    std::string error;
    EXPECT_TRUE(file.Open(path, &error)) << error;
    *compression = file.compression();
    LineReader reader(&file);
    std::vector<std::string> out;
    std::string_view line;
    uint64_t n = 0;
    for (;;) {
      *status = reader.Next(&line, &n);
      if (*status != LineReader::Status::kLine) break;
      out.emplace_back(line);
    }
    EXPECT_EQ(file.consumed(), file.size()) << path;
    return out;
  }

  std::string dir_;
};

TEST_F(LogFileTest, CompressedFilesReadAsThePlainOne) {
  LineReader::Status st;
  LogFile::Compression c;
  const std::vector<std::string> plain = Read(dir_ + "/plain", &st, &c);
  ASSERT_EQ(plain.size(), 5000u);
  EXPECT_EQ(st, LineReader::Status::kEnd);
  EXPECT_EQ(c, LogFile::Compression::kNone);
  struct Case {
    const char* tool;
    LogFile::Compression compression;
    const char* name;
  } cases[] = {{"gzip", LogFile::Compression::kGzip, "gzip"},
               {"xz", LogFile::Compression::kXz, "xz"},
               {"zstd -q", LogFile::Compression::kZstd, "zstd"}};
  for (const Case& k : cases) {
    // Named audit.log: the magic bytes decide, not the name.
    const std::string path = dir_ + "/audit.log";
    ASSERT_EQ(system((std::string(k.tool) + " -c " + dir_ + "/plain > " + path).c_str()), 0);
    EXPECT_EQ(Read(path, &st, &c), plain) << k.tool;
    EXPECT_EQ(st, LineReader::Status::kEnd) << k.tool;
    EXPECT_EQ(c, k.compression) << k.tool;
    EXPECT_STREQ(LogFile::CompressionName(c), k.name);
  }
}

TEST_F(LogFileTest, DamagedStreamEndsInAnErrorAfterTheLinesBeforeIt) {
  const std::string path = dir_ + "/cut.gz";
  ASSERT_EQ(system(("gzip -c " + dir_ + "/plain | head -c 20000 > " + path).c_str()), 0);
  LogFile file;
  std::string error;
  ASSERT_TRUE(file.Open(path, &error)) << error;
  LineReader reader(&file);
  std::string_view line;
  uint64_t n = 0, lines = 0;
  LineReader::Status st;
  while ((st = reader.Next(&line, &n)) == LineReader::Status::kLine) ++lines;
  EXPECT_EQ(st, LineReader::Status::kError);
  EXPECT_GT(lines, 100u);
  EXPECT_LT(lines, 5000u);
  EXPECT_NE(file.error().find("gzip stream"), std::string::npos) << file.error();
}

TEST_F(LogFileTest, OpenFailsWithAReason) {
  LogFile file;
  std::string error;
  EXPECT_FALSE(file.Open(dir_ + "/missing", &error));
  EXPECT_NE(error.find("cannot open " + dir_ + "/missing"), std::string::npos) << error;
  EXPECT_FALSE(file.Open(dir_, &error));
  EXPECT_NE(error.find("is a directory"), std::string::npos) << error;
}

TEST_F(LogFileTest, FingerprintsFollowTheContent) {
  std::string a, b, c, error;
  ASSERT_EQ(system(("cp " + dir_ + "/plain " + dir_ + "/copy").c_str()), 0);
  ASSERT_TRUE(LogFile::Fingerprint(dir_ + "/plain", &a, &error)) << error;
  ASSERT_TRUE(LogFile::Fingerprint(dir_ + "/copy", &b, &error)) << error;
  EXPECT_EQ(a, b);
  const long size = std::ifstream(dir_ + "/plain", std::ios::ate).tellg();
  EXPECT_EQ(a.substr(0, a.find('-')), std::to_string(size));  // "<size>-<sha256>"
  EXPECT_EQ(a.size() - a.find('-') - 1, 64u);
  // The last line changed: another fingerprint (the tail is hashed too).
  ASSERT_EQ(system(("sed -i '$ s/pid=4999/pid=4998/' " + dir_ + "/copy").c_str()), 0);
  ASSERT_TRUE(LogFile::Fingerprint(dir_ + "/copy", &c, &error)) << error;
  EXPECT_NE(a, c);
  EXPECT_FALSE(LogFile::Fingerprint(dir_ + "/missing", &c, &error));
}

TEST_F(LogFileTest, RegistryRemembersImportedFiles) {
  ImportRegistry none;
  std::string error, was;
  ASSERT_TRUE(none.Open(dir_ + "/no.db", &error)) << error;  // no store yet: nothing imported
  EXPECT_FALSE(none.exists());
  EXPECT_FALSE(none.Imported("1-ab", &was));
  {
    StoreOptions options;
    options.path = dir_ + "/s.db";
    options.host = "h";
    SqliteStore store;
    ASSERT_TRUE(store.Open(options, &error)) << error;
    store.Close();
  }
  ImportRegistry r;
  ASSERT_TRUE(r.Open(dir_ + "/s.db", &error)) << error;
  EXPECT_FALSE(r.Imported("1-ab", &was));
  ASSERT_TRUE(r.Record("1-ab", "/x/audit.log.1", 7, &error)) << error;
  EXPECT_TRUE(r.Imported("1-ab", &was));
  EXPECT_EQ(was, "/x/audit.log.1");
  EXPECT_EQ(r.CountEvents(), 0u);
  EXPECT_EQ(r.CountSessions("b"), 0u);
  ImportRegistry bad;
  EXPECT_FALSE(bad.Open(dir_ + "/plain", &error));
  EXPECT_NE(error.find("not an auditlens store"), std::string::npos) << error;
}

}  // namespace
}  // namespace auditlens
