// Renders an event's NetworkFacts (enrich/event_facts.h) as the ECS members at the top of the
// event (docs/schema.md#network):
//
//   "source":{"ip":"127.0.0.1","port":50944},"destination":{"ip":"127.0.0.1","port":8080},
//   "network":{"transport":"tcp","type":"ipv4","iana_number":"6","direction":"egress",
//              "community_id":"1:..."}
//
// and, inside the event's "auditd" object, what ECS has no field for (WriteAuditd):
//
//   "network":{"local_end":"socket"}   or "local_end":"unknown","local_end_reason":"…";
//   unix sockets: "unix":{"type":"stream","peer":{"pid":N,"uid":"…","gid":"…"}} and
//   "source"/"destination":{"abstract":true} for an end in the abstract namespace.
//
// Contract: writes nothing when the facts are not present; WriteAuditd writes what the last Write
// rendered, so call it after Write for the same event. The "network" objects are a function of a
// few facts that a storm repeats (or two in turn: connect and accept), so the last two renderings
// are kept with what they were rendered from (docs/performance.md says what that buys).
#pragma once

#include <string>

#include "common/recent_slots.h"
#include "enrich/event_facts.h"
#include "output/json_writer.h"

namespace auditlens {

class NetworkJson {
 public:
  // Which unix addresses Write had to percent-encode (not UTF-8), for the event's auditd.encoded.
  static constexpr int kSourceEncoded = 1, kDestinationEncoded = 2;
  int Write(const NetworkFacts& n, JsonWriter& w);
  void WriteAuditd(const NetworkFacts& n, JsonWriter& w);
  // The IP addresses the last Write wrote (source's, then destination's), as it wrote them: for
  // related.ip.
  size_t ip_count() const { return ip_count_; }
  std::string_view ip(size_t i) const { return std::string_view(ip_text_[i], ip_len_[i]); }

 private:
  // What the "network" object is rendered from.
  struct ObjectKey {
    int protocol = 0, sock_type = 0;
    bool is_unix = false, flow = false, inbound = false, peer_known = false;
    int ip_version = 0;  // of the end that gives the type: 4, 6, or 0 (none)
    LocalEnd local_end = LocalEnd::kUnknown;
    std::string_view reason;  // compared by its bytes
    int32_t peer_pid = 0;
    uint32_t peer_uid = 0, peer_gid = 0;
    std::string_view community_id;  // compared by its bytes
    bool operator==(const ObjectKey&) const = default;
  };
  struct Rendered {
    bool valid = false;
    ObjectKey key;
    std::string reason, community_id;  // the key's views point here once stored
    std::string json;         // members of "network"
    std::string auditd_json;  // members of "auditd.network"
  };
  static ObjectKey KeyOf(const NetworkFacts& n);
  bool WriteEnd(const NetworkFacts& n, const Endpoint& end, bool is_local,
                       std::string_view key, JsonWriter& w);
  static void WriteObject(const ObjectKey& key, JsonWriter& w);
  static void WriteAuditdMembers(const ObjectKey& key, JsonWriter& w);

  Rendered rendered_[2];
  RecentSlots recent_;  // which of the two to compare first
  const Rendered* last_ = nullptr;  // what the last Write wrote
  char ip_text_[2][Endpoint::kIpTextSize];
  size_t ip_len_[2] = {0, 0};
  size_t ip_count_ = 0;
};

}  // namespace auditlens
