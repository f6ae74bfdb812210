#include "enrich/cgroup_identity.h"

#include <array>

namespace auditlens {

namespace {

constexpr size_t kContainerIdLength = 64;
constexpr size_t kMaxNameLength = 255;  // a cgroup directory name (NAME_MAX), a unit name
constexpr size_t kMaxHierarchyDigits = 10;
constexpr uint64_t kMaxHierarchyId = 0x7fffffff;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool StripPrefix(std::string_view* s, std::string_view prefix) {
  if (!StartsWith(*s, prefix)) return false;
  s->remove_prefix(prefix.size());
  return true;
}

bool StripSuffix(std::string_view* s, std::string_view suffix) {
  if (!EndsWith(*s, suffix)) return false;
  s->remove_suffix(suffix.size());
  return true;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsHexDigit(char c) { return IsLowerHex(c) || (c >= 'A' && c <= 'F'); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsLowerHexRun(std::string_view s) {
  for (char c : s) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

bool IsContainerId(std::string_view s) {
  return s.size() == kContainerIdLength && IsLowerHexRun(s);
}

// A pod uid as the path spells it: a uuid with '-' (cgroupfs) or '_' (the systemd driver) as its
// separator, or 32 hex digits (a static pod's uid is a hash).
bool IsPodUid(std::string_view s) {
  if (s.size() == 32) return IsLowerHexRun(s);
  if (s.size() != 36) return false;
  const char separator = s[8];
  if (separator != '-' && separator != '_') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool separator_place = i == 8 || i == 13 || i == 18 || i == 23;
    if (separator_place ? s[i] != separator : !IsLowerHex(s[i])) return false;
  }
  return true;
}

// Calls f(byte) for every byte of a systemd-escaped name, "\xNN" decoded.
template <typename F>
void ForEachUnescaped(std::string_view raw, F f) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 3 < raw.size() && raw[i + 1] == 'x' && IsHexDigit(raw[i + 2]) &&
        IsHexDigit(raw[i + 3])) {
      f(static_cast<char>(HexValue(raw[i + 2]) * 16 + HexValue(raw[i + 3])));
      i += 3;
    } else {
      f(raw[i]);
    }
  }
}

bool IsControl(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b < 0x20 || b == 0x7f;
}

// An lxc or nspawn container name (after unescaping): 1..255 bytes, no control characters.
bool IsContainerName(std::string_view raw, bool escaped) {
  size_t length = 0;
  bool control = false;
  if (escaped) {
    ForEachUnescaped(raw, [&](char c) {
      ++length;
      control = control || IsControl(c);
    });
  } else {
    length = raw.size();
    for (char c : raw) control = control || IsControl(c);
  }
  return length > 0 && length <= kMaxNameLength && !control;
}

bool StartsWithUnescaped(std::string_view raw, std::string_view prefix) {
  size_t matched = 0;
  bool differs = false;
  ForEachUnescaped(raw, [&](char c) {
    if (matched < prefix.size()) {
      if (c != prefix[matched]) differs = true;
      ++matched;
    }
  });
  return !differs && matched == prefix.size();
}

bool IsUnitChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '_' || c == '.' || c == '@' || c == '-' || c == '\\';
}

// A systemd service or scope unit name.
bool IsUnit(std::string_view s) {
  if (s.size() > kMaxNameLength) return false;
  std::string_view stem = s;
  if (!StripSuffix(&stem, ".service") && !StripSuffix(&stem, ".scope")) return false;
  if (stem.empty()) return false;
  for (char c : s) {
    if (!IsUnitChar(c)) return false;
  }
  return true;
}

// The next non-empty '/'-separated segment of path from *pos; empty at the end.
std::string_view NextSegment(std::string_view path, size_t* pos) {
  while (*pos < path.size() && path[*pos] == '/') ++*pos;
  const size_t start = *pos;
  while (*pos < path.size() && path[*pos] != '/') ++*pos;
  return path.substr(start, *pos - start);
}

struct CgroupLine {
  uint32_t hierarchy = 0;
  std::string_view controllers;
  std::string_view path;
};

bool IsControllerChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ',' || c == '=' || c == '-';
}

