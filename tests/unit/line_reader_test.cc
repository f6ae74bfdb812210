// src/record/line_reader: lines out of a file descriptor, whatever the read sizes, with bounded
// memory for absurdly long lines.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "record/line_reader.h"
#include "record/record.h"

namespace auditlens {
namespace {

struct Item {
  LineReader::Status status;
  std::string line;
  uint64_t number;
  bool operator==(const Item&) const = default;
};

void PrintTo(const Item& i, std::ostream* os) {
  *os << "{" << static_cast<int>(i.status) << ", " << testing::PrintToString(i.line) << ", "
      << i.number << "}";
}

constexpr auto kLine = LineReader::Status::kLine;
constexpr auto kTooLong = LineReader::Status::kTooLong;

std::vector<Item> ReadAll(int fd, size_t max_line) {
  LineReader r(fd, max_line);
  std::vector<Item> out;
  std::string_view line;
  uint64_t n = 0;
  for (;;) {
    LineReader::Status st = r.Next(&line, &n);
    if (st == LineReader::Status::kEnd) break;
    if (st == LineReader::Status::kError) {
      out.push_back({st, "", 0});
      break;
    }
    out.push_back({st, std::string(line), n});
    if (out.size() > 100000) break;
  }
  return out;
}

// A file holding the given bytes, read from the start.
int FileWith(const std::string& bytes) {
  FILE* f = tmpfile();
  EXPECT_NE(f, nullptr);
  int fd = dup(fileno(f));
  fclose(f);
  EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  lseek(fd, 0, SEEK_SET);
  return fd;
}

// Reads bytes delivered in exactly the given pieces: a SOCK_SEQPACKET socket hands one packet per
// read(), so each piece is one chunk the reader sees.
std::vector<Item> ReadInPieces(const std::vector<std::string>& pieces, size_t max_line) {
  int sv[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
  for (const std::string& p : pieces) {
    EXPECT_FALSE(p.empty());
    EXPECT_EQ(write(sv[1], p.data(), p.size()), static_cast<ssize_t>(p.size()));
  }
  shutdown(sv[1], SHUT_WR);
  std::vector<Item> items = ReadAll(sv[0], max_line);
  close(sv[0]);
  close(sv[1]);
  return items;
}

// Lines, numbered from 1, without their '\n'; a last line without '\n' still counts.
TEST(LineReader, LinesAndLastLineWithoutNewline) {
  int fd = FileWith("first\nsecond\nlast");
  EXPECT_EQ(ReadAll(fd, 1 << 20),
            (std::vector<Item>{{kLine, "first", 1}, {kLine, "second", 2}, {kLine, "last", 3}}));
  close(fd);
}

// Empty lines are lines (and keep the numbering right); an empty file has none.
TEST(LineReader, EmptyLines) {
  int fd = FileWith("\n\na\n\n");
  EXPECT_EQ(ReadAll(fd, 1 << 20), (std::vector<Item>{{kLine, "", 1},
                                                      {kLine, "", 2},
                                                      {kLine, "a", 3},
                                                      {kLine, "", 4}}));
  close(fd);
  fd = FileWith("");
  EXPECT_TRUE(ReadAll(fd, 1 << 20).empty());
  close(fd);
}

// Whatever the chunking, the same lines come out: every split point of a text, and pieces of one
// byte.
TEST(LineReader, LinesAcrossChunkBoundaries) {
  const std::string text = "type=SYSCALL msg=audit(1.000:1): a=1\n\nline three\nend";
  const std::vector<Item> expected = {{kLine, "type=SYSCALL msg=audit(1.000:1): a=1", 1},
                                      {kLine, "", 2},
                                      {kLine, "line three", 3},
                                      {kLine, "end", 4}};
  for (size_t cut = 1; cut < text.size(); ++cut) {
    EXPECT_EQ(ReadInPieces({text.substr(0, cut), text.substr(cut)}, 1 << 20), expected) << cut;
  }
  std::vector<std::string> bytes;
  for (char c : text) bytes.emplace_back(1, c);
  EXPECT_EQ(ReadInPieces(bytes, 1 << 20), expected);
}

// CRLF: the reader strips only '\n' (the contract); the record parser then ignores the '\r', so a
// CRLF log gives the same records as an LF one.
TEST(LineReader, CrlfLinesParseLikeLfLines) {
  int fd = FileWith("type=CWD msg=audit(1.000:9): cwd=\"/tmp\"\r\n\r\nx\r\n");
  std::vector<Item> items = ReadAll(fd, 1 << 20);
  close(fd);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].line, "type=CWD msg=audit(1.000:9): cwd=\"/tmp\"\r");
  EXPECT_EQ(items[1].line, "\r");
  EXPECT_EQ(items[2].line, "x\r");
  Record r;
  ASSERT_EQ(ParseLogRecord(items[0].line, &r), nullptr);
  EXPECT_EQ(r.body, "cwd=\"/tmp\"");
  EXPECT_EQ(r.type, 1307);
}

// A 3 MB line (default 1 MiB limit) is reported as too long with its own line number, and the
// lines after it are read normally: memory stays bounded, nothing else is lost.
TEST(LineReader, ThreeMegabyteLine) {
  std::string text = "before\n" + std::string(3 << 20, 'x') + "\nafter 1\nafter 2\n";
  int fd = FileWith(text);
  std::vector<Item> items = ReadAll(fd, 1 << 20);
  close(fd);
  EXPECT_EQ(items, (std::vector<Item>{{kLine, "before", 1},
                                      {kTooLong, "", 2},
                                      {kLine, "after 1", 3},
                                      {kLine, "after 2", 4}}));
}

// The too-long line may also be the last one, without '\n'.
TEST(LineReader, TooLongLastLine) {
  int fd = FileWith("ok\n" + std::string(3 << 20, 'y'));
  EXPECT_EQ(ReadAll(fd, 1 << 20), (std::vector<Item>{{kLine, "ok", 1}, {kTooLong, "", 2}}));
  close(fd);
}

// With a small limit the too-long line's '\n' is already in the buffer (the other path); a line of
// exactly the limit is fine.
TEST(LineReader, SmallLimit) {
  int fd = FileWith("12345678\n123456789\nabc\n123456789");
  EXPECT_EQ(ReadAll(fd, 8), (std::vector<Item>{{kLine, "12345678", 1},
                                               {kTooLong, "", 2},
                                               {kLine, "abc", 3},
                                               {kTooLong, "", 4}}));
  close(fd);
}

// A too-long line that arrives in small pieces is reported once, and what follows is intact.
TEST(LineReader, TooLongLineInPieces) {
  std::vector<std::string> pieces = {"a\nbbbb", "bbbbbbbb", "bbbbbbbbbbbb", "bb\nc", "d\n"};
  EXPECT_EQ(ReadInPieces(pieces, 8),
            (std::vector<Item>{{kLine, "a", 1}, {kTooLong, "", 2}, {kLine, "cd", 3}}));
}

// Many lines through many refills: numbering and content stay exact.
TEST(LineReader, ManyLines) {
  std::string text;
  for (int i = 1; i <= 200000; ++i) text += "line " + std::to_string(i) + "\n";
  int fd = FileWith(text);
  LineReader r(fd, 64);
  std::string_view line;
  uint64_t n = 0;
  uint64_t count = 0;
  while (r.Next(&line, &n) == kLine) {
    ++count;
    ASSERT_EQ(n, count);
    ASSERT_EQ(line, "line " + std::to_string(count));
  }
  EXPECT_EQ(count, 200000u);
  close(fd);
}

// A read error is reported as such, with errno.
TEST(LineReader, ReadError) {
  int fd = FileWith("");
  close(fd);  // now a closed descriptor: EBADF
  LineReader r(fd);
  std::string_view line;
  uint64_t n;
  EXPECT_EQ(r.Next(&line, &n), LineReader::Status::kError);
  EXPECT_EQ(r.error(), EBADF);
}

}  // namespace
}  // namespace auditlens
