// The TOML configuration: the embedded defaults, every key, and errors that name the key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/default_config.h"
#include "query/store_reader.h"

namespace auditlens {
namespace {

TEST(Config, EmbeddedDefaultParses) {
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig(kDefaultConfig, &config, &error)) << error;
  EXPECT_FALSE(config.passive);
  EXPECT_EQ(config.hostname, "");
  EXPECT_EQ(config.status_path, "/run/auditlens/status.json");
  EXPECT_EQ(config.kernel.backlog_limit, 8192u);
  EXPECT_FALSE(config.kernel.rate_limit.has_value());
  EXPECT_FALSE(config.kernel.backlog_wait_time.has_value());
  EXPECT_FALSE(config.kernel.failure.has_value());
  EXPECT_TRUE(config.kernel.enable);
  EXPECT_EQ(config.rules_path, "");
  EXPECT_FALSE(config.keep_rules_on_exit);
  EXPECT_EQ(config.output_path, "/var/log/auditlens/events.json");
  EXPECT_EQ(config.output_group, "");
  EXPECT_EQ(config.event_timeout_ms, 2000u);
  EXPECT_EQ(config.max_in_flight, 4096u);
  EXPECT_EQ(config.receive_buffer_bytes, 64u * 1024 * 1024);
  EXPECT_EQ(config.drain_interval_ms, 25u);
  EXPECT_EQ(config.enrich.network, "auto");
  EXPECT_EQ(config.enrich.network_budget_ms, 20u);
  EXPECT_TRUE(config.enrich.process_tree);
  EXPECT_TRUE(config.store.enabled);
  EXPECT_EQ(config.store.path, "/var/lib/auditlens/auditlens.db");
  EXPECT_FALSE(config.store.index_all_events);  // sessions' events only
}

TEST(Config, EnrichKeys) {
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig("[enrich]\nnetwork = \"sock_diag\"\nnetwork_budget_ms = 0\n"
                          "process_tree = false\n",
                          &config, &error))
      << error;
  EXPECT_EQ(config.enrich.network, "sock_diag");
  EXPECT_EQ(config.enrich.network_budget_ms, 0u);
  EXPECT_FALSE(config.enrich.process_tree);
  EXPECT_FALSE(ParseConfig("[enrich]\nnetwork = \"fast\"\n", &config, &error));
  EXPECT_NE(error.find("'enrich.network' must be one of"), std::string::npos) << error;
  EXPECT_FALSE(ParseConfig("[enrich]\nnetwork_budget_ms = 1001\n", &config, &error));
  EXPECT_NE(error.find("'enrich.network_budget_ms' must be 0..1000"), std::string::npos) << error;
}

TEST(Config, EmptyTextGivesTheEmbeddedDefaults) {
  Config config;
  config.passive = true;  // overwritten: a parse starts from the defaults
  std::string error;
  ASSERT_TRUE(ParseConfig("", &config, &error)) << error;
  EXPECT_FALSE(config.passive);
  EXPECT_EQ(config.output_path, "/var/log/auditlens/events.json");
  EXPECT_EQ(config.store.path, "/var/lib/auditlens/auditlens.db");
  EXPECT_EQ(config.kernel.backlog_limit, 8192u);
  EXPECT_TRUE(config.load_rules);
}

// --- Every key left out, every section left out: the result is the defaults, field by field. ---

std::string Show(bool v) { return v ? "true" : "false"; }
std::string Show(uint32_t v) { return std::to_string(v); }
std::string Show(uint64_t v) { return std::to_string(v); }
std::string Show(const std::string& v) { return "\"" + v + "\""; }
std::string Show(const std::optional<uint32_t>& v) { return v ? std::to_string(*v) : "keep"; }
std::string Show(const std::vector<std::string>& v) {
  std::string out = "[";
  for (const std::string& s : v) out += (out.size() > 1 ? ", " : "") + Show(s);
  return out + "]";
}

