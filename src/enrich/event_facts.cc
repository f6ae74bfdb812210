#include "enrich/event_facts.h"

#include <netinet/in.h>
#include <sys/socket.h>

namespace auditlens {

std::string_view LocalEndName(LocalEnd e) {
  switch (e) {
    case LocalEnd::kSocket: return "socket";
    case LocalEnd::kPartial: return "partial";
    case LocalEnd::kRecord: return "record";
    case LocalEnd::kUnknown: return "unknown";
  }
  return "unknown";
}

Transport TransportOf(int protocol) {
  switch (protocol) {
    case IPPROTO_TCP: return {"tcp", IPPROTO_TCP};
    case IPPROTO_UDP: return {"udp", IPPROTO_UDP};
    case IPPROTO_UDPLITE: return {"udplite", IPPROTO_UDPLITE};
    case IPPROTO_SCTP: return {"sctp", IPPROTO_SCTP};
    case IPPROTO_MPTCP: return {"tcp", IPPROTO_TCP};
    default: return {};
  }
}

std::string_view UnixSocketTypeName(int sock_type) {
  switch (sock_type) {
    case SOCK_STREAM: return "stream";
    case SOCK_DGRAM: return "dgram";
    case SOCK_SEQPACKET: return "seqpacket";
    default: return {};
  }
}

}  // namespace auditlens
