#pragma once

#include <desk/model/value.hpp>
#include <desk/util/error.hpp>

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
//
// Two versions are one ticket only when they share their first (`open`) event. Two
// different tickets under one path (an id drawn twice, an import that kept ids) are never
// fused: merge_documents throws DifferentDocuments, the driver leaves the older one at the
// path and git reports a conflict, which `desk doctor` names and `desk doctor --fix`
// finishes (the younger gets a new id that records the old one; see doctor.hpp).
namespace desk::storage {

// Both sides are different tickets: `kept` is the older one's text, left at the path.
class DifferentDocuments : public Error {
public:
  DifferentDocuments(const std::string& message, std::string hint, std::string kept)
    : Error(message, std::move(hint)), m_kept(std::move(kept)) {}
  // The text to leave at the path (the older ticket, unchanged).
  const std::string& kept() const { return m_kept; }

private:
  std::string m_kept;
};

// The id of a document's first event (its `open`), or empty; `text` is YAML.
std::string first_event_id(const Value& document);

// Which of two tickets is older: their first events compared by time, then id. True when
// `a` is older than `b`.
bool is_older(const Value& a, const Value& b);

// Merge file texts. `base` may be empty (the file was added on both sides). `path` is
// used for messages and to tell tickets (tickets/...) from other documents. Throws
// ParseError when a side cannot be read (or is nested deeper than k_max_yaml_depth),
// UsageError (check_file_size) when the result would be larger than desk reads, and
// DifferentDocuments when ours and theirs are different tickets.
std::string merge_documents(std::string_view base, std::string_view ours, std::string_view theirs,
                            const std::string& path);

} // namespace desk::storage
