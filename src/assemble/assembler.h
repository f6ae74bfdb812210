// Groups records into events by (node, serial, timestamp).
//
// Contract:
// - Add() takes records in any order and interleaving; records of one (node, serial, timestamp)
//   form one event. The kernel stamps every record of an event alike; the same serial with another
//   time is another event (serials restart at boot: a log can hold both).
// - An event completes on EOE; with expect_eoe = false (log files, which never contain EOE) also on
//   PROCTITLE, the kernel's last record of a syscall event; at once for user-space message types;
//   else when no record arrived for it for timeout_ms of stream time (AdvanceTime), when more than
//   max_in_flight events are open (the oldest goes), or on Flush().
// - A record for an event that already completed starts a new event with the same serial (counted
//   in late_records()), so nothing is dropped.
// - Completed events go to the sink synchronously; the Event is reused after OnEvent returns.
// - Memory: at most max_in_flight open events, each of at most about max_event_bytes of record text
//   (an event that reaches it is let go as evicted, and its further records start another event:
//   a log with endless records of one serial cannot grow without limit). Event buffers are
//   pooled, so steady state allocates nothing; a pooled buffer an unusually large event grew is
//   released when reused.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "assemble/event.h"
#include "record/record.h"

namespace auditlens {

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const Event& event) = 0;
};

struct AssemblerOptions {
  bool expect_eoe = true;
  uint32_t timeout_ms = 2000;
  uint32_t max_in_flight = 4096;
  // Far above any real event (the kernel caps an execve's arguments at a few MB, hex doubles it).
  uint32_t max_event_bytes = 64u << 20;
};

class Assembler {
 public:
  Assembler(const AssemblerOptions& options, EventSink* sink);
  ~Assembler();
  Assembler(const Assembler&) = delete;
  Assembler& operator=(const Assembler&) = delete;

  // arrival_ms: when the record arrived (wall clock, live mode); 0 means the record's own time.
  void Add(const Record& record, uint64_t arrival_ms = 0);
  // Completes events whose last record arrived more than timeout_ms before now_ms. In live mode
  // now_ms is the wall clock; for files it is the newest record time seen (stream time).
  void AdvanceTime(uint64_t now_ms);
  void Flush();

  uint64_t newest_record_ms() const { return newest_ms_; }
  size_t in_flight() const { return open_.size(); }
  uint64_t events() const { return events_; }
  uint64_t records() const { return records_; }
  uint64_t late_records() const { return late_records_; }
  uint64_t timed_out() const { return timed_out_; }
  uint64_t evicted() const { return evicted_; }
  // The open local event (empty node) whose serial is furthest behind ref (modular); false when
  // none is open. Scans the open events: for a timer, not for every record.
  bool OldestOpenLocalSerial(uint32_t ref, uint32_t* serial) const;

 private:
  Event* Find(const Record& record);
  Event* Open(const Record& record);
  void Complete(size_t index, Completion how);

  AssemblerOptions options_;
  EventSink* sink_;
  std::vector<Event*> open_;  // arrival order: oldest first
  std::vector<std::unique_ptr<Event>> pool_storage_;
  std::vector<Event*> free_;
  uint64_t newest_ms_ = 0;
  uint64_t events_ = 0;
  uint64_t records_ = 0;
  uint64_t late_records_ = 0;
  uint64_t timed_out_ = 0;
  uint64_t evicted_ = 0;
  // Recently completed events, to count records that arrive after their event completed. Each key
  // is (hash of node and time, never 0) << 32 | serial, so 0 marks an empty slot and serial 0
  // (after a wrap) or the same serial on another node or boot are told apart.
  static uint64_t RecentKey(std::string_view node, uint64_t time_ms, uint32_t serial);
  static constexpr size_t kRecentSize = 64;
  uint64_t recent_[kRecentSize] = {};
  size_t recent_next_ = 0;
};

}  // namespace auditlens