// Every field of a Config, named by its TOML key, as text. The structured bindings stop compiling
// when a struct gains (or loses) a field, so a field cannot be left out of the comparison; the
// tests below check that these names are exactly the keys of the parser and of the embedded
// config, and that each key sets the field named here.
std::map<std::string, std::string> Fields(const Config& c) {
  const auto& [passive, kernel, rules_path, load_rules, keep_rules_on_exit, output_path,
               output_group, event_timeout_ms, max_in_flight, receive_buffer_bytes, drain_interval_ms,
               status_path, hostname, machine_id, netns, store, enrich, state_path,
               max_spool_bytes, redact_args, redact_env, governor, containers_section,
               filtering, outputs, web] = c;
  // [[outputs]] has no key in the embedded config (none by default): output_sink_test.cc checks
  // its keys and defaults.
  EXPECT_TRUE(outputs.empty() || !outputs.front().type.empty());
  const auto& [backlog_limit, rate_limit, backlog_wait_time, failure, enable] = kernel;
  const auto& [store_enabled, store_path, retention_days, max_bytes, index_all_events, postgres,
               postgres_spool_path, postgres_spool_max_bytes] = store;
  const auto& [network, network_budget_ms, process_tree, containers, containers_reads_per_s, hash,
               hash_max_bytes, hash_bytes_per_s] = enrich;
  // [[filters]] and [[labels]] are arrays of tables, not keys: their own tests are below.
  const auto& [filters, labels, dropped_path, profile] = filtering;
  (void)filters;
  (void)labels;
  const auto& [max_cpu, sustain_s, release_s, governor_rate_limit] = governor;
  const auto& [details, docker_root, docker_socket, storage, podman_socket, containerd_state,
               socket_timeout_ms] = containers_section;
  const auto& [listen, token, token_path, tls_cert, tls_key] = web;
  return {
      {"agent.passive", Show(passive)},
      {"agent.hostname", Show(hostname)},
      {"agent.machine_id", Show(machine_id)},
      {"agent.netns", Show(netns)},
      {"agent.status_path", Show(status_path)},
      {"agent.state_path", Show(state_path)},
      {"kernel.backlog_limit", Show(backlog_limit)},
      {"kernel.rate_limit", Show(rate_limit)},
      {"kernel.backlog_wait_time", Show(backlog_wait_time)},
      {"kernel.failure", Show(failure)},
      {"kernel.enable", Show(enable)},
      {"rules.path", Show(rules_path)},
      {"rules.load", Show(load_rules)},
      {"rules.keep_on_exit", Show(keep_rules_on_exit)},
      {"output.path", Show(output_path)},
      {"output.group", Show(output_group)},
      {"output.max_spool_bytes", Show(max_spool_bytes)},
      {"output.redact_args", Show(redact_args)},
      {"output.redact_env", Show(redact_env)},
      {"output.profile", Show(profile)},
      {"output.dropped_path", Show(dropped_path)},
      {"assemble.event_timeout_ms", Show(event_timeout_ms)},
      {"assemble.max_in_flight", Show(max_in_flight)},
      {"receive.buffer_bytes", Show(receive_buffer_bytes)},
      {"receive.drain_interval_ms", Show(drain_interval_ms)},
      {"enrich.network", Show(network)},
      {"enrich.network_budget_ms", Show(network_budget_ms)},
      {"enrich.process_tree", Show(process_tree)},
      {"enrich.containers", Show(containers)},
      {"enrich.containers_reads_per_s", Show(containers_reads_per_s)},
      {"enrich.hash", Show(hash)},
      {"enrich.hash_max_bytes", Show(hash_max_bytes)},
      {"enrich.hash_bytes_per_s", Show(hash_bytes_per_s)},
      {"store.enabled", Show(store_enabled)},
      {"store.path", Show(store_path)},
      {"store.retention_days", Show(retention_days)},
      {"store.max_bytes", Show(max_bytes)},
      {"store.index_all_events", Show(index_all_events)},
      {"store.postgres", Show(postgres)},
      {"store.postgres_spool_path", Show(postgres_spool_path)},
      {"store.postgres_spool_max_bytes", Show(postgres_spool_max_bytes)},
      {"governor.max_cpu", Show(max_cpu)},
      {"governor.sustain_s", Show(sustain_s)},
      {"governor.release_s", Show(release_s)},
      {"governor.rate_limit", Show(governor_rate_limit)},
      {"containers.details", Show(details)},
      {"containers.docker_root", Show(docker_root)},
      {"containers.docker_socket", Show(docker_socket)},
      {"containers.storage", Show(storage)},
      {"containers.podman_socket", Show(podman_socket)},
      {"containers.containerd_state", Show(containerd_state)},
      {"containers.socket_timeout_ms", Show(socket_timeout_ms)},
      {"web.listen", Show(listen)},
      {"web.token", Show(token)},
      {"web.token_path", Show(token_path)},
      {"web.tls_cert", Show(tls_cert)},
      {"web.tls_key", Show(tls_key)},
  };
}