bool SplitLine(std::string_view text, CgroupLine* line) {
  const size_t first = text.find(':');
  if (first == std::string_view::npos || first == 0 || first > kMaxHierarchyDigits) return false;
  uint64_t id = 0;
  for (size_t i = 0; i < first; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    id = id * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (id > kMaxHierarchyId) return false;
  const size_t second = text.find(':', first + 1);
  if (second == std::string_view::npos) return false;
  const std::string_view controllers = text.substr(first + 1, second - first - 1);
  for (char c : controllers) {
    if (!IsControllerChar(c)) return false;
  }
  // The unified hierarchy (0) has no controller list; every v1 hierarchy has one.
  if ((id == 0) != controllers.empty()) return false;
  const std::string_view path = text.substr(second + 1);
  if (path.empty() || path[0] != '/' || path.size() > kMaxCgroupPath) return false;
  if (path.find('\0') != std::string_view::npos) return false;
  line->hierarchy = static_cast<uint32_t>(id);
  line->controllers = controllers;
  line->path = path;
  return true;
}

// What one line's path says.
struct PathFacts {
  ContainerRuntime runtime = ContainerRuntime::kNone;
  std::string_view id;        // as the path spells it
  bool id_escaped = false;    // nspawn: systemd's \xNN escapes
  std::string_view pod;       // as the path spells it ('_' or '-')
  // Service: units are looked for in path[0, unit_limit): up to the container's segment.
  size_t unit_limit = 0;
};

// The pod uid of a systemd pod slice "kubepods[-<qos>]-pod<uid>.slice"; empty if s is not one.
std::string_view PodOfSlice(std::string_view s) {
  if (!StartsWith(s, "kubepods-") || !StripSuffix(&s, ".slice")) return {};
  const size_t at = s.find("-pod");
  if (at == std::string_view::npos) return {};
  const std::string_view uid = s.substr(at + 4);
  return IsPodUid(uid) ? uid : std::string_view();
}

// The container a "<slice>:<prefix>:<id>" segment names (a systemd cgroupsPath written as a
// directory); false if s is not one.
bool MatchColonForm(std::string_view s, PathFacts* facts) {
  const size_t first = s.find(':');
  if (first == std::string_view::npos) return false;
  const size_t second = s.find(':', first + 1);
  if (second == std::string_view::npos) return false;
  const std::string_view prefix = s.substr(first + 1, second - first - 1);
  const std::string_view id = s.substr(second + 1);
  if (!IsContainerId(id)) return false;
  if (prefix == "cri-containerd") {
    facts->runtime = ContainerRuntime::kContainerd;
  } else if (prefix == "crio") {
    facts->runtime = ContainerRuntime::kCriO;
  } else if (prefix == "docker") {
    facts->runtime = ContainerRuntime::kDocker;
  } else {
    return false;
  }
  facts->id = id;
  const std::string_view pod = PodOfSlice(s.substr(0, first));
  if (!pod.empty()) facts->pod = pod;
  return true;
}

// "<prefix><id>" or "<prefix><id>.scope" → the id; empty if s is not one.
std::string_view IdAfter(std::string_view s, std::string_view prefix, bool scope_required) {
  if (!StripPrefix(&s, prefix)) return {};
  if (!StripSuffix(&s, ".scope") && scope_required) return {};
  return IsContainerId(s) ? s : std::string_view();
}

enum class Match : uint8_t { kNothing, kContainer, kMonitor };

// Does the segment cur (between prev and next) name a container, or a runtime's monitor?
Match MatchSegment(std::string_view prev, std::string_view cur, std::string_view next,
                   bool below_pod, PathFacts* facts) {
  auto found = [&](ContainerRuntime runtime, std::string_view id) {
    facts->runtime = runtime;
    facts->id = id;
    return Match::kContainer;
  };
  std::string_view id;
  // Monitors first: their prefixes extend the containers' ones.
  if (!IdAfter(cur, "crio-conmon-", false).empty() ||
      !IdAfter(cur, "libpod-conmon-", false).empty()) {
    return Match::kMonitor;
  }
  if (!(id = IdAfter(cur, "docker-", true)).empty()) return found(ContainerRuntime::kDocker, id);
  if (!(id = IdAfter(cur, "cri-containerd-", true)).empty()) {
    return found(ContainerRuntime::kContainerd, id);
  }
  if (!(id = IdAfter(cur, "crio-", false)).empty()) return found(ContainerRuntime::kCriO, id);
  if (!(id = IdAfter(cur, "libpod-", false)).empty() ||
      !(id = IdAfter(cur, "libpod-payload-", false)).empty()) {
    return found(ContainerRuntime::kPodman, id);
  }
  if (IsContainerId(cur)) {
    if (prev == "docker") return found(ContainerRuntime::kDocker, cur);
    if (below_pod) return found(ContainerRuntime::kContainerd, cur);
    return Match::kNothing;
  }
  if (MatchColonForm(cur, facts)) return Match::kContainer;

  std::string_view name = cur;
  if (StripPrefix(&name, "lxc.payload.")) {
    return IsContainerName(name, false) ? found(ContainerRuntime::kLxc, name) : Match::kNothing;
  }
  if (StartsWith(cur, "lxc.monitor.") || (cur == "lxc.monitor" && !next.empty())) {
    return Match::kMonitor;
  }
  if ((cur == "lxc.payload" || cur == "lxc") && IsContainerName(next, false)) {
    return found(ContainerRuntime::kLxc, next);
  }
  if (prev == "machine.slice" && StripPrefix(&name, "machine-") && StripSuffix(&name, ".scope") &&
      IsContainerName(name, true) && !StartsWithUnescaped(name, "qemu-")) {
    if (next == "supervisor") return Match::kMonitor;
    facts->id_escaped = true;
    return found(ContainerRuntime::kNspawn, name);
  }
  return Match::kNothing;
}

void ReadPath(std::string_view path, PathFacts* facts) {
  facts->unit_limit = path.size();
  bool below_kubepods = false;
  size_t pos = 0;
  std::string_view prev;
  std::string_view cur = NextSegment(path, &pos);
  std::string_view next = NextSegment(path, &pos);
  while (!cur.empty()) {
    if (below_kubepods && facts->pod.empty() && StartsWith(cur, "pod") && IsPodUid(cur.substr(3))) {
      facts->pod = cur.substr(3);
    } else if (StartsWith(cur, "kubepods")) {
      below_kubepods = true;
      if (facts->pod.empty()) facts->pod = PodOfSlice(cur);
    }
    const Match match = MatchSegment(prev, cur, next, !facts->pod.empty(), facts);
    if (match == Match::kMonitor) return;  // outside the container; nothing below is one
    if (match == Match::kContainer) {
      facts->unit_limit = static_cast<size_t>(cur.data() - path.data());
      return;
    }
    prev = cur;
    cur = next;
    next = NextSegment(path, &pos);
  }
}

// The service of a path whose units end at limit (see the header).
std::string_view ServiceOf(std::string_view path, size_t limit) {
  const std::string_view head = path.substr(0, limit);
  std::string_view last, before_last;
  size_t pos = 0;
  for (std::string_view s = NextSegment(head, &pos); !s.empty(); s = NextSegment(head, &pos)) {
    if (IsUnit(s)) {
      before_last = last;
      last = s;
    }
  }
  if (last == "init.scope" && !before_last.empty()) return before_last;
  return last;
}

bool IsNamedHierarchy(std::string_view controllers) { return StartsWith(controllers, "name="); }

}  // namespace

