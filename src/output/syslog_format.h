// Syslog messages as RFC 5424 lays them out, and RFC 6587's octet-counted framing for streams.
//
// Contract: pure functions on strings. AppendSyslogMessage writes
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG
// with PRI = facility * 8 + severity, TIMESTAMP in UTC to the microsecond ("2026-12-07T04:05:06.
// 123456Z"), no structured data ("-"), and MSG the event's JSON line as it is (without its '\n').
// A header field is cut to RFC 5424's length for it and any byte outside printable US-ASCII
// (space included) becomes '_'; an empty one is "-". AppendOctetCounted prefixes a message with
// its length in bytes and a space (TCP and TLS); a datagram (/dev/log) carries the message alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

struct SyslogHeader {
  int facility = 10;  // authpriv
  std::string hostname;
  std::string app_name;
  std::string procid;
  std::string msgid;
};

inline constexpr int kSyslogSeverityInfo = 6;

// Cuts and cleans a header field (max_len: 255 hostname, 48 app name, 128 procid, 32 msgid).
std::string SyslogHeaderField(std::string_view value, size_t max_len);

// Appends the header of a message, everything before MSG ("<PRI>1 TIMESTAMP ... MSGID - "): the
// same for every message of a batch sent at one time, so a sink writes it once per batch.
void AppendSyslogHeader(const SyslogHeader& header, int severity, uint64_t time_us,
                        std::string* out);
// Appends one message (no framing, no newline): the header, then msg.
void AppendSyslogMessage(const SyslogHeader& header, int severity, uint64_t time_us,
                         std::string_view msg, std::string* out);
// The length of the header AppendSyslogMessage writes before MSG.
size_t SyslogHeaderLength(const SyslogHeader& header, int severity);

// Appends "LEN MESSAGE" (RFC 6587 octet counting).
void AppendOctetCounted(std::string_view message, std::string* out);
// The same for a message made of a header and a MSG, without joining them first.
void AppendOctetCounted(std::string_view header, std::string_view msg, std::string* out);

}  // namespace auditlens
