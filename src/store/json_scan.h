// Finding one member in a JSON object's text without parsing the rest: how the store reads what
// other enrichers wrote into an event's line (the network enricher's "source", "destination" and
// "network.community_id"), so that it depends on their output, not on their code.
//
// Contract: the text is trusted to be JSON (it is the formatter's own output); on anything else
// the functions return an empty view, never read past the end.
#pragma once

#include <string>
#include <string_view>

namespace auditlens {

// The raw value text of member `key` of the object `object` ("{...}"), or empty.
std::string_view JsonMember(std::string_view object, std::string_view key);
// The value (object, array, string or literal) that starts at text[at], or empty.
std::string_view JsonValueAt(std::string_view text, size_t at);
// The values of N top-level members in one pass (empty views for those absent).
template <size_t N>
void JsonMembers(std::string_view object, const std::string_view (&keys)[N], std::string_view (&out)[N]);
// A string value's content, unescaped (\" \\ \/ \n \t \uXXXX for ASCII), or empty.
std::string JsonStringValue(std::string_view value);

}  // namespace auditlens
