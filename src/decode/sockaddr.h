// The SOCKADDR record's saddr: the hex of a struct sockaddr as the process passed it (or as the
// kernel returned it). The family is in host byte order, ports and addresses in network order.
//
// A SockAddr is the whole decoded record: the family as auparse names it, why it could not be
// decoded, a netlink address; the address itself, when it is an IP address and port or a unix
// socket name, is the one endpoint type (common/endpoint.h) the enrichers and the store use too.
// ParsedEvent::DecodeSockAddrOnce (parsed_event.h) decodes an event's saddr once for all of them.
//
// Decoding follows libauparse 3.0.9: the same family names, the same minimum lengths (an inet
// address needs the whole 16-byte sockaddr_in, inet6 28 bytes, netlink 12), the same words for
// what cannot be decoded ("sockaddr len too short", "unsupported", "unknown-family(N)").
#pragma once

#include <cstdint>
#include <string_view>

#include "common/endpoint.h"

namespace auditlens {

struct SockAddr {
  enum class Family : uint8_t { kInvalid, kUnix, kInet, kInet6, kNetlink, kOther };
  Family family = Family::kInvalid;
  uint16_t family_number = 0;
  std::string_view family_name;  // "inet", "local", ...; empty for a family auparse has no name for
  std::string_view error;        // set when the address could not be decoded (see above)
  // EndpointFromSockaddr of the bytes: kIp for inet/inet6, kUnix for local (a name of at most
  // 108 bytes, sun_path's size), kOther for another family or an address too short for its own;
  // kNone under 2 bytes.
  Endpoint address;
  uint32_t netlink_pid = 0;
  uint32_t netlink_groups = 0;

  // The record's rendering of a unix address (family kUnix, no error): an abstract name is shown
  // with a leading '@' — one of no bytes is not (it shows as ""). path_text writes the path to
  // buf (Endpoint::kUnixTextSize bytes) and returns its length.
  bool abstract_name() const { return address.abstract && address.path_len > 0; }
  size_t path_text(char* buf) const;
};

// Decodes a saddr value. Returns false when it is not hex at all (the caller keeps it raw); true
// otherwise, with out->error set when the family is unknown, unsupported or the address too short.
bool DecodeSockAddr(std::string_view hex, SockAddr* out);

// auparse's name for a socket family number ("inet", "inet6", "local", "netlink", ...), or empty.
std::string_view SockFamilyName(uint16_t family);

}  // namespace auditlens
