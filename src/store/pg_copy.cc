#include "store/pg_copy.h"

#include <algorithm>
#include <cstdlib>

#include "enrich/process_table.h"
#include "store/pg_spool.h"

namespace auditlens {
namespace {

constexpr char kReplacement[] = "\xef\xbf\xbd";  // U+FFFD
constexpr int64_t kDayMs = 86400000;

// Length of the valid UTF-8 sequence starting at s[i] (2..4), or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t min;
  uint32_t cp;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, min = 0x80, cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, min = 0x800, cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() - i < n) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

void Tab(std::string* out) { out->push_back('\t'); }
void EndLine(std::string* out) { out->push_back('\n'); }

void AddDay(int64_t time_ms, CopyBatch* b) {
  // Floor division: times before 1970 land on their own (negative) day.
  int64_t day = time_ms / kDayMs;
  if (time_ms < 0 && time_ms % kDayMs != 0) --day;
  if (std::find(b->days.begin(), b->days.end(), day) == b->days.end()) b->days.push_back(day);
}


void Context(CopyBatch* b, std::string* out) {
  AppendCopyText(b->host, out);
  Tab(out);
  AppendCopyText(b->boot_id, out);
}

// The columns an events line and a connections line both begin with: host, boot id, time, serial,
// session, entity, pid.
void EventKeyColumns(const Row& r, CopyBatch* b, std::string* o) {
  Context(b, o);
  for (int n : {col::kTime, col::kSerial}) {
    Tab(o);
    AppendCopyNum(r.num[n], o);
  }
  Tab(o); AppendCopyText(r.Str(col::kSessionId), o);
  Tab(o); AppendCopyText(r.Str(col::kEntityId), o);
  Tab(o); AppendCopyNum(r.num[col::kPid], o);
}

void AddEvent(const Row& r, CopyBatch* b) {
  if (r.num[col::kTime] == col::kNull || r.num[col::kSerial] == col::kNull) {
    ++b->skipped;
    return;
  }
  std::string* o = &b->events;
  EventKeyColumns(r, b, o);
  Tab(o); AppendCopyNum(r.num[col::kUid], o);
  const auto kind = static_cast<EventKind>(r.num[col::kKind] == col::kNull ? 0 : r.num[col::kKind]);
  const auto outcome =
      static_cast<Outcome>(r.num[col::kOutcome] == col::kNull ? 0 : r.num[col::kOutcome]);
  Tab(o); AppendCopyText(EventKindName(kind), o);
  Tab(o); AppendCopyText(r.Str(col::kAction), o);
  Tab(o); AppendCopyText(OutcomeName(outcome), o);
  Tab(o); AppendCopyText(r.Str(col::kRole), o);
  Tab(o); AppendCopyJson(r.Str(col::kDetail), o);
  EndLine(o);
  ++b->event_rows;
  AddDay(r.num[col::kTime], b);

  // The connection's typed columns (recorder.h): connect/accept rows in a session have them.
  const std::string_view op = r.Str(col::kNetOp);
  if (kind != EventKind::kNetwork || (op != "connect" && op != "accept")) return;
  o = &b->connections;
  EventKeyColumns(r, b, o);
  Tab(o); AppendCopyText(op, o);
  Tab(o); AppendCopyText(op == "accept" ? "inbound" : "outbound", o);
  Tab(o); AppendCopyText(r.Str(col::kTransport), o);
  Tab(o); AppendCopyText(r.Str(col::kLocalIp), o);
  Tab(o); AppendCopyNum(r.num[col::kLocalPort], o);
  Tab(o); AppendCopyText(r.Str(col::kRemoteIp), o);
  Tab(o); AppendCopyNum(r.num[col::kRemotePort], o);
  Tab(o); AppendCopyText(r.Str(col::kCommunityId), o);
  Tab(o); AppendCopyText(r.Str(col::kNetError), o);
  EndLine(o);
  ++b->connection_rows;
}

void AddProcess(const Row& r, CopyBatch* b) {
  if (r.Str(col::kEntity).empty() || r.num[col::kProcPid] == col::kNull) {
    ++b->skipped;
    return;
  }
  std::string* o = &b->processes;
  AppendCopyNum(static_cast<int64_t>(b->seq++), o);
  Tab(o); Context(b, o);
  Tab(o); AppendCopyText(r.Str(col::kEntity), o);
  Tab(o); AppendCopyNum(r.num[col::kProcPid], o);
  Tab(o); AppendCopyNum(r.num[col::kPPid], o);
  Tab(o); AppendCopyText(r.Str(col::kParentEntity), o);
  Tab(o); AppendCopyText(r.Str(col::kPreviousEntity), o);
  Tab(o); AppendCopyText(r.Str(col::kExe), o);
  Tab(o); AppendCopyJson(r.Str(col::kArgs), o);
  Tab(o); AppendCopyNum(r.num[col::kArgsTruncated], o);
  Tab(o); AppendCopyText(r.Str(col::kCwd), o);
  for (int n : {col::kProcUid, col::kEuid, col::kAuid, col::kSes}) {
    Tab(o);
    AppendCopyNum(r.num[n], o);
  }
  Tab(o); AppendCopyText(r.Str(col::kProcSessionId), o);
  Tab(o); AppendCopyText(r.Str(col::kProcRole), o);
  Tab(o);
  if (r.num[col::kOrigin] == col::kNull) {
    AppendCopyNum(col::kNull, o);
  } else {
    AppendCopyText(ProcessOriginName(static_cast<ProcessOrigin>(r.num[col::kOrigin])), o);
  }
  for (int n : {col::kStart, col::kExitTime, col::kExitCode, col::kSeen}) {
    Tab(o);
    AppendCopyNum(r.num[n], o);
  }
  // Store schema version 4's columns (a spooled row of an older agent has none: NULL).
  for (int n : {col::kProcContainerId, col::kProcContainerRuntime, col::kProcService,
                col::kProcExeSha256}) {
    Tab(o);
    AppendCopyText(r.Str(n), o);
  }
  EndLine(o);
  ++b->process_rows;
}

void AddContainer(const Row& r, CopyBatch* b) {
  if (r.Str(col::kContId).empty()) {
    ++b->skipped;
    return;
  }
  std::string* o = &b->containers;
  AppendCopyNum(static_cast<int64_t>(b->seq++), o);
  Tab(o); AppendCopyText(b->host, o);
  for (int n : {col::kContId, col::kContRuntime, col::kContName, col::kContImage,
                col::kContPodName, col::kContPodNamespace, col::kContPodUid}) {
    Tab(o);
    AppendCopyText(r.Str(n), o);
  }
  Tab(o); AppendCopyNum(r.num[col::kContFirstSeen], o);
  Tab(o); AppendCopyNum(r.num[col::kContLastSeen], o);
  EndLine(o);
  ++b->container_rows;
}

void AddSession(const Row& r, CopyBatch* b) {
  if (r.Str(col::kId).empty()) {
    ++b->skipped;
    return;
  }
  std::string* o = &b->sessions;
  AppendCopyNum(static_cast<int64_t>(b->seq++), o);
  Tab(o); Context(b, o);
  Tab(o); AppendCopyText(r.Str(col::kId), o);
  Tab(o); AppendCopyNum(r.num[col::kSessionSes], o);
  Tab(o); AppendCopyNum(r.num[col::kSessionAuid], o);
  Tab(o); AppendCopyText(r.Str(col::kUser), o);
  Tab(o); AppendCopyText(r.Str(col::kService), o);
  Tab(o); AppendCopyText(r.Str(col::kSourceIp), o);
  Tab(o); AppendCopyNum(r.num[col::kSourcePort], o);
  Tab(o); AppendCopyText(r.Str(col::kDestIp), o);
  Tab(o); AppendCopyNum(r.num[col::kDestPort], o);
  Tab(o); AppendCopyText(r.Str(col::kHostname), o);
  Tab(o); AppendCopyText(r.Str(col::kTerminal), o);
  Tab(o); AppendCopyText(r.Str(col::kTty), o);
  Tab(o); AppendCopyNum(r.num[col::kLoginPid], o);
  Tab(o); AppendCopyText(r.Str(col::kLeader), o);
  for (int n : {col::kSessionStart, col::kSessionEnd, col::kLastSeen}) {
    Tab(o);
    AppendCopyNum(r.num[n], o);
  }
  Tab(o); AppendCopyText(r.Str(col::kState), o);
  Tab(o); AppendCopyNum(r.num[col::kFailures] == col::kNull ? 0 : r.num[col::kFailures], o);
  Tab(o); AppendCopyNum(r.num[col::kFromProc] == col::kNull ? 0 : r.num[col::kFromProc], o);
  Tab(o); AppendCopyText(r.Str(col::kSessionCommunityId), o);
  EndLine(o);
  ++b->session_rows;
}

}  // namespace

