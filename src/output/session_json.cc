#include "output/session_json.h"

#include "common/time_format.h"

namespace auditlens {

void LoginSessionJson::Write(const EventFacts& facts, JsonWriter& w) {
  const SessionInfo* s = facts.session;
  if (s == nullptr) return;
  if (s->generation == 0 || s->generation != generation_) {
    json_.clear();
    JsonWriter j(&json_);
    j.BeginObject();
    j.Key("id");
    j.String(s->id);
    if (s->auid != kUnsetId || !s->user.empty()) {
      j.Key("user");
      j.BeginObject();
      if (s->auid != kUnsetId) {
        j.Key("id");
        j.String(std::to_string(s->auid));
      }
      if (!s->user.empty()) {
        j.Key("name");
        j.String(s->user);
      }
      j.EndObject();
    }
    if (!s->service.empty()) {
      j.Key("service");
      j.String(s->service);
    }
    if (s->source.is_ip()) {
      char ip[Endpoint::kIpTextSize];
      j.Key("source");
      j.BeginObject();
      j.Key("ip");
      j.String(std::string_view(ip, s->source.FormatIpAsGiven(ip)));
      if (s->source.port != 0) {
        j.Key("port");
        j.UInt(s->source.port);
      }
      j.EndObject();
    }
    if (!s->terminal.empty()) {
      j.Key("terminal");
      j.String(s->terminal);
    }
    j.Key("start");
    j.String(FormatIsoMs(static_cast<int64_t>(s->start_ms)));
    if (s->state == SessionState::kFailed) {
      j.Key("failed");
      j.Bool(true);
    }
    j.EndObject();
    generation_ = s->generation;
  }
  w.Key("session");
  w.Raw(json_);
}

}  // namespace auditlens
