#include "config/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "config/default_config.h"
#include "config/destinations.h"

namespace auditlens {
namespace {

// Reads one key into the Config; returns false with a message (without the key name) when the
// value does not fit.
using Setter = std::function<bool(const toml::node&, Config*, std::string*)>;

bool ReadBool(const toml::node& node, bool* out, std::string* why) {
  if (!node.is_boolean()) {
    *why = "must be true or false";
    return false;
  }
  *out = node.as_boolean()->get();
  return true;
}

bool ReadString(const toml::node& node, std::string* out, std::string* why) {
  if (!node.is_string()) {
    *why = "must be a string";
    return false;
  }
  *out = node.as_string()->get();
  return true;
}

// The output profiles ([output] profile, an output's profile): output/output_profile.h names
// them; the config only checks the name (the layer below the output stage).
bool CheckProfile(const std::string& name, std::string* why) {
  if (name == "full" || name == "compact" || name == "lean" || name == "brief") return true;
  *why = "must be \"full\", \"compact\", \"lean\" or \"brief\"";
  return false;
}

bool ReadUint32(const toml::node& node, uint32_t min, uint32_t* out, std::string* why) {
  if (!node.is_integer()) {
    *why = "must be an integer";
    return false;
  }
  int64_t v = node.as_integer()->get();
  if (v < static_cast<int64_t>(min) || v > static_cast<int64_t>(UINT32_MAX)) {
    *why = "must be between " + std::to_string(min) + " and " + std::to_string(UINT32_MAX);
    return false;
  }
  *out = static_cast<uint32_t>(v);
  return true;
}

// A kernel setting: an integer, or "keep" to leave the kernel's value alone.
bool ReadOptional(const toml::node& node, std::optional<uint32_t>* out, std::string* why) {
  if (node.is_string() && node.as_string()->get() == "keep") {
    out->reset();
    return true;
  }
  uint32_t v;
  if (!ReadUint32(node, 0, &v, why)) {
    *why = "must be a non-negative integer or \"keep\"";
    return false;
  }
  *out = v;
  return true;
}

Setter Bool(bool Config::*member) {
  return [member](const toml::node& n, Config* c, std::string* why) {
    return ReadBool(n, &(c->*member), why);
  };
}

Setter String(std::string Config::*member, bool allow_empty = true) {
  return [member, allow_empty](const toml::node& n, Config* c, std::string* why) {
    if (!ReadString(n, &(c->*member), why)) return false;
    if (!allow_empty && (c->*member).empty()) {
      *why = "must not be empty";
      return false;
    }
    return true;
  };
}

Setter Uint32(uint32_t Config::*member, uint32_t min) {
  return [member, min](const toml::node& n, Config* c, std::string* why) {
    return ReadUint32(n, min, &(c->*member), why);
  };
}

// An absolute path, or "" for none.
Setter ContainerPath(std::string ContainerSettings::*member) {
  return [member](const toml::node& n, Config* c, std::string* why) {
    std::string v;
    if (!ReadString(n, &v, why)) return false;
    if (!v.empty() && v[0] != '/') {
      *why = "must be an absolute path, or \"\" for none";
      return false;
    }
    c->containers.*member = v;
    return true;
  };
}

// A string of [web] (paths: "" for none).
Setter WebPath(std::string WebSettings::*member) {
  return [member](const toml::node& n, Config* c, std::string* why) {
    return ReadString(n, &(c->web.*member), why);
  };
}

Setter Governor(uint32_t GovernorSettings::*member, uint32_t min, uint32_t max) {
  return [member, min, max](const toml::node& n, Config* c, std::string* why) {
    uint32_t v;
    if (!ReadUint32(n, min, &v, why)) return false;
    if (v > max) {
      *why = "must be between " + std::to_string(min) + " and " + std::to_string(max);
      return false;
    }
    c->governor.*member = v;
    return true;
  };
}

bool ReadUint64(const toml::node& node, uint64_t* out, std::string* why) {
  if (!node.is_integer() || node.as_integer()->get() < 0) {
    *why = "must be a non-negative integer";
    return false;
  }
  *out = static_cast<uint64_t>(node.as_integer()->get());
  return true;
}

// A list of non-empty strings without white space or '=' (flags, name patterns).
bool ReadRedactList(const toml::node& node, std::vector<std::string>* out, std::string* why) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    *why = "must be an array of strings";
    return false;
  }
  out->clear();
  for (const toml::node& item : *array) {
    if (!item.is_string()) {
      *why = "must be an array of strings";
      return false;
    }
    const std::string& v = item.as_string()->get();
    if (v.empty() || v.find_first_of(" \t\n=") != std::string::npos) {
      *why = "\"" + v + "\" is empty or has white space or '='";
      return false;
    }
    out->push_back(v);
  }
  return true;
}

