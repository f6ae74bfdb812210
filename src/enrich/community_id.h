// Community ID v1 (corelight/community-id-spec): a string naming a network flow, the same for both
// directions of the flow and on every host that sees it, so a connect audited on host A and the
// accept audited on host B can be joined by one value.
//
//   "1:" + base64(SHA1(seed(2) . src ip . dst ip . proto(1) . 0(1) . src port(2) . dst port(2)))
//
// All in network byte order; before hashing the endpoints are ordered so that the smaller
// (address, then port) comes first, which removes the direction. Protocols without ports (the
// spec's "other IP-borne protocols") hash the addresses and protocol only. ICMP type/code → port
// mapping is the caller's (auditlens has no ICMP flows: its flows come from TCP/UDP/SCTP sockets).
//
// Contract: pure, allocation-free (OpenSSL's low-level SHA-1: its EVP interface allocates per
// digest in OpenSSL 3.0), thread-safe. Verified against the spec's published baseline vectors
// (tests/unit/community_id_test.cc).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/endpoint.h"

namespace auditlens {

// A flow as the hash takes it: its two IP ends (of one IP version: src's decides) and protocol.
struct FlowTuple {
  const Endpoint& src;
  const Endpoint& dst;
  uint8_t protocol = 0;   // IANA protocol number: 6 TCP, 17 UDP, 132 SCTP, ...
  bool has_ports = true;  // false: a protocol without ports
};

// "1:" + 28 base64 characters, or "1:" + 40 hex digits with base64 = false; plus a NUL.
constexpr size_t kCommunityIdBufferSize = 48;

// Writes the Community ID v1 of the flow into out (NUL-terminated); returns its length.
size_t CommunityIdV1(const FlowTuple& flow, char* out, uint16_t seed = 0, bool base64 = true);

}  // namespace auditlens
