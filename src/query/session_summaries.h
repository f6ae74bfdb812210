// The timeline's summaries of sessions for the store's writer (store/session_summary.h): what
// `auditlens sessions` shows of a session (commands, failed commands, failures, its containers),
// computed by building its timeline (timeline.h) from the store, so that a stored summary is
// exactly what a listing would build. Programs that write stores install it at start.
#pragma once

namespace auditlens {

// InstallSessionSummaries with the timeline's summaries.
void InstallTimelineSummaries();

}  // namespace auditlens
