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

void NetworkJson::WriteEnd(const NetworkFacts& n, const Endpoint& end, bool is_local,
                           std::string_view key, JsonWriter& w) {
  if (end.is_ip()) {
    const bool has_ip = !is_local || n.local_ip_known();
    if (!has_ip && end.port == 0) return;
    // {"ip":"...","port":N} built in one buffer and written at once (this runs once or twice for
    // every network event); an IP's text never needs escaping.
    char buf[Endpoint::kIpTextSize + 32];
    char* p = buf;
    *p++ = '{';
    if (has_ip) {
      std::memcpy(p, "\"ip\":\"", 6);
      p += 6;
      p += end.FormatIp(p);
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
  } else if (end.is_unix() && !end.unnamed()) {
    char name[Endpoint::kUnixTextSize];
    size_t len = end.FormatUnixName(name);
    w.Key(key);
    w.BeginObject();
    w.Key("address");
    if (w.String(std::string_view(name, len))) {
      // Not UTF-8: written with the percent escape (docs/schema.md), and said so here.
      w.Key("encoded");
      w.Bool(true);
    }
    if (end.abstract) {
      w.Key("abstract");
      w.Bool(true);
    }
    w.EndObject();
  }
}

void NetworkJson::Write(const NetworkFacts& n, JsonWriter& w) {
  if (!n.present) return;
  if (n.flow()) {
    const bool inbound = n.inbound();
    WriteEnd(n, n.source(), !inbound, "source", w);
    WriteEnd(n, n.destination(), inbound, "destination", w);
  } else {
    WriteEnd(n, n.local, true, "source", w);  // bind, listen: only the local end exists
  }

  const ObjectKey key = KeyOf(n);
  for (int t = 0, tries = recent_.tries(); t < tries; ++t) {
    const size_t i = recent_.slot[t];
    if (i != RecentSlots::kNone && rendered_[i].valid && rendered_[i].key == key) {
      recent_.Use(i);
      recent_.misses = 0;
      w.Raw(rendered_[i].json);
      return;
    }
  }
  ++recent_.misses;
  const size_t older = recent_.Older();
  recent_.Use(older);
  Rendered& r = rendered_[older];
  const size_t start = w.size();
  WriteObject(key, w);
  std::string_view json = w.Since(start);
  if (!json.empty() && json[0] == ',') json.remove_prefix(1);
  r.json.assign(json.data(), json.size());
  r.reason.assign(key.reason.data(), key.reason.size());
  r.community_id.assign(key.community_id.data(), key.community_id.size());
  r.key = key;
  r.key.reason = r.reason;
  r.key.community_id = r.community_id;
  r.valid = true;
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
  w.EndObject();
}

}  // namespace auditlens