Setter Kernel(std::optional<uint32_t> KernelSettings::*member) {
  return [member](const toml::node& n, Config* c, std::string* why) {
    return ReadOptional(n, &(c->kernel.*member), why);
  };
}

// The whole schema: section -> key -> setter.
const std::map<std::string, std::map<std::string, Setter>>& Schema() {
  static const auto* schema = new std::map<std::string, std::map<std::string, Setter>>{
      {"agent",
       {{"passive", Bool(&Config::passive)},
        {"hostname", String(&Config::hostname)},
        {"machine_id", String(&Config::machine_id)},
        {"netns", String(&Config::netns)},
        {"status_path", String(&Config::status_path)},
        {"state_path", String(&Config::state_path)}}},
      {"kernel",
       {{"backlog_limit", Kernel(&KernelSettings::backlog_limit)},
        {"rate_limit", Kernel(&KernelSettings::rate_limit)},
        {"backlog_wait_time", Kernel(&KernelSettings::backlog_wait_time)},
        {"failure",
         [](const toml::node& n, Config* c, std::string* why) {
           if (!ReadOptional(n, &c->kernel.failure, why)) return false;
           if (c->kernel.failure == 2u) {
             *why = "2 (panic on lost records) is refused: auditlens never sets it";
             return false;
           }
           if (c->kernel.failure && *c->kernel.failure > 2) {
             *why = "must be 0 (silent) or 1 (printk), or \"keep\"";
             return false;
           }
           return true;
         }},
        {"enable",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadBool(n, &c->kernel.enable, why);
         }}}},
      {"rules",
       {{"path", String(&Config::rules_path)},
        {"load", Bool(&Config::load_rules)},
        {"keep_on_exit", Bool(&Config::keep_rules_on_exit)}}},
      {"output",
       {{"path", String(&Config::output_path, /*allow_empty=*/false)},
        {"group", String(&Config::output_group)},
        {"max_spool_bytes", Uint32(&Config::max_spool_bytes, 65536)},
        {"redact_args",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadRedactList(n, &c->redact_args, why);
         }},
        {"redact_env",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadRedactList(n, &c->redact_env, why);
         }},
        {"profile",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadString(n, &c->filtering.profile, why) && CheckProfile(c->filtering.profile, why);
         }},
        {"dropped_path",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadString(n, &c->filtering.dropped_path, why);
         }}}},
      {"assemble",
       {{"event_timeout_ms", Uint32(&Config::event_timeout_ms, 1)},
        {"max_in_flight", Uint32(&Config::max_in_flight, 1)}}},
      {"receive",
       {{"buffer_bytes", Uint32(&Config::receive_buffer_bytes, 65536)},
        {"drain_interval_ms", Uint32(&Config::drain_interval_ms, 0)}}},
      {"enrich",
       {{"network",
         [](const toml::node& n, Config* c, std::string* why) {
           if (!ReadString(n, &c->enrich.network, why)) return false;
           const std::string& v = c->enrich.network;
           if (v == "auto" || v == "pidfd" || v == "sock_diag" || v == "records" || v == "off") {
             return true;
           }
           *why = "must be one of \"auto\", \"pidfd\", \"sock_diag\", \"records\", \"off\"";
           return false;
         }},
        {"network_budget_ms",
         [](const toml::node& n, Config* c, std::string* why) {
           if (!ReadUint32(n, 0, &c->enrich.network_budget_ms, why)) return false;
           if (c->enrich.network_budget_ms <= 1000) return true;
           *why = "must be 0..1000 (milliseconds of lookups per second)";
           return false;
         }},
        {"process_tree",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadBool(n, &c->enrich.process_tree, why);
         }},
        {"containers",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadBool(n, &c->enrich.containers, why);
         }},
        {"containers_reads_per_s",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadUint32(n, 0, &c->enrich.containers_reads_per_s, why);
         }},
        {"hash",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadBool(n, &c->enrich.hash, why);
         }},
        {"hash_max_bytes",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadUint64(n, &c->enrich.hash_max_bytes, why);
         }},
        {"hash_bytes_per_s",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadUint64(n, &c->enrich.hash_bytes_per_s, why);
         }}}},
      {"store",
       {{"enabled",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadBool(n, &c->store.enabled, why);
         }},
        {"path",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadString(n, &c->store.path, why);
         }},
        {"retention_days",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadUint32(n, 0, &c->store.retention_days, why);
         }},
        {"max_bytes",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadUint64(n, &c->store.max_bytes, why);
         }},
        {"index_all_events",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadBool(n, &c->store.index_all_events, why);
         }},
        {"postgres",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadString(n, &c->store.postgres, why);
         }},
        {"postgres_spool_path",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadString(n, &c->store.postgres_spool_path, why);
         }},
        {"postgres_spool_max_bytes",
         [](const toml::node& n, Config* c, std::string* why) {
           if (!ReadUint64(n, &c->store.postgres_spool_max_bytes, why)) return false;
           if (c->store.postgres_spool_max_bytes >= 4096) return true;
           *why = "must be at least 4096 (bytes)";
           return false;
         }}}},
      {"governor",
       {{"max_cpu", Governor(&GovernorSettings::max_cpu, 0, 100)},
        {"sustain_s", Governor(&GovernorSettings::sustain_s, 1, 3600)},
        {"release_s", Governor(&GovernorSettings::release_s, 1, 3600)},
        {"rate_limit", Governor(&GovernorSettings::rate_limit, 1, UINT32_MAX)}}},
      {"containers",
       {{"details",
         [](const toml::node& n, Config* c, std::string* why) {
           return ReadBool(n, &c->containers.details, why);
         }},
        {"docker_root", ContainerPath(&ContainerSettings::docker_root)},
        {"docker_socket", ContainerPath(&ContainerSettings::docker_socket)},
        {"storage", ContainerPath(&ContainerSettings::storage)},
        {"podman_socket", ContainerPath(&ContainerSettings::podman_socket)},
        {"containerd_state", ContainerPath(&ContainerSettings::containerd_state)},
        {"socket_timeout_ms",
         [](const toml::node& n, Config* c, std::string* why) {
           if (!ReadUint32(n, 1, &c->containers.socket_timeout_ms, why)) return false;
           if (c->containers.socket_timeout_ms <= 10000) return true;
           *why = "must be 1..10000 (milliseconds)";
           return false;
         }}}},
      {"web",
       {{"listen",
         [](const toml::node& n, Config* c, std::string* why) {
           if (!ReadString(n, &c->web.listen, why)) return false;
           const size_t colon = c->web.listen.rfind(':');
           if (colon != std::string::npos && colon > 0 && colon + 1 < c->web.listen.size()) {
             return true;
           }
           *why = "must be HOST:PORT (127.0.0.1:7683, [::1]:7683)";
           return false;
         }},
        {"token", WebPath(&WebSettings::token)},
        {"token_path", WebPath(&WebSettings::token_path)},
        {"tls_cert", WebPath(&WebSettings::tls_cert)},
        {"tls_key", WebPath(&WebSettings::tls_key)}}},
  };
  return *schema;
}

