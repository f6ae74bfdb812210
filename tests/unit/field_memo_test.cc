// The memo of rendered members and records must never change the output: an event formatted a
// second time (everything memoized) is byte-identical to its first rendering (nothing memoized),
// for every event of a real log from this machine, non-UTF-8 names included.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "decode/parsed_event.h"
#include "output/event_json.h"
#include "output/field_memo.h"
#include "record/record.h"

namespace auditlens {
namespace {

// Assembles every event of the differential corpus (a real log from this machine) into sink;
// false when the corpus cannot be read.
bool FeedCorpus(EventSink* sink) {
  std::ifstream in(std::string(AUDITLENS_TEST_DATA) + "/differential/corpus-debian12.log",
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  if (text.empty()) return false;
  AssemblerOptions options;
  options.expect_eoe = false;
  Assembler assembler(options, sink);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    Record r;
    if (ParseLogRecord(std::string_view(text).substr(start, nl - start), &r) == nullptr) {
      assembler.Add(r);
    }
    start = nl + 1;
  }
  assembler.Flush();
  return true;
}

class TwiceSink : public EventSink {
 public:
  TwiceSink() : memoized_("host") {}
  void OnEvent(const Event& event) override {
    parsed_.Parse(event);
    std::string first, second;
    memoized_.Format(parsed_, &first);
    memoized_.Format(parsed_, &second);
    // A formatter that never saw the event renders it with nothing memoized.
    EventJsonFormatter fresh("host");
    std::string reference;
    fresh.Format(parsed_, &reference);
    ++events;
    if (first != reference) ++first_differs;
    if (second != reference) {
      ++second_differs;
      if (example.empty()) example = reference + "\n" + second;
    }
  }
  EventJsonFormatter& memoized() { return memoized_; }
  size_t events = 0, first_differs = 0, second_differs = 0;
  std::string example;

 private:
  ParsedEvent parsed_;
  EventJsonFormatter memoized_;
};

TEST(FieldMemo, OutputIdenticalWithAndWithoutMemo) {
  TwiceSink sink;
  ASSERT_TRUE(FeedCorpus(&sink));
  EXPECT_GT(sink.events, 100u);
  EXPECT_EQ(sink.first_differs, 0u);
  EXPECT_EQ(sink.second_differs, 0u) << sink.example;
  EXPECT_GT(sink.memoized().memo().hits(), 0u);
}

// ParsedEvent remembers the split of SYSCALL records by body (and tries the slot of the last one
// first): a warm ParsedEvent must give every event the same fields and lookups as a fresh one.
class SplitCompareSink : public EventSink {
 public:
  void OnEvent(const Event& event) override {
    for (int pass = 0; pass < 2; ++pass) {  // the second pass hits the memo through the hint
      warm_.Parse(event);
      ParsedEvent fresh;
      fresh.Parse(event);
      ++events;
      if (warm_.record_count() != fresh.record_count()) {
        ++differ;
        continue;
      }
      for (size_t r = 0; r < fresh.record_count(); ++r) {
        auto a = warm_.fields(r);
        auto b = fresh.fields(r);
        bool same = a.size() == b.size();
        for (size_t i = 0; same && i < a.size(); ++i) {
          same = a[i].name == b[i].name && a[i].value == b[i].value && a[i].value.data() == b[i].value.data();
        }
        for (std::string_view name : {"pid", "exe", "key", "success", "a0", "nonexistent"}) {
          same = same && warm_.Get(r, name) == fresh.Get(r, name);
        }
        if (!same) ++differ;
      }
    }
  }
  size_t events = 0, differ = 0;

