// config/destinations.h: no two writers of a config share a file, a socket, standard output or a
// collector, however the path is spelled.
#include "config/destinations.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"

namespace auditlens {
namespace {

namespace fs = std::filesystem;

// The config text over the defaults; "" when accepted, else the error.
std::string Refusal(const std::string& text) {
  Config c;
  std::string error;
  return ParseConfig(text, &c, &error) ? "" : error;
}

std::string FileOutput(const std::string& path, const std::string& more = "") {
  return "[[outputs]]\ntype = \"file\"\npath = \"" + path + "\"\n" + more;
}

TEST(Destinations, OneFileSpelledTwoWaysIsOneDestination) {
  for (const char* other : {"/tmp/al-d/./o.json", "/tmp/al-d//o.json", "/tmp/al-d/x/../o.json"}) {
    const std::string error = Refusal(FileOutput("/tmp/al-d/o.json") + FileOutput(other));
    EXPECT_NE(error.find("outputs[1] (file " + std::string(other) +
                         ") writes to the same destination as outputs[0] (file /tmp/al-d/o.json)"),
              std::string::npos)
        << other << "\n  got: " << error;
    EXPECT_NE(error.find("<config>:4:"), std::string::npos) << error;
  }
}

TEST(Destinations, OutputAndItsDroppedEventsAndOutputs) {
  // output.dropped_path is a writer too: not [output]'s file, nor an output's.
  EXPECT_NE(Refusal("[output]\npath = \"/tmp/al-d/e.json\"\ndropped_path = \"/tmp/al-d/./e.json\"\n")
                .find("output.dropped_path (/tmp/al-d/./e.json) writes to the same destination as "
                      "[output] (/tmp/al-d/e.json)"),
            std::string::npos);
  EXPECT_NE(Refusal("[output]\npath = \"/tmp/al-d/e.json\"\ndropped_path = \"/tmp/al-d/d.json\"\n" +
                    FileOutput("/tmp/al-d/d.json"))
                .find("outputs[0] (file /tmp/al-d/d.json) writes to the same destination as "
                      "output.dropped_path"),
            std::string::npos);
  EXPECT_EQ(Refusal("[output]\npath = \"/tmp/al-d/e.json\"\ndropped_path = \"/tmp/al-d/d.json\"\n" +
                    FileOutput("/tmp/al-d/o.json")),
            "");
}

TEST(Destinations, ARotatedFileIsItsOutputsToo) {
  // The first rotation of outputs[0] would rename over [output]'s file.
  const std::string error = Refusal("[output]\npath = \"/tmp/al-d/o.json.1\"\n" +
                                    FileOutput("/tmp/al-d/o.json", "max_bytes = 65536\ngenerations = 3\n"));
  EXPECT_NE(error.find("outputs[0] (file /tmp/al-d/o.json) writes to the same destination as "
                       "[output] (/tmp/al-d/o.json.1): one is a rotated file of the other"),
            std::string::npos)
      << error;
  // Past its generations, or without rotation, the name is free.
  EXPECT_EQ(Refusal("[output]\npath = \"/tmp/al-d/o.json.4\"\n" +
                    FileOutput("/tmp/al-d/o.json", "max_bytes = 65536\ngenerations = 3\n")),
            "");
  EXPECT_EQ(Refusal("[output]\npath = \"/tmp/al-d/o.json.1\"\n" +
                    FileOutput("/tmp/al-d/o.json", "max_bytes = 0\n")),
            "");
  EXPECT_EQ(Refusal("[output]\npath = \"/tmp/al-d/o.json.01\"\n" +
                    FileOutput("/tmp/al-d/o.json", "max_bytes = 65536\ngenerations = 3\n")),
            "");
}

TEST(Destinations, ADirectoryReachedThroughALink) {
  char tmpl[] = "/tmp/auditlens-dest-test-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  fs::create_directory(dir + "/real");
  fs::create_directory_symlink(dir + "/real", dir + "/link");
  const std::string error =
      Refusal(FileOutput(dir + "/real/o.json") + FileOutput(dir + "/link/o.json"));
  EXPECT_NE(error.find("writes to the same destination"), std::string::npos) << error;
  EXPECT_EQ(Refusal(FileOutput(dir + "/real/o.json") + FileOutput(dir + "/link/p.json")), "");
  fs::remove_all(dir);
}

TEST(Destinations, SocketsStandardOutputAndCollectors) {
  EXPECT_NE(Refusal("[output]\npath = \"-\"\n[[outputs]]\ntype = \"stdout\"\n")
                .find("outputs[0] (stdout -) writes to the same destination as [output] (-)"),
            std::string::npos);
  EXPECT_NE(Refusal("[[outputs]]\ntype = \"syslog\"\naddress = \"tcp://Collector.example:514\"\n"
                    "[[outputs]]\ntype = \"syslog\"\naddress = \"tcp://collector.example:514\"\n")
                .find("writes to the same destination"),
            std::string::npos);
  EXPECT_EQ(Refusal("[[outputs]]\ntype = \"syslog\"\naddress = \"tcp://collector.example:514\"\n"
                    "[[outputs]]\ntype = \"syslog\"\naddress = \"tcp://collector.example:601\"\n"),
            "");
  EXPECT_NE(Refusal("[[outputs]]\ntype = \"syslog\"\naddress = \"/run/x/../log.sock\"\n"
                    "[[outputs]]\ntype = \"unix\"\npath = \"/run/log.sock\"\n")
                .find("outputs[1] (unix /run/log.sock) writes to the same destination as "
                      "outputs[0] (syslog /run/x/../log.sock)"),
            std::string::npos);
}

// The command line's --output is checked like the config's [output] (cli/cmd_run.cc calls it once
// the overrides are in): the check itself takes the final config.
TEST(Destinations, TheFinalConfigIsWhatIsChecked) {
  Config c;
  std::string error;
  ASSERT_TRUE(ParseConfig(FileOutput("/tmp/al-d/o.json"), &c, &error)) << error;
  EXPECT_TRUE(CheckDestinations(c, "c.toml", &error)) << error;
  c.output_path = "/tmp/al-d/o.json";
  EXPECT_FALSE(CheckDestinations(c, "c.toml", &error));
  EXPECT_NE(error.find("c.toml:1: outputs[0] (file /tmp/al-d/o.json) writes to the same "
                       "destination as [output]"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace auditlens