std::string_view ContainerRuntimeName(ContainerRuntime runtime) {
  switch (runtime) {
    case ContainerRuntime::kNone: return "";
    case ContainerRuntime::kDocker: return "docker";
    case ContainerRuntime::kContainerd: return "containerd";
    case ContainerRuntime::kCriO: return "cri-o";
    case ContainerRuntime::kPodman: return "podman";
    case ContainerRuntime::kLxc: return "lxc";
    case ContainerRuntime::kNspawn: return "systemd-nspawn";
  }
  return "";
}

bool ParseCgroupFile(std::string_view text, CgroupIdentity* out) {
  *out = CgroupIdentity();
  const bool cut = text.size() > kMaxCgroupFileBytes;
  if (cut) text = text.substr(0, kMaxCgroupFileBytes);

  std::array<CgroupLine, kMaxCgroupLines> lines;
  size_t count = 0;
  uint32_t skipped = 0;
  size_t seen = 0;
  size_t start = 0;
  while (start < text.size() && seen < kMaxCgroupLines) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      if (cut) break;  // the cut may have shortened this line's path: not the kernel's text
      end = text.size();
    }
    const std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    if (raw.empty()) continue;
    ++seen;
    CgroupLine line;
    // The kernel writes hierarchy IDs in strictly decreasing order (header): a line that does not
    // continue it was not written by the kernel as a line.
    if (!SplitLine(raw, &line) || (count > 0 && line.hierarchy >= lines[count - 1].hierarchy)) {
      ++skipped;
      continue;
    }
    lines[count++] = line;
  }
  if (count == 0) return false;
  out->skipped_lines = skipped;

  // Container and pod: controller lines, then named hierarchies, then the unified line.
  std::array<PathFacts, kMaxCgroupLines> facts;
  const PathFacts* container = nullptr;
  const PathFacts* pod = nullptr;
  for (int pass = 0; pass < 3 && container == nullptr; ++pass) {
    for (size_t i = 0; i < count && container == nullptr; ++i) {
      const CgroupLine& line = lines[i];
      const int kind = line.hierarchy == 0 ? 2 : IsNamedHierarchy(line.controllers) ? 1 : 0;
      if (kind != pass) continue;
      ReadPath(line.path, &facts[i]);
      if (facts[i].runtime != ContainerRuntime::kNone) container = &facts[i];
      if (pod == nullptr && !facts[i].pod.empty()) pod = &facts[i];
    }
  }
  if (container != nullptr) {
    out->runtime = container->runtime;
    if (container->id_escaped) {
      out->container_id.reserve(container->id.size());
      ForEachUnescaped(container->id, [out](char c) { out->container_id.push_back(c); });
    } else {
      out->container_id.assign(container->id);
    }
    pod = container->pod.empty() ? nullptr : container;
  }
  if (pod != nullptr) {
    out->pod_uid.assign(pod->pod);
    for (char& c : out->pod_uid) {
      if (c == '_') c = '-';
    }
  }

  // Service: the name=systemd line, else the unified one.
  const CgroupLine* service_line = nullptr;
  for (size_t i = 0; i < count; ++i) {
    if (lines[i].controllers == "name=systemd") {
      service_line = &lines[i];
      break;
    }
    if (lines[i].hierarchy == 0) service_line = &lines[i];
  }
  if (service_line != nullptr) {
    PathFacts service_facts;
    ReadPath(service_line->path, &service_facts);
    out->service.assign(ServiceOf(service_line->path, service_facts.unit_limit));
  }
  return true;
}

}  // namespace auditlens
