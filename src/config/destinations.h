// Where a config writes, and that no two of its writers share a destination.
//
// Contract:
// - CheckDestinations(config, source, error) is true when every writer of the config has a
//   destination of its own; otherwise false with *error naming the two writers ("SOURCE:LINE:
//   outputs[1] (file /var/log/x.json) writes to the same destination as [output]
//   (/var/log/x.json); each output needs one of its own").
// - The writers: [output] (a file, or standard output for "-"), output.dropped_path (a file),
//   and each [[outputs]] table: a file with its rotated names (PATH.1 … PATH.GENERATIONS when
//   max_bytes is not 0), standard output, a unix socket, syslog over a unix datagram socket (its
//   path) or over TCP/TLS (host and port).
// - Two paths are the same destination when they name the same file: compared after lexical
//   normalisation ("/x/./o.json", "/x//o.json" and "/x/y/../o.json" are "/x/o.json") and, where
//   the file or its directory exists, after symbolic links are resolved (realpath), so that a
//   directory reached through a link is seen. Reads the file system; creates nothing.
// - Called once the config is final: after the file is parsed (LoadConfig, ParseConfig) and
//   again after the command line's overrides (`run --output`, and `run --check-config`, which
//   must refuse what `run` refuses).
#pragma once

#include <string>

#include "config/config.h"

namespace auditlens {

bool CheckDestinations(const Config& config, const std::string& source, std::string* error);

}  // namespace auditlens
