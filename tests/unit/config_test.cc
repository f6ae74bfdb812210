// The TOML configuration: the embedded defaults, every key, and errors that name the key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config/config.h"
#include "config/default_config.h"

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

TEST(Config, EmptyTextGivesStructDefaults) {
  Config config;
  config.passive = true;  // overwritten: a parse starts from the defaults
  std::string error;
  ASSERT_TRUE(ParseConfig("", &config, &error)) << error;
  EXPECT_FALSE(config.passive);
  EXPECT_EQ(config.output_path, "-");
  EXPECT_EQ(config.kernel.backlog_limit, 8192u);
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