// The fields where a and b differ, as "key: a != b" lines.
std::string Differences(const Config& a, const Config& b) {
  const auto fa = Fields(a), fb = Fields(b);
  std::string out;
  for (const auto& [key, value] : fa) {
    if (fb.at(key) != value) out += key + ": " + value + " != " + fb.at(key) + "\n";
  }
  return out;
}

// One key line of the embedded config.
struct KeyLine {
  std::string key;      // "section.name"
  std::string value;    // as written, comment stripped
  size_t line;          // index into the lines
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// The embedded config's sections (in order, with the lines each spans) and key lines.
struct Layout {
  std::vector<std::string> lines;
  std::vector<KeyLine> keys;
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> sections;  // [begin, end)
};

Layout ReadLayout() {
  Layout layout;
  layout.lines = Lines(kDefaultConfig);
  std::string section;
  for (size_t i = 0; i < layout.lines.size(); ++i) {
    const std::string& l = layout.lines[i];
    if (l.empty() || l[0] == '#') continue;
    if (l[0] == '[') {
      section = l.substr(1, l.find(']') - 1);
      if (!layout.sections.empty()) layout.sections.back().second.second = i;
      layout.sections.push_back({section, {i, layout.lines.size()}});
      continue;
    }
    const size_t eq = l.find(" = ");
    EXPECT_NE(eq, std::string::npos) << "not a key line: " << l;
    if (eq == std::string::npos) continue;
    std::string value = l.substr(eq + 3);
    if (value[0] != '"') value = value.substr(0, value.find(' '));  // drop a trailing comment
    else value = value.substr(0, value.find('"', 1) + 1);
    layout.keys.push_back({section + "." + l.substr(0, eq), value, i});
  }
  return layout;
}

std::string Without(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i < begin || i >= end) out += lines[i] + "\n";
  }
  return out;
}

TEST(ConfigDefaults, EmbeddedConfigHasEveryKeyOnce) {
  const Layout layout = ReadLayout();
  std::set<std::string> embedded;
  for (const KeyLine& k : layout.keys) {
    EXPECT_TRUE(embedded.insert(k.key).second) << "twice: " << k.key;
  }
  const std::vector<std::string> known = ConfigKeys();
  EXPECT_EQ(std::set<std::string>(known.begin(), known.end()), embedded);
  std::set<std::string> compared;
  for (const auto& [key, value] : Fields(DefaultConfig())) compared.insert(key);
  EXPECT_EQ(compared, embedded) << "Fields() must name every key of the embedded config";
  // The count Fields() was written for: a new key must be added there (and compared) too.
  EXPECT_EQ(layout.keys.size(), 57u);
}

TEST(ConfigDefaults, EachKeyLeftOutTakesItsDefault) {
  const Layout layout = ReadLayout();
  ASSERT_FALSE(layout.keys.empty());
  for (const KeyLine& k : layout.keys) {
    Config config;
    std::string error;
    const std::string text = Without(layout.lines, k.line, k.line + 1);
    ASSERT_TRUE(ParseConfig(text, &config, &error)) << k.key << ": " << error;
    EXPECT_EQ(Differences(config, DefaultConfig()), "") << "without " << k.key;
  }
}

