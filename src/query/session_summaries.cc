#include "query/session_summaries.h"

#include <memory>

#include "output/json_writer.h"
#include "query/store_reader.h"
#include "query/timeline.h"
#include "store/session_summary.h"

namespace auditlens {
namespace {

class TimelineSummaries : public SessionSummarySource {
 public:
  bool Open(const std::string& path, std::string* error) { return reader_.Open(path, error); }
  bool Summarize(const std::string& id, SessionSummary* out, std::string* error) override {
    TimelineData data;
    if (!reader_.NewestEvent(id, &out->newest_ms, &out->newest_serial, error) ||
        !reader_.LoadTimeline(id, &data, error)) {
      return false;
    }
    const Timeline t = BuildTimeline(data);
    out->commands = t.session.commands;
    out->failed_commands = t.session.failed_commands;
    out->failed = t.session.failed;
    out->containers.clear();
    if (!data.containers.empty()) {
      JsonWriter w(&out->containers);
      w.BeginArray();
      for (const StoredContainer& c : data.containers) w.String(c.id);
      w.EndArray();
    }
    return true;
  }

 private:
  StoreReader reader_;
};

std::unique_ptr<SessionSummarySource> Make(const std::string& path, std::string* error) {
  auto source = std::make_unique<TimelineSummaries>();
  if (!source->Open(path, error)) return nullptr;
  return source;
}

}  // namespace

void InstallTimelineSummaries() { InstallSessionSummaries(&Make); }

}  // namespace auditlens
