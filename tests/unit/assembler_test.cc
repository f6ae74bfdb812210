// src/assemble/assembler: records → events by (node, serial), completion rules, bounded memory.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "assemble/assembler.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

constexpr uint16_t kSyscall = 1300, kCwd = 1307, kPath = 1302, kExecve = 1309, kEoe = 1320,
                   kProctitle = 1327, kConfigChange = 1305, kUserAcct = 1101, kDaemonStart = 1200,
                   kLogin = 1006, kUserMsg2 = 2100;

// A copy of a completed event (the assembler reuses the Event after OnEvent).
struct Done {
  std::string node;
  uint32_t serial;
  uint64_t time_ms;
  Completion how;
  std::vector<uint16_t> types;
  std::vector<std::string> bodies;
};

class Collect : public EventSink {
 public:
  void OnEvent(const Event& e) override {
    Done d{e.node(), e.serial(), e.time_ms(), e.completion(), {}, {}};
    for (size_t i = 0; i < e.record_count(); ++i) {
      d.types.push_back(e.record_type(i));
      d.bodies.emplace_back(e.record_body(i));
    }
    done.push_back(std::move(d));
  }
  std::vector<Done> done;
};

// Bodies live in this fixture's storage so the Record views stay valid for the call.
Record Rec(uint16_t type, uint32_t serial, std::string_view body, uint64_t time_ms = 1000,
           std::string_view node = {}) {
  Record r;
  r.type = type;
  r.serial = serial;
  r.sec = time_ms / 1000;
  r.msec = static_cast<uint32_t>(time_ms % 1000);
  r.body = body;
  r.node = node;
  return r;
}

// A syscall event completes on EOE, with its records in arrival order and without the EOE itself.
TEST(Assembler, EoeCompletes) {
  Collect sink;
  Assembler a({}, &sink);
  a.Add(Rec(kSyscall, 7, "syscall=59"));
  a.Add(Rec(kCwd, 7, "cwd=\"/tmp\""));
  a.Add(Rec(kProctitle, 7, "proctitle=6C73"));
  EXPECT_TRUE(sink.done.empty()) << "PROCTITLE does not complete when EOE is expected";
  a.Add(Rec(kEoe, 7, ""));
  ASSERT_EQ(sink.done.size(), 1u);
  const Done& d = sink.done[0];
  EXPECT_EQ(d.serial, 7u);
  EXPECT_EQ(d.how, Completion::kEndOfEvent);
  EXPECT_EQ(d.types, (std::vector<uint16_t>{kSyscall, kCwd, kProctitle}));
  EXPECT_EQ(d.bodies[1], "cwd=\"/tmp\"");
  EXPECT_EQ(a.in_flight(), 0u);
  EXPECT_EQ(a.events(), 1u);
  EXPECT_EQ(a.records(), 4u);
}

// User-space messages (1100–1299, 2100–2999) are whole events at once; kernel types are not.
TEST(Assembler, StandaloneTypesCompleteAtOnce) {
  Collect sink;
  Assembler a({}, &sink);
  a.Add(Rec(kUserAcct, 1, "op=PAM:accounting"));
  a.Add(Rec(kDaemonStart, 2, "op=start"));
  a.Add(Rec(kUserMsg2, 3, "x=1"));
  a.Add(Rec(1299, 4, "x=1"));
  a.Add(Rec(2999, 5, "x=1"));
  ASSERT_EQ(sink.done.size(), 5u);
  for (const Done& d : sink.done) EXPECT_EQ(d.how, Completion::kStandalone);
  a.Add(Rec(kLogin, 6, "auid=0"));
  a.Add(Rec(kConfigChange, 7, "op=add_rule"));
  a.Add(Rec(1099, 8, "x=1"));
  a.Add(Rec(3000, 9, "x=1"));
  EXPECT_EQ(sink.done.size(), 5u);
  EXPECT_EQ(a.in_flight(), 4u);
}

