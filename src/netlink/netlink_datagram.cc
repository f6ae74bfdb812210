#include "netlink/netlink_datagram.h"

#include <linux/audit.h>
#include <linux/netlink.h>

#include <cstring>

namespace auditlens {

bool IsAuditControlReply(uint16_t type) {
  switch (type) {
    case NLMSG_NOOP:
    case NLMSG_ERROR:
    case NLMSG_DONE:
    case AUDIT_GET:
    case AUDIT_SIGNAL_INFO:
    case AUDIT_LIST_RULES:
    case AUDIT_TTY_GET:
    case AUDIT_GET_FEATURE:
    case AUDIT_REPLACE:
      return true;
    default:
      return false;
  }
}

DatagramReader::DatagramReader(const char* data, size_t size, bool unicast)
    : data_(data), size_(size), unicast_(unicast) {}

bool DatagramReader::Next(uint16_t* type, std::string_view* payload) {
  if (malformed_ || offset_ >= size_) return false;
  const size_t remaining = size_ - offset_;
  if (remaining < NLMSG_HDRLEN) {
    malformed_ = true;
    return false;
  }
  nlmsghdr header;
  std::memcpy(&header, data_ + offset_, sizeof(header));  // the buffer may be unaligned
  const size_t len = header.nlmsg_len;

  // Which convention: an exact fit with the datagram decides; otherwise guess from the socket kind.
  size_t full;
  if (len + NLMSG_HDRLEN == remaining) {
    full = remaining;  // payload-length convention (unicast records)
  } else if (len == remaining) {
    full = remaining;  // full-length convention
  } else if (unicast_ && !IsAuditControlReply(header.nlmsg_type)) {
    full = len + NLMSG_HDRLEN;
  } else {
    full = len;
  }
  if (full < NLMSG_HDRLEN) full = len + NLMSG_HDRLEN;  // a full length cannot be below the header
  if (full > remaining) full = remaining;              // never past the datagram

  const char* body = data_ + offset_ + NLMSG_HDRLEN;
  size_t body_len = full - NLMSG_HDRLEN;
  while (body_len > 0 && (body[body_len - 1] == '\0' || body[body_len - 1] == '\n')) --body_len;

  *type = header.nlmsg_type;
  *payload = std::string_view(body, body_len);
  offset_ += NLMSG_ALIGN(full);
  return true;
}

}  // namespace auditlens