std::string Where(const std::string& source, const toml::node& node) {
  const auto& begin = node.source().begin;
  if (begin.line == 0) return source;
  return source + ":" + std::to_string(begin.line);
}

// The arrays of tables ([[filters]], [[labels]]): each table's keys as text, with their lines.
bool ReadTables(const std::string& source, const std::string& name, const toml::node& node,
                std::vector<ConfigTable>* out, std::string* error) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    *error = Where(source, node) + ": '" + name + "' must be an array of tables ([[" + name + "]])";
    return false;
  }
  out->clear();
  for (const toml::node& item : *array) {
    const toml::table& table = *item.as_table();
    ConfigTable t;
    t.where = Where(source, item);
    for (const auto& [key, value] : table) {
      ConfigTable::Entry entry;
      entry.key = std::string(key.str());
      entry.where = Where(source, value);
      auto text = [&entry](const toml::node& v) {
        if (v.is_string()) {
          entry.values.push_back(v.as_string()->get());
          return true;
        }
        if (v.is_integer()) {
          entry.values.push_back(std::to_string(v.as_integer()->get()));
          return true;
        }
        return false;
      };
      bool ok = true;
      if (const toml::array* values = value.as_array()) {
        for (const toml::node& v : *values) ok = ok && text(v);
        if (ok && values->empty()) {
          *error = entry.where + ": '" + name + "." + entry.key + "' is an empty list";
          return false;
        }
      } else {
        ok = text(value);
      }
      if (!ok) {
        *error = entry.where + ": '" + name + "." + entry.key +
                 "' must be a string, an integer, or an array of them";
        return false;
      }
      t.entries.push_back(std::move(entry));
    }
    out->push_back(std::move(t));
  }
  return true;
}

