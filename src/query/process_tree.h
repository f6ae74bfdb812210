// A login session's processes as a tree, for `auditlens web` (src/web/): each process under the one
// that started it, and a program a process exec'd under the image it replaced (marked "exec": the
// same pid). The processes table's own links (parent_entity, previous_entity) make the tree;
// a process whose parent is not in the session (the login service) is a root.
//
// Contract: a pure function of the rows StoreReader::LoadTimeline read (or FleetReader::
// LoadSession); no I/O. Every process appears once, also in a store whose links form a loop.
#pragma once

#include <string>

#include "query/store_reader.h"

namespace auditlens {

// {"session":ID,"processes":N,"roots":[{"entity_id","pid","ppid","exe","args":[...],"cwd","uid",
// "euid","role","start","start_ms","exit_code","exited","container","service","sha256","exec",
// "children":[...]}]}, children oldest first.
std::string ProcessTreeJson(const TimelineData& data);
// One process as such a node, without "exec" and "children".
std::string StoredProcessJson(const StoredProcess& p);

}  // namespace auditlens
