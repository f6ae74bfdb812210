// The agent's durable state ([agent] state_path): what a restarted agent needs so that nothing
// lost while it was down goes unreported — the serial up to which every event reached the output
// (or was reported lost), and the kernel's lost counter as far as loss events already told it.
//
// Contract:
// - The file is small text (key=value lines), written whole to PATH.tmp (0600) and renamed over
//   PATH, so a reader sees the old state or the new one, never a mix, even after a SIGKILL.
// - It is not fsync'ed, on purpose: it is only ever used within the same boot (boot_id), and within
//   one boot the page cache is what every reader sees; after a crash of the machine the boot id
//   differs and the file is ignored anyway.
// - ReadStateFile refuses anything it does not fully understand (unknown or missing keys, bad
//   numbers): a restarted agent then starts afresh rather than resuming from a wrong serial.
// - PlanResume decides: resume only with a valid file from this boot.
#pragma once

#include <cstdint>
#include <string>

namespace auditlens {

struct AgentState {
  std::string boot_id;             // /proc/sys/kernel/random/boot_id when written
  uint32_t delivered_through = 0;  // every local serial up to this one (modular) was written or
                                   // reported lost
  uint32_t kernel_lost = 0;        // the kernel's lost counter that loss events accounted for
  bool clean = false;              // written by a clean shutdown (everything drained)
  uint32_t pid = 0;                // the agent that wrote it
  uint64_t written_ms = 0;         // wall clock
};

std::string FormatState(const AgentState& state);
// Returns nullptr on success, else what is wrong.
const char* ParseState(const std::string& text, AgentState* state);

// False with *error when the file is missing, unreadable or invalid (error says which; a missing
// file sets *missing).
bool ReadStateFile(const std::string& path, AgentState* state, bool* missing, std::string* error);
// Atomic replace (PATH.tmp, rename). Creates the parent directory (0700) if needed.
bool WriteStateFile(const std::string& path, const AgentState& state, std::string* error);

struct ResumePlan {
  bool resume = false;
  std::string reason;  // for the agent's log: why it resumes, or why not
};
// saved: the state read at start (nullptr when there was none or it was invalid).
ResumePlan PlanResume(const AgentState* saved, const std::string& boot_id);

}  // namespace auditlens