// [[outputs]]: each table's keys, checked against its type's. The defaults of each type are here
// (the embedded config has no [[outputs]]); docs/configuration.md lists them.
int FacilityCode(const std::string& name) {
  static const char* const kNamed[] = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
                                       "news", "uucp", "cron", "authpriv", "ftp"};
  for (int i = 0; i < 12; ++i) {
    if (name == kNamed[i]) return i;
  }
  if (name.size() == 6 && name.compare(0, 5, "local") == 0 && name[5] >= '0' && name[5] <= '7') {
    return 16 + (name[5] - '0');
  }
  return -1;
}

// "/path" (a unix datagram socket), "tcp://HOST:PORT", "tls://HOST:PORT" (HOST may be [IPv6]).
bool ParseSyslogAddress(OutputSettings* o, std::string* why) {
  const std::string& a = o->address;
  if (!a.empty() && a[0] == '/') {
    o->transport = "unix";
    o->syslog_path = a;
    return true;
  }
  const std::string scheme = a.substr(0, a.find("://"));
  if ((scheme != "tcp" && scheme != "tls") || a.size() <= scheme.size() + 3) {
    *why = "must be a socket path (\"/dev/log\"), \"tcp://HOST:PORT\" or \"tls://HOST:PORT\"";
    return false;
  }
  std::string rest = a.substr(scheme.size() + 3);
  std::string host, port;
  if (rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      *why = "\"" + a + "\": an IPv6 address is written [ADDRESS]:PORT";
      return false;
    }
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) {
      *why = "\"" + a + "\" has no port (" + scheme + "://HOST:PORT)";
      return false;
    }
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  uint32_t p = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) {
    digits = digits && c >= '0' && c <= '9';
    if (digits) p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (host.empty() || !digits || p == 0 || p > 65535) {
    *why = "\"" + a + "\": needs a host and a port 1..65535";
    return false;
  }
  o->transport = scheme;
  o->host = host;
  o->port = static_cast<uint16_t>(p);
  return true;
}