TEST(ConfigDefaults, EachSectionLeftOutTakesItsDefaults) {
  const Layout layout = ReadLayout();
  ASSERT_EQ(layout.sections.size(), 11u);
  for (const auto& [section, span] : layout.sections) {
    Config config;
    std::string error;
    const std::string text = Without(layout.lines, span.first, span.second);
    ASSERT_EQ(text.find("\n[" + section + "]\n"), std::string::npos);
    ASSERT_TRUE(ParseConfig(text, &config, &error)) << section << ": " << error;
    EXPECT_EQ(Differences(config, DefaultConfig()), "") << "without [" << section << "]";
    // And the section alone, the others left out.
    std::string only;
    for (size_t i = span.first; i < span.second; ++i) only += layout.lines[i] + "\n";
    ASSERT_TRUE(ParseConfig(only, &config, &error)) << section << ": " << error;
    EXPECT_EQ(Differences(config, DefaultConfig()), "") << "only [" << section << "]";
  }
}

// Each key set to another value changes exactly the field named after it, and nothing else.
TEST(ConfigDefaults, EachKeySetsItsOwnField) {
  const Layout layout = ReadLayout();
  for (const KeyLine& k : layout.keys) {
    std::string other;
    if (k.value == "true") other = "false";
    else if (k.value == "false") other = "true";
    else if (k.value == "\"keep\"") other = "1";
    else if (k.value == "\"auto\"") other = "\"off\"";
    else if (k.value == "\"full\"") other = "\"compact\"";
    else if (k.value == "\"brief\"") other = "\"full\"";
    else if (k.value[0] == '"') other = "\"/x" + k.value.substr(1);
    else if (k.value == "[]") other = "[\"--x\"]";
    else other = std::to_string(std::stoull(k.value) + 1);
    const std::string section = k.key.substr(0, k.key.find('.'));
    const std::string text =
        "[" + section + "]\n" + k.key.substr(k.key.find('.') + 1) + " = " + other + "\n";
    Config config;
    std::string error;
    ASSERT_TRUE(ParseConfig(text, &config, &error)) << text << error;
    const auto got = Fields(config), want = Fields(DefaultConfig());
    for (const auto& [key, value] : got) {
      if (key == k.key) {
        EXPECT_NE(value, want.at(key)) << text;
      } else {
        EXPECT_EQ(value, want.at(key)) << text << " also changed " << key;
      }
    }
  }
}

TEST(ConfigDefaults, EmptyFileIsLikeNoConfig) {
  // `auditlens run --config EMPTY` and `auditlens run` (ParseConfig(kDefaultConfig)) must agree.
  char path[] = "/tmp/auditlens-config-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  Config from_file, embedded;
  std::string error;
  ASSERT_TRUE(LoadConfig(path, &from_file, &error)) << error;
  ASSERT_TRUE(ParseConfig(kDefaultConfig, &embedded, &error)) << error;
  std::remove(path);
  EXPECT_EQ(Differences(from_file, embedded), "");
  EXPECT_EQ(Differences(from_file, DefaultConfig()), "");
  // Comments only, and empty sections, are empty files too.
  ASSERT_TRUE(ParseConfig("# nothing\n[agent]\n[store]\n", &from_file, &error)) << error;
  EXPECT_EQ(Differences(from_file, DefaultConfig()), "");
}

