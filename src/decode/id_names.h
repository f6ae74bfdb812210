// uid/gid → user/group names. First the names the log's own host wrote (an ENRICHED log's, see
// log_names.h: set_log_names), then, by source():
// - kLocal (the default): this machine's, through NSS, looked up once and cached. Names found
//   stay cached; ids with no name are looked up again after a while (an account may be created
//   later).
// - kNone: none at all: a log of another host keeps its ids as numbers (value_decoder.h).
// - kFiles: the log's own host's passwd and group files (LoadFiles), read once; NSS is not asked.
//
// Not thread-safe: one instance per decoding thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace auditlens {

class LogNames;

class IdNames {
 public:
  enum class Source { kLocal, kNone, kFiles };

  // The name, or empty when the id has no name.
  std::string_view User(uint32_t uid);
  std::string_view Group(uint32_t gid);
  // The name the log itself wrote for the id (set_log_names), or empty.
  std::string_view Logged(bool group, uint32_t id) const;

  // Not owned; consulted first by User() and Group(). Null: none.
  void set_log_names(const LogNames* names) { log_names_ = names; }
  Source source() const { return source_; }
  void set_source(Source source) { source_ = source; }
  // Reads passwd-format (name:password:uid:...) and group-format (name:password:gid:...) files of
  // the log's host and makes them the source (kFiles); an empty path gives no names of that kind.
  // False, with *error naming the file and the reason, when a file cannot be read. Lines that are
  // not entries (comments, blanks, NIS "+" lines, bad numbers) are skipped; the first name of an
  // id wins, as getpwuid's does.
  bool LoadFiles(const std::string& passwd_path, const std::string& group_path,
                 std::string* error);

 private:
  struct Entry {
    std::string name;
    uint64_t checked_ms = 0;
    bool found = false;
  };
  static constexpr uint64_t kRetryUnknownMs = 30000;
  std::string_view Lookup(std::unordered_map<uint32_t, Entry>& cache, uint32_t id, bool group);

  const LogNames* log_names_ = nullptr;
  Source source_ = Source::kLocal;
  std::unordered_map<uint32_t, Entry> users_;   // kLocal: NSS's cache; kFiles: the file
  std::unordered_map<uint32_t, Entry> groups_;
};

}  // namespace auditlens