bool ParseOutput(const toml::table& t, const std::string& name, const std::string& source,
                 OutputSettings* o, std::string* error) {
  const toml::node* type = t.get("type");
  if (type == nullptr || !type->is_string()) {
    *error = Where(source, t) + ": '" + name + ".type' must be set: \"file\", \"stdout\", " +
             "\"syslog\" or \"unix\"";
    return false;
  }
  o->type = type->as_string()->get();
  o->line = static_cast<int>(t.source().begin.line);
  o->profile.clear();  // [output]'s (ParseOver)
  o->max_spool_bytes = 4194304;  // 4 MiB: docs/configuration.md, [[outputs]]
  std::set<std::string> keys = {"type", "profile", "max_spool_bytes"};
  if (o->type == "file") {
    o->max_bytes = 104857600;
    o->generations = 5;
    keys.insert({"path", "group", "max_bytes", "generations"});
  } else if (o->type == "syslog") {
    o->address = "/dev/log";
    o->facility = "authpriv";
    o->app_name = "auditlens";
    o->max_message_bytes = 65536;
    keys.insert({"address", "ca_file", "facility", "app_name", "max_message_bytes"});
  } else if (o->type == "unix") {
    keys.insert("path");
  } else if (o->type != "stdout") {
    *error = Where(source, *type) + ": '" + name + ".type' must be \"file\", \"stdout\", " +
             "\"syslog\" or \"unix\"";
    return false;
  }
  for (const auto& [key_name, node] : t) {
    const std::string key(key_name.str());
    const std::string full = name + "." + key;
    if (!keys.count(key)) {
      *error = Where(source, node) + ": unknown key '" + full + "' for an output of type \"" +
               o->type + "\"";
      return false;
    }
    std::string why;
    bool ok = true;
    if (key == "type") {
      continue;
    } else if (key == "profile") {
      ok = ReadString(node, &o->profile, &why) && CheckProfile(o->profile, &why);
    } else if (key == "max_spool_bytes") {
      ok = ReadUint32(node, 65536, &o->max_spool_bytes, &why);
    } else if (key == "path") {
      ok = ReadString(node, &o->path, &why);
      if (ok && (o->path.empty() || o->path[0] != '/')) {
        ok = false;
        why = "must be an absolute path";
      }
    } else if (key == "group") {
      ok = ReadString(node, &o->group, &why);
    } else if (key == "max_bytes") {
      ok = ReadUint64(node, &o->max_bytes, &why);
      if (ok && o->max_bytes != 0 && o->max_bytes < 4096) {
        ok = false;
        why = "must be 0 (no rotation) or at least 4096 (bytes)";
      }
    } else if (key == "generations") {
      // One message for every value out of range (0 and negatives too).
      ok = node.is_integer() && node.as_integer()->get() >= 1 && node.as_integer()->get() <= 1000;
      if (ok) {
        o->generations = static_cast<uint32_t>(node.as_integer()->get());
      } else {
        why = node.is_integer() ? "must be 1..1000" : "must be an integer, 1..1000";
      }
    } else if (key == "address") {
      ok = ReadString(node, &o->address, &why);
    } else if (key == "ca_file") {
      ok = ReadString(node, &o->ca_file, &why);
    } else if (key == "facility") {
      ok = ReadString(node, &o->facility, &why);
      if (ok && FacilityCode(o->facility) < 0) {
        ok = false;
        why = "must be a facility name: kern, user, mail, daemon, auth, syslog, lpr, news, uucp, "
              "cron, authpriv, ftp, local0 .. local7";
      }
    } else if (key == "app_name") {
      ok = ReadString(node, &o->app_name, &why);
      if (ok && (o->app_name.empty() || o->app_name.size() > 48 ||
                 o->app_name.find_first_of(" \t\n") != std::string::npos)) {
        ok = false;
        why = "must be 1..48 characters without white space";
      }
    } else if (key == "max_message_bytes") {
      ok = ReadUint32(node, 480, &o->max_message_bytes, &why);
    }
    if (!ok) {
      *error = Where(source, node) + ": '" + full + "' " + why;
      return false;
    }
  }
  if ((o->type == "file" || o->type == "unix") && o->path.empty()) {
    *error = Where(source, t) + ": '" + name + ".path' must be set for an output of type \"" +
             o->type + "\"";
    return false;
  }
  if (o->type == "syslog") {
    std::string why;
    if (!ParseSyslogAddress(o, &why)) {
      const toml::node* a = t.get("address");
      *error = (a ? Where(source, *a) : Where(source, t)) + ": '" + name + ".address' " + why;
      return false;
    }
    if (!o->ca_file.empty() && o->transport != "tls") {
      *error = Where(source, t) + ": '" + name + ".ca_file' is only for a \"tls://\" address";
      return false;
    }
    o->facility_code = FacilityCode(o->facility);
  }
  return true;
}

bool ParseOutputs(const toml::node& node, const std::string& source,
                  std::vector<OutputSettings>* outputs, std::string* error) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    *error = Where(source, node) + ": 'outputs' must be an array of tables ([[outputs]])";
    return false;
  }
  outputs->clear();
  for (size_t i = 0; i < array->size(); ++i) {
    OutputSettings o;
    const std::string name = "outputs[" + std::to_string(i) + "]";
    if (!ParseOutput(*(*array)[i].as_table(), name, source, &o, error)) return false;
    outputs->push_back(std::move(o));
  }
  return true;
}

