// Splits one NETLINK_AUDIT datagram into its messages.
//
// Contract:
// - The kernel fills nlmsg_len in two ways: unicast records (to the registered daemon) carry the
//   payload length only, while multicast copies and every control reply (ACK, AUDIT_GET, ...) carry
//   the full length header included. The reader works out which one applies to each message from
//   the datagram size, so it never reads past the datagram nor cuts a payload short. When the size
//   does not settle it (several messages in one datagram), unicast records are taken as
//   payload-length and everything else as full-length.
// - Payloads are views into the caller's buffer, trailing NULs and newlines removed.
// - A header that does not fit the datagram ends the walk and sets malformed().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace auditlens {

// True for netlink/audit control replies, which are not audit records: NLMSG_NOOP/ERROR/DONE,
// AUDIT_GET, AUDIT_SIGNAL_INFO, AUDIT_LIST_RULES, AUDIT_TTY_GET, AUDIT_GET_FEATURE and the kernel's
// AUDIT_REPLACE liveness probe.
bool IsAuditControlReply(uint16_t type);

class DatagramReader {
 public:
  // unicast: the datagram came to a registered-daemon socket (see the length conventions above).
  DatagramReader(const char* data, size_t size, bool unicast);

  // Moves to the next message; false at the end of the datagram or on a malformed header.
  bool Next(uint16_t* type, std::string_view* payload);
  bool malformed() const { return malformed_; }

 private:
  const char* data_;
  size_t size_;
  size_t offset_ = 0;
  bool unicast_;
  bool malformed_ = false;
};

}  // namespace auditlens