 private:
  ParsedEvent warm_;
};

TEST(FieldMemo, RememberedSyscallSplitsEqualFreshOnes) {
  SplitCompareSink sink;
  ASSERT_TRUE(FeedCorpus(&sink));
  EXPECT_GT(sink.events, 200u);
  EXPECT_EQ(sink.differ, 0u);
}

TEST(FieldMemo, HitNeedsTheExactKey) {
  FieldMemo memo(16, 64);
  FieldMemo::Key a{1300, 0, 59, "uid", "0"};
  memo.Store(a, FieldMemo::Hash(a), "\"uid\":\"root\"");
  EXPECT_EQ(memo.Find(a, FieldMemo::Hash(a)), "\"uid\":\"root\"");
  FieldMemo::Key other_value{1300, 0, 59, "uid", "1"};
  EXPECT_TRUE(memo.Find(other_value, FieldMemo::Hash(other_value)).empty());
  FieldMemo::Key other_type{1302, 0, 59, "uid", "0"};
  EXPECT_TRUE(memo.Find(other_type, FieldMemo::Hash(other_type)).empty());
  FieldMemo::Key other_syscall{1300, 0, 2, "uid", "0"};
  EXPECT_TRUE(memo.Find(other_syscall, FieldMemo::Hash(other_syscall)).empty());
  // Same hash slot forced: the stored bytes are compared, not only the hash.
  EXPECT_TRUE(memo.Find(other_value, FieldMemo::Hash(a)).empty());
  memo.Clear();
  EXPECT_TRUE(memo.Find(a, FieldMemo::Hash(a)).empty());
}

TEST(FieldMemo, HintedSlotIsCheckedByItsBytes) {
  FieldMemo memo(16, 64);
  FieldMemo::Hint hint;
  uint64_t hash = 1;
  FieldMemo::Key a{1300, 0, 59, "uid", "0"};
  EXPECT_TRUE(memo.Find(a, &hint, &hash).empty());
  EXPECT_EQ(hash, FieldMemo::Hash(a));  // a miss hashed the key, for Store
  memo.Store(a, hash, "\"uid\":\"root\"", &hint);
  EXPECT_EQ(memo.Find(a, &hint, &hash), "\"uid\":\"root\"");
  EXPECT_EQ(hash, 0u);  // found in the hinted slot: not hashed
  // The hinted slot holds another key: a miss there falls back to the hash.
  FieldMemo::Key b{1300, 0, 59, "uid", "1000"};
  EXPECT_TRUE(memo.Find(b, &hint, &hash).empty());
  memo.Store(b, 0, "\"uid\":\"alice\"", &hint);  // 0: Store hashes
  EXPECT_EQ(memo.Find(b, FieldMemo::Hash(b)), "\"uid\":\"alice\"");
  FieldMemo::Hint stale;
  stale.slot = FieldMemo::Hash(b) & 15;
  EXPECT_TRUE(memo.Find(FieldMemo::Key{1300, 0, 59, "uid", "1001"}, &stale, &hash).empty());
  memo.Clear();
  EXPECT_TRUE(memo.Find(b, &hint, &hash).empty());
}

// One key repeated at a call site is found through the hint without hashing; two keys in turn (a
// connect storm's connect and accept) are each found by their hash, and the hint follows the last.
TEST(FieldMemo, HintFollowsTheLastKey) {
  FieldMemo memo(64, 64);
  FieldMemo::Hint hint;
  uint64_t hash = 0;
  FieldMemo::Key connect{1300, 62, 42, "body", "syscall=42 a0=4"};
  FieldMemo::Key accept{1300, 62, 288, "body", "syscall=288 a0=3"};
  ASSERT_NE(FieldMemo::Hash(connect) & 63, FieldMemo::Hash(accept) & 63);
  memo.Store(connect, 0, "\"c\"", &hint);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(memo.Find(connect, &hint, &hash), "\"c\"");
    EXPECT_EQ(hash, 0u);
  }
  memo.Store(accept, 0, "\"a\"", &hint);  // the hint now holds accept
  EXPECT_EQ(memo.Find(accept, &hint, &hash), "\"a\"");
  EXPECT_EQ(hash, 0u);
  EXPECT_EQ(memo.Find(connect, &hint, &hash), "\"c\"");  // still in the memo, found by its hash
  EXPECT_EQ(hash, FieldMemo::Hash(connect));
  EXPECT_EQ(memo.Find(connect, &hint, &hash), "\"c\"");  // and hinted again
  EXPECT_EQ(hash, 0u);
  EXPECT_EQ(memo.Find(accept, &hint, &hash), "\"a\"");  // by its hash again
  EXPECT_EQ(hash, FieldMemo::Hash(accept));
}

TEST(FieldMemo, LongValuesAreNotKept) {
  FieldMemo memo(16, 8);
  FieldMemo::Key k{1300, 0, 0, "name", "0123456789"};
  memo.Store(k, FieldMemo::Hash(k), "\"name\":\"0123456789\"");
  EXPECT_TRUE(memo.Find(k, FieldMemo::Hash(k)).empty());
}

}  // namespace
}  // namespace auditlens

namespace auditlens {
namespace {

// A stored key matches only the same bytes: for every length up to past the short-key compare
// (1..40 bytes) and every position, a key differing in that one byte of its name or its value
// finds nothing, through the hinted slot and through the hash.
TEST(FieldMemo, OneDifferentByteAnywhereIsAMiss) {
  for (size_t n = 1; n <= 40; ++n) {
    const std::string name(n, 'n');
    const std::string value(n, 'v');
    for (size_t at = 0; at < n; ++at) {
      for (int which = 0; which < 2; ++which) {
        FieldMemo memo(64);
        FieldMemo::Hint hint;
        uint64_t hash = 0;
        FieldMemo::Key key{1300, 62, 59, name, value};
        EXPECT_TRUE(memo.Find(key, &hint, &hash).empty());
        memo.Store(key, hash, "\"stored\"", &hint);
        ASSERT_EQ(memo.Find(key, &hint, &hash), "\"stored\"") << n;
        std::string other_name = name, other_value = value;
        (which == 0 ? other_name : other_value)[at] ^= 0x20;
        FieldMemo::Key other{1300, 62, 59, other_name, other_value};
        EXPECT_TRUE(memo.Find(other, &hint, &hash).empty())
            << "length " << n << ", byte " << at << (which == 0 ? " of the name" : " of the value");
        EXPECT_TRUE(memo.Find(other, FieldMemo::Hash(other)).empty());
      }
    }
  }
}

}  // namespace
}  // namespace auditlens
