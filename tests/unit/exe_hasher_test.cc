// enrich/exe_hasher: one hash per file (device, inode, size, mtime, ctime), a file replaced or
// rewritten is hashed again, limits say why there is no hash, and nothing is read on the caller's
// thread.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "enrich/exe_hasher.h"

namespace auditlens {
namespace {

// SHA-256 of "abc" and "abd" (FIPS 180-2's example, and one byte changed: sha256sum here).
constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kAbd[] = "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9";

class ExeHasherTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("exe_hasher_test." + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
  }
  // Makes the file's mtime/ctime differ from what it was (the clock may not have moved).
  static void Touch(const std::string& path, int64_t sec) {
    struct timespec times[2] = {{sec, 0}, {sec, 0}};
    utimensat(AT_FDCWD, path.c_str(), times, 0);
  }
  std::filesystem::path dir_;
};

TEST_F(ExeHasherTest, SameFileHashedOnce) {
  ExeHasher hasher({});
  std::string path = Write("prog", "abc");
  FileKey key;
  ASSERT_TRUE(FileKeyOf(path, &key));
  std::string hex;
  EXPECT_EQ(hasher.Lookup(key, path, &hex), HashState::kPending);
  hasher.Drain();
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(hasher.Lookup(key, path, &hex), HashState::kKnown);
    EXPECT_EQ(hex, kAbc);
  }
  EXPECT_EQ(hasher.counts().hashed, 1u);
  EXPECT_EQ(hasher.counts().bytes, 3u);
}

TEST_F(ExeHasherTest, ReplacedOrRewrittenFileIsHashedAgain) {
  ExeHasher hasher({});
  std::string path = Write("prog", "abc");
  FileKey first;
  ASSERT_TRUE(FileKeyOf(path, &first));
  std::string hex;
  hasher.Lookup(first, path, &hex);
  hasher.Drain();
  // Replaced: a new file renamed over it (a new inode), as package managers do.
  std::string next = Write("prog.new", "abd");
  std::filesystem::rename(next, path);
  FileKey second;
  ASSERT_TRUE(FileKeyOf(path, &second));
  EXPECT_NE(second.ino, first.ino);
  EXPECT_EQ(hasher.Lookup(second, path, &hex), HashState::kPending);
  hasher.Drain();
  ASSERT_EQ(hasher.Lookup(second, path, &hex), HashState::kKnown);
  EXPECT_EQ(hex, kAbd);
  // Rewritten in place (same inode): a new mtime and ctime make a new key.
  Write("prog", "abc");
  Touch(path, 1000000000);
  FileKey third;
  ASSERT_TRUE(FileKeyOf(path, &third));
  EXPECT_EQ(third.ino, second.ino);
  EXPECT_FALSE(third == second);
  hasher.Lookup(third, path, &hex);
  hasher.Drain();
  ASSERT_EQ(hasher.Lookup(third, path, &hex), HashState::kKnown);
  EXPECT_EQ(hex, kAbc);
  EXPECT_EQ(hasher.counts().hashed, 3u);
}

TEST_F(ExeHasherTest, WhyThereIsNoHash) {
  ExeHasherOptions o;
  o.max_file_bytes = 2;
  ExeHasher hasher(o);
  std::string hex;
  // Over the size limit: said at once, never read.
  std::string big = Write("big", "abc");
  FileKey key;
  ASSERT_TRUE(FileKeyOf(big, &key));
  EXPECT_EQ(hasher.Lookup(key, big, &hex), HashState::kTooLarge);
  EXPECT_EQ(hasher.counts().bytes, 0u);
  // Changed between the stat and the read: the worker's fstat tells.
  std::string changed = Write("changed", "a");
  ASSERT_TRUE(FileKeyOf(changed, &key));
  Write("changed", "b");
  Touch(changed, 1000000001);
  hasher.Lookup(key, changed, &hex);
  hasher.Drain();
  EXPECT_EQ(hasher.Lookup(key, changed, &hex), HashState::kChanged);
  // Gone before it could be read.
  std::string gone = Write("gone", "a");
  ASSERT_TRUE(FileKeyOf(gone, &key));
  std::filesystem::remove(gone);
  hasher.Lookup(key, gone, &hex);
  hasher.Drain();
  EXPECT_EQ(hasher.Lookup(key, gone, &hex), HashState::kUnreadable);
  // Not a regular file: no key at all.
  EXPECT_FALSE(FileKeyOf(dir_.string(), &key));
  EXPECT_FALSE(FileKeyOf((dir_ / "missing").string(), &key));
  const ExeHasherCounts c = hasher.counts();
  EXPECT_EQ(c.too_large, 1u);
  EXPECT_EQ(c.changed, 1u);
  EXPECT_EQ(c.unreadable, 1u);
  EXPECT_EQ(c.hashed, 0u);
}

TEST_F(ExeHasherTest, BoundedEntries) {
  ExeHasherOptions o;
  o.max_entries = 8;
  ExeHasher hasher(o);
  std::string hex;
  for (int i = 0; i < 40; ++i) {
    std::string path = Write("f" + std::to_string(i), std::to_string(i));
    FileKey key;
    ASSERT_TRUE(FileKeyOf(path, &key));
    hasher.Lookup(key, path, &hex);
    hasher.Drain();
    ASSERT_EQ(hasher.Lookup(key, path, &hex), HashState::kKnown);
  }
  EXPECT_EQ(hasher.counts().hashed, 40u);
}

}  // namespace
}  // namespace auditlens
