#include "query/process_tree.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "common/time_format.h"
#include "output/json_writer.h"

namespace auditlens {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  JsonWriter::AppendQuoted(s, &out);
  return out;
}

// A process's members, without the braces.
std::string ProcessMembers(const StoredProcess& p) {
  std::string out = "\"entity_id\":" + Quoted(p.entity_id) + ",\"pid\":" + std::to_string(p.pid) +
                    ",\"ppid\":" + std::to_string(p.ppid);
  if (!p.exe.empty()) out += ",\"exe\":" + Quoted(p.exe);
  // The args column is a JSON array written by the store (anything else is shown as a string).
  if (!p.args.empty()) {
    out += ",\"args\":" + (p.args.front() == '[' && p.args.back() == ']' ? p.args : Quoted(p.args));
  }
  if (p.args_truncated) out += ",\"args_truncated\":true";
  if (!p.cwd.empty()) out += ",\"cwd\":" + Quoted(p.cwd);
  if (p.uid >= 0) out += ",\"uid\":" + std::to_string(p.uid);
  if (p.euid >= 0) out += ",\"euid\":" + std::to_string(p.euid);
  if (!p.role.empty()) out += ",\"role\":" + Quoted(p.role);
  out += ",\"start\":" + Quoted(FormatIsoMs(p.start_ms)) +
         ",\"start_ms\":" + std::to_string(p.start_ms);
  out += std::string(",\"exited\":") + (p.exited ? "true" : "false");
  if (p.exited) out += ",\"exit_code\":" + std::to_string(p.exit_code);
  if (!p.container_id.empty()) out += ",\"container\":" + Quoted(p.container_id);
  if (!p.service.empty()) out += ",\"service\":" + Quoted(p.service);
  if (!p.exe_sha256.empty()) out += ",\"sha256\":" + Quoted(p.exe_sha256);
  if (!p.session_id.empty()) out += ",\"session_id\":" + Quoted(p.session_id);
  return out;
}

struct Tree {
  const std::vector<StoredProcess>& procs;
  std::vector<std::vector<size_t>> children;
  std::vector<bool> by_exec;
  std::vector<bool> emitted;

  void Emit(size_t i, int depth, std::string* out) {
    emitted[i] = true;
    *out += "{" + ProcessMembers(procs[i]);
    *out += std::string(",\"exec\":") + (by_exec[i] ? "true" : "false");
    *out += ",\"children\":[";
    bool first = true;
    for (size_t c : children[i]) {
      if (emitted[c] || depth > 200) continue;
      if (!first) out->push_back(',');
      first = false;
      Emit(c, depth + 1, out);
    }
    *out += "]}";
  }
};

}  // namespace

std::string StoredProcessJson(const StoredProcess& p) { return "{" + ProcessMembers(p) + "}"; }

std::string ProcessTreeJson(const TimelineData& data) {
  const std::vector<StoredProcess>& procs = data.processes;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < procs.size(); ++i) index.emplace(procs[i].entity_id, i);
  Tree tree{procs, std::vector<std::vector<size_t>>(procs.size()),
            std::vector<bool>(procs.size(), false), std::vector<bool>(procs.size(), false)};
  std::vector<size_t> roots;
  for (size_t i = 0; i < procs.size(); ++i) {
    const StoredProcess& p = procs[i];
    auto prev = p.previous_entity.empty() || p.previous_entity == p.entity_id
                    ? index.end()
                    : index.find(p.previous_entity);
    auto parent = p.parent_entity.empty() || p.parent_entity == p.entity_id
                      ? index.end()
                      : index.find(p.parent_entity);
    if (prev != index.end()) {
      tree.children[prev->second].push_back(i);
      tree.by_exec[i] = true;
    } else if (parent != index.end()) {
      tree.children[parent->second].push_back(i);
    } else {
      roots.push_back(i);
    }
  }
  for (auto& c : tree.children) {
    std::stable_sort(c.begin(), c.end(),
                     [&](size_t a, size_t b) { return procs[a].start_ms < procs[b].start_ms; });
  }
  std::string out = "{\"session\":" + Quoted(data.session.id) +
                    ",\"processes\":" + std::to_string(procs.size()) + ",\"roots\":[";
  bool first = true;
  auto emit_root = [&](size_t i) {
    if (tree.emitted[i]) return;
    if (!first) out.push_back(',');
    first = false;
    tree.Emit(i, 0, &out);
  };
  for (size_t r : roots) emit_root(r);
  // A loop of links has no root: its oldest process stands for one.
  for (size_t i = 0; i < procs.size(); ++i) emit_root(i);
  out += "]}";
  return out;
}

}  // namespace auditlens
