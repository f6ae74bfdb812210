#include "common/time_format.h"

#include <cstring>
#include <ctime>

namespace auditlens {
namespace {

// Floor division: the second and the millisecond within it, also before 1970.
void SplitMs(int64_t ms, int64_t* seconds, unsigned* millis) {
  int64_t s = ms / 1000;
  int64_t m = ms % 1000;
  if (m < 0) {
    m += 1000;
    --s;
  }
  *seconds = s;
  *millis = static_cast<unsigned>(m);
}

void AppendMillis(unsigned m, std::string* out) {
  const char tail[5] = {'.', static_cast<char>('0' + m / 100), static_cast<char>('0' + m / 10 % 10),
                        static_cast<char>('0' + m % 10), 'Z'};
  out->append(tail, sizeof(tail));
}

}  // namespace

size_t FormatIsoSeconds(int64_t seconds, char* out) {
  const time_t t = static_cast<time_t>(seconds);
  struct tm tm;
  size_t n = 0;
  if (gmtime_r(&t, &tm) != nullptr) n = strftime(out, kIsoSecondsMax + 1, "%Y-%m-%dT%H:%M:%S", &tm);
  if (n == 0) {
    n = sizeof(kIsoUnrepresentable) - 1;
    std::memcpy(out, kIsoUnrepresentable, n + 1);
  }
  return n;
}

void AppendIsoMs(int64_t ms, std::string* out) {
  int64_t seconds;
  unsigned millis;
  SplitMs(ms, &seconds, &millis);
  char text[kIsoSecondsMax + 1];
  out->append(text, FormatIsoSeconds(seconds, text));
  AppendMillis(millis, out);
}

std::string FormatLocal(int64_t ms, const char* format) {
  int64_t seconds;
  unsigned millis;
  SplitMs(ms, &seconds, &millis);
  const time_t t = static_cast<time_t>(seconds);
  struct tm tm;
  if (localtime_r(&t, &tm) == nullptr) return {};
  char buf[128];
  const size_t n = strftime(buf, sizeof(buf), format, &tm);
  return std::string(buf, n);
}

std::string FormatIsoMs(int64_t ms) {
  std::string s;
  AppendIsoMs(ms, &s);
  return s;
}

void IsoSecondCache::AppendMs(int64_t ms, std::string* out) {
  int64_t seconds;
  unsigned millis;
  SplitMs(ms, &seconds, &millis);
  size_t len;
  const char* text = Get(seconds, &len);
  out->append(text, len);
  AppendMillis(millis, out);
}

}  // namespace auditlens
