// The outputs of [[outputs]]: the spool's bound, RFC 5424 messages and octet counting, file
// rotation (naming, every line in exactly one generation), the syslog and unix socket outputs
// against real sockets, and the [[outputs]] configuration.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "agent/pipeline.h"
#include "config/config.h"
#include "enrich/network_enricher.h"
#include "output/output_file.h"
#include "record/record.h"
#include "output/file_sink.h"
#include "output/line_spool.h"
#include "output/output_fanout.h"
#include "output/syslog_format.h"
#include "output/syslog_sink.h"
#include "output/unix_sink.h"

namespace auditlens {
namespace {

namespace fs = std::filesystem;

std::string Lines(int first, int count, size_t width = 20) {
  std::string out;
  for (int i = first; i < first + count; ++i) {
    std::string line = "{\"n\":" + std::to_string(i) + "}";
    line.resize(width - 1, ' ');
    out += line + "\n";
  }
  return out;
}

// ---- the spool ----

TEST(LineSpool, KeepsWholeLinesWithinItsBound) {
  LineSpool spool;
  EXPECT_EQ(spool.Push(Lines(0, 5), 100), 0u);  // 5 x 20 bytes: exactly full
  EXPECT_EQ(spool.bytes(), 100u);
  EXPECT_EQ(spool.Push(Lines(5, 2), 100), 2u);  // the two oldest go
  EXPECT_EQ(spool.bytes(), 100u);
  std::string out;
  ASSERT_TRUE(spool.Take(&out, 1000));
  EXPECT_EQ(out, Lines(2, 5));
  EXPECT_TRUE(spool.empty());
  EXPECT_FALSE(spool.Take(&out, 1000));
}

TEST(LineSpool, DropsTheOldestOfNewTextTooLongAlone) {
  LineSpool spool;
  spool.Push(Lines(0, 2), 60);
  EXPECT_EQ(spool.Push(Lines(2, 5), 60), 4u);  // 2 queued + 2 of the 5 new
  std::string out;
  spool.Take(&out, 1000);
  EXPECT_EQ(out, Lines(4, 3));
}

TEST(LineSpool, BoundNeverCutsALine) {
  LineSpool spool;
  // Bounds that fall inside lines: what stays is whole lines, never more than the bound.
  for (size_t bound : {19u, 21u, 39u, 55u, 99u}) {
    LineSpool s;
    uint64_t dropped = s.Push(Lines(0, 3), bound);
    dropped += s.Push(Lines(3, 3), bound);
    EXPECT_LE(s.bytes(), bound);
    EXPECT_EQ(s.bytes() % 20, 0u);
    EXPECT_EQ(dropped + s.bytes() / 20, 6u) << bound;
  }
}

TEST(LineSpool, TakingPushAndTakeGiveTheSameLines) {
  LineSpool spool;
  std::string staged = Lines(0, 3);
  EXPECT_EQ(spool.Push(&staged, 100), 0u);  // into an empty spool: swapped in
  EXPECT_TRUE(staged.empty());
  staged = Lines(3, 3);
  EXPECT_EQ(spool.Push(&staged, 100), 1u);  // 6 lines into 100 bytes: the oldest goes
  EXPECT_TRUE(staged.empty());
  std::string out;
  ASSERT_TRUE(spool.Take(&out, 1000));
  EXPECT_EQ(out, Lines(1, 5));
  EXPECT_TRUE(spool.empty());
  staged = Lines(6, 2);
  spool.Push(&staged, 100);
  out.clear();
  ASSERT_TRUE(spool.Take(&out, 1000));  // the whole spool, swapped out
  EXPECT_EQ(out, Lines(6, 2));
  EXPECT_EQ(spool.bytes(), 0u);
}

TEST(LineSpool, TakeGivesAtLeastOneLineAndWholeLines) {
  LineSpool spool;
  spool.Push(Lines(0, 4), 1000);
  std::string out;
  ASSERT_TRUE(spool.Take(&out, 5));  // smaller than a line: one line
  EXPECT_EQ(out, Lines(0, 1));
  out.clear();
  ASSERT_TRUE(spool.Take(&out, 45));  // two lines fit, not three
  EXPECT_EQ(out, Lines(1, 2));
  EXPECT_EQ(spool.bytes(), 20u);
}

// The spool moves the buffers pushed, full or not, and never copies them: the writer gets the very
// buffer the pipeline filled, and the pipeline gets back one the writer is done with.
TEST(LineSpool, PushedBuffersAreMovedNotCopiedAndComeBack) {
  LineSpool spool;
  std::string staged;
  staged.reserve(4096);
  const std::string first_lines = Lines(0, 3);
  staged.assign(first_lines);  // copied into the reserved buffer
  const char* first = staged.data();
  EXPECT_EQ(spool.Push(&staged, 1000), 0u);
  EXPECT_TRUE(staged.empty());
  staged = Lines(3, 3);  // into a spool that is not empty: queued behind, not appended
  const char* second = staged.data();
  EXPECT_EQ(spool.Push(&staged, 1000), 0u);
  EXPECT_EQ(spool.bytes(), 120u);
  std::string out;
  ASSERT_TRUE(spool.Take(&out, 1000));
  EXPECT_EQ(out.data(), first);  // swapped out whole: one buffer at a time
  EXPECT_EQ(out, Lines(0, 3));
  spool.Recycle(&out);
  EXPECT_TRUE(out.empty());
  staged = "";
  staged.shrink_to_fit();
  staged.append(Lines(6, 1));
  EXPECT_EQ(spool.Push(&staged, 1000), 0u);
  EXPECT_GE(staged.capacity(), 4096u);  // the buffer recycled above
  ASSERT_TRUE(spool.Take(&out, 1000));
  EXPECT_EQ(out.data(), second);
  EXPECT_EQ(out, Lines(3, 3));
  out.clear();
  ASSERT_TRUE(spool.Take(&out, 1000));
  EXPECT_EQ(out, Lines(6, 1));
  EXPECT_TRUE(spool.empty());
}

// Many small buffers past the bound: whole buffers of the oldest go, then lines of the front one;
// what is left is the newest lines, within the bound, in order.
TEST(LineSpool, ManyBuffersDropTheOldestWithinTheBound) {
  LineSpool spool;
  uint64_t dropped = 0;
  for (int i = 0; i < 100; ++i) {
    std::string staged = Lines(i * 3, 3);
    dropped += spool.Push(&staged, 250);
    EXPECT_LE(spool.bytes(), 250u);
  }
  EXPECT_EQ(spool.bytes(), 240u);  // 12 whole lines of 20 bytes
  EXPECT_EQ(dropped, 300u - 12u);
  std::string out;
  while (spool.Take(&out, 1000)) {
  }
  EXPECT_EQ(out, Lines(288, 12));
}

// ---- RFC 5424 and RFC 6587 ----

TEST(SyslogFormat, Rfc5424Message) {
  SyslogHeader h;
  h.facility = 10;  // authpriv
  h.hostname = "web1";
  h.app_name = "auditlens";
  h.procid = "42";
  h.msgid = SyslogHeaderField("", 32);
  std::string out;
  // 2026-12-07T04:05:06.000123Z
  AppendSyslogMessage(h, kSyslogSeverityInfo, 1796616306000123ull, "{\"a\":1}", &out);
  EXPECT_EQ(out, "<86>1 2026-12-07T04:05:06.000123Z web1 auditlens 42 - - {\"a\":1}");
  EXPECT_EQ(SyslogHeaderLength(h, kSyslogSeverityInfo), out.size() - 7);
  h.facility = 16;  // local0: a three-digit PRI
  out.clear();
  AppendSyslogMessage(h, 3, 0, "", &out);
  EXPECT_EQ(out.substr(0, 7), "<131>1 ");
  EXPECT_EQ(SyslogHeaderLength(h, 3), out.size());
}

TEST(SyslogFormat, HeaderFieldsAreCleanedAndCut) {
  EXPECT_EQ(SyslogHeaderField("my host\t\xc3\xa9", 255), "my_host___");
  EXPECT_EQ(SyslogHeaderField(std::string(300, 'h'), 255).size(), 255u);
  EXPECT_EQ(SyslogHeaderField("", 48), "-");
}

TEST(SyslogFormat, OctetCounting) {
  std::string out;
  AppendOctetCounted("<86>1 - - - - - x", &out);
  AppendOctetCounted(std::string(100000, 'y'), &out);
  EXPECT_EQ(out.substr(0, 20), "17 <86>1 - - - - - x");
  EXPECT_EQ(out.substr(20, 7), "100000 ");
  EXPECT_EQ(out.size(), 20u + 7 + 100000);
}

// ---- file rotation ----

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/auditlens-sink-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FileRotation, Names) {
  EXPECT_EQ(RotatedName("/var/log/a/events.json", 0), "/var/log/a/events.json");
  EXPECT_EQ(RotatedName("/var/log/a/events.json", 1), "/var/log/a/events.json.1");
  EXPECT_EQ(RotatedName("/var/log/a/events.json", 12), "/var/log/a/events.json.12");
}

TEST(FileRotation, ShiftsGenerationsAndDropsTheOldest) {
  TempDir dir;
  const std::string p = dir.path() + "/e.json";
  std::string error;
  for (int round = 0; round < 4; ++round) {
    std::ofstream(p) << "round " << round << "\n";
    ASSERT_TRUE(RotateFiles(p, 2, &error)) << error;
  }
  EXPECT_FALSE(fs::exists(p));
  EXPECT_EQ(Slurp(p + ".1"), "round 3\n");
  EXPECT_EQ(Slurp(p + ".2"), "round 2\n");
  EXPECT_FALSE(fs::exists(p + ".3"));
}

// Only the generations before the first missing one move: with 1000 generations allowed and three
// files, a rotation touches those three (it once tried every number up to 1000, each rotation a
// thousand renames), and a file past a gap stays where it is.
TEST(FileRotation, MovesOnlyUpToTheFirstMissingGeneration) {
  TempDir dir;
  const std::string p = dir.path() + "/e.json";
  std::string error;
  for (int round = 0; round < 3; ++round) {
    std::ofstream(p) << "round " << round << "\n";
    ASSERT_TRUE(RotateFiles(p, 1000, &error)) << error;
  }
  EXPECT_EQ(Slurp(p + ".1"), "round 2\n");
  EXPECT_EQ(Slurp(p + ".2"), "round 1\n");
  EXPECT_EQ(Slurp(p + ".3"), "round 0\n");
  EXPECT_FALSE(fs::exists(p + ".4"));
  // A gap at .2: .1 moves into it, .3 stays.
  fs::remove(p + ".2");
  std::ofstream(p) << "round 3\n";
  ASSERT_TRUE(RotateFiles(p, 1000, &error)) << error;
  EXPECT_EQ(Slurp(p + ".1"), "round 3\n");
  EXPECT_EQ(Slurp(p + ".2"), "round 2\n");
  EXPECT_EQ(Slurp(p + ".3"), "round 0\n");
  EXPECT_FALSE(fs::exists(p + ".4"));
}

// Runs a sink until its counters say `lines` were written (or 10 s pass).
template <typename Sink>
void WaitWritten(Sink& sink, uint64_t lines) {
  for (int i = 0; i < 1000 && sink.Status().written_lines + sink.Status().oversize_lines < lines;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST(FileSink, EveryLineInExactlyOneGeneration) {
  TempDir dir;
  const std::string p = dir.path() + "/sub/events.json";
  FileSink sink(p, "full", 1 << 20, 4096, 3);
  sink.Start();
  // 1,000 lines of 20..200 bytes: far more than 4 generations of 4 KiB hold, so the oldest go,
  // and each file holds whole lines only, within 4096 bytes.
  std::vector<std::string> sent;
  for (int i = 0; i < 1000; ++i) {
    std::string line = "{\"serial\":" + std::to_string(i) + ",\"pad\":\"" +
                       std::string(static_cast<size_t>(i * 7 % 180), 'x') + "\"}\n";
    sent.push_back(line);
    sink.Copy(line);
    if (i % 50 == 0) sink.Offer();
  }
  sink.Offer();
  EXPECT_EQ(sink.Stop(5000), 0u);
  EXPECT_EQ(sink.Status().written_lines, 1000u);
  EXPECT_GE(sink.Status().rotations, 10u);
  // The generations read oldest first give a suffix of what was sent, each line once.
  std::string all;
  for (int g = 3; g >= 0; --g) {
    const std::string name = RotatedName(p, static_cast<uint32_t>(g));
    ASSERT_TRUE(fs::exists(name)) << name;
    const std::string text = Slurp(name);
    EXPECT_LE(text.size(), 4096u) << name;
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n') << name;
    all += text;
  }
  EXPECT_FALSE(fs::exists(RotatedName(p, 4)));
  std::string tail;
  size_t first = sent.size();
  while (first > 0 && tail.size() < all.size()) tail = sent[--first] + tail;
  EXPECT_EQ(all, tail);
}

TEST(FileSink, ALineLongerThanMaxBytesGetsAFileOfItsOwn) {
  TempDir dir;
  const std::string p = dir.path() + "/events.json";
  FileSink sink(p, "full", 1 << 20, 4096, 2);
  sink.Start();
  const std::string small = "{\"a\":1}\n", big = "{\"b\":\"" + std::string(10000, 'z') + "\"}\n";
  sink.Copy(small);
  sink.Copy(big);
  sink.Copy(small);
  sink.Offer();
  EXPECT_EQ(sink.Stop(5000), 0u);
  EXPECT_EQ(Slurp(p + ".2"), small);
  EXPECT_EQ(Slurp(p + ".1"), big);
  EXPECT_EQ(Slurp(p), small);
}

// Blocks are reserved ahead while the file is written (never past max_bytes), and what is left past
// the last line is given back when it is rotated and at the end: every generation's allocation is
// its size rounded to blocks.
TEST(FileSink, ReservesAheadAndGivesBackAtRotationAndStop) {
  TempDir dir;
  {  // Only where the filesystem can reserve at all (a probe of our own).
    int probe = open((dir.path() + "/probe").c_str(), O_WRONLY | O_CREAT, 0600);
    ASSERT_GE(probe, 0);
    bool can = fallocate(probe, FALLOC_FL_KEEP_SIZE, 0, 1 << 20) == 0;
    close(probe);
    if (!can) GTEST_SKIP() << "the filesystem of " << dir.path() << " cannot fallocate";
  }
  const std::string p = dir.path() + "/events.json";
  auto allocated = [](const std::string& name) {
    struct stat st;
    EXPECT_EQ(stat(name.c_str(), &st), 0) << name;
    return static_cast<uint64_t>(st.st_blocks) * 512;
  };
  FileSink sink(p, "full", 1 << 22, 1 << 20, 2);  // 1 MiB files
  sink.Start();
  const std::string line = std::string(1023, 'x') + "\n";
  sink.Copy(line);
  sink.Offer();
  WaitWritten(sink, 1);
  EXPECT_GE(allocated(p), 1u << 20) << "reserved up to max_bytes";
  for (int i = 0; i < 1500; ++i) sink.Copy(line);  // past 1 MiB: one rotation
  sink.Offer();
  EXPECT_EQ(sink.Stop(5000), 0u);
  EXPECT_EQ(sink.Status().rotations, 1u);
  for (const std::string& name : {p + ".1", p}) {
    const uint64_t size = fs::file_size(name);
    EXPECT_LE(allocated(name), (size + 4095) / 4096 * 4096 + 4096) << name << " size " << size;
  }
  EXPECT_EQ(fs::file_size(p + ".1") + fs::file_size(p), 1501u * 1024u);
}

TEST(FileSink, ReopenAfterTheFileWasMoved) {
  TempDir dir;
  const std::string p = dir.path() + "/events.json";
  FileSink sink(p, "full", 1 << 20, 0, 1);
  sink.Start();
  sink.Copy("{\"n\":1}\n");
  sink.Offer();
  WaitWritten(sink, 1);
  fs::rename(p, p + "-moved");
  sink.RequestReopen();
  for (int i = 0; i < 500 && !fs::exists(p); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sink.Copy("{\"n\":2}\n");
  sink.Offer();
  EXPECT_EQ(sink.Stop(5000), 0u);
  EXPECT_EQ(Slurp(p + "-moved"), "{\"n\":1}\n");
  EXPECT_EQ(Slurp(p), "{\"n\":2}\n");
}

// ---- sockets ----

// A listening socket of the test's; Accept() and ReadAll() on it.
int Listen(int family, int type, const std::string& path, uint16_t* port) {
  int fd = socket(family, type | SOCK_CLOEXEC, 0);
  if (family == AF_UNIX) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    *port = ntohs(a.sin_port);
  }
  if (type == SOCK_STREAM) listen(fd, 4);
  return fd;
}

// Reads a stream until the peer closes it (or 10 s pass).
std::string ReadStream(int listener) {
  pollfd p{listener, POLLIN, 0};
  if (poll(&p, 1, 10000) <= 0) return "";
  int fd = accept(listener, nullptr, nullptr);
  std::string out;
  char buf[65536];
  while (true) {
    pollfd q{fd, POLLIN, 0};
    if (poll(&q, 1, 10000) <= 0) break;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

// Splits octet-counted frames; false on a malformed one.
bool Unframe(std::string_view in, std::vector<std::string>* out) {
  while (!in.empty()) {
    size_t sp = in.find(' ');
    if (sp == std::string_view::npos || sp == 0) return false;
    size_t len = std::stoul(std::string(in.substr(0, sp)));
    if (in.size() < sp + 1 + len) return false;
    out->emplace_back(in.substr(sp + 1, len));
    in.remove_prefix(sp + 1 + len);
  }
  return true;
}

std::string MsgOf(const std::string& message) {
  // "<PRI>1 TS HOST APP PROCID MSGID - MSG": the MSG after the seventh space.
  size_t at = 0;
  for (int i = 0; i < 7 && at != std::string::npos; ++i) at = message.find(' ', at + 1);
  return at == std::string::npos ? "" : message.substr(at + 1);
}

SyslogSinkOptions TcpOptions(uint16_t port, size_t max_message) {
  SyslogSinkOptions o;
  o.transport = SyslogSinkOptions::Transport::kTcp;
  o.address = "tcp://127.0.0.1:" + std::to_string(port);
  o.host = "127.0.0.1";
  o.port = port;
  o.header.hostname = "h";
  o.header.app_name = "auditlens";
  o.header.procid = "1";
  o.max_message_bytes = max_message;
  return o;
}

TEST(SyslogSink, TcpOctetCountedWholeAndOversizeCounted) {
  uint16_t port = 0;
  int listener = Listen(AF_INET, SOCK_STREAM, "", &port);
  std::string received;
  std::thread reader([&] { received = ReadStream(listener); });
  SyslogSink sink(TcpOptions(port, 8192), "full", 1 << 20);
  std::string error;
  ASSERT_TRUE(sink.Prepare(&error)) << error;
  sink.Start();
  const std::string long_line = "{\"cmd\":\"" + std::string(7000, 'a') + "\"}";
  const std::string too_long = "{\"cmd\":\"" + std::string(9000, 'b') + "\"}";
  sink.Copy("{\"n\":1}\n");
  sink.Copy(long_line + "\n");
  sink.Copy(too_long + "\n");
  sink.Copy("{\"n\":2}\n");
  sink.Offer();
  WaitWritten(sink, 4);
  EXPECT_EQ(sink.Stop(5000), 0u);
  reader.join();
  close(listener);
  std::vector<std::string> messages;
  ASSERT_TRUE(Unframe(received, &messages)) << received.substr(0, 200);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(MsgOf(messages[0]), "{\"n\":1}");
  EXPECT_EQ(MsgOf(messages[1]), long_line);
  EXPECT_EQ(MsgOf(messages[2]), "{\"n\":2}");
  EXPECT_EQ(messages[0].substr(0, 7), "<86>1 2");
  const OutputSinkStatus s = sink.Status();
  EXPECT_EQ(s.written_lines, 3u);
  EXPECT_EQ(s.oversize_lines, 1u);
  EXPECT_GT(s.largest_oversize, 9000u);
}

// A syslog output to the unix datagram socket at path (/dev/log's kind).
SyslogSinkOptions DatagramOptions(const std::string& path, uint32_t max_message_bytes) {
  SyslogSinkOptions o;
  o.transport = SyslogSinkOptions::Transport::kUnixDatagram;
  o.address = o.path = path;
  o.header.app_name = "auditlens";
  o.max_message_bytes = max_message_bytes;
  return o;
}

TEST(SyslogSink, DatagramsOnePerEvent) {
  TempDir dir;
  const std::string path = dir.path() + "/log";
  int fd = Listen(AF_UNIX, SOCK_DGRAM, path, nullptr);
  SyslogSink sink(DatagramOptions(path, 2048), "full", 1 << 20);
  sink.Start();
  sink.Copy("{\"n\":1}\n{\"n\":2}\n");
  sink.Copy("{\"x\":\"" + std::string(3000, 'c') + "\"}\n");  // over 2048: not sent
  sink.Copy("{\"n\":3}\n");
  sink.Offer();
  WaitWritten(sink, 4);
  sink.Stop(5000);
  std::vector<std::string> got;
  char buf[65536];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 500) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    got.push_back(MsgOf(std::string(buf, static_cast<size_t>(n))));
  }
  close(fd);
  EXPECT_EQ(got, (std::vector<std::string>{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"}));
  EXPECT_EQ(sink.Status().oversize_lines, 1u);
  EXPECT_EQ(sink.Status().socket_refused_lines, 0u);  // max_message_bytes refused it
}

// More datagrams than one sendmmsg takes (64) and than the reader's queue holds (10 by default):
// all arrive, in order, each whole; one the socket refuses as too long for it (EMSGSIZE, under a
// max_message_bytes that allows it) in the middle of a batch is counted, and the rest go on.
TEST(SyslogSink, DatagramsInBatchesAllArriveInOrder) {
  TempDir dir;
  const std::string path = dir.path() + "/log";
  int fd = Listen(AF_UNIX, SOCK_DGRAM, path, nullptr);
  SyslogSink sink(DatagramOptions(path, 8 << 20), "full", 1 << 24);
  sink.Start();
  std::vector<std::string> want;
  for (int i = 0; i < 500; ++i) {
    const std::string line = "{\"n\":" + std::to_string(i) + ",\"pad\":\"" +
                             std::string(static_cast<size_t>(i % 50) * 20, 'p') + "\"}";
    sink.Copy(line + "\n");
    want.push_back(line);
    if (i == 200) sink.Copy("{\"huge\":\"" + std::string(4 << 20, 'h') + "\"}\n");
  }
  sink.Offer();
  std::vector<std::string> got;
  std::vector<char> buf(1 << 20);
  while (got.size() < want.size()) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    got.push_back(MsgOf(std::string(buf.data(), static_cast<size_t>(n))));
  }
  WaitWritten(sink, 501);
  EXPECT_EQ(sink.Stop(5000), 0u);
  close(fd);
  EXPECT_EQ(got, want);
  const OutputSinkStatus s = sink.Status();
  EXPECT_EQ(s.written_lines, 500u);
  EXPECT_EQ(s.oversize_lines, 1u);
  EXPECT_EQ(s.socket_refused_lines, 1u);  // the socket refused it, not max_message_bytes
  EXPECT_GT(s.largest_oversize, 4u << 20);
}

TEST(SyslogSink, DeadCollectorSpoolBoundedThenReconnects) {
  uint16_t port = 0;
  // A port nobody listens on: bind one, close it, listen on it later.
  int probe = Listen(AF_INET, SOCK_STREAM, "", &port);
  close(probe);
  SyslogSink sink(TcpOptions(port, 8192), "full", 65536);
  sink.Start();
  for (int i = 0; i < 2000; ++i) sink.Copy(Lines(i, 1, 100));  // 200 KB into a 64 KiB spool
  sink.Offer();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  OutputSinkStatus s = sink.Status();
  EXPECT_TRUE(s.failing);
  EXPECT_LE(s.spool_bytes, 65536u);
  EXPECT_GE(s.dropped_lines, 2000u - 65536u / 100);
  EXPECT_GE(s.errors, 1u);
  // The collector comes up: what was kept arrives, after the backoff.
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  listen(listener, 4);
  std::string received;
  std::thread reader([&] { received = ReadStream(listener); });
  for (int i = 0; i < 1000 && sink.Status().spool_bytes > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  s = sink.Status();
  EXPECT_FALSE(s.failing);
  EXPECT_EQ(sink.Stop(5000), 0u);
  reader.join();
  close(listener);
  std::vector<std::string> messages;
  ASSERT_TRUE(Unframe(received, &messages));
  EXPECT_EQ(messages.size() + sink.Status().dropped_lines, 2000u);
  // The newest were kept.
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(MsgOf(messages.back()), Lines(1999, 1, 100).substr(0, 99));
}

// ---- TLS ----

// A self-signed certificate for 127.0.0.1 (subjectAltName IP), written as PEM to cert_path; the key
// stays in *key.
X509* MakeCertificate(EVP_PKEY** key, const std::string& cert_path, const char* san) {
  *key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, *key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("collector"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (const char* ext : {san, "CA:TRUE"}) {
    const int nid = ext == san ? NID_subject_alt_name : NID_basic_constraints;
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, ext);
    X509_add_ext(cert, e, -1);
    X509_EXTENSION_free(e);
  }
  X509_sign(cert, *key, EVP_sha256());
  FILE* f = fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, cert);
  fclose(f);
  return cert;
}

// Accepts one TLS connection on listener and reads until the peer closes it.
std::string ReadTls(int listener, X509* cert, EVP_PKEY* key) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  std::string out;
  pollfd p{listener, POLLIN, 0};
  if (poll(&p, 1, 10000) > 0) {
    int fd = accept(listener, nullptr, nullptr);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      char buf[65536];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    }
    SSL_free(ssl);
    close(fd);
  }
  SSL_CTX_free(ctx);
  return out;
}

TEST(SyslogSink, TlsToACollectorWithItsCa) {
  TempDir dir;
  EVP_PKEY* key = nullptr;
  X509* cert = MakeCertificate(&key, dir.path() + "/ca.pem", "IP:127.0.0.1");
  uint16_t port = 0;
  int listener = Listen(AF_INET, SOCK_STREAM, "", &port);
  std::string received;
  std::thread server([&] { received = ReadTls(listener, cert, key); });
  SyslogSinkOptions o = TcpOptions(port, 1 << 20);
  o.transport = SyslogSinkOptions::Transport::kTls;
  o.address = "tls://127.0.0.1:" + std::to_string(port);
  o.ca_file = dir.path() + "/ca.pem";
  SyslogSink sink(o, "full", 1 << 20);
  std::string error;
  ASSERT_TRUE(sink.Prepare(&error)) << error;
  sink.Start();
  const std::string long_line = "{\"cmd\":\"" + std::string(300000, 'q') + "\"}";
  sink.Copy("{\"n\":1}\n" + long_line + "\n");
  sink.Offer();
  WaitWritten(sink, 2);
  EXPECT_EQ(sink.Stop(5000), 0u);
  server.join();
  close(listener);
  std::vector<std::string> messages;
  ASSERT_TRUE(Unframe(received, &messages));
  ASSERT_EQ(messages.size(), 2u) << sink.Status().last_error;
  EXPECT_EQ(MsgOf(messages[0]), "{\"n\":1}");
  EXPECT_EQ(MsgOf(messages[1]), long_line);
  X509_free(cert);
  EVP_PKEY_free(key);
}

TEST(SyslogSink, TlsRefusesACertificateForAnotherHost) {
  TempDir dir;
  EVP_PKEY* key = nullptr;
  X509* cert = MakeCertificate(&key, dir.path() + "/ca.pem", "DNS:elsewhere.example");
  uint16_t port = 0;
  int listener = Listen(AF_INET, SOCK_STREAM, "", &port);
  std::thread server([&] { ReadTls(listener, cert, key); });
  SyslogSinkOptions o = TcpOptions(port, 1 << 20);
  o.transport = SyslogSinkOptions::Transport::kTls;
  o.address = "tls://127.0.0.1:" + std::to_string(port);
  o.ca_file = dir.path() + "/ca.pem";
  SyslogSink sink(o, "full", 1 << 20);
  std::string error;
  ASSERT_TRUE(sink.Prepare(&error)) << error;
  sink.Start();
  sink.Copy("{\"n\":1}\n");
  sink.Offer();
  for (int i = 0; i < 500 && !sink.Status().failing; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const OutputSinkStatus s = sink.Status();
  EXPECT_TRUE(s.failing);
  EXPECT_NE(s.last_error.find("certificate"), std::string::npos) << s.last_error;
  EXPECT_EQ(s.written_lines, 0u);
  EXPECT_GT(sink.Stop(0), 0u);  // never delivered
  server.join();
  close(listener);
  X509_free(cert);
  EVP_PKEY_free(key);
}

TEST(SyslogSink, TlsCaFileThatDoesNotLoad) {
  SyslogSinkOptions o = TcpOptions(1, 1 << 20);
  o.transport = SyslogSinkOptions::Transport::kTls;
  o.address = "tls://127.0.0.1:1";
  o.ca_file = "/nonexistent/ca.pem";
  SyslogSink sink(o, "full", 1 << 20);
  std::string error;
  EXPECT_FALSE(sink.Prepare(&error));
  EXPECT_NE(error.find("/nonexistent/ca.pem"), std::string::npos) << error;
}

TEST(UnixSink, LinesToAListeningSocket) {
  TempDir dir;
  const std::string path = dir.path() + "/shipper.sock";
  int listener = Listen(AF_UNIX, SOCK_STREAM, path, nullptr);
  std::string received;
  std::thread reader([&] { received = ReadStream(listener); });
  UnixSink sink(path, "full", 1 << 20);
  sink.Start();
  sink.Copy(Lines(0, 100));
  sink.Offer();
  WaitWritten(sink, 100);
  EXPECT_EQ(sink.Stop(5000), 0u);
  reader.join();
  close(listener);
  EXPECT_EQ(received, Lines(0, 100));
}

// A reader that accepts and never reads: once a write has waited the stall time the output is
// failing in its status (auditlens status exits 4), and it is not once the reader reads again.
TEST(UnixSink, AReaderThatTakesNothingMakesTheOutputFailing) {
  TempDir dir;
  const std::string path = dir.path() + "/shipper.sock";
  int listener = Listen(AF_UNIX, SOCK_STREAM, path, nullptr);
  UnixSink sink(path, "full", 1 << 24);
  sink.set_stalled_ms(300);
  sink.Start();
  const int conn = accept(listener, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  sink.Copy(Lines(0, 20000));  // more than the socket's buffers hold
  sink.Offer();
  bool failing = false;
  for (int i = 0; i < 300 && !failing; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    failing = sink.Status().failing;
  }
  EXPECT_TRUE(failing);
  EXPECT_NE(sink.Status().last_error.find("the destination takes nothing"), std::string::npos)
      << sink.Status().last_error;
  // The reader reads: every line arrives, and the output is no longer failing.
  std::string received;
  std::thread reader([&] {
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(conn, buf, sizeof(buf))) > 0) received.append(buf, static_cast<size_t>(n));
  });
  WaitWritten(sink, 20000);
  EXPECT_FALSE(sink.Status().failing);
  EXPECT_EQ(sink.Stop(5000), 0u);
  reader.join();
  close(conn);
  close(listener);
  EXPECT_EQ(received, Lines(0, 20000));
}

// ---- configuration ----

TEST(OutputsConfig, EachTypeWithItsDefaults) {
  Config c;
  std::string error;
  ASSERT_TRUE(ParseConfig(R"(
[[outputs]]
type = "file"
path = "/var/log/auditlens/copy.json"

[[outputs]]
type = "syslog"

[[outputs]]
type = "syslog"
address = "tls://[::1]:6514"
ca_file = "/etc/ssl/ca.pem"
facility = "local3"
max_message_bytes = 262144
max_spool_bytes = 1048576

[[outputs]]
type = "unix"
path = "/run/shipper.sock"

[[outputs]]
type = "stdout"
)",
                          &c, &error))
      << error;
  ASSERT_EQ(c.outputs.size(), 5u);
  EXPECT_EQ(c.outputs[0].max_bytes, 104857600u);
  EXPECT_EQ(c.outputs[0].generations, 5u);
  EXPECT_EQ(c.outputs[0].profile, "brief");  // [output]'s
  EXPECT_EQ(c.outputs[0].max_spool_bytes, 4194304u);
  EXPECT_EQ(c.outputs[1].transport, "unix");
  EXPECT_EQ(c.outputs[1].syslog_path, "/dev/log");
  EXPECT_EQ(c.outputs[1].facility_code, 10);
  EXPECT_EQ(c.outputs[1].app_name, "auditlens");
  EXPECT_EQ(c.outputs[1].max_message_bytes, 65536u);
  EXPECT_EQ(c.outputs[2].transport, "tls");
  EXPECT_EQ(c.outputs[2].host, "::1");
  EXPECT_EQ(c.outputs[2].port, 6514);
  EXPECT_EQ(c.outputs[2].facility_code, 19);
  EXPECT_EQ(c.outputs[2].max_spool_bytes, 1048576u);
  EXPECT_EQ(c.outputs[3].path, "/run/shipper.sock");
  EXPECT_EQ(c.outputs[4].type, "stdout");
  // None by default.
  ASSERT_TRUE(ParseConfig("", &c, &error));
  EXPECT_TRUE(c.outputs.empty());
}

// An output without a profile takes [output]'s, wherever in the file [output] is.
TEST(OutputsConfig, ProfileIsOutputsUnlessSet) {
  Config c;
  std::string error;
  ASSERT_TRUE(ParseConfig(R"(
[[outputs]]
type = "stdout"

[[outputs]]
type = "unix"
path = "/run/shipper.sock"
profile = "lean"

[output]
profile = "full"
)",
                          &c, &error))
      << error;
  ASSERT_EQ(c.outputs.size(), 2u);
  EXPECT_EQ(c.filtering.profile, "full");
  EXPECT_EQ(c.outputs[0].profile, "full");
  EXPECT_EQ(c.outputs[1].profile, "lean");
}

TEST(OutputsConfig, ErrorsNameTheOutputKeyAndLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[[outputs]]\npath = \"/x\"\n", "'outputs[0].type' must be set"},
      {"[[outputs]]\ntype = \"kafka\"\n", "'outputs[0].type' must be"},
      {"[[outputs]]\ntype = \"file\"\n", "'outputs[0].path' must be set"},
      {"[[outputs]]\ntype = \"file\"\npath = \"rel.json\"\n", "<config>:3: 'outputs[0].path' must be an absolute path"},
      {"[[outputs]]\ntype = \"stdout\"\npath = \"/x\"\n", "unknown key 'outputs[0].path' for an output of type \"stdout\""},
      {"[[outputs]]\ntype = \"syslog\"\naddress = \"udp://h:514\"\n", "'outputs[0].address' must be"},
      {"[[outputs]]\ntype = \"syslog\"\naddress = \"tcp://h\"\n", "has no port"},
      {"[[outputs]]\ntype = \"syslog\"\naddress = \"tcp://h:0\"\n", "port 1..65535"},
      {"[[outputs]]\ntype = \"syslog\"\nfacility = \"local9\"\n", "must be a facility name"},
      {"[[outputs]]\ntype = \"syslog\"\nca_file = \"/ca.pem\"\n", "only for a \"tls://\" address"},
      {"[[outputs]]\ntype = \"syslog\"\nmax_message_bytes = 100\n", "must be between 480"},
      {"[[outputs]]\ntype = \"file\"\npath = \"/x\"\nprofile = \"nosuch\"\n", "must be \"full\", \"compact\", \"lean\" or \"brief\""},
      {"[[outputs]]\ntype = \"file\"\npath = \"/x\"\nmax_bytes = 10\n", "at least 4096"},
      {"[[outputs]]\ntype = \"file\"\npath = \"/x\"\ngenerations = 0\n", "'outputs[0].generations' must be 1..1000"},
      {"[[outputs]]\ntype = \"file\"\npath = \"/x\"\ngenerations = -3\n", "'outputs[0].generations' must be 1..1000"},
      {"[[outputs]]\ntype = \"file\"\npath = \"/x\"\ngenerations = 1001\n", "'outputs[0].generations' must be 1..1000"},
      {"[[outputs]]\ntype = \"stdout\"\n[[outputs]]\ntype = \"stdout\"\n", "same destination"},
      {"[output]\npath = \"/a\"\n[[outputs]]\ntype = \"file\"\npath = \"/a\"\n", "same destination as [output]"},
      {"[outputs]\ntype = \"file\"\n", "must be an array of tables"},
  };
  for (const auto& [text, want] : cases) {
    Config c;
    std::string error;
    EXPECT_FALSE(ParseConfig(text, &c, &error)) << text;
    EXPECT_NE(error.find(want), std::string::npos) << text << "\n  got: " << error;
  }
}