void AppendCopyText(std::string_view s, std::string* out) {
  if (s.empty()) {
    out->append("\\N");
    return;
  }
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = Utf8Length(s, i);
      if (n == 0) {
        out->append(kReplacement);
        ++i;
      } else {
        out->append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\t': out->append("\\t"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\0': out->append(kReplacement); break;
      default: out->push_back(static_cast<char>(c));
    }
    ++i;
  }
}

void AppendCopyJson(std::string_view json, std::string* out) {
  // The recorder's JSON holds no \u0000 (recorder.cc StoreString), the one escape jsonb refuses:
  // it is written as COPY text.
  AppendCopyText(json, out);
}

void AppendCopyNum(int64_t v, std::string* out) {
  if (v == col::kNull) {
    out->append("\\N");
    return;
  }
  char buf[24];
  char* end = buf + sizeof(buf);
  char* p = end;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) *--p = '-';
  out->append(p, static_cast<size_t>(end - p));
}

void CopyBatch::Clear() {
  events.clear();
  processes.clear();
  sessions.clear();
  connections.clear();
  containers.clear();
  event_rows = process_rows = session_rows = connection_rows = container_rows = skipped = 0;
  days.clear();
  seq = 0;
}

void AddRow(const Row& row, CopyBatch* batch) {
  switch (row.type) {
    case RowType::kEvent: AddEvent(row, batch); break;
    case RowType::kProcess: AddProcess(row, batch); break;
    case RowType::kSession: AddSession(row, batch); break;
    case RowType::kContainer: AddContainer(row, batch); break;
  }
}

size_t AddRecords(std::string_view records, CopyBatch* batch) {
  size_t pos = 0;
  Row row;
  RecordView ctx;
  while (pos < records.size()) {
    if (!ReadRecord(records, &pos, &row, &ctx)) break;
    if (ctx.context) {
      batch->host.assign(ctx.host);
      batch->boot_id.assign(ctx.boot_id);
      ctx.context = false;
      continue;
    }
    AddRow(row, batch);
  }
  return pos;
}

}  // namespace auditlens
