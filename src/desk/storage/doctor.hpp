#pragma once

#include <desk/config/config.hpp>
#include <desk/model/ticket.hpp>

#include <desk/util/time.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// `desk doctor`: everything that can be wrong in a repository, found without changing it.
namespace desk::storage {

// One finding, with the file and (when known) the line and column.
struct Problem {
  std::string path;
  int line = 0;
  int column = 0;
  std::string message;

  // "path:line:column: message".
  std::string to_string() const;
};

// What doctor found.
struct DoctorReport {
  std::size_t tickets_checked = 0;
  std::vector<Problem> problems;
  // Harmless findings that need no repair: temporary files of writes that were
  // interrupted (the ticket itself is whole) or are in progress.
  std::vector<Problem> notes;
};

// The checks of one ticket's values against the config (id, status, the config's lists,
// times, numbers, text without NUL or other control characters, at least one event):
// what doctor reports for each file and what an import checks before it writes. `path` is
// for the messages.
struct TicketCheck {
  bool any_category = false;              // imports add the categories they bring to the config
  std::optional<Timestamp> created_by;    // when set, a later `created` is a problem
};
std::vector<Problem> check_ticket(const Ticket& ticket, const Config& config, const std::string& path,
                                  const TicketCheck& options = {});

// Check the config, every ticket file (syntax, schema, values against the config, file
// name and folder), duplicate ids, stray or temporary files and symlinked folders under
// tickets/, and merge conflicts git holds in ticket files (two different tickets merged
// into one path are named as such).
DoctorReport check_repository(const std::filesystem::path& root);

// One ticket given a new id by fix_duplicate_ids.
struct Renumbered {
  std::string old_id;
  std::string new_id;
  std::filesystem::path old_path;
  std::filesystem::path new_path;
};

// Finish every merge conflict git holds between two different tickets under one path
// (see merge.hpp): the older stays at the path, the younger gets a new id with a `renumber`
// event recording the old one (at `now_text`, by `actor`); both are staged. Call under the
// lock.
std::vector<Renumbered> fix_merged_tickets(const std::filesystem::path& root, const std::string& actor,
                                           const std::string& now_text);

// Delete leftover temporary files of interrupted writes (call under the lock, so no
// write is in progress); returns how many.
std::size_t remove_leftover_temp_files(const std::filesystem::path& root);

// Give every ticket whose id is also used by an older ticket (by creation time, then
// path) a new id with the same prefix, recording a `renumber` event (at `now_text`, by
// `actor`) that names the previous id; attachments move along. Call under the lock.
std::vector<Renumbered> fix_duplicate_ids(const std::filesystem::path& root, const std::string& actor,
                                          const std::string& now_text);

} // namespace desk::storage
