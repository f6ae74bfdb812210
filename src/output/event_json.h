// Formats one event as one line of JSON: the ECS summary (process, user, file, event, tags), what
// the enrichers learned (EventFacts: the process tree, the network ends, the session) and every
// record with every field decoded. See docs/schema.md for the fields, with examples.
//
// Contract: Format() appends exactly one line ending in '\n' and never fails; whatever the input,
// the line is valid JSON and valid UTF-8 (values that are not UTF-8 are percent-encoded and listed
// in "encoded"). Loss events have their own shape (FormatLoss).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_format.h"
#include "decode/parsed_event.h"
#include "decode/value_decoder.h"
#include "enrich/event_facts.h"
#include "output/container_json.h"
#include "output/field_memo.h"
#include "output/json_writer.h"
#include "output/network_json.h"
#include "output/output_profile.h"
#include "output/process_json.h"
#include "output/session_json.h"

namespace auditlens {

struct LossInfo {
  std::string_view cause;    // "serial-gap", "kernel-lost", "enobufs", "agent-restart", ... (schema.md)
  uint64_t count = 0;        // events (serial-gap) or records (kernel-lost); 0 when unknown
  bool has_range = false;    // the serials that are missing, when known
  uint32_t first_serial = 0;
  uint32_t last_serial = 0;
  uint64_t time_ms = 0;      // when it was noticed
  std::string_view detail;   // a sentence for humans
};

class EventJsonFormatter {
 public:
  explicit EventJsonFormatter(std::string hostname);

  // The event with what the enrich stage learned of it (facts.parsed is &event). LearnNames(event)
  // must have been called first (the pipeline does it before its enrichers).
  void Format(const ParsedEvent& event, const EventFacts& facts, std::string* out);
  // The event alone, as `auditlens parse` with no enricher would write it (names learned here).
  void Format(const ParsedEvent& event, std::string* out);
  void FormatLoss(const LossInfo& loss, std::string* out);
  // Learns the names an ENRICHED log gives the event's ids (decode/log_names.h) and selects those
  // of its node, so that every later reader of decoder().ids() during the event sees them; drops
  // what was rendered under other names.
  void LearnNames(const ParsedEvent& event) {
    // Inline: an event of a RAW log or of the kernel, with nothing learned before, costs a test.
    if (event.event().enriched_records() > 0 || !decoder_.log_names().empty()) SelectAndLearn(event);
  }

  ValueDecoder& decoder() { return decoder_; }
  const FieldMemo& memo() const { return memo_; }
  // The names of ProcessImage::labels' bits (enrich/process_labels.h ProcessLabeler::names()),
  // written as ECS labels: {"NAME":"true",...}. Null (the default): no labels written. Not owned.
  void set_label_names(const std::vector<std::string>* names) { label_names_ = names; }
  // How much of each event is written (output/output_profile.h); full unless set. Set before the
  // first event: what is memoized was rendered in the profile of its time.
  void set_profile(OutputProfile profile) {
    profile_ = profile;
    memo_.Clear();
    record_memo_.Clear();
    brief_record_memo_.Clear();
    // brief looks no name up: the records' ids stay numbers unless the log names them itself.
    if (profile == OutputProfile::kBrief) decoder_.ids().set_source(IdNames::Source::kNone);
  }
  OutputProfile profile() const { return profile_; }

