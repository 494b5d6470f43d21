#pragma once

#include <desk/model/ticket.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

// The ticket index: a derived copy of every ticket file in one binary file,
// `.desk/cache/tickets.idx` (never committed), so that `list`, `sla` and `report` read one
// file instead of parsing thousands of YAML files.
//
// Never stale: every read lists the month folders and compares each ticket file's size,
// modification and change times (nanoseconds) and inode with what the index recorded;
// files that differ, and new files, are parsed again. A file modified so recently that a
// later change could keep the same times (within k_racy_window of the index being written,
// the "racy git" problem) is recorded as racy and its bytes are compared by hash on every
// read until the index is next rewritten. A missing, truncated or corrupt index table is
// rebuilt silently; a ticket's record that fails its checksum is parsed from its file
// again. The YAML files stay the only truth.
//
// The fixed-size entry table is mapped (with each ticket's brief: its status, created and
// updated times, which Selection::keep_brief decides on before anything is decoded); the
// tickets' records are read through a small sliding window (they lie in path order, like
// the walk), so a reader's memory holds only what it keeps.
namespace desk::storage {

struct LoadProblem;

// What the index is built from: the tickets folder, and how one file's text becomes a
// ticket (the store's reader: the index knows no YAML). `parse` throws Error for a file
// that is no ticket; it is called from several threads at once.
struct TicketSource {
  std::filesystem::path dir; // tickets/
  std::function<Ticket(std::string_view id, const std::filesystem::path& path, std::string_view text)> parse;
};

// What a reader wants of the tickets.
struct Selection {
  // A ticket is wanted when both of these take it (an empty one takes every ticket).
  // Decides from the ticket's brief (status, created, updated) alone: through the index
  // before anything of the ticket is decoded, without it on brief_of(ticket), first.
  std::function<bool(const TicketBrief& brief)> keep_brief;
  // Decides from the current fields (the ticket has no events yet), for tickets the brief
  // took.
  std::function<bool(const Ticket&)> keep;
  // Whether wanted tickets come with their events.
  bool events = true;
  // The fields wanted tickets come with (`id` always); empty = every field. Saves the
  // memory of the others when a reader keeps many tickets (a `list` table).
  std::vector<std::string> fields;
};

// Receives the selected tickets one at a time, in path order, each with its file's path
// relative to the tickets folder ("2026/11/INC-7K3M9Q.yaml").
using TicketSink = std::function<void(Ticket&& ticket, std::string_view rel_path)>;

// What one read of the index did (for `desk reindex`, tests and benchmarks).
struct IndexStats {
  std::size_t files = 0;    // ticket files found
  std::size_t parsed = 0;   // files parsed (new, changed, or no usable index)
  std::size_t verified = 0; // racy files whose bytes were compared with the index
  std::size_t removed = 0;  // index entries whose file is gone
  bool rebuilt = false;     // there was no usable index
  bool written = false;     // the index file was written
  bool appended = false;    // ... in place: this read's records and table added at its end
};

// Read the tickets of `source` through the index kept at `index_file`: parse what changed,
// rewrite the index when anything did (atomically; skipped silently when the folder is
// not writable), and hand each selected ticket to `sink`, in path order, as soon as it is
// decoded (a reader that keeps a little of each ticket never holds them all). Files that
// cannot be read as tickets are reported in `problems` (and remembered, so they are not
// parsed again until they change).
void visit_indexed(const TicketSource& source, const std::filesystem::path& index_file, const Selection& selection,
                   std::vector<LoadProblem>& problems, const TicketSink& sink, IndexStats* stats = nullptr);

// What `selection` makes of a ticket that passed its filters: without its events when
// they are not wanted, with only the wanted fields (the reading without an index does the
// same, so both answer alike).
Ticket shape_selected(Ticket ticket, const Selection& selection);

// Drop the index and build it again from every file (`desk reindex`).
IndexStats rebuild_index(const TicketSource& source, const std::filesystem::path& index_file);

// The binary form of a ticket's fields and of its events, as the index stores them
// (exposed for tests: decode(encode(t)) == t).
std::string encode_fields(const Ticket& ticket);
std::string encode_events(const Ticket& ticket);
Ticket decode_ticket(std::string_view fields, std::string_view events, bool with_events);

} // namespace desk::storage
