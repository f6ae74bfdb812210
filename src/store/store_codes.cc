#include "store/store_codes.h"

#include <sqlite3.h>

#include <array>
#include <cstring>

namespace auditlens {
namespace {

constexpr std::array<std::string_view, 10> kKinds = {
    "other", "exec", "exit", "network", "bind", "file", "privilege", "login", "auth", "logout"};
constexpr std::array<std::string_view, 3> kOutcomes = {"unknown", "success", "failure"};
// Index 0 is no role (NULL): never a code.
constexpr std::array<std::string_view, 5> kRoles = {"", "service", "login-script", "shell",
                                                    "command"};
constexpr std::array<std::string_view, 4> kOrigins = {"exec", "fork", "proc", "seen"};

template <size_t N>
int64_t Find(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name && !name.empty()) return static_cast<int64_t>(i);
  }
  return -1;
}

template <size_t N>
std::string_view At(const std::array<std::string_view, N>& names, int64_t code) {
  return code >= 0 && code < static_cast<int64_t>(N) ? names[static_cast<size_t>(code)]
                                                     : std::string_view();
}

// The fragments a detail's bytes 0x01..0x1e stand for (index + 1). Only ever appended to: a stored
// detail is read with this table. They are the keys and punctuation of the details the recorder
// writes (recorder.cc WriteDetail), most frequent first when two could match at one place.
constexpr std::array<std::string_view, 30> kFragments = {
    "{\"type\":\"",                  // 0x01
    "\",\"op\":\"PAM:",              // 0x02
    "\",\"acct\":\"",                // 0x03
    "\",\"exe\":\"",                 // 0x04
    "\",\"hostname\":\"",            // 0x05
    "\",\"addr\":\"",                // 0x06
    "\",\"terminal\":\"",            // 0x07
    "\",\"res\":\"success\"}",       // 0x08
    "{\"via\":\"sudo\",\"syscall\":\"",  // 0x09
    "\",\"uid\":",                   // 0x0a
    ",\"euid\":",                    // 0x0b
    ",\"from_uid\":",                // 0x0c
    ",\"from_euid\":",               // 0x0d
    "{\"exe\":\"",                   // 0x0e
    "\",\"args\":[\"",               // 0x0f
    "\"],\"cwd\":\"",                // 0x10
    "{\"code\":",                    // 0x11
    "{\"op\":\"",                    // 0x12
    "\",\"path\":\"",                // 0x13
    "\",\"rule\":\"",                // 0x14
    "\",\"family\":\"inet\",\"remote\":{\"ip\":\"",  // 0x15
    "\",\"port\":",                  // 0x16
    "\",\"old-auid\":\"4294967295\",\"auid\":\"",  // 0x17
    "\",\"old-ses\":\"4294967295\",\"ses\":\"",    // 0x18
    "{\"via\":\"su\",\"syscall\":\"",  // 0x19
    "\",\"res\":\"",                 // 0x1a
    "{\"via\":\"su\",\"type\":\"",   // 0x1b
    "\",\"to\":\"",                  // 0x1c
    "\",\"from\":\"",                // 0x1d
    "\",\"",                         // 0x1e
};
constexpr char kActionByte = 0x1f;

// Whether a fragment's byte ends with the key whose value is the row's action.
bool NamesAction(char byte) {
  const auto b = static_cast<unsigned char>(byte);
  if (b < 1 || b > kFragments.size()) return false;
  const std::string_view f = kFragments[b - 1];
  auto ends = [&](std::string_view tail) {
    return f.size() >= tail.size() && f.substr(f.size() - tail.size()) == tail;
  };
  return ends("\"syscall\":\"") || ends("\"type\":\"");
}

}  // namespace

