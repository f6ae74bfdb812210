// The kernel's boot id: a random UUID the kernel makes at boot, the same for every reader until
// the next boot. auditlens puts it in every process entity id and session id, in the agent's state
// file (a resume after a reboot must not trust the old serials) and in the fleet's host rows.
//
// Contract: the text of kBootIdPath with trailing newlines and spaces removed
// ("0f3c...-...", 36 characters on Linux); empty when the file cannot be read (callers treat empty
// as "no boot id": no resume, entity ids without it). Read once at start; it never changes.
#pragma once

#include <string>

namespace auditlens {

inline constexpr char kBootIdPath[] = "/proc/sys/kernel/random/boot_id";

// path: kBootIdPath except in tests.
std::string ReadBootId(const std::string& path = kBootIdPath);

}  // namespace auditlens
