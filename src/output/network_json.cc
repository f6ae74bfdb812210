#include "output/network_json.h"

#include <charconv>
#include <cstring>

namespace auditlens {
namespace {

void WriteUIntString(JsonWriter& w, uint64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  w.String(std::string_view(buf, static_cast<size_t>(p - buf)));
}

}  // namespace

bool NetworkJson::WriteEnd(const NetworkFacts& n, const Endpoint& end, bool is_local,
                           std::string_view key, JsonWriter& w) {
  if (end.is_ip()) {
    const bool has_ip = !is_local || n.local_ip_known();
    if (!has_ip && end.port == 0) return false;
    // {"ip":"...","port":N} built in one buffer and written at once (this runs once or twice for
    // every network event); an IP's text never needs escaping.
    char buf[Endpoint::kIpTextSize + 32];
    char* p = buf;
    *p++ = '{';
    if (has_ip) {
      std::memcpy(p, "\"ip\":\"", 6);
      p += 6;
      const size_t len = end.FormatIp(p);
      if (ip_count_ < 2) {
        std::memcpy(ip_text_[ip_count_], p, len);
        ip_len_[ip_count_++] = len;
      }
      p += len;
      *p++ = '"';
    }
    if (end.port != 0) {
      if (has_ip) *p++ = ',';
      std::memcpy(p, "\"port\":", 7);
      p += 7;
      p = std::to_chars(p, buf + sizeof(buf), end.port).ptr;
    }
    *p++ = '}';
    w.Key(key);
    w.Raw(std::string_view(buf, static_cast<size_t>(p - buf)));
    return false;
  } else if (end.is_unix() && !end.unnamed()) {
    char name[Endpoint::kUnixTextSize];
    size_t len = end.FormatUnixName(name);
    w.Key(key);
    w.BeginObject();
    w.Key("address");
    // Not UTF-8: written with the percent escape (docs/schema.md); the caller lists it.
    const bool encoded = w.String(std::string_view(name, len));
    w.EndObject();
    return encoded;
  }
  return false;
}

int NetworkJson::Write(const NetworkFacts& n, JsonWriter& w) {
  last_ = nullptr;
  ip_count_ = 0;
  if (!n.present) return 0;
  int encoded = 0;
  if (n.flow()) {
    const bool inbound = n.inbound();
    encoded |= WriteEnd(n, n.source(), !inbound, "source", w) ? kSourceEncoded : 0;
    encoded |= WriteEnd(n, n.destination(), inbound, "destination", w) ? kDestinationEncoded : 0;
  } else {
    // bind, listen: only the local end exists
    encoded |= WriteEnd(n, n.local, true, "source", w) ? kSourceEncoded : 0;
  }

  const ObjectKey key = KeyOf(n);
  for (int t = 0, tries = recent_.tries(); t < tries; ++t) {
    const size_t i = recent_.slot[t];
    if (i != RecentSlots::kNone && rendered_[i].valid && rendered_[i].key == key) {
      recent_.Use(i);
      recent_.misses = 0;
      last_ = &rendered_[i];
      w.Raw(last_->json);
      return encoded;
    }
  }
  ++recent_.misses;
  const size_t older = recent_.Older();
  recent_.Use(older);
  Rendered& r = rendered_[older];
  r.json.clear();
  JsonWriter ecs(&r.json);
  ecs.BeginObject();  // members only are kept: the braces are cut below
  WriteObject(key, ecs);
  ecs.EndObject();
  r.json.erase(0, 1);
  r.json.pop_back();
  r.auditd_json.clear();
  JsonWriter auditd(&r.auditd_json);
  auditd.BeginObject();
  WriteAuditdMembers(key, auditd);
  auditd.EndObject();
  r.auditd_json.erase(0, 1);
  r.auditd_json.pop_back();
  r.reason.assign(key.reason.data(), key.reason.size());
  r.community_id.assign(key.community_id.data(), key.community_id.size());
  r.key = key;
  r.key.reason = r.reason;
  r.key.community_id = r.community_id;
  r.valid = true;
  last_ = &r;
  w.Raw(r.json);
  return encoded;
}

void NetworkJson::WriteAuditd(const NetworkFacts& n, JsonWriter& w) {
  if (last_ == nullptr || !n.present) return;
  w.Key("network");
  w.BeginObject();
  w.Raw(last_->auditd_json);
  // Which unix end is in the abstract namespace (its address starts with "@").
  auto abstract = [&](const Endpoint& end, std::string_view key) {
    if (!end.is_unix() || end.unnamed() || !end.abstract) return;
    w.Key(key);
    w.BeginObject();
    w.Key("abstract");
    w.Bool(true);
    w.EndObject();
  };
  if (n.flow()) {
    abstract(n.source(), "source");
    abstract(n.destination(), "destination");
  } else {
    abstract(n.local, "source");
  }
  w.EndObject();
}

NetworkJson::ObjectKey NetworkJson::KeyOf(const NetworkFacts& n) {
  ObjectKey k;
  k.protocol = n.protocol;
  k.sock_type = n.sock_type;
  k.is_unix = n.is_unix;
  k.flow = n.flow();
  k.inbound = n.inbound();
  const Endpoint& any_ip = n.remote.is_ip() ? n.remote : n.local;
  k.ip_version = any_ip.is_ip() ? (any_ip.ipv6 ? 6 : 4) : 0;
  k.local_end = n.local_end;
  k.reason = n.local_end_reason;
  k.peer_known = n.peer_known;
  if (k.peer_known) {
    k.peer_pid = n.peer_pid;
    k.peer_uid = n.peer_uid;
    k.peer_gid = n.peer_gid;
  }
  k.community_id = n.community_id;
  return k;
}

void NetworkJson::WriteObject(const ObjectKey& k, JsonWriter& w) {
  w.Key("network");
  w.BeginObject();
  Transport t = TransportOf(k.protocol);
  if (k.is_unix) {
    w.Key("transport");
    w.String("unix");
  } else if (!t.name.empty()) {
    w.Key("transport");
    w.String(t.name);
  }
  if (!k.is_unix && k.ip_version != 0) {
    w.Key("type");
    w.String(k.ip_version == 6 ? "ipv6" : "ipv4");
  }
  if (!k.is_unix && !t.name.empty()) {
    char num[8];
    auto [p, ec] = std::to_chars(num, num + sizeof(num), t.wire_protocol);
    w.Key("iana_number");
    w.String(std::string_view(num, static_cast<size_t>(p - num)));
  }
  if (k.flow) {
    w.Key("direction");
    w.String(k.inbound ? "ingress" : "egress");
  }
  if (!k.community_id.empty()) {
    w.Key("community_id");
    w.String(k.community_id);
  }
  w.EndObject();
}

void NetworkJson::WriteAuditdMembers(const ObjectKey& k, JsonWriter& w) {
  w.Key("local_end");
  w.String(LocalEndName(k.local_end));
  if (!k.reason.empty() && k.local_end != LocalEnd::kSocket) {
    w.Key("local_end_reason");
    w.String(k.reason);
  }
  std::string_view unix_type = UnixSocketTypeName(k.sock_type);
  if (k.is_unix && (!unix_type.empty() || k.peer_known)) {
    w.Key("unix");
    w.BeginObject();
    if (!unix_type.empty()) {
      w.Key("type");
      w.String(unix_type);
    }
    if (k.peer_known) {
      w.Key("peer");
      w.BeginObject();
      w.Key("pid");
      w.Int(k.peer_pid);
      w.Key("uid");
      WriteUIntString(w, k.peer_uid);
      w.Key("gid");
      WriteUIntString(w, k.peer_gid);
      w.EndObject();
    }
    w.EndObject();
  }
}

}  // namespace auditlens
