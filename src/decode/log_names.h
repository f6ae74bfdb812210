// The names a log's own host gave its users and groups, read from auditd's ENRICHED tails: after
// the 0x1d byte, each uid and gid field of the record again, in capitals, with the name that host
// resolved (`AUID="alice" UID="alice" GID="staff" ... OUID="root"`; a name that needs it in hex, as
// auditd encodes values). For a log from another host these, not this machine's passwd and group,
// say who uid 1000 was: the value decoder asks here before it asks NSS (value_decoder.h).
//
// Contract:
// - Learn() pairs each uid/gid field of a record (by decode/field_kind.h, as auparse classifies
//   them, so as auditd chose what to enrich) with the tail entry of the same name in capitals: the
//   n-th field of a name with the n-th entry of that name (a flattened user message may repeat a
//   name). A field without its entry (auditd leaves entries out when the line is full) learns
//   nothing; SYSCALL=, ARCH= and SADDR= entries are not names of this host's making and are skipped
//   (the decoder's own tables say the same).
// - Names are kept per node= (logs of several hosts may be mixed); SelectNode() chooses whose apply
//   to the event at hand. An id's name is what the last record naming it said.
// - Both return true when the names in effect changed (new, different, or another node's): a cache
//   of output rendered from ids (output/field_memo.h) must then be dropped.
// - Bounded: at most kMaxNames names over all nodes; past that everything learned is forgotten
//   and learning starts again (a hostile log cannot grow memory).
// - Costs nothing for a log without ENRICHED tails and for the live agent: nothing is learned, and
//   Find() is one test of an empty selection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decode/parsed_event.h"

namespace auditlens {

class LogNames {
 public:
  static constexpr size_t kMaxNames = 1 << 16;

  bool SelectNode(std::string_view node);
  bool Learn(const ParsedEvent& e);
  // The name the selected node's log gave this id, or empty.
  std::string_view Find(bool group, uint32_t id) const {
    if (current_ == nullptr) return {};
    auto it = current_->names.find(Key(group, id));
    return it == current_->names.end() ? std::string_view() : std::string_view(it->second);
  }
  bool empty() const { return total_ == 0; }

  // One "NAME=value" entry of an ENRICHED tail. Values are as written: "quoted", hex, a bare word,
  // or a {...} group (SADDR).
  struct Entry {
    std::string_view name;
    std::string_view value;
  };
  // Splits a tail into its entries (appended to *out).
  static void SplitTail(std::string_view tail, std::vector<Entry>* out);

 private:
  struct Node {
    std::string node;
    std::unordered_map<uint64_t, std::string> names;
  };
  static uint64_t Key(bool group, uint32_t id) { return (static_cast<uint64_t>(group) << 32) | id; }
  bool LearnRecord(const ParsedEvent& e, size_t r);

  std::vector<std::unique_ptr<Node>> nodes_;
  Node* current_ = nullptr;
  std::string selected_;  // the selected node's name, also before anything was learned for it
  bool selected_once_ = false;
  size_t total_ = 0;
  std::vector<Entry> entries_;  // reused
  std::string upper_;           // reused
  std::string decoded_;         // reused
};

}  // namespace auditlens
