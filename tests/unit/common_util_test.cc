// The shared layer's helpers (src/common): checked integer parsing, ISO-8601 time text, clocks,
// the boot id and the /proc readers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <string>

#include "common/boot_id.h"
#include "common/clock.h"
#include "common/endpoint.h"
#include "common/parse_int.h"
#include "common/proc_reader.h"
#include "common/time_format.h"

namespace auditlens {
namespace {

TEST(ParseInt, UnsignedLimitsAndOverflow) {
  uint64_t v = 7;
  EXPECT_TRUE(ParseU64("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseU64("9999999999999999999", &v));  // 19 digits: fits
  EXPECT_EQ(v, 9999999999999999999ull);
  EXPECT_TRUE(ParseU64("18446744073709551615", &v));  // 20 digits: UINT64_MAX
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  v = 7;
  EXPECT_FALSE(ParseU64("18446744073709551616", &v));  // UINT64_MAX + 1
  EXPECT_FALSE(ParseU64("99999999999999999999", &v));  // 20 nines
  EXPECT_FALSE(ParseU64("184467440737095516150", &v));
  EXPECT_EQ(v, 7u);  // unchanged on failure
}

TEST(ParseInt, SignedLimitsAndOverflow) {
  int64_t v = 7;
  EXPECT_TRUE(ParseI64("9223372036854775807", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(ParseI64("-9223372036854775808", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  v = 7;
  // 19 digits that do not fit an int64: the old process-table parser overflowed here.
  EXPECT_FALSE(ParseI64("9223372036854775808", &v));
  EXPECT_FALSE(ParseI64("9999999999999999999", &v));
  EXPECT_FALSE(ParseI64("-9223372036854775809", &v));
  EXPECT_FALSE(ParseI64("-9999999999999999999", &v));
  EXPECT_FALSE(ParseI64("18446744073709551615", &v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(ParseI64("-1", &v));
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(ParseI64("-0", &v));
  EXPECT_EQ(v, 0);
}

TEST(ParseInt, SyntaxIsStrict) {
  int64_t v = 7;
  uint64_t u = 7;
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "1a", "a1", "0x10", "--1", "1-", "1.0",
                          "\xd9\xa1"}) {
    EXPECT_FALSE(ParseI64(bad, &v)) << bad;
    EXPECT_FALSE(ParseU64(bad, &u)) << bad;
  }
  EXPECT_FALSE(ParseU64("-1", &u));
  EXPECT_EQ(v, 7);
  EXPECT_EQ(u, 7u);
  // Leading zeros are allowed, also past 19 characters.
  EXPECT_TRUE(ParseI64("007", &v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(ParseU64("000000000000000000000000042", &u));
  EXPECT_EQ(u, 42u);
  EXPECT_TRUE(ParseI64("-0000000000000000000009223372036854775808", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  // A string_view is not read past its end.
  const char digits[] = "12345";
  EXPECT_TRUE(ParseU64(std::string_view(digits, 2), &u));
  EXPECT_EQ(u, 12u);
}

TEST(ParseInt, DecimalChecksTheTargetRange) {
  int32_t i = 7;
  EXPECT_TRUE(ParseDecimal("2147483647", &i));
  EXPECT_EQ(i, 2147483647);
  EXPECT_TRUE(ParseDecimal("-2147483648", &i));
  EXPECT_EQ(i, -2147483647 - 1);
  EXPECT_FALSE(ParseDecimal("2147483648", &i));
  EXPECT_FALSE(ParseDecimal("-2147483649", &i));
  uint16_t port = 7;
  EXPECT_TRUE(ParseDecimal("65535", &port));
  EXPECT_EQ(port, 65535);
  EXPECT_FALSE(ParseDecimal("65536", &port));
  EXPECT_FALSE(ParseDecimal("-1", &port));
  EXPECT_EQ(port, 65535);
  uint32_t u = 0;
  EXPECT_TRUE(ParseDecimal("4294967295", &u));
  EXPECT_FALSE(ParseDecimal("4294967296", &u));
  EXPECT_FALSE(ParseDecimal("-1", &u));
}

TEST(ParseInt, Id32TakesBothSpellingsOfUnset) {
  uint32_t id = 0;
  EXPECT_TRUE(ParseId32("-1", &id));
  EXPECT_EQ(id, 4294967295u);
  id = 0;
  EXPECT_TRUE(ParseId32("4294967295", &id));
  EXPECT_EQ(id, 4294967295u);
  EXPECT_TRUE(ParseId32("1000", &id));
  EXPECT_EQ(id, 1000u);
  EXPECT_TRUE(ParseId32("-2147483648", &id));
  EXPECT_EQ(id, 2147483648u);
  EXPECT_FALSE(ParseId32("4294967296", &id));
  EXPECT_FALSE(ParseId32("-2147483649", &id));
  EXPECT_FALSE(ParseId32("9999999999999999999", &id));
  EXPECT_FALSE(ParseId32("", &id));
  EXPECT_EQ(id, 2147483648u);
}

TEST(ParseInt, Hex) {
  uint64_t v = 7;
  EXPECT_TRUE(ParseHexU64("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseHexU64("c000003e", &v));
  EXPECT_EQ(v, 0xc000003eu);
  EXPECT_TRUE(ParseHexU64("C000003E", &v));
  EXPECT_EQ(v, 0xc000003eu);
  EXPECT_TRUE(ParseHexU64("ffffffffffffffff", &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(ParseHexU64("0000000000000001", &v));
  EXPECT_EQ(v, 1u);
  v = 7;
  for (const char* bad : {"", "10000000000000000", "0x1", "g", "-1", "1 ", "@", "`", "G", "/", ":"}) {
    EXPECT_FALSE(ParseHexU64(bad, &v)) << bad;
  }
  EXPECT_EQ(v, 7u);
}

TEST(TimeFormat, Milliseconds) {
  EXPECT_EQ(FormatIsoMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMs(1795348678195), "2026-11-22T11:57:58.195Z");
  // Truncated, never rounded up into the next second.
  EXPECT_EQ(FormatIsoMs(1795348678999), "2026-11-22T11:57:58.999Z");
  EXPECT_EQ(FormatIsoMs(1795348679000), "2026-11-22T11:57:59.000Z");
  EXPECT_EQ(FormatIsoMs(1795348678007), "2026-11-22T11:57:58.007Z");
  // 2016-12-31T23:59:60 (a leap second) does not exist for gmtime: the next second is 00:00:00.
  EXPECT_EQ(FormatIsoMs(1483228799500), "2016-12-31T23:59:59.500Z");
  EXPECT_EQ(FormatIsoMs(1483228800000), "2017-01-01T00:00:00.000Z");
  std::string s = "x";
  AppendIsoMs(86400000, &s);
  EXPECT_EQ(s, "x1970-01-02T00:00:00.000Z");
}

TEST(TimeFormat, BeforeTheEpochAndFarAway) {
  EXPECT_EQ(FormatIsoMs(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoMs(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(FormatIsoMs(-1001), "1969-12-31T23:59:58.999Z");
  EXPECT_EQ(FormatIsoMs(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoMs(253402300800000), "10000-01-01T00:00:00.000Z");
  // Huge millisecond counts still have a year gmtime_r can give (about 292 million).
  EXPECT_EQ(FormatIsoMs(std::numeric_limits<int64_t>::max()), "292278994-08-17T07:12:55.807Z");
  EXPECT_EQ(FormatIsoMs(std::numeric_limits<int64_t>::min()), "-292275055-05-16T16:47:04.192Z");
  // Seconds beyond what gmtime_r can represent (a year past INT_MAX): well-formed, not garbage.
  char buf[kIsoSecondsMax + 1];
  EXPECT_EQ(FormatIsoSeconds(std::numeric_limits<int64_t>::max(), buf), 19u);
  EXPECT_STREQ(buf, kIsoUnrepresentable);
  EXPECT_EQ(FormatIsoSeconds(std::numeric_limits<int64_t>::min(), buf), 19u);
  EXPECT_STREQ(buf, kIsoUnrepresentable);
  std::string s;
  IsoSecondCache cache;
  cache.AppendMs(std::numeric_limits<int64_t>::max(), &s);
  EXPECT_EQ(s, "292278994-08-17T07:12:55.807Z");
}

TEST(TimeFormat, SecondCacheGivesTheSameText) {
  IsoSecondCache cache;
  size_t len = 0;
  // Second 0 first: the cache must not take its initial state for "0 already formatted".
  const char* text = cache.Get(0, &len);
  EXPECT_EQ(std::string(text, len), "1970-01-01T00:00:00");
  for (int64_t ms : {int64_t{1795348678195}, int64_t{1795348678999}, int64_t{1795348679001},
                     int64_t{0}, int64_t{-1}, int64_t{1795348679001}}) {
    std::string a, b;
    cache.AppendMs(ms, &a);
    AppendIsoMs(ms, &b);
    EXPECT_EQ(a, b) << ms;
  }
}

TEST(TimeFormat, LocalTimeFollowsTz) {
  const char* old = getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", "UTC0", 1);
  tzset();
  EXPECT_EQ(FormatLocal(1795348678195, "%Y-%m-%d %H:%M:%S %z"), "2026-11-22 11:57:58 +0000");
  EXPECT_EQ(FormatLocal(-1, "%H:%M:%S"), "23:59:59");
  setenv("TZ", "CET-1", 1);
  tzset();
  EXPECT_EQ(FormatLocal(1795348678195, "%H:%M:%S"), "12:57:58");
  EXPECT_EQ(FormatLocal(0, ""), "");
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  EXPECT_EQ(MillisOf(1795348678195), 195u);
  EXPECT_EQ(MillisOf(-1), 999u);
  EXPECT_EQ(MillisOf(-1000), 0u);
}

TEST(Clock, UnitsAgreeAndMove) {
  const uint64_t ns = MonotonicNs();
  const uint64_t us = MonotonicUs();
  const uint64_t ms = MonotonicMs();
  EXPECT_LE(ns / 1000, us);
  EXPECT_LE(us / 1000, ms);
  EXPECT_LE(ms, MonotonicNs() / 1000000);
  // The coarse clock lags the fine one by at most a few ticks.
  EXPECT_LE(MonotonicMsCoarse(), MonotonicMs());
  EXPECT_GE(MonotonicMsCoarse() + 1000, MonotonicMs());
  EXPECT_LE(MonotonicSecondsCoarse(), MonotonicMs() / 1000);
  const uint64_t wall = WallMs();
  EXPECT_GT(wall, 1600000000000u);  // after 2020
  EXPECT_LE(WallMsCoarse(), WallMs());
  EXPECT_GE(WallMsCoarse() + 1000, wall);
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/auditlens_common_XXXXXX";
    const int fd = mkstemp(name);
    path_ = name;
    if (fd >= 0) {
      EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
      close(fd);
    }
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(BootId, TheKernelsIsAUuidAndStable) {
  const std::string id = ReadBootId();
  EXPECT_EQ(id.size(), 36u) << id;
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id, ReadBootId());
}

TEST(BootId, TrailingNewlineGoesAndAMissingFileIsEmpty) {
  TempFile f("0f3c1d9e-1111-2222-3333-444455556666\n");
  EXPECT_EQ(ReadBootId(f.path()), "0f3c1d9e-1111-2222-3333-444455556666");
  EXPECT_EQ(ReadBootId("/nonexistent/boot_id"), "");
  TempFile empty("");
  EXPECT_EQ(ReadBootId(empty.path()), "");
}

TEST(ProcReader, ReadsAProcFileToItsEnd) {
  // /proc files say size 0; the reader must not trust that.
  const std::string self = ReadSmallFile("/proc/self/status");
  EXPECT_NE(self.find("\nPid:"), std::string::npos);
  const std::string cmdline = ReadSmallFile(ProcPidPath(getpid(), "cmdline"));
  EXPECT_NE(cmdline.find("unit_tests"), std::string::npos);
  EXPECT_EQ(ReadSmallFile("/nonexistent/file"), "");
  EXPECT_EQ(ReadSmallFile("/proc/self"), "");  // a directory: nothing, no error thrown
}

TEST(ProcReader, ReadsFilesLargerThanOneBuffer) {
  std::string big(3 * 4096 + 17, 'a');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  big[100] = '\0';  // NULs kept (cmdline, environ)
  TempFile f(big);
  EXPECT_EQ(ReadSmallFile(f.path()), big);
}

TEST(ProcReader, LinksAndPaths) {
  EXPECT_EQ(ProcPidPath(42, "exe"), "/proc/42/exe");
  EXPECT_EQ(ProcPidPath(42, ""), "/proc/42");
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  ASSERT_GT(n, 0);
  EXPECT_EQ(ReadLinkTarget(ProcPidPath(getpid(), "exe")), std::string(exe, static_cast<size_t>(n)));
  EXPECT_EQ(ReadLinkTarget("/proc/self/status"), "");  // not a link
  EXPECT_EQ(ReadLinkTarget("/nonexistent/link"), "");
}

std::string AsGiven(const Endpoint& e) {
  char buf[Endpoint::kIpTextSize];
  return std::string(buf, e.FormatIpAsGiven(buf));
}

std::string Flow(const Endpoint& e) {
  char buf[Endpoint::kIpTextSize];
  return std::string(buf, e.FormatIp(buf));
}

TEST(Endpoint, FromTextReadsIpAddressesOnly) {
  Endpoint e;
  EXPECT_FALSE(e.is_ip());
  ASSERT_TRUE(EndpointFromText("10.0.0.1", 22, &e));
  EXPECT_TRUE(e.is_ip());
  EXPECT_FALSE(e.ipv6);
  EXPECT_EQ(e.family, AF_INET);
  EXPECT_EQ(e.port, 22);
  EXPECT_EQ(Flow(e), "10.0.0.1");
  ASSERT_TRUE(EndpointFromText("::1", 0, &e));
  EXPECT_TRUE(e.ipv6);
  EXPECT_EQ(e.port, 0);
  EXPECT_EQ(AsGiven(e), "::1");
  ASSERT_TRUE(EndpointFromText(std::string_view("1.2.3.4\0junk", 12), 1, &e));  // up to the NUL
  EXPECT_EQ(Flow(e), "1.2.3.4");
  // Not an address (a host name, PAM's "?", too long): nothing, not even the port.
  for (std::string_view bad : {"", "?", "host.example", "1.2.3", "10.0.0.1 ", "::1::2",
                               "1111111111111111111111111111111111111111111111111111"}) {
    EXPECT_FALSE(EndpointFromText(bad, 22, &e)) << bad;
    EXPECT_EQ(e.kind, Endpoint::Kind::kNone) << bad;
    EXPECT_EQ(e.port, 0) << bad;
  }
}

// A v4-mapped address is IPv4 to the flow, and ::ffff:a.b.c.d as given; both texts are
// inet_ntop's.
TEST(Endpoint, V4MappedAsGivenAndUnmapped) {
  for (const char* text : {"::ffff:127.0.0.1", "::ffff:0.0.0.0", "::ffff:255.255.255.255",
                           "::ffff:10.20.30.4"}) {
    uint8_t raw[16];
    ASSERT_EQ(inet_pton(AF_INET6, text, raw), 1);
    char libc[INET6_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET6, raw, libc, sizeof(libc)), nullptr);
    Endpoint e;
    EndpointFromIp(AF_INET6, raw, 80, &e);
    EXPECT_TRUE(e.v4_mapped());
    EXPECT_FALSE(e.ipv6);
    EXPECT_EQ(AsGiven(e), libc);
    EXPECT_EQ(Flow(e), std::string(text).substr(7));
    const Endpoint u = e.Unmapped();
    EXPECT_FALSE(u.v4_mapped());
    EXPECT_EQ(u.family, AF_INET);
    EXPECT_EQ(AsGiven(u), Flow(e));
    Endpoint v4;
    ASSERT_TRUE(EndpointFromText(Flow(e), 80, &v4));
    EXPECT_TRUE(e.SameIpEndpoint(v4));  // the same flow end
    EXPECT_FALSE(e.SameIpAsGiven(v4));  // written differently
    EXPECT_TRUE(u.SameIpAsGiven(v4));
    Endpoint again;
    ASSERT_TRUE(EndpointFromText(text, 80, &again));
    EXPECT_TRUE(again.SameIpAsGiven(e));
  }
  // Other IPv6 addresses print as inet_ntop prints them, given or not; Unmapped leaves them.
  for (const char* text : {"::", "::1", "::1.2.3.4", "fe80::1", "2001:db8::ffff:1.2.3.4",
                           "::ffff:0:1.2.3.4"}) {
    uint8_t raw[16];
    ASSERT_EQ(inet_pton(AF_INET6, text, raw), 1);
    char libc[INET6_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET6, raw, libc, sizeof(libc)), nullptr);
    Endpoint e;
    EndpointFromIp(AF_INET6, raw, 0, &e);
    EXPECT_TRUE(e.ipv6) << text;
    EXPECT_EQ(AsGiven(e), libc);
    EXPECT_EQ(Flow(e), libc);
    EXPECT_EQ(e.Unmapped().family, AF_INET6);
  }
  Endpoint none;
  EXPECT_EQ(AsGiven(none), "");
  EXPECT_EQ(Flow(none), "");
}

TEST(Endpoint, FormatIpv4IsInetNtop) {
  // Every octet value in every position (one, two and three digits, zeros included).
  for (int pos = 0; pos < 4; ++pos) {
    for (int v = 0; v < 256; ++v) {
      uint8_t addr[4] = {10, 0, 200, 7};
      addr[pos] = static_cast<uint8_t>(v);
      char ours[16], libc[16];
      size_t n = FormatIpv4(addr, ours);
      ASSERT_NE(inet_ntop(AF_INET, addr, libc, sizeof(libc)), nullptr);
      EXPECT_STREQ(ours, libc);
      EXPECT_EQ(n, strlen(libc));
    }
  }
  uint8_t widest[4] = {255, 255, 255, 255};
  char buf[16];
  EXPECT_EQ(FormatIpv4(widest, buf), 15u);
  EXPECT_STREQ(buf, "255.255.255.255");
}

TEST(Endpoint, JoinHostPort) {
  EXPECT_EQ(JoinHostPort("10.0.0.1", "22"), "10.0.0.1:22");
  EXPECT_EQ(JoinHostPort("::1", "22"), "[::1]:22");
  EXPECT_EQ(JoinHostPort("fe80::1", ""), "[fe80::1]");
  EXPECT_EQ(JoinHostPort("10.0.0.1", ""), "10.0.0.1");
  EXPECT_EQ(JoinHostPort("", "22"), ":22");
  EXPECT_EQ(JoinHostPort("", ""), "");
}

}  // namespace
}  // namespace auditlens