// Parses text over *base into *config (only on success); *seen (if given) gets each key set.
bool ParseOver(const Config& base, const std::string& text, const std::string& source,
               Config* config, std::string* error, std::set<std::string>* seen = nullptr) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    *error = source + ":" + std::to_string(e.source().begin.line) + ": " +
             std::string(e.description());
    return false;
  }
  Config parsed = base;  // *config changes only on success
  const auto& schema = Schema();
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    if (section == "filters" || section == "labels") {
      if (!ReadTables(source, section, section_node, section == "filters"
                                                         ? &parsed.filtering.filters
                                                         : &parsed.filtering.labels,
                      error)) {
        return false;
      }
      continue;
    }
    if (section == "outputs") {
      if (!ParseOutputs(section_node, source, &parsed.outputs, error)) return false;
      continue;
    }
    auto known_section = schema.find(section);
    if (known_section == schema.end()) {
      *error = Where(source, section_node) + ": unknown key '" + section + "'";
      return false;
    }
    const toml::table* table = section_node.as_table();
    if (!table) {
      *error = Where(source, section_node) + ": '" + section + "' must be a table ([" + section +
               "])";
      return false;
    }
    for (const auto& [key, node] : *table) {
      const std::string name = section + "." + std::string(key.str());
      auto setter = known_section->second.find(std::string(key.str()));
      if (setter == known_section->second.end()) {
        *error = Where(source, node) + ": unknown key '" + name + "'";
        return false;
      }
      std::string why;
      if (!setter->second(node, &parsed, &why)) {
        *error = Where(source, node) + ": '" + name + "' " + why;
        return false;
      }
      if (seen) seen->insert(name);
    }
  }
  for (OutputSettings& o : parsed.outputs) {
    if (o.profile.empty()) o.profile = parsed.filtering.profile;
  }
  // One writer per destination: two outputs on one file would interleave and rotate each other.
  if (!CheckDestinations(parsed, source, error)) return false;
  *config = std::move(parsed);
  return true;
}

// The embedded defaults parsed once, or why they do not parse (tests/unit/config_test.cc makes
// sure they do).
struct Defaults {
  Config config;
  std::string error;
};

const Defaults& EmbeddedDefaults() {
  static const Defaults* defaults = [] {
    auto* d = new Defaults;
    try {
      std::set<std::string> seen;
      if (!ParseOver(Config{}, kDefaultConfig, "<embedded default config>", &d->config,
                     &d->error, &seen)) {
        d->error = "the embedded default config is invalid: " + d->error;
        return d;
      }
      // Every key must have its value there: a key it lacked would silently default to zero.
      for (const std::string& key : ConfigKeys()) {
        if (!seen.count(key)) {
          d->error = "the embedded default config has no value for '" + key + "'";
          return d;
        }
      }
    } catch (const std::exception& e) {
      d->error = std::string("the embedded default config is invalid: ") + e.what();
    }
    return d;
  }();
  return *defaults;
}

bool ParseNamed(const std::string& text, const std::string& source, Config* config,
                std::string* error) {
  const Defaults& defaults = EmbeddedDefaults();
  if (!defaults.error.empty()) {
    *error = defaults.error;
    return false;
  }
  return ParseOver(defaults.config, text, source, config, error);
}

}  // namespace

const Config& DefaultConfig() { return EmbeddedDefaults().config; }

std::vector<std::string> ConfigKeys() {
  std::vector<std::string> keys;
  for (const auto& [section, setters] : Schema()) {
    for (const auto& [key, setter] : setters) keys.push_back(section + "." + key);
  }
  return keys;
}

bool ParseConfig(const std::string& toml_text, Config* config, std::string* error) {
  try {
    return ParseNamed(toml_text, "<config>", config, error);
  } catch (const std::exception& e) {  // never throws
    *error = std::string("<config>: ") + e.what();
    return false;
  }
}

bool LoadConfig(const std::string& path, Config* config, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot read: " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return ParseNamed(text.str(), path, config, error);
  } catch (const std::exception& e) {  // LoadConfig never throws
    *error = path + ": " + e.what();
    return false;
  }
}

}  // namespace auditlens