// The commands that read paths from the config (sessions and timeline: the store) see the same
// defaults: a partial file does not lose the store.
TEST(ConfigDefaults, CommandsFindTheDefaultStore) {
  char path[] = "/tmp/auditlens-config-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::string store, error;
  for (const char* text : {"", "[store]\nretention_days = 7\n", "[agent]\nhostname = \"h\"\n"}) {
    std::ofstream(path) << text;
    ASSERT_TRUE(ResolveStorePath(path, "", &store, &error)) << text << ": " << error;
    EXPECT_EQ(store, "/var/lib/auditlens/auditlens.db") << text;
  }
  std::ofstream(path) << "[store]\nenabled = false\n";
  EXPECT_FALSE(ResolveStorePath(path, "", &store, &error));
  EXPECT_NE(error.find("has no store"), std::string::npos) << error;
  std::remove(path);
}

TEST(ConfigDefaults, ReportedCases) {
  // The cases of issue 18: each section left out kept the struct's own value, not the documented
  // one.
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig("[agent]\nhostname = \"h\"\n", &config, &error)) << error;
  EXPECT_EQ(config.output_path, "/var/log/auditlens/events.json");  // was "-" (stdout)
  EXPECT_EQ(config.store.path, "/var/lib/auditlens/auditlens.db");  // was "" (no store)
  ASSERT_TRUE(ParseConfig("[store]\nretention_days = 7\n", &config, &error)) << error;
  EXPECT_TRUE(config.store.enabled);
  EXPECT_EQ(config.store.path, "/var/lib/auditlens/auditlens.db");  // was "has no store"
  EXPECT_EQ(config.store.retention_days, 7u);
}

TEST(Config, EveryKey) {
  const char* text = R"(
[agent]
passive = true
hostname = "web1"
status_path = ""
[kernel]
backlog_limit = 320
rate_limit = 1000
backlog_wait_time = 60000
failure = 0
enable = false
[rules]
path = "/etc/auditlens/rules.d"
keep_on_exit = true
[output]
path = "-"
group = "adm"
[assemble]
event_timeout_ms = 500
max_in_flight = 100
[receive]
buffer_bytes = 1048576
drain_interval_ms = 0
[store]
index_all_events = true
)";
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig(text, &config, &error)) << error;
  EXPECT_TRUE(config.passive);
  EXPECT_EQ(config.hostname, "web1");
  EXPECT_EQ(config.status_path, "");
  EXPECT_EQ(config.kernel.backlog_limit, 320u);
  EXPECT_EQ(config.kernel.rate_limit, 1000u);
  EXPECT_EQ(config.kernel.backlog_wait_time, 60000u);
  EXPECT_EQ(config.kernel.failure, 0u);
  EXPECT_FALSE(config.kernel.enable);
  EXPECT_EQ(config.rules_path, "/etc/auditlens/rules.d");
  EXPECT_TRUE(config.keep_rules_on_exit);
  EXPECT_EQ(config.output_path, "-");
  EXPECT_EQ(config.output_group, "adm");
  EXPECT_EQ(config.event_timeout_ms, 500u);
  EXPECT_EQ(config.max_in_flight, 100u);
  EXPECT_EQ(config.receive_buffer_bytes, 1048576u);
  EXPECT_EQ(config.drain_interval_ms, 0u);
  EXPECT_TRUE(config.store.index_all_events);
}

TEST(Config, RedactKeys) {
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig(kDefaultConfig, &config, &error)) << error;
  EXPECT_TRUE(config.redact_args.empty()) << "redaction is off by default";
  EXPECT_TRUE(config.redact_env.empty());
  ASSERT_TRUE(ParseConfig("[output]\nredact_args = [\"--password\", \"-p\"]\n"
                          "redact_env = [\"*TOKEN*\", \"AWS_SECRET_*\"]\n",
                          &config, &error))
      << error;
  EXPECT_EQ(config.redact_args, (std::vector<std::string>{"--password", "-p"}));
  EXPECT_EQ(config.redact_env, (std::vector<std::string>{"*TOKEN*", "AWS_SECRET_*"}));
  for (const char* bad : {"[output]\nredact_args = \"--password\"\n",
                          "[output]\nredact_args = [1]\n", "[output]\nredact_args = [\"\"]\n",
                          "[output]\nredact_args = [\"--a=b\"]\n",
                          "[output]\nredact_env = [\"A B\"]\n"}) {
    Config c;
    EXPECT_FALSE(ParseConfig(bad, &c, &error)) << bad;
    EXPECT_NE(error.find("redact_"), std::string::npos) << error;
  }
}

