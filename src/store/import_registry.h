// What `auditlens import` knows of a store beside the rows the recorder writes: which log files
// were imported already (so a second import of the same file is skipped at once) and the counts
// its summary compares before and after.
//
// Contract:
// - Open() opens an existing store file (a missing file is an empty store: nothing imported, all
//   counts 0, Open succeeds with exists() false); false, with *error, when the file is there but
//   cannot be opened or read as an auditlens store.
// - A file imported is a meta row "import:<fingerprint>" (record/log_file.h LogFile::Fingerprint:
//   size and SHA-256 of the first and last 64 KiB) whose value is "<path>\t<records>\t<unix ms>".
//   Imported() asks; Record() adds (on a store the writer has closed; the store must exist).
// - Counts: events in the store, and sessions of one boot id (an import's host).
#pragma once

#include <cstdint>
#include <string>

struct sqlite3;

namespace auditlens {

class ImportRegistry {
 public:
  ImportRegistry() = default;
  ~ImportRegistry();
  ImportRegistry(const ImportRegistry&) = delete;
  ImportRegistry& operator=(const ImportRegistry&) = delete;

  bool Open(const std::string& path, std::string* error);
  bool exists() const { return db_ != nullptr; }
  // Whether the file of this fingerprint was imported; *path: where it was then.
  bool Imported(const std::string& fingerprint, std::string* path);
  bool Record(const std::string& fingerprint, const std::string& path, uint64_t records,
              std::string* error);
  uint64_t CountEvents();
  uint64_t CountSessions(const std::string& host);  // the sessions of that host
  void Close();

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace auditlens
