// The typed model of one event: what the decode and enrich stages learned about it, as data. The
// pipeline (agent/pipeline.h) fills one EventFacts per event — the decode stage's ParsedEvent (the
// records split into fields, the summary's records found once), then each enricher in turn
// (network, process table, session tracker) — and hands it to the filter, to the JSON formatter
// (output/event_json.h), which only renders it, and to the sinks (store/recorder.h), which build
// their rows from it. Nothing downstream reads back the JSON line to learn a fact.
//
// Contract: an EventFacts is valid for one event, on the pipeline thread. Pointers and views point
// into the enrichers' state (the process table's image, the session tracker's session, the network
// enricher's Community ID buffer) and stay valid until the next event is enriched. A member an
// enricher did not fill keeps its default: no process, no session, network.present false.
//
// Room for what later stages add: a new fact is a new member here, filled by the enricher that
// learns it, rendered by the formatter and stored by the recorder (docs/architecture.md, "The event
// model").
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/endpoint.h"
#include "decode/parsed_event.h"
#include "enrich/container_details.h"
#include "enrich/process_image.h"
#include "enrich/session_info.h"
#include "tables/syscall_facts.h"

namespace auditlens {

// How the local end of a network event was learned (network.local_end in the output).
enum class LocalEnd : uint8_t {
  kSocket,   // from the live socket, checked against the records
  kPartial,  // the socket's port only (an unbound address)
  kRecord,   // from the records alone (a bind's address)
  kUnknown,  // not known: local_end_reason says why
};
std::string_view LocalEndName(LocalEnd e);

// ECS network.transport (IANA keyword) and the protocol number the flow has on the wire (MPTCP
// runs over TCP); empty name for another protocol.
struct Transport {
  std::string_view name;
  int wire_protocol = 0;
};
Transport TransportOf(int protocol);
// "stream", "dgram", "seqpacket", or empty.
std::string_view UnixSocketTypeName(int sock_type);

// Both ends of a network syscall (connect, accept, bind, listen, send, recv): network_enricher.h.
struct NetworkFacts {
  // The event is a network syscall on an IP or unix socket. The other members are meaningful only
  // when it is true: the network enricher sets every one of them then.
  bool present = false;
  NetOp op = NetOp::kNone;
  bool success = false;
  int errno_value = 0;   // positive errno of a failed syscall, else 0
  Endpoint local;   // kind kNone when unknown
  Endpoint remote;  // kind kNone when unknown (or none: bind, listen)
  int protocol = 0;      // IPPROTO_* of the socket, 0 when unknown
  int sock_type = 0;     // SOCK_* of the socket, 0 when unknown
  bool is_unix = false;
  LocalEnd local_end = LocalEnd::kUnknown;
  std::string_view local_end_reason;  // when not kSocket: socket_closed, offline, ...
  std::string_view community_id;      // "1:..." when the whole 5-tuple is known
  // A unix socket's peer (SO_PEERCRED), when the local end came from the socket.
  bool peer_known = false;
  int32_t peer_pid = 0;
  uint32_t peer_uid = 0, peer_gid = 0;

  // connect, accept, send, recv: a flow with two ends (bind and listen have the local end only).
  bool flow() const {
    return op == NetOp::kConnect || op == NetOp::kAccept || op == NetOp::kSend ||
           op == NetOp::kRecv;
  }
  bool inbound() const { return op == NetOp::kAccept || op == NetOp::kRecv; }
  // ECS source and destination: for an outbound operation the local end is the source, for an
  // inbound one the remote end, so both hosts of a flow say the same.
  const Endpoint& source() const { return flow() && inbound() ? remote : local; }
  const Endpoint& destination() const { return inbound() ? local : remote; }
  // The local end's address is known (kPartial knows its port only).
  bool local_ip_known() const { return local_end != LocalEnd::kPartial; }
};

struct EventFacts {
  const ParsedEvent* parsed = nullptr;  // the decode stage's view of the records
  // The process table's reading of the subject record (null before the table ran, or without it).
  const EventSubject* subject = nullptr;
  // The image the subject is after this event (for execve the new one); null when none.
  const ProcessImage* process = nullptr;
  bool process_exit = false;    // the event ended the process (exit_group): process.exit_code, end
  bool parent_current = false;  // the image's parent is still the record's ppid (not reparented)
  // The images leading the process's session and process group (the image itself when it leads);
  // null when unknown or gone.
  const ProcessImage* session_leader = nullptr;
  const ProcessImage* group_leader = nullptr;
  const SessionInfo* session = nullptr;  // the login session the event belongs to
  // What the event is to sessions (a login, an authentication, su/sudo, ...); null without the
  // session tracker.
  const SessionEventInfo* session_event = nullptr;
  NetworkFacts network;
  // What the runtime says about the process's container (its name, image, pod), once the container
  // catalog has looked it up; null outside containers, before the answer, or without the catalog.
  // The id, runtime and systemd unit are process->cgroup's.
  std::shared_ptr<const ContainerDetails> container;

  // For the next event. Member by member: the network's addresses are meaningful only when
  // network.present, so they are not cleared (two Endpoints are 268 bytes).
  void Reset(const ParsedEvent& e) {
    parsed = &e;
    subject = nullptr;
    process = nullptr;
    process_exit = false;
    parent_current = false;
    session_leader = nullptr;
    group_leader = nullptr;
    session = nullptr;
    session_event = nullptr;
    container.reset();
    network.present = false;
  }
};

}  // namespace auditlens