// Logs have no EOE: with expect_eoe=false PROCTITLE (the kernel's last record) completes.
TEST(Assembler, LogModeProctitleCompletes) {
  Collect sink;
  AssemblerOptions o;
  o.expect_eoe = false;
  Assembler a(o, &sink);
  a.Add(Rec(kConfigChange, 3, "op=add_rule"));  // this machine writes CONFIG_CHANGE first
  a.Add(Rec(kSyscall, 3, "syscall=44"));
  EXPECT_TRUE(sink.done.empty());
  a.Add(Rec(kProctitle, 3, "proctitle=61"));
  ASSERT_EQ(sink.done.size(), 1u);
  EXPECT_EQ(sink.done[0].types, (std::vector<uint16_t>{kConfigChange, kSyscall, kProctitle}));
  EXPECT_EQ(sink.done[0].how, Completion::kEndOfEvent);
}

// Without EOE or PROCTITLE, an event completes once timeout_ms of stream time passed since its
// last record — not one millisecond earlier.
TEST(Assembler, TimeoutIsMeasuredFromTheLastRecord) {
  Collect sink;
  AssemblerOptions o;
  o.expect_eoe = false;
  o.timeout_ms = 2000;
  Assembler a(o, &sink);
  a.Add(Rec(kLogin, 302, "auid=0", 10'000));
  a.Add(Rec(kSyscall, 303, "syscall=1", 10'500));
  a.Add(Rec(kCwd, 303, "cwd=\"/\"", 10'500), 11'000);  // arrives later: refreshes 303
  a.AdvanceTime(11'999);
  EXPECT_TRUE(sink.done.empty());
  a.AdvanceTime(12'000);
  ASSERT_EQ(sink.done.size(), 1u);
  EXPECT_EQ(sink.done[0].serial, 302u);
  EXPECT_EQ(sink.done[0].how, Completion::kTimeout);
  a.AdvanceTime(12'999);
  EXPECT_EQ(sink.done.size(), 1u);
  a.AdvanceTime(13'000);
  ASSERT_EQ(sink.done.size(), 2u);
  EXPECT_EQ(sink.done[1].serial, 303u);
  EXPECT_EQ(sink.done[1].types.size(), 2u);
  EXPECT_EQ(a.timed_out(), 2u);
}

// Live mode: the arrival clock, not the record's own time, drives the timeout.
TEST(Assembler, ArrivalTimeDrivesTheTimeout) {
  Collect sink;
  AssemblerOptions o;
  o.timeout_ms = 100;
  Assembler a(o, &sink);
  a.Add(Rec(kSyscall, 1, "a=1", /*record time*/ 5), /*arrival*/ 1'000'000);
  a.AdvanceTime(1'000'099);
  EXPECT_TRUE(sink.done.empty());
  a.AdvanceTime(1'000'100);
  EXPECT_EQ(sink.done.size(), 1u);
}

// Two events whose records alternate are kept apart, each with its records in order.
TEST(Assembler, InterleavedEvents) {
  Collect sink;
  Assembler a({}, &sink);
  a.Add(Rec(kSyscall, 10, "A1"));
  a.Add(Rec(kSyscall, 11, "B1"));
  a.Add(Rec(kCwd, 10, "A2"));
  a.Add(Rec(kCwd, 11, "B2"));
  a.Add(Rec(kPath, 10, "A3"));
  a.Add(Rec(kEoe, 11, ""));
  a.Add(Rec(kPath, 10, "A4"));
  a.Add(Rec(kEoe, 10, ""));
  ASSERT_EQ(sink.done.size(), 2u);
  EXPECT_EQ(sink.done[0].serial, 11u);
  EXPECT_EQ(sink.done[0].bodies, (std::vector<std::string>{"B1", "B2"}));
  EXPECT_EQ(sink.done[1].serial, 10u);
  EXPECT_EQ(sink.done[1].bodies, (std::vector<std::string>{"A1", "A2", "A3", "A4"}));
}

// Records out of serial order (a later event's records first) still group by serial.
TEST(Assembler, OutOfOrderSerials) {
  Collect sink;
  AssemblerOptions o;
  o.expect_eoe = false;
  Assembler a(o, &sink);
  a.Add(Rec(kSyscall, 21, "b-syscall"));
  a.Add(Rec(kSyscall, 20, "a-syscall"));
  a.Add(Rec(kProctitle, 21, "b-title"));
  a.Add(Rec(kCwd, 20, "a-cwd"));
  a.Add(Rec(kProctitle, 20, "a-title"));
  ASSERT_EQ(sink.done.size(), 2u);
  EXPECT_EQ(sink.done[0].bodies, (std::vector<std::string>{"b-syscall", "b-title"}));
  EXPECT_EQ(sink.done[1].bodies, (std::vector<std::string>{"a-syscall", "a-cwd", "a-title"}));
  EXPECT_EQ(a.late_records(), 0u);
}

// The same serial on two nodes (an aggregated log) is two events; neither counts as late.
TEST(Assembler, SameSerialOnTwoNodes) {
  Collect sink;
  AssemblerOptions o;
  o.expect_eoe = false;
  Assembler a(o, &sink);
  a.Add(Rec(kSyscall, 5, "a1", 1000, "alpha"));
  a.Add(Rec(kSyscall, 5, "b1", 1000, "beta"));
  a.Add(Rec(kCwd, 5, "a2", 1000, "alpha"));
  a.Add(Rec(kProctitle, 5, "b2", 1000, "beta"));
  a.Add(Rec(kProctitle, 5, "a3", 1000, "alpha"));
  // A third node's event with that serial, after both completed: still not late.
  a.Add(Rec(kSyscall, 5, "c1", 1000, "gamma"));
  a.Add(Rec(kProctitle, 5, "c2", 1000, "gamma"));
  ASSERT_EQ(sink.done.size(), 3u);
  EXPECT_EQ(sink.done[0].node, "beta");
  EXPECT_EQ(sink.done[0].bodies, (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(sink.done[1].node, "alpha");
  EXPECT_EQ(sink.done[1].bodies, (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(sink.done[2].node, "gamma");
  EXPECT_EQ(a.late_records(), 0u);
}

// Serials restart at boot: the same serial with another timestamp (a log spanning a reboot, or
// two logs read together) is another event, even while the first is still open; not late either.
TEST(Assembler, SameSerialAnotherTimeIsAnotherEvent) {
  Collect sink;
  AssemblerOptions o;
  o.expect_eoe = false;
  Assembler a(o, &sink);
  a.Add(Rec(kSyscall, 42, "boot1-syscall", 1795344525627));
  a.Add(Rec(kSyscall, 42, "boot2-syscall", 1795349999001));
  a.Add(Rec(kProctitle, 42, "boot1-title", 1795344525627));
  a.Add(Rec(kProctitle, 42, "boot2-title", 1795349999001));
  ASSERT_EQ(sink.done.size(), 2u);
  EXPECT_EQ(sink.done[0].bodies, (std::vector<std::string>{"boot1-syscall", "boot1-title"}));
  EXPECT_EQ(sink.done[1].bodies, (std::vector<std::string>{"boot2-syscall", "boot2-title"}));
  EXPECT_EQ(sink.done[1].time_ms, 1795349999001u);
  EXPECT_EQ(a.late_records(), 0u);
  // A record with the first event's stamp after it completed is late, as before.
  a.Add(Rec(kPath, 42, "late", 1795344525627));
  EXPECT_EQ(a.late_records(), 1u);
}

// A record for an event that already completed starts a new event and is counted as late;
// a stray EOE is dropped and counted.
TEST(Assembler, LateRecordsAreKeptAndCounted) {
  Collect sink;
  Assembler a({}, &sink);
  a.Add(Rec(kSyscall, 9, "s"));
  a.Add(Rec(kEoe, 9, ""));
  a.Add(Rec(kPath, 9, "late"));
  EXPECT_EQ(a.late_records(), 1u);
  a.Add(Rec(kEoe, 9, ""));
  ASSERT_EQ(sink.done.size(), 2u);
  EXPECT_EQ(sink.done[1].bodies, (std::vector<std::string>{"late"}));
  a.Add(Rec(kEoe, 1234, ""));  // nothing open for it
  EXPECT_EQ(sink.done.size(), 2u);
  EXPECT_EQ(a.late_records(), 2u);
  EXPECT_EQ(a.in_flight(), 0u);
}

// Serial 0 after a wrap is a serial like any other: its late record is counted too.
TEST(Assembler, LateRecordOfSerialZero) {
  Collect sink;
  Assembler a({}, &sink);
  a.Add(Rec(kSyscall, 0, "s"));
  a.Add(Rec(kEoe, 0, ""));
  a.Add(Rec(kPath, 0, "late"));
  EXPECT_EQ(a.late_records(), 1u);
}

// Around the 32-bit wrap, events 4294967294, 4294967295, 0, 1 interleave and each comes out whole.
TEST(Assembler, SerialWraparound) {
  Collect sink;
  Assembler a({}, &sink);
  const uint32_t s[] = {4294967294u, 4294967295u, 0u, 1u};
  for (uint32_t x : s) a.Add(Rec(kSyscall, x, "syscall"));
  for (uint32_t x : s) a.Add(Rec(kPath, x, "path"));
  a.Add(Rec(kEoe, 0u, ""));
  a.Add(Rec(kEoe, 4294967295u, ""));
  a.Add(Rec(kEoe, 1u, ""));
  a.Add(Rec(kEoe, 4294967294u, ""));
  ASSERT_EQ(sink.done.size(), 4u);
  const uint32_t order[] = {0u, 4294967295u, 1u, 4294967294u};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(sink.done[i].serial, order[i]);
    EXPECT_EQ(sink.done[i].types, (std::vector<uint16_t>{kSyscall, kPath}));
  }
  EXPECT_EQ(a.late_records(), 0u);
}

// No more than max_in_flight events are ever open: the oldest is let go, marked evicted.
TEST(Assembler, MaxInFlightEvictsTheOldest) {
  Collect sink;
  AssemblerOptions o;
  o.max_in_flight = 3;
  Assembler a(o, &sink);
  for (uint32_t s = 1; s <= 10; ++s) {
    a.Add(Rec(kSyscall, s, "x"));
    EXPECT_LE(a.in_flight(), 3u);
  }
  ASSERT_EQ(sink.done.size(), 7u);
  for (uint32_t i = 0; i < 7; ++i) {
    EXPECT_EQ(sink.done[i].serial, i + 1);
    EXPECT_EQ(sink.done[i].how, Completion::kEvicted);
  }
  EXPECT_EQ(a.evicted(), 7u);
  // A record for an open event does not evict anything.
  a.Add(Rec(kCwd, 9, "y"));
  EXPECT_EQ(sink.done.size(), 7u);
  a.Flush();
  ASSERT_EQ(sink.done.size(), 10u);
  EXPECT_EQ(sink.done[7].serial, 8u);
  EXPECT_EQ(sink.done[7].how, Completion::kFlush);
  EXPECT_EQ(sink.done[8].types.size(), 2u);
}

// One serial with endless records (a hostile or broken log) cannot grow an event without limit:
// at max_event_bytes it is let go, and the rest starts another event; no record is lost.
TEST(Assembler, MaxEventBytes) {
  Collect sink;
  AssemblerOptions o;
  o.expect_eoe = false;
  o.max_event_bytes = 10'000;
  Assembler a(o, &sink);
  const std::string body(1000, 'p');
  for (int i = 0; i < 95; ++i) a.Add(Rec(kPath, 5, body));
  a.Add(Rec(kProctitle, 5, "proctitle=61"));
  ASSERT_EQ(sink.done.size(), 10u);
  size_t records = 0;
  for (size_t i = 0; i < sink.done.size(); ++i) {
    records += sink.done[i].types.size();
    EXPECT_LE(sink.done[i].types.size(), 10u);
    EXPECT_EQ(sink.done[i].how, i + 1 < sink.done.size() ? Completion::kEvicted
                                                         : Completion::kEndOfEvent);
  }
  EXPECT_EQ(records, 96u);
  EXPECT_EQ(a.evicted(), 9u);
  // The pooled Event that held the big text is reused for small events as usual.
  a.Add(Rec(kSyscall, 6, "small"));
  a.Add(Rec(kProctitle, 6, "t"));
  EXPECT_EQ(sink.done.back().bodies, (std::vector<std::string>{"small", "t"}));
}

// Flush completes everything, oldest first; the assembler is usable afterwards.
TEST(Assembler, FlushThenReuse) {
  Collect sink;
  Assembler a({}, &sink);
  a.Add(Rec(kSyscall, 1, "a"));
  a.Add(Rec(kSyscall, 2, "b"));
  a.Flush();
  ASSERT_EQ(sink.done.size(), 2u);
  EXPECT_EQ(sink.done[0].serial, 1u);
  EXPECT_EQ(sink.done[1].how, Completion::kFlush);
  a.Add(Rec(kSyscall, 3, "c"));
  a.Add(Rec(kEoe, 3, ""));
  ASSERT_EQ(sink.done.size(), 3u);
  EXPECT_EQ(sink.done[2].bodies, (std::vector<std::string>{"c"}));
}

// The event owns a copy of the bodies: the receive buffer may be reused before completion.
TEST(Assembler, EventOwnsItsText) {
  Collect sink;
  Assembler a({}, &sink);
  std::string buffer = "syscall=59 comm=\"ls\"";
  a.Add(Rec(kSyscall, 4, buffer));
  buffer.assign(buffer.size(), 'X');
  std::string node = "host1";
  std::string body2 = "cwd=\"/\"";
  a.Add(Rec(kCwd, 5, body2, 1000, node));
  node.assign("zzzzz");
  a.Add(Rec(kEoe, 4, ""));
  a.Flush();
  ASSERT_EQ(sink.done.size(), 2u);
  EXPECT_EQ(sink.done[0].bodies[0], "syscall=59 comm=\"ls\"");
  EXPECT_EQ(sink.done[1].node, "host1");
}

// The event carries the first record's time (the stamp is the same for all records of an event).
TEST(Assembler, EventTime) {
  Collect sink;
  Assembler a({}, &sink);
  a.Add(Rec(kSyscall, 4, "a", 1795344525627));
  a.Add(Rec(kEoe, 4, "", 1795344525627));
  ASSERT_EQ(sink.done.size(), 1u);
  EXPECT_EQ(sink.done[0].time_ms, 1795344525627u);
  EXPECT_EQ(a.newest_record_ms(), 1795344525627u);
}

// Randomized: many events with shuffled, interleaved records; every record ends up in exactly one
// event of its own (node, serial), in its original relative order.
TEST(Assembler, RandomInterleavingKeepsEveryRecord) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    Collect sink;
    AssemblerOptions o;
    o.max_in_flight = 1000;
    Assembler a(o, &sink);
    struct Pending {
      std::string node;
      uint32_t serial;
      int next = 0;
      int count;
    };
    std::vector<Pending> events;
    uint32_t base = round % 2 ? 4294967290u : 100u;
    for (int i = 0; i < 20; ++i) {
      events.push_back({i % 2 ? "n2" : "", base + static_cast<uint32_t>(i / 2), 0,
                        2 + static_cast<int>(rng() % 5)});
    }
    std::vector<std::string> bodies(200);
    size_t total = 0;
    for (;;) {
      std::vector<size_t> live;
      for (size_t i = 0; i < events.size(); ++i) {
        if (events[i].next <= events[i].count) live.push_back(i);
      }
      if (live.empty()) break;
      Pending& p = events[live[rng() % live.size()]];
      if (p.next == p.count) {
        a.Add(Rec(kEoe, p.serial, "", 1000, p.node));
      } else {
        std::string& b = bodies[total++ % bodies.size()];
        b = p.node + "/" + std::to_string(p.serial) + "/" + std::to_string(p.next);
        a.Add(Rec(kPath, p.serial, b, 1000, p.node));
      }
      ++p.next;
    }
    ASSERT_EQ(sink.done.size(), events.size());
    EXPECT_EQ(a.in_flight(), 0u);
    EXPECT_EQ(a.late_records(), 0u);
    for (const Done& d : sink.done) {
      for (size_t i = 0; i < d.bodies.size(); ++i) {
        EXPECT_EQ(d.bodies[i], d.node + "/" + std::to_string(d.serial) + "/" + std::to_string(i));
      }
    }
  }
}

}  // namespace
}  // namespace auditlens
