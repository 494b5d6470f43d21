#pragma once

#include <filesystem>
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

// Check the config, every ticket file (syntax, schema, values against the config, file
// name and folder), duplicate ids, and stray or temporary files under tickets/.
DoctorReport check_repository(const std::filesystem::path& root);

// One ticket given a new id by fix_duplicate_ids.
struct Renumbered {
  std::string old_id;
  std::string new_id;
  std::filesystem::path old_path;
  std::filesystem::path new_path;
};

// Delete leftover temporary files of interrupted writes (call under the lock, so no
// write is in progress); returns how many.
std::size_t remove_leftover_temp_files(const std::filesystem::path& root);

// Give every ticket whose id is also used by an older ticket (by creation time, then
// path) a new id with the same prefix, recording a `renumber` event (at `now_text`, by
// `actor`) that names the previous id; attachments move along. Call under the lock.
std::vector<Renumbered> fix_duplicate_ids(const std::filesystem::path& root, const std::string& actor,
                                          const std::string& now_text);

} // namespace desk::storage