TEST(Config, KeepLeavesKernelValueUnset) {
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig("[kernel]\nbacklog_limit = \"keep\"\nfailure = 1\n", &config, &error))
      << error;
  EXPECT_FALSE(config.kernel.backlog_limit.has_value());
  EXPECT_EQ(config.kernel.failure, 1u);
}

// Each bad input must fail, name the key, and leave the config untouched.
void ExpectError(const std::string& text, const std::string& needle) {
  Config config;
  config.hostname = "untouched";
  std::string error;
  EXPECT_FALSE(ParseConfig(text, &config, &error)) << text;
  EXPECT_NE(error.find(needle), std::string::npos) << "error: " << error << "\ntext: " << text;
  EXPECT_EQ(config.hostname, "untouched");
}

TEST(Config, FailureTwoRefused) {
  ExpectError("[kernel]\nfailure = 2\n", "'kernel.failure' 2 (panic");
  ExpectError("[kernel]\nfailure = 3\n", "'kernel.failure' must be 0");
}

TEST(Config, UnknownKeysNamed) {
  ExpectError("[agent]\npasive = true\n", "unknown key 'agent.pasive'");
  ExpectError("[kernal]\nenable = true\n", "unknown key 'kernal'");
  ExpectError("top = 1\n", "unknown key 'top'");
  ExpectError("[output]\npath = \"-\"\nformat = \"json\"\n", "unknown key 'output.format'");
}

TEST(Config, WrongTypesNamed) {
  ExpectError("[kernel]\nbacklog_limit = \"big\"\n", "'kernel.backlog_limit' must be");
  ExpectError("[kernel]\nenable = 1\n", "'kernel.enable' must be true or false");
  ExpectError("[agent]\npassive = \"yes\"\n", "'agent.passive' must be true or false");
  ExpectError("[agent]\nhostname = 5\n", "'agent.hostname' must be a string");
  ExpectError("[assemble]\nevent_timeout_ms = -1\n", "'assemble.event_timeout_ms' must be");
  ExpectError("[assemble]\nmax_in_flight = 0\n", "'assemble.max_in_flight' must be");
  ExpectError("[receive]\nbuffer_bytes = 4294967296\n", "'receive.buffer_bytes' must be");
  ExpectError("[receive]\nbuffer_bytes = 1.5\n", "'receive.buffer_bytes' must be an integer");
  ExpectError("[output]\npath = \"\"\n", "'output.path' must not be empty");
  ExpectError("[output]\ngroup = 4\n", "'output.group' must be a string");
  ExpectError("agent = 1\n", "'agent' must be a table");
}

TEST(Config, ErrorsCarryTheLine) {
  ExpectError("[agent]\n\npassive = nope\n", "<config>:3");
  ExpectError("[kernel]\nenable = true\nrate_limit = -5\n", "<config>:3: 'kernel.rate_limit'");
}

TEST(Config, LoadConfigFromFile) {
  char path[] = "/tmp/auditlens-config-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream(path) << "[rules]\npath = \"/x.rules\"\n[kernel]\nfailure = 2\n";
  }
  Config config;
  std::string error;
  EXPECT_FALSE(LoadConfig(path, &config, &error));
  EXPECT_NE(error.find(std::string(path) + ":4: 'kernel.failure'"), std::string::npos) << error;
  {
    std::ofstream(path) << "[rules]\npath = \"/x.rules\"\n";
  }
  ASSERT_TRUE(LoadConfig(path, &config, &error)) << error;
  EXPECT_EQ(config.rules_path, "/x.rules");
  std::remove(path);
  EXPECT_FALSE(LoadConfig(path, &config, &error));
  EXPECT_NE(error.find("cannot read"), std::string::npos) << error;
}

}  // namespace
}  // namespace auditlens