TEST(OutputsConfig, FanoutRefusesAGroupTheHostLacks) {
  Config c;
  std::string error;
  ASSERT_TRUE(ParseConfig("[[outputs]]\ntype = \"file\"\npath = \"/tmp/x.json\"\n"
                          "group = \"no-such-group-here\"\n",
                          &c, &error))
      << error;
  OutputFanout fanout;
  EXPECT_FALSE(fanout.Build(c.outputs, "h", "/var/log/auditlens/events.json", &error));
  EXPECT_NE(error.find("outputs[0] (file): output.group: no group 'no-such-group-here'"),
            std::string::npos)
      << error;
  EXPECT_TRUE(fanout.empty());
}

// Each output gets the event in its own profile: [output] and one output in full write the same
// lines; an output in compact writes its capability sets short (a root exec's BPRM_FCAPS in the
// recorded corpus), the same events in the same order.
TEST(OutputFanout, EachOutputWritesItsProfile) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("fanout-profiles-" + std::to_string(getpid()));
  fs::create_directories(dir);
  Config c;
  std::string error;
  // [output]'s profile is the pipeline's (PipelineOptions: full), which the first output takes.
  ASSERT_TRUE(ParseConfig("[output]\nprofile = \"full\"\n[[outputs]]\ntype = \"file\"\npath = \"" + (dir / "full.json").string() +
                              "\"\n[[outputs]]\ntype = \"file\"\npath = \"" +
                              (dir / "compact.json").string() + "\"\nprofile = \"compact\"\n",
                          &c, &error))
      << error;
  OutputFanout fanout;
  ASSERT_TRUE(fanout.Build(c.outputs, "h", (dir / "main.json").string(), &error)) << error;
  ASSERT_EQ(fanout.distinct_profiles().size(), 2u);
  fanout.Start();
  OutputFile main;
  ASSERT_TRUE(main.Open((dir / "main.json").string(), &error)) << error;
  {
    PipelineOptions po;
    po.assembler.expect_eoe = false;
    po.fanout = &fanout;
    NetworkEnricher network(nullptr);
    po.enrichers.push_back(&network);
    Pipeline p(po, &main);
    std::ifstream in(std::string(AUDITLENS_TEST_DATA) + "/differential/corpus-debian12.log",
                     std::ios::binary);
    Record rec;
    for (std::string line; std::getline(in, line);) {
      if (ParseLogRecord(line, &rec) == nullptr) p.AddRecord(rec);
    }
    p.Flush();
  }
  ASSERT_TRUE(main.Flush());
  fanout.OfferAll();
  for (const auto& sink : fanout.sinks()) sink->Stop(5000);
  auto lines = [](const fs::path& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  const std::vector<std::string> m = lines(dir / "main.json"), f = lines(dir / "full.json"),
                                  k = lines(dir / "compact.json");
  ASSERT_GT(m.size(), 100u);
  EXPECT_EQ(f, m);
  ASSERT_EQ(k.size(), m.size());
  size_t differ = 0, all_but = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    differ += k[i] != m[i];
    all_but += k[i].find("\"all but ") != std::string::npos;
    // The same event: the same id, serial and time.
    EXPECT_EQ(k[i].substr(0, 120), m[i].substr(0, 120));
  }
  EXPECT_GT(differ, 0u);
  EXPECT_GT(all_but, 0u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace auditlens
