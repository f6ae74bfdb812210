#include "web/auth.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace auditlens {
namespace {

bool ReadAll(int fd, std::string* out) {
  char buf[256];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
    if (out->size() > 4096) return false;
  }
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool LoadOrCreateToken(const std::string& path, std::string* token, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    struct stat st;
    std::string text;
    const bool ok = fstat(fd, &st) == 0 && ReadAll(fd, &text);
    close(fd);
    if (!ok) {
      *error = "cannot read the token file " + path;
      return false;
    }
    if ((st.st_mode & 077) != 0) {
      *error = "the token file " + path + " may be read by other users (chmod 600 it)";
      return false;
    }
    *token = Trimmed(text);
    if (token->size() < 16) {
      *error = "the token file " + path + " holds no token of 16 characters or more";
      return false;
    }
    return true;
  }
  if (errno != ENOENT) {
    *error = "cannot open the token file " + path + ": " + strerror(errno);
    return false;
  }
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = std::string("getrandom: ") + strerror(errno);
      return false;
    }
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string made;
  for (unsigned char b : bytes) {
    made.push_back(kHex[b >> 4]);
    made.push_back(kHex[b & 15]);
  }
  fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    *error = "cannot create the token file " + path + ": " + strerror(errno);
    return false;
  }
  const std::string line = made + "\n";
  const bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  fsync(fd) == 0;
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    *error = "cannot write the token file " + path;
    return false;
  }
  *token = made;
  return true;
}

bool TokenEquals(std::string_view a, std::string_view b) {
  if (a.empty() || a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::string BearerToken(std::string_view h) {
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) return {};
  h.remove_prefix(kBearer.size());
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  return std::string(h);
}

std::string CookieToken(std::string_view cookies) {
  const std::string_view name = kTokenCookie;
  while (!cookies.empty()) {
    size_t semi = cookies.find(';');
    std::string_view one = cookies.substr(0, semi);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    if (one.size() > name.size() && one.substr(0, name.size()) == name && one[name.size()] == '=') {
      return std::string(one.substr(name.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    cookies.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace auditlens
