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
};

// Check the config, every ticket file (syntax, schema, values against the config, file
// name and folder), duplicate ids, and stray or temporary files under tickets/.
DoctorReport check_repository(const std::filesystem::path& root);

} // namespace desk::storage
