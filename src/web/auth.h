// The token every request of `auditlens web` needs (web.h): the configured one ([web] token), else
// the one in the token file, made at first start (32 random bytes as 64 hex digits, from
// getrandom), created 0600 with O_EXCL so no other user can have read it first.
//
// Contract: tokens are compared in constant time; a request's token comes from its
// `Authorization: Bearer` header or its `auditlens_token` cookie, nothing else.
#pragma once

#include <string>
#include <string_view>

namespace auditlens {

inline constexpr char kTokenCookie[] = "auditlens_token";

// *token from path, or a new one written there (its directory must exist). False with a message.
// A file that exists but is readable by others than its owner is refused (chmod 600 it).
bool LoadOrCreateToken(const std::string& path, std::string* token, std::string* error);
bool TokenEquals(std::string_view a, std::string_view b);
// "Bearer X" → X; else "".
std::string BearerToken(std::string_view authorization);
// The auditlens_token value of a Cookie header; else "".
std::string CookieToken(std::string_view cookie_header);

}  // namespace auditlens
