#include "output/syslog_format.h"

#include <time.h>

#include <charconv>
#include <cstdio>

namespace auditlens {

std::string SyslogHeaderField(std::string_view value, size_t max_len) {
  if (value.empty()) return "-";
  std::string out(value.substr(0, max_len));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) c = '_';
  }
  return out;
}

namespace {

// "<PRI>1 " and the UTC timestamp: 27 bytes.
void AppendTimestamp(uint64_t time_us, std::string* out) {
  const time_t sec = static_cast<time_t>(time_us / 1000000);
  struct tm tm{};
  gmtime_r(&sec, &tm);
  char buf[40];
  const int n = snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         static_cast<unsigned>(time_us % 1000000));
  out->append(buf, static_cast<size_t>(n));
}

size_t DecimalDigits(uint64_t v) {
  size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

}  // namespace

size_t SyslogHeaderLength(const SyslogHeader& h, int severity) {
  const int pri = h.facility * 8 + severity;
  // "<" PRI ">1 " TIMESTAMP(27) " " HOSTNAME " " APP " " PROCID " " MSGID " - "
  return 1 + DecimalDigits(static_cast<uint64_t>(pri)) + 3 + 27 + 1 + h.hostname.size() + 1 +
         h.app_name.size() + 1 + h.procid.size() + 1 + h.msgid.size() + 3;
}

void AppendSyslogHeader(const SyslogHeader& h, int severity, uint64_t time_us,
                        std::string* out) {
  out->push_back('<');
  out->append(std::to_string(h.facility * 8 + severity));
  out->append(">1 ");
  AppendTimestamp(time_us, out);
  out->push_back(' ');
  out->append(h.hostname);
  out->push_back(' ');
  out->append(h.app_name);
  out->push_back(' ');
  out->append(h.procid);
  out->push_back(' ');
  out->append(h.msgid);
  out->append(" - ");
}

void AppendSyslogMessage(const SyslogHeader& h, int severity, uint64_t time_us,
                         std::string_view msg, std::string* out) {
  AppendSyslogHeader(h, severity, time_us, out);
  out->append(msg);
}

void AppendOctetCounted(std::string_view message, std::string* out) {
  AppendOctetCounted(message, std::string_view(), out);
}

void AppendOctetCounted(std::string_view header, std::string_view msg, std::string* out) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof(digits) - 1, header.size() + msg.size()).ptr;
  *end++ = ' ';
  out->append(digits, static_cast<size_t>(end - digits));
  out->append(header);
  out->append(msg);
}

}  // namespace auditlens
