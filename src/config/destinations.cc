#include "config/destinations.h"

#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "common/lexical_path.h"

namespace auditlens {
namespace {

// One writer of the config and the destination it writes to.
struct Writer {
  std::string who;        // "[output]", "output.dropped_path", "outputs[1]"
  int line = 0;           // where its table begins (0: not known)
  std::string key;        // the destination compared: a file's name, "-", "remote HOST:PORT"
  std::string shown;      // the destination as written (an output's: after its type)
  uint32_t rotations = 0;  // a file rotated by the agent: KEY.1 … KEY.rotations are its too
};

// The name a path's file has once "." and ".." are resolved, doubled slashes folded and symbolic
// links followed where the file (or else its directory) exists.
std::string FileKey(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path);
  if (p.is_relative()) p = fs::absolute(p, ec);
  std::string s = p.string();
  NormalizeAbsolutePath(&s);  // as the filters compare paths (common/lexical_path.h)
  char resolved[PATH_MAX];
  if (realpath(s.c_str(), resolved) != nullptr) return resolved;
  const fs::path name(s);
  if (realpath(name.parent_path().c_str(), resolved) != nullptr) {
    return (fs::path(resolved) / name.filename()).string();
  }
  return s;
}

// Whether b's key is one of the names a writes to: its file, or one of its rotated files.
bool Covers(const Writer& a, const Writer& b) {
  if (a.key == b.key) return true;
  if (a.rotations == 0 || b.key.size() <= a.key.size() + 1 ||
      b.key.compare(0, a.key.size(), a.key) != 0 || b.key[a.key.size()] != '.') {
    return false;
  }
  const std::string number = b.key.substr(a.key.size() + 1);
  if (number.size() > 4 || number[0] == '0' ||
      !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  const unsigned long generation = std::stoul(number);
  return generation >= 1 && generation <= a.rotations;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool CheckDestinations(const Config& config, const std::string& source, std::string* error) {
  std::vector<Writer> writers;
  if (!config.output_path.empty()) {
    writers.push_back({"[output]", 0,
                       config.output_path == "-" ? "-" : FileKey(config.output_path),
                       config.output_path, 0});
  }
  if (!config.filtering.dropped_path.empty()) {
    writers.push_back({"output.dropped_path", 0, FileKey(config.filtering.dropped_path),
                       config.filtering.dropped_path, 0});
  }
  for (size_t i = 0; i < config.outputs.size(); ++i) {
    const OutputSettings& o = config.outputs[i];
    Writer w;
    w.who = "outputs[" + std::to_string(i) + "]";
    w.line = o.line;
    if (o.type == "stdout") {
      w.key = w.shown = "-";
    } else if (o.type == "syslog" && o.transport != "unix") {
      w.shown = o.address;
      w.key = "remote " + Lower(o.host) + ":" + std::to_string(o.port);
    } else {
      w.shown = o.type == "syslog" ? o.syslog_path : o.path;
      w.key = FileKey(w.shown);
      if (o.type == "file" && o.max_bytes != 0) w.rotations = o.generations;
    }
    w.shown = o.type + " " + w.shown;
    writers.push_back(std::move(w));
  }
  for (size_t j = 1; j < writers.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const Writer& a = writers[i];
      const Writer& b = writers[j];
      if (!Covers(a, b) && !Covers(b, a)) continue;
      *error = source + (b.line > 0 ? ":" + std::to_string(b.line) : "") + ": " + b.who + " (" +
               b.shown + ") writes to the same destination as " + a.who + " (" + a.shown + ")" +
               (a.key == b.key ? "" : ": one is a rotated file of the other") +
               "; each output needs one of its own";
      return false;
    }
  }
  return true;
}

}  // namespace auditlens
