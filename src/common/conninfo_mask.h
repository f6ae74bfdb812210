// Masking of PostgreSQL passwords in anything the agent or a command prints: one place, used by
// every message that can hold a connection string (the agent's log, the status file's fleet error,
// `trace`, the fleet writer's errors, libpq's own error text).
//
// Contract:
// - MaskConnectionStrings(text) replaces every password it can find in free text with "***":
//   - in key=value strings (libpq's keyword/value form): the value of every `password` key
//     (any case, spaces around '=' allowed), quoted ('...' with backslash escapes, to the closing
//     quote or the end of the text) or not (to the next unescaped white space); a value that is
//     already the mark followed by ':', ';', ',' or ')' is a masked string quoted by a message,
//     and stays as it is;
//   - in postgresql:// and postgres:// URIs (a URI ends at white space, '"' or the end): the
//     password of user:password@ (from the first ':' of the part after `//` to the last '@' before
//     '?', so a raw '/' or '@' in it is masked as well) and the value of every query parameter
//     whose percent-decoded name is `password`.
//   Everything else is kept byte for byte; a string with no password comes back unchanged. Never
//   fails, whatever the bytes (unterminated quotes, a trailing backslash, invalid UTF-8, NUL).
// - MaskConnInfo(conninfo) is the connection string as it may be shown: as above, and since the
//   whole text is one connection string, the words after a password that are no `key=value` (a
//   password with an unquoted space: libpq refuses such a string) are masked too.
// - MaskConnInfoIn(text, conninfo): text that libpq (or a server) wrote about conninfo — libpq's
//   parse errors quote pieces of a malformed string ("invalid percent-encoded token: "s%zzcret"",
//   "missing "=" after "et"", "invalid integer value "sec" for connection option "port""). Besides
//   MaskConnectionStrings(text): every double-quoted part of text that holds one of conninfo's
//   passwords (as written, percent-decoded or unescaped) or one of its alphanumeric pieces is
//   replaced by "***", and a password of 4 bytes or more is masked wherever it appears. Where
//   text holds conninfo whole, it becomes MaskConnInfo(conninfo).
// - HasPassword(conninfo): whether the string holds a password at all (what MaskConnInfo masks).
// Not hot-path code: messages only.
#pragma once

#include <string>
#include <string_view>

namespace auditlens {

inline constexpr std::string_view kMaskedSecret = "***";

std::string MaskConnectionStrings(std::string_view text);
std::string MaskConnInfo(std::string_view conninfo);
std::string MaskConnInfoIn(std::string_view text, std::string_view conninfo);
bool HasPassword(std::string_view conninfo);

}  // namespace auditlens
