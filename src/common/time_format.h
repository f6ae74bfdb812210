// ISO-8601 UTC time text, as every auditlens output writes it: "2026-11-22T11:57:58.195Z".
//
// Contract: the date and time are gmtime_r's fields through strftime "%Y-%m-%dT%H:%M:%S" (so a
// year below 1000 has fewer than four digits and a year past 9999 more, as strftime writes them);
// milliseconds are truncated, never rounded, to three digits. Negative times are before 1970:
// -1 ms is "1969-12-31T23:59:59.999Z". A second that gmtime_r cannot represent (a year beyond
// int) is written as kIsoUnrepresentable, so the output is always well-formed.
// Thread-safe; IsoSecondCache is one caller's (not shared between threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace auditlens {

// Longest text FormatIsoSeconds writes, without its NUL: a year of up to 11 characters.
inline constexpr size_t kIsoSecondsMax = 32;
inline constexpr char kIsoUnrepresentable[] = "0000-00-00T00:00:00";

// "2026-11-22T11:57:58" for seconds since the epoch; out holds kIsoSecondsMax + 1 bytes and gets
// a NUL. Returns the length.
size_t FormatIsoSeconds(int64_t seconds, char* out);

// Appends "2026-11-22T11:57:58.195Z" for milliseconds since the epoch.
void AppendIsoMs(int64_t ms, std::string* out);
std::string FormatIsoMs(int64_t ms);

// Local time (TZ, else /etc/localtime) through a strftime format, for text people read:
// FormatLocal(ms, "%Y-%m-%d %H:%M:%S"). The second is floored as above; empty when localtime_r
// cannot represent it or the text would pass 127 bytes.
std::string FormatLocal(int64_t ms, const char* format);

// The millisecond within the second, 0 to 999, also before 1970 (-1 ms is 999).
inline unsigned MillisOf(int64_t ms) { return static_cast<unsigned>((ms % 1000 + 1000) % 1000); }

// The last second formatted, kept: output stamps come in runs of the same second, and
// gmtime_r + strftime cost more than the rest of a stamp.
class IsoSecondCache {
 public:
  // The "YYYY-MM-DDTHH:MM:SS" text of seconds, valid until the next call; *len gets its length.
  const char* Get(int64_t seconds, size_t* len) {
    if (seconds != seconds_ || len_ == 0) {
      len_ = FormatIsoSeconds(seconds, text_);
      seconds_ = seconds;
    }
    *len = len_;
    return text_;
  }
  // Appends "YYYY-MM-DDTHH:MM:SS.mmmZ" for ms milliseconds since the epoch.
  void AppendMs(int64_t ms, std::string* out);

 private:
  int64_t seconds_ = 0;
  size_t len_ = 0;  // 0: nothing formatted yet
  char text_[kIsoSecondsMax + 1] = {};
};

}  // namespace auditlens
