// src/agent/security: which config and rules files a root agent trusts, and what it says about a
// kernel it must not change (immutable, panic on loss) — decided on fake status values, since a
// test must never put the kernel into immutable mode.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "agent/security.h"

namespace auditlens {
namespace {

TEST(JudgeMode, RootOwnedAndNotWritableByOthersIsTrusted) {
  EXPECT_EQ(JudgeMode(0, 0, S_IFREG | 0644, 0, false), nullptr);
  EXPECT_EQ(JudgeMode(0, 0, S_IFREG | 0600, 0, false), nullptr);
  EXPECT_EQ(JudgeMode(0, 0, S_IFREG | 0664, 0, false), nullptr);  // group root may write
  EXPECT_EQ(JudgeMode(1000, 1000, S_IFREG | 0644, 1000, false), nullptr);  // the agent's own user
}

TEST(JudgeMode, RefusesWhatOthersCanChange) {
  EXPECT_NE(JudgeMode(0, 0, S_IFREG | 0666, 0, false), nullptr);
  EXPECT_NE(JudgeMode(0, 0, S_IFREG | 0602, 0, false), nullptr);
  EXPECT_NE(JudgeMode(0, 100, S_IFREG | 0664, 0, false), nullptr);   // group users may write
  EXPECT_NE(JudgeMode(1000, 0, S_IFREG | 0600, 0, false), nullptr);  // another user's file
  EXPECT_STREQ(JudgeMode(0, 0, S_IFREG | 0666, 0, false), "is writable by all users");
}

TEST(JudgeMode, StickyDirectoriesMayBeWritableByAll) {
  EXPECT_EQ(JudgeMode(0, 0, S_IFDIR | 01777, 0, true), nullptr);  // /tmp
  EXPECT_NE(JudgeMode(0, 0, S_IFDIR | 0777, 0, true), nullptr);
  EXPECT_NE(JudgeMode(0, 0, S_IFREG | 01666, 0, false), nullptr);  // sticky means nothing on files
}

class TrustedFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/auditlens-security-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    file_ = dir_ + "/auditlens.toml";
    std::ofstream(file_) << "[agent]\n";
    chmod(file_.c_str(), 0644);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, file_;
};

TEST_F(TrustedFile, PrivateFileIsAccepted) {
  std::string error;
  EXPECT_TRUE(CheckTrustedFile(file_, "config file", &error)) << error;
}

TEST_F(TrustedFile, WorldWritableFileIsRefusedWithAClearMessage) {
  chmod(file_.c_str(), 0666);
  std::string error;
  EXPECT_FALSE(CheckTrustedFile(file_, "config file", &error));
  EXPECT_NE(error.find("refusing config file " + file_ + ": it is writable by all users"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("mode 0666"), std::string::npos) << error;
}

TEST_F(TrustedFile, GroupWritableByANonRootGroupIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another group";
  ASSERT_EQ(chown(file_.c_str(), 0, 100), 0);
  chmod(file_.c_str(), 0664);
  std::string error;
  EXPECT_FALSE(CheckTrustedFile(file_, "config file", &error));
  EXPECT_NE(error.find("writable by a group other than root"), std::string::npos) << error;
  ASSERT_EQ(chown(file_.c_str(), 0, 0), 0);
  EXPECT_TRUE(CheckTrustedFile(file_, "config file", &error)) << error;
}

TEST_F(TrustedFile, AWritableDirectoryAboveIsRefused) {
  chmod(dir_.c_str(), 0777);  // anyone could replace the file
  std::string error;
  EXPECT_FALSE(CheckTrustedFile(file_, "config file", &error));
  EXPECT_NE(error.find("the directory " + dir_ + " above it is writable by all users"),
            std::string::npos)
      << error;
  chmod(dir_.c_str(), 01777);  // sticky, like /tmp: nobody can replace root's file
  EXPECT_TRUE(CheckTrustedFile(file_, "config file", &error)) << error;
}

TEST_F(TrustedFile, ASymlinkIsJudgedByWhereItLeads) {
  const std::string target_dir = dir_ + "/open";
  std::filesystem::create_directory(target_dir);
  chmod(target_dir.c_str(), 0777);
  std::ofstream(target_dir + "/real.toml") << "\n";
  chmod((target_dir + "/real.toml").c_str(), 0644);
  std::filesystem::create_symlink(target_dir + "/real.toml", dir_ + "/link.toml");
  std::string error;
  EXPECT_FALSE(CheckTrustedFile(dir_ + "/link.toml", "config file", &error));
  EXPECT_NE(error.find(target_dir), std::string::npos) << error;
}

TEST_F(TrustedFile, RulesDirectoryAndEachRulesFile) {
  const std::string rules_d = dir_ + "/rules.d";
  std::filesystem::create_directory(rules_d);
  chmod(rules_d.c_str(), 0755);
  std::ofstream(rules_d + "/10-a.rules") << "-w /etc/passwd -p wa\n";
  std::ofstream(rules_d + "/20-b.rules") << "\n";
  std::ofstream(rules_d + "/notes.txt") << "\n";
  chmod((rules_d + "/10-a.rules").c_str(), 0644);
  chmod((rules_d + "/20-b.rules").c_str(), 0644);
  chmod((rules_d + "/notes.txt").c_str(), 0666);  // not a rules file: not loaded, not judged
  std::string error;
  EXPECT_TRUE(CheckTrustedRulesPath(rules_d, &error)) << error;
  chmod((rules_d + "/20-b.rules").c_str(), 0646);
  EXPECT_FALSE(CheckTrustedRulesPath(rules_d, &error));
  EXPECT_NE(error.find("refusing rules file " + rules_d + "/20-b.rules"), std::string::npos)
      << error;
}

TEST_F(TrustedFile, NullDeviceIsAnEmptyRulesFile) {
  std::string error;
  EXPECT_TRUE(CheckTrustedRulesPath("/dev/null", &error)) << error;
}

TEST_F(TrustedFile, MissingFileIsAnError) {
  std::string error;
  EXPECT_FALSE(CheckTrustedFile(dir_ + "/none.toml", "config file", &error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST(SecretFileMode, OnlyAPasswordReadableByOthersIsWarnedAbout) {
  EXPECT_FALSE(JudgeSecretMode(S_IFREG | 0600, true));
  EXPECT_FALSE(JudgeSecretMode(S_IFREG | 0400, true));
  EXPECT_TRUE(JudgeSecretMode(S_IFREG | 0640, true));
  EXPECT_TRUE(JudgeSecretMode(S_IFREG | 0604, true));
  EXPECT_TRUE(JudgeSecretMode(S_IFREG | 0644, true));
  EXPECT_FALSE(JudgeSecretMode(S_IFREG | 0644, false));

  const std::string path = ::testing::TempDir() + "/secret-mode.toml";
  { std::ofstream(path) << "[store]\npostgres = \"host=db password=hunter2\"\n"; }
  chmod(path.c_str(), 0644);
  const std::string warning = SecretFileWarning(path, "host=db password=hunter2");
  EXPECT_NE(warning.find(path), std::string::npos) << warning;
  EXPECT_NE(warning.find("0644"), std::string::npos) << warning;
  EXPECT_NE(warning.find("chmod 600"), std::string::npos) << warning;
  EXPECT_EQ(warning.find("hunter2"), std::string::npos) << warning;
  EXPECT_NE(SecretFileWarning(path, "postgresql://u:pw@db/x"), "");
  EXPECT_NE(SecretFileWarning(path, "postgresql://u@db/x?password=pw"), "");
  EXPECT_EQ(SecretFileWarning(path, "postgresql://u@db/x"), "");  // no password: nothing to say
  EXPECT_EQ(SecretFileWarning(path, ""), "");
  EXPECT_EQ(SecretFileWarning("", "host=db password=x"), "");  // the embedded defaults
  chmod(path.c_str(), 0600);
  EXPECT_EQ(SecretFileWarning(path, "host=db password=hunter2"), "");
  std::filesystem::remove(path);
  EXPECT_EQ(SecretFileWarning(path, "host=db password=hunter2"), "");  // gone: nothing to judge
}

TEST(KernelMode, ImmutableKernelIsReportedAndLeftAlone) {
  KernelStatus s;
  s.enabled = 2;
  s.failure = 1;
  KernelModeCheck c = CheckKernelMode(s);
  EXPECT_TRUE(c.immutable);
  EXPECT_FALSE(c.may_change);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_NE(c.messages[0].find("immutable (enabled 2) until reboot"), std::string::npos);
  EXPECT_NE(c.messages[0].find("changes nothing"), std::string::npos);
}

TEST(KernelMode, OrdinaryKernelMayBeChangedSilently) {
  for (uint32_t enabled : {0u, 1u}) {
    KernelStatus s;
    s.enabled = enabled;
    s.failure = 1;
    KernelModeCheck c = CheckKernelMode(s);
    EXPECT_FALSE(c.immutable);
    EXPECT_TRUE(c.may_change);
    EXPECT_TRUE(c.messages.empty());
  }
}

TEST(KernelMode, PanicOnLossIsReportedNotChanged) {
  KernelStatus s;
  s.enabled = 1;
  s.failure = 2;
  KernelModeCheck c = CheckKernelMode(s);
  EXPECT_TRUE(c.may_change);
  ASSERT_EQ(c.messages.size(), 1u);
  EXPECT_NE(c.messages[0].find("failure 2"), std::string::npos);
  s.enabled = 2;
  EXPECT_EQ(CheckKernelMode(s).messages.size(), 2u);
}

}  // namespace
}  // namespace auditlens
