#include "store/import_registry.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>

namespace auditlens {

ImportRegistry::~ImportRegistry() { Close(); }

void ImportRegistry::Close() {
  if (db_ != nullptr) {
    sqlite3_close(db_);
    db_ = nullptr;
  }
}

bool ImportRegistry::Open(const std::string& path, std::string* error) {
  Close();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return true;  // no store yet: nothing imported
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    *error = "cannot open the store " + path + ": " +
             (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
    Close();
    return false;
  }
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_stmt* st_meta = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='schema_version'", -1, &st_meta,
                         nullptr) != SQLITE_OK) {
    *error = path + " is not an auditlens store (" + sqlite3_errmsg(db_) + ")";
    Close();
    return false;
  }
  sqlite3_finalize(st_meta);
  return true;
}

bool ImportRegistry::Imported(const std::string& fingerprint, std::string* path) {
  if (db_ == nullptr) return false;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key=?", -1, &st, nullptr) != SQLITE_OK) {
    return false;
  }
  const std::string key = "import:" + fingerprint;
  sqlite3_bind_text(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  bool found = false;
  if (sqlite3_step(st) == SQLITE_ROW) {
    found = true;
    const unsigned char* v = sqlite3_column_text(st, 0);
    std::string value = v != nullptr ? reinterpret_cast<const char*>(v) : "";
    *path = value.substr(0, value.find('\t'));
  }
  sqlite3_finalize(st);
  return found;
}

bool ImportRegistry::Record(const std::string& fingerprint, const std::string& path,
                            uint64_t records, std::string* error) {
  if (db_ == nullptr) {
    *error = "no store to record the import in";
    return false;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta(key,value) VALUES(?,?)", -1, &st,
                         nullptr) != SQLITE_OK) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  const std::string key = "import:" + fingerprint;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const std::string value = path + "\t" + std::to_string(records) + "\t" + std::to_string(now_ms);
  sqlite3_bind_text(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  const bool ok = sqlite3_step(st) == SQLITE_DONE;
  if (!ok) *error = sqlite3_errmsg(db_);
  sqlite3_finalize(st);
  return ok;
}

namespace {
uint64_t CountOf(sqlite3* db, const char* sql, const std::string* bind) {
  if (db == nullptr) return 0;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return 0;
  if (bind != nullptr) {
    sqlite3_bind_text(st, 1, bind->data(), static_cast<int>(bind->size()), SQLITE_TRANSIENT);
  }
  uint64_t n = 0;
  if (sqlite3_step(st) == SQLITE_ROW) n = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  return n;
}
}  // namespace

uint64_t ImportRegistry::CountEvents() { return CountOf(db_, "SELECT count(*) FROM events", nullptr); }

uint64_t ImportRegistry::CountSessions(const std::string& host) {
  return CountOf(db_, "SELECT count(*) FROM sessions WHERE host=?", &host);
}

}  // namespace auditlens