 private:
  void SelectAndLearn(const ParsedEvent& event);
  void WriteTimestamp(uint64_t sec, uint32_t msec, JsonWriter& w);
  void WriteEventSection(const ParsedEvent& e, JsonWriter& w);
  // error.code of a failed syscall (its errno's name); nothing for the others. Only for an event
  // with a SYSCALL record (lead_ is read).
  void WriteError(JsonWriter& w);
  void WriteEventMembers(const ParsedEvent& e, const tables::SyscallFacts& facts, JsonWriter& w);
  // What the SYSCALL record's arguments refine in the event section: an open that may create its
  // file, a clone that makes a thread, a connect still in progress.
  struct EventRefinement {
    bool creates = false;      // open that created its file (PATH nametype=CREATE): file creation
    bool thread = false;       // clone with CLONE_THREAD: not a process start
    bool in_progress = false;  // connect that returned EINPROGRESS: outcome unknown
  };
  EventRefinement RefinementOf(const ParsedEvent& e, const tables::SyscallFacts& facts) const;
  void WriteProcess(const ParsedEvent& e, const EventFacts& facts, JsonWriter& w);
  void WriteUser(const ParsedEvent& e, JsonWriter& w);
  // process.user, real_user, saved_user from the subject's ids (ids_).
  void WriteProcessUsers(JsonWriter& w);
  void WriteRelated(const EventFacts& facts, JsonWriter& w);
  // account_ and client_ of a user-space message: the first record with acct= (and its addr=).
  void FindAccount(const ParsedEvent& e);
  // Adds path to the event's auditd.encoded list; returns it for the caller to extend.
  std::string& NoteEncoded(std::string_view path);
  void WriteFile(const ParsedEvent& e, JsonWriter& w);
  void WriteTags(const ParsedEvent& e, JsonWriter& w);
  void WriteTagMembers(std::string_view key, JsonWriter& w);
  void WriteLabels(uint64_t labels, JsonWriter& w);
  void WriteRecords(const ParsedEvent& e, const EventFacts& facts, JsonWriter& w);
  // Record r as item out_index of auditd.records (the index "encoded" names).
  void WriteRecord(const ParsedEvent& e, size_t r, JsonWriter& w, size_t out_index);
  // Field i is left out when bit i of skip is set (fields past the 64th are always written).
  void WriteRecordFields(const ParsedEvent& e, size_t r, JsonWriter& w, size_t out_index,
                         uint64_t skip = 0);
  // The brief and lean profiles' records of an event with a SYSCALL record (output/output_profile.h,
  // docs/schema.md "The brief profile"): each record without the fields the summary holds, by the
  // conditions under which this formatter wrote them; EXECVE, CWD and PROCTITLE records whose
  // every value the summary holds are left out whole, and so are SOCKADDR records the summary
  // holds (SockaddrHeld).
  void WriteTrimmedRecords(const ParsedEvent& e, const EventFacts& facts, JsonWriter& w);
  // Whether record r (PROCTITLE) is EXECVE's arguments joined by NUL bytes, or their first 128
  // bytes (what the kernel keeps).
  bool ProctitleIsArgs(const ParsedEvent& e, size_t r);
  // Whether record r (SOCKADDR) is only an IP address and port that the summary wrote as the
  // connection's remote end (NetworkJson::Write: the destination of an outbound flow, the source of
  // an inbound one), with network.type its family (inet: ipv4, inet6: ipv6), to the character.
  bool SockaddrHeld(const ParsedEvent& e, const EventFacts& facts, size_t r) const;
  void WriteSockAddr(const ParsedEvent& e, std::string_view raw, JsonWriter& w,
                     std::string_view path);
  // The file the event is about: for execve the program (PATH item 0), else the last PATH item
  // that is not a parent directory. -1 when the event has no PATH record.
  int FileRecord(const ParsedEvent& e);
  // Writes a decoded string; remembers its JSON path for "encoded" when it had to be
  // percent-encoded: path, then ".subpath" if any, then "[index]" if index >= 0 (an array item).
  void WriteString(JsonWriter& w, std::string_view bytes, std::string_view path,
                   std::string_view subpath = {}, int index = -1);
  void WriteId(JsonWriter& w, std::string_view raw, bool group, std::string_view path);
  std::string_view Decoded(FieldKind kind, std::string_view raw);
  // Each call site of Memoized, for its slot hint.
  enum class MemoSite { kEvent, kProcessName, kProcessExecutable, kWorkingDirectory, kCommandLine,
                        kUserGroup, kProcessUsers, kAuditUser, kRelatedUser, kFile, kTags,
                        kCount };
  // Writes the members render() writes, or copies them when (tag, raw) was rendered before; the
  // site's slot is tried before the hash.
  template <typename Render>
  void Memoized(JsonWriter& w, MemoSite site, std::string_view tag, std::string_view raw,
                Render&& render);

  std::string hostname_;
  ProcessJson process_json_;
  ContainerJson container_json_;
  NetworkJson network_json_;
  LoginSessionJson session_json_;
  FieldMemo memo_{4096, 512};
  std::string memo_key_;
  FieldMemo record_memo_{512, 2048};  // whole records: (type, body) → rendered object
  // The brief and lean profiles' SYSCALL and PATH records without what the summary holds: (type,
  // what the leaving out depends on beyond the body, body) → rendered object.
  FieldMemo brief_record_memo_{512, 2048};
  int file_record_ = -1;  // FileRecord() of the event being written
  FieldMemo::Hint site_hints_[static_cast<size_t>(MemoSite::kCount)];
  // Field hints by record index (later records share the last) and field index within the record
  // (later fields share the last).
  static constexpr size_t kHintRecords = 16;
  static constexpr size_t kFieldHints = 48;
  FieldMemo::Hint field_hints_[kHintRecords * kFieldHints];
  uint64_t memo_epoch_sec_ = 0;
  ValueDecoder decoder_;
  SyscallContext ctx_;        // for the record being written
  SyscallContext event_ctx_;  // of the event's SYSCALL record
  // Its arch, syscall, success, exit, a0, a1, a2 (raw; empty without SYSCALL), in the kernel's order.
  enum Lead { kArch, kSyscall, kSuccess, kExit, kA0, kA1, kA2, kLeadCount };
  std::string_view lead_[kLeadCount];
  std::string scratch_;
  std::string scratch2_;
  std::string event_json_;  // the event being written (JsonWriter::kScratch)
  std::vector<uint32_t> ends_;
  std::vector<std::string> encoded_;  // reused: paths of percent-encoded values
  // The subject record's ids, read once per event (several sections are written from them).
  struct SubjectIds {
    std::string_view uid, euid, suid, gid, auid;
  };
  SubjectIds ids_;
  std::string ids_key_;
  std::string_view account_;  // decoded acct= of a user-space message (in account_text_), or empty
  std::string account_text_;
  Endpoint client_;           // its addr=, when an IP
  std::vector<std::string> related_names_;
  size_t encoded_count_ = 0;
  IsoSecondCache time_cache_;
  const std::vector<std::string>* label_names_ = nullptr;
  OutputProfile profile_ = OutputProfile::kFull;
};

}  // namespace auditlens
