// Reading /proc (and other small kernel files): the whole of a file, a symlink's target, the path
// of a process's entry.
//
// Contract: /proc files report size 0, so files are read to end of file with read(2), not sized
// first. Nothing throws and nothing is partial-but-flagged: a file or link that cannot be read
// (gone, no permission, a kernel thread's exe) gives an empty string, which callers treat as
// "unknown". ReadSmallFile is for files of a few pages (status, cmdline, stat); it has no limit.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace auditlens {

// The bytes of the file at path; empty when it cannot be opened or read.
std::string ReadSmallFile(const std::string& path);

// A symlink's target (readlink(2), up to PATH_MAX - 1 bytes); empty when it cannot be read.
std::string ReadLinkTarget(const std::string& path);

// A process's executable from its exe link (proc_root/PID/exe): the target without the " (deleted)"
// the kernel adds once the file is gone or replaced; empty when it cannot be read.
std::string ReadExeLink(const std::string& path);

// "/proc/<pid>/<entry>", or "/proc/<pid>" when entry is empty.
std::string ProcPidPath(pid_t pid, std::string_view entry);

}  // namespace auditlens
