#include <charconv>
#include <cstring>

#include "record/record.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

// Parses "audit(SEC.MSEC:SERIAL):" at the start of text; on success *rest is what follows the
// colon, with leading spaces removed.
const char* ParseStamp(std::string_view text, Record* out, std::string_view* rest) {
  constexpr std::string_view kPrefix = "audit(";
  if (text.substr(0, kPrefix.size()) != kPrefix) return "missing audit( stamp";
  const char* p = text.data() + kPrefix.size();
  const char* end = text.data() + text.size();
  auto r1 = std::from_chars(p, end, out->sec);
  if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '.') return "bad timestamp seconds";
  p = r1.ptr + 1;
  auto r2 = std::from_chars(p, end, out->msec);
  if (r2.ec != std::errc() || r2.ptr == end || *r2.ptr != ':' || r2.ptr - p != 3) {
    return "bad timestamp milliseconds";
  }
  p = r2.ptr + 1;
  auto r3 = std::from_chars(p, end, out->serial);
  if (r3.ec != std::errc() || r3.ptr == end || *r3.ptr != ')') return "bad serial";
  p = r3.ptr + 1;
  if (p == end || *p != ':') return "missing ':' after stamp";
  ++p;
  while (p != end && *p == ' ') ++p;
  *rest = std::string_view(p, end - p);
  return nullptr;
}

std::string_view TrimEnd(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0' || s.back() == '\r' || s.back() == ' ')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

const char* ParseNetlinkRecord(uint16_t type, std::string_view payload, Record* out) {
  out->type = type;
  out->node = {};
  std::string_view rest;
  if (const char* err = ParseStamp(payload, out, &rest)) return err;
  out->body = TrimEnd(rest);
  return nullptr;
}

const char* ParseLogRecord(std::string_view line, Record* out) {
  line = TrimEnd(line);
  out->node = {};
  constexpr std::string_view kNode = "node=";
  if (line.substr(0, kNode.size()) == kNode) {
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return "node= without a record";
    out->node = line.substr(kNode.size(), sp - kNode.size());
    line.remove_prefix(sp + 1);
  }
  constexpr std::string_view kType = "type=";
  if (line.substr(0, kType.size()) != kType) return "missing type=";
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return "missing msg=";
  std::string_view type_name = line.substr(kType.size(), sp - kType.size());
  out->type = RecordTypeFromName(type_name);
  if (out->type == 0) return "unknown record type name";
  line.remove_prefix(sp + 1);
  constexpr std::string_view kMsg = "msg=";
  if (line.substr(0, kMsg.size()) != kMsg) return "missing msg=";
  line.remove_prefix(kMsg.size());
  std::string_view rest;
  if (const char* err = ParseStamp(line, out, &rest)) return err;
  // ENRICHED logs append auditd's own interpretations after a GS (0x1d) byte; the pipeline decodes
  // the raw fields itself, so that tail is cut off.
  size_t gs = rest.find('\x1d');
  if (gs != std::string_view::npos) rest = rest.substr(0, gs);
  out->body = TrimEnd(rest);
  return nullptr;
}

}  // namespace auditlens
