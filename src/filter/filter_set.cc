#include "filter/filter_set.h"

#include <cstdio>

namespace auditlens {
namespace {

// A name as a JSON string (names come from the root-owned config; escaped all the same).
void AppendJsonString(const std::string& s, std::string* out) {
  *out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\u%04x", c);
      *out += buf;
    } else {
      *out += static_cast<char>(c);
    }
  }
  *out += '"';
}

}  // namespace

bool FilterSet::Compile(const std::vector<ConfigTable>& tables, const ProcessLabeler* labeler,
                        std::string* error) {
  rules_.clear();
  counters_.clear();
  for (const ConfigTable& t : tables) {
    Counter counter;
    bool has_action = false;
    size_t conditions = 0;
    for (const ConfigTable::Entry& e : t.entries) {
      if (e.key == "name") {
        if (e.values.size() != 1 || e.values[0].empty() || e.values[0].size() > 128) {
          *error = e.where + ": filters.name must be one non-empty name (at most 128 bytes)";
          return false;
        }
        counter.name = e.values[0];
      } else if (e.key == "action") {
        if (e.values.size() != 1 || (e.values[0] != "keep" && e.values[0] != "drop")) {
          *error = e.where + ": filters.action must be \"keep\" or \"drop\"";
          return false;
        }
        counter.drop = e.values[0] == "drop";
        has_action = true;
      } else {
        ++conditions;
      }
    }
    if (counter.name.empty()) {
      *error = t.where + ": a [[filters]] table needs a name (its counter's)";
      return false;
    }
    for (const Counter& c : counters_) {
      if (c.name == counter.name) {
        *error = t.where + ": two [[filters]] tables are named '" + counter.name + "'";
        return false;
      }
    }
    if (!has_action) {
      *error = t.where + ": [[filters]] '" + counter.name + "' needs an action (\"keep\" or \"drop\")";
      return false;
    }
    if (conditions == 0) {
      *error = t.where + ": [[filters]] '" + counter.name + "' has no condition (it would match "
               "every event)";
      return false;
    }
    EventMatch match;
    if (!match.Compile(t, labeler, error)) return false;
    rules_.push_back(std::move(match));
    counters_.push_back(std::move(counter));
  }
  return true;
}

bool FilterSet::reads_cgroup() const {
  for (const EventMatch& m : rules_) {
    if (m.reads_cgroup()) return true;
  }
  return false;
}

bool FilterSet::Keep(const EventFacts& facts) {
  view_.Reset(facts);
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!rules_[i].Matches(view_)) continue;
    ++counters_[i].matched;
    if (!counters_[i].drop) return true;
    ++dropped_;
    return false;
  }
  return true;
}

std::string FilterSet::StatusJson() const {
  std::string out = ",\"filtered_events\":" + std::to_string(dropped_) + ",\"filters\":[";
  for (size_t i = 0; i < counters_.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"name\":";
    AppendJsonString(counters_[i].name, &out);
    out += ",\"action\":\"";
    out += counters_[i].drop ? "drop" : "keep";
    out += "\",\"matched\":" + std::to_string(counters_[i].matched) + "}";
  }
  out += ']';
  return out;
}

}  // namespace auditlens
