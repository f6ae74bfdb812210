#include "common/conninfo_mask.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

namespace auditlens {
namespace {

using Span = std::pair<size_t, size_t>;  // [begin, end) of a password in the text

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithNoCase(std::string_view text, size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(text[at + i]) != prefix[i]) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded; an invalid escape is kept as it is.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A key=value value as libpq reads it: quotes dropped, backslash escapes undone.
std::string Unescape(std::string_view s) {
  std::string out;
  size_t i = 0;
  const bool quoted = !s.empty() && s[0] == '\'';
  if (quoted) i = 1;
  for (; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out.push_back(s[++i]);
    } else if (quoted && s[i] == '\'') {
      break;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

size_t UriEnd(std::string_view t, size_t from) {
  while (from < t.size() && !IsSpace(t[from]) && t[from] != '"') ++from;
  return from;
}

// The passwords of the URI at [begin, end); scheme_len bytes of scheme and "//".
// The mark itself, followed by what ends a message's quotation of a masked string.
bool AlreadyMasked(std::string_view t, size_t j) {
  if (t.substr(j, kMaskedSecret.size()) != kMaskedSecret) return false;
  j += kMaskedSecret.size();
  return j == t.size() || std::string_view(":;,)").find(t[j]) != std::string_view::npos;
}

void UriSpans(std::string_view t, size_t begin, size_t end, size_t scheme_len, bool whole,
              std::vector<Span>* spans) {
  const size_t after = begin + scheme_len;
  size_t query = t.find('?', after);
  if (query == std::string_view::npos || query > end) query = end;
  const size_t at = t.substr(0, query).rfind('@');
  if (at != std::string_view::npos && at >= after) {
    const size_t colon = t.substr(0, at).find(':', after);
    if (colon != std::string_view::npos && colon + 1 < at) spans->emplace_back(colon + 1, at);
  }
  size_t p = query + 1;
  while (p < end) {
    size_t amp = t.find('&', p);
    if (amp == std::string_view::npos || amp > end) amp = end;
    size_t eq = t.find('=', p);
    if (eq != std::string_view::npos && eq < amp) {
      std::string name = PercentDecode(t.substr(p, eq - p));
      std::transform(name.begin(), name.end(), name.begin(), Lower);
      if (name == "password" && eq + 1 < amp) {
        const bool masked = !whole && AlreadyMasked(t, eq + 1);
        spans->emplace_back(eq + 1, masked ? eq + 1 + kMaskedSecret.size() : amp);
      }
    }
    p = amp + 1;
  }
}

// The end of a key=value value starting at j (quoted or not).
size_t ValueEnd(std::string_view t, size_t j) {
  size_t k = j;
  if (k < t.size() && t[k] == '\'') {
    ++k;
    while (k < t.size()) {
      if (t[k] == '\\') {
        k += 2;
      } else if (t[k] == '\'') {
        ++k;
        break;
      } else {
        ++k;
      }
    }
  } else {
    while (k < t.size() && !IsSpace(t[k])) k += t[k] == '\\' ? 2 : 1;
  }
  return std::min(k, t.size());
}

// whole: t is one connection string (not a message about one): the words after a password that
// are no key=value belong to it.
std::vector<Span> FindSecrets(std::string_view t, bool whole) {
  std::vector<Span> spans;
  size_t i = 0;
  while (i < t.size()) {
    size_t scheme = StartsWithNoCase(t, i, "postgresql://") ? 13
                    : StartsWithNoCase(t, i, "postgres://") ? 11
                                                              : 0;
    if (scheme != 0) {
      const size_t end = UriEnd(t, i);
      UriSpans(t, i, end, scheme, whole, &spans);
      i = end;
      continue;
    }
    if ((i == 0 || !IsWordByte(t[i - 1])) && StartsWithNoCase(t, i, "password")) {
      size_t j = i + 8;
      while (j < t.size() && IsSpace(t[j])) ++j;
      if (j < t.size() && t[j] == '=') {
        ++j;
        while (j < t.size() && IsSpace(t[j])) ++j;
        size_t k = ValueEnd(t, j);
        // A message quoting an already masked string ("password=***: refused"): left as it is.
        if (!whole && AlreadyMasked(t, j)) k = j + kMaskedSecret.size();
        // Words after it that are no key=value: the rest of a password with a bare space.
        while (whole) {
          size_t w = k;
          while (w < t.size() && IsSpace(t[w])) ++w;
          if (w == t.size() || w == k) break;
          size_t e = w;
          while (e < t.size() && !IsSpace(t[e])) ++e;
          const std::string_view word = t.substr(w, e - w);
          if (word.find('=') != std::string_view::npos || word.find('"') != std::string_view::npos ||
              StartsWithNoCase(t, w, "postgres")) {
            break;
          }
          k = e;
        }
        if (k > j) spans.emplace_back(j, k);
        i = std::max(k, j);
        if (i == j) ++i;
        continue;
      }
    }
    ++i;
  }
  return spans;
}

std::string Apply(std::string_view t, const std::vector<Span>& spans) {
  std::string out;
  out.reserve(t.size());
  size_t at = 0;
  for (const Span& s : spans) {
    if (s.first < at) continue;
    out.append(t.substr(at, s.first - at));
    out.append(kMaskedSecret);
    at = s.second;
  }
  out.append(t.substr(at));
  return out;
}

// Runs of letters, digits and non-ASCII bytes.
std::vector<std::string> Pieces(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !(IsWordByte(s[i]) && s[i] != '_')) ++i;
    size_t j = i;
    while (j < s.size() && IsWordByte(s[j]) && s[j] != '_') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

void ReplaceAll(std::string* s, const std::string& what) {
  if (what.empty()) return;
  size_t p = 0;
  while ((p = s->find(what, p)) != std::string::npos) {
    s->replace(p, what.size(), kMaskedSecret);
    p += kMaskedSecret.size();
  }
}

}  // namespace

std::string MaskConnectionStrings(std::string_view text) {
  const std::vector<Span> spans = FindSecrets(text, false);
  if (spans.empty()) return std::string(text);
  return Apply(text, spans);
}

std::string MaskConnInfo(std::string_view conninfo) {
  const std::vector<Span> spans = FindSecrets(conninfo, true);
  if (spans.empty()) return std::string(conninfo);
  return Apply(conninfo, spans);
}

bool HasPassword(std::string_view conninfo) { return !FindSecrets(conninfo, true).empty(); }

std::string MaskConnInfoIn(std::string_view text, std::string_view conninfo) {
  // The string itself where the text quotes it whole, any other connection string in the rest.
  std::string out;
  size_t at = 0;
  if (!conninfo.empty()) {
    const std::string shown = MaskConnInfo(conninfo);
    for (size_t p = 0; (p = text.find(conninfo, at)) != std::string_view::npos; at = p + conninfo.size()) {
      out += MaskConnectionStrings(text.substr(at, p - at));
      out += shown;
    }
  }
  out += MaskConnectionStrings(text.substr(at));
  std::set<std::string> forms;
  std::set<std::string> pieces;
  for (const Span& s : FindSecrets(conninfo, true)) {
    const std::string_view raw = conninfo.substr(s.first, s.second - s.first);
    for (std::string form : {std::string(raw), PercentDecode(raw), Unescape(raw)}) {
      if (!form.empty() && form != kMaskedSecret) forms.insert(std::move(form));
    }
    for (std::string& piece : Pieces(raw)) pieces.insert(std::move(piece));
    for (std::string& piece : Pieces(PercentDecode(raw))) pieces.insert(std::move(piece));
  }
  if (forms.empty()) return out;
  // Quoted parts first: libpq quotes what it echoes.
  std::string result;
  at = 0;
  for (;;) {
    const size_t open = out.find('"', at);
    if (open == std::string::npos) break;
    const size_t close = out.find('"', open + 1);
    if (close == std::string::npos) break;
    const std::string_view inner = std::string_view(out).substr(open + 1, close - open - 1);
    bool secret = false;
    for (const std::string& f : forms) secret = secret || inner.find(f) != std::string_view::npos;
    for (const std::string& p : Pieces(inner)) secret = secret || pieces.count(p) != 0;
    result.append(out, at, open + 1 - at);
    result.append(secret ? std::string(kMaskedSecret) : std::string(inner));
    result.push_back('"');
    at = close + 1;
  }
  result.append(out, at, std::string::npos);
  for (const std::string& f : forms) {
    if (f.size() >= 4) ReplaceAll(&result, f);
  }
  return result;
}

}  // namespace auditlens
