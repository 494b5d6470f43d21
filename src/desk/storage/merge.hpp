#pragma once

#include <string>
#include <string_view>

// Three-way merge of two versions of one ticket (or knowledge-base article) file, for
// git's merge driver. Never leaves conflict markers:
// - events: the union of both lists, each event once (by id): shared events in their
//   common order, each side's additions in that side's order, interleaved by time then id;
// - each current field: unchanged on both sides → kept; changed on one side → that side;
//   changed on both sides to different values → the side whose latest event set it
//   wins, and a `merge` event (last) records both values so nothing is lost silently.
// The result is the same bytes whichever side is "ours".
namespace desk::storage {

// Merge file texts. `base` may be empty (the file was added on both sides). `path` is
// used for messages and to tell tickets (tickets/...) from other documents. Throws
// ParseError when a side cannot be read.
std::string merge_documents(std::string_view base, std::string_view ours, std::string_view theirs,
                            const std::string& path);

} // namespace desk::storage