int64_t KindCode(std::string_view name) { return Find(kKinds, name); }
std::string_view KindName(int64_t code) { return At(kKinds, code); }
int64_t OutcomeCode(std::string_view name) { return Find(kOutcomes, name); }
std::string_view OutcomeNameOf(int64_t code) { return At(kOutcomes, code); }
int64_t RoleCode(std::string_view name) { return Find(kRoles, name); }
std::string_view RoleName(int64_t code) { return code == 0 ? std::string_view() : At(kRoles, code); }
int64_t OriginCode(std::string_view name) { return Find(kOrigins, name); }
std::string_view OriginName(int64_t code) { return At(kOrigins, code); }

bool EntityCode(std::string_view id, int64_t* code) {
  if (id.size() != 16) return false;
  uint64_t v = 0;
  for (char c : id) {
    uint64_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return false;
    }
    v = v << 4 | d;
  }
  *code = static_cast<int64_t>(v);
  return true;
}

std::string EntityText(int64_t code) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  uint64_t v = static_cast<uint64_t>(code);
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 15];
  return out;
}

bool CompactDetail(std::string_view detail, std::string_view action, std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < detail.size()) {
    const char c = detail[i];
    if (static_cast<unsigned char>(c) < 0x20) return false;  // not JSON text: kept as it is
    // The action where the detail repeats it: right after "syscall":" or "type":".
    if (!action.empty() && !out->empty() && NamesAction(out->back()) &&
        detail.compare(i, action.size(), action) == 0 &&
        (i + action.size() == detail.size() || detail[i + action.size()] == '"')) {
      out->push_back(kActionByte);
      i += action.size();
      continue;
    }
    bool matched = false;
    if (c == '{' || c == '"' || c == ',') {
      for (size_t t = 0; t < kFragments.size(); ++t) {
        const std::string_view f = kFragments[t];
        if (detail.compare(i, f.size(), f) == 0) {
          out->push_back(static_cast<char>(t + 1));
          i += f.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) {
      out->push_back(c);
      ++i;
    }
  }
  return out->size() < detail.size();
}

std::string ExpandDetail(std::string_view compact, std::string_view action) {
  std::string out;
  out.reserve(compact.size() * 2);
  for (char c : compact) {
    const auto b = static_cast<unsigned char>(c);
    if (b == static_cast<unsigned char>(kActionByte)) {
      out.append(action);
    } else if (b >= 1 && b <= kFragments.size()) {
      out.append(kFragments[b - 1]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void SessionKeys::AddBoot(int64_t n, std::string_view boot_id) {
  if (n < 1 || n > 1023 || boot_id.size() < 8) return;
  const std::string boot8(boot_id.substr(0, 8));
  by_n_[n] = boot8;
  auto [it, added] = by_boot8_.try_emplace(boot8, n);
  if (!added && n < it->second) it->second = n;
}

bool SessionKeys::Encode(std::string_view id, int64_t* code) const {
  // <boot8>-<digits> or <boot8>-f<digits>, the digits without a leading zero (exact both ways).
  if (id.size() < 10 || id[8] != '-') return false;
  auto boot = by_boot8_.find(id.substr(0, 8));
  if (boot == by_boot8_.end()) return false;
  size_t i = 9;
  int64_t failed = 0;
  if (id[i] == 'f') {
    failed = 1;
    ++i;
  }
  const std::string_view digits = id.substr(i);
  if (digits.empty() || digits.size() > 12 || (digits[0] == '0' && digits.size() > 1)) return false;
  int64_t number = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
  }
  *code = ((number << 1 | failed) << 10) | boot->second;
  return true;
}

std::string SessionKeys::Decode(int64_t code) const {
  auto boot = by_n_.find(code & 1023);
  if (boot == by_n_.end() || code < 0) return {};
  const int64_t rest = code >> 10;
  return boot->second + ((rest & 1) ? "-f" : "-") + std::to_string(rest >> 1);
}

void NameCodes::Add(int64_t code, std::string_view name) {
  if (code < 1) return;
  codes_.emplace(std::string(name), code);
  if (static_cast<size_t>(code) >= names_.size()) names_.resize(static_cast<size_t>(code) + 1);
  names_[static_cast<size_t>(code)] = std::string(name);
  if (code >= next_) next_ = code + 1;
}

int64_t NameCodes::Find(std::string_view name) const {
  auto it = codes_.find(name);
  return it == codes_.end() ? -1 : it->second;
}

std::string_view NameCodes::Name(int64_t code) const {
  return code >= 1 && static_cast<size_t>(code) < names_.size() ? names_[static_cast<size_t>(code)]
                                                                : std::string_view();
}

namespace {

// The upgrade's functions (kStoreMigrateTo6): a value of the expected form becomes its code, any
// other stays as it is.
void PassThrough(sqlite3_context* ctx, sqlite3_value* v) { sqlite3_result_value(ctx, v); }

std::string_view TextOf(sqlite3_value* v) {
  const unsigned char* t = sqlite3_value_text(v);
  return std::string_view(t ? reinterpret_cast<const char*>(t) : "",
                          static_cast<size_t>(sqlite3_value_bytes(v)));
}

void SessionKeyFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int64_t code;
  const auto* keys = static_cast<const SessionKeys*>(sqlite3_user_data(ctx));
  if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && keys->Encode(TextOf(argv[0]), &code)) {
    sqlite3_result_int64(ctx, code);
  } else {
    PassThrough(ctx, argv[0]);
  }
}

void EntityFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  int64_t code;
  if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && EntityCode(TextOf(argv[0]), &code)) {
    sqlite3_result_int64(ctx, code);
  } else {
    PassThrough(ctx, argv[0]);
  }
}

template <int64_t (*Code)(std::string_view), int64_t kMin>
void NameFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const int64_t code =
      sqlite3_value_type(argv[0]) == SQLITE_TEXT ? Code(TextOf(argv[0])) : -1;
  if (code >= kMin) {
    sqlite3_result_int64(ctx, code);
  } else {
    PassThrough(ctx, argv[0]);
  }
}

void ActionFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* names = static_cast<const NameCodes*>(sqlite3_user_data(ctx));
  const int64_t code =
      sqlite3_value_type(argv[0]) == SQLITE_TEXT ? names->Find(TextOf(argv[0])) : -1;
  if (code > 0) {
    sqlite3_result_int64(ctx, code);
  } else {
    PassThrough(ctx, argv[0]);
  }
}

void DetailFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  std::string compact;
  if (sqlite3_value_type(argv[0]) == SQLITE_TEXT &&
      CompactDetail(TextOf(argv[0]), TextOf(argv[1]), &compact)) {
    sqlite3_result_blob(ctx, compact.data(), static_cast<int>(compact.size()), SQLITE_TRANSIENT);
  } else {
    PassThrough(ctx, argv[0]);
  }
}

}  // namespace

bool RegisterStoreCodeFunctions(sqlite3* db, const SessionKeys* keys, const NameCodes* names) {
  struct Function {
    const char* name;
    int args;
    void* data;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
  };
  const Function functions[] = {
      {"al_session_key", 1, const_cast<SessionKeys*>(keys), SessionKeyFunction},
      {"al_entity", 1, nullptr, EntityFunction},
      {"al_kind", 1, nullptr, NameFunction<KindCode, 0>},
      {"al_outcome", 1, nullptr, NameFunction<OutcomeCode, 0>},
      {"al_role", 1, nullptr, NameFunction<RoleCode, 1>},
      {"al_origin", 1, nullptr, NameFunction<OriginCode, 0>},
      {"al_action", 1, const_cast<NameCodes*>(names), ActionFunction},
      {"al_detail", 2, nullptr, DetailFunction},
  };
  for (const Function& f : functions) {
    if (f.data == nullptr && (f.fn == SessionKeyFunction || f.fn == ActionFunction)) continue;
    if (sqlite3_create_function_v2(db, f.name, f.args, SQLITE_UTF8 | SQLITE_DETERMINISTIC, f.data,
                                   f.fn, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return false;
    }
  }
  return true;
}

}  // namespace auditlens
