#pragma once

#include <desk/util/error.hpp>

#include <filesystem>
#include <string>

namespace desk::storage {

// A file that could not be read as a ticket.
struct LoadProblem {
  std::filesystem::path path;
  std::string message; // as printed: "path:line:column: reason" (the position when known)
  int line = 0;        // 1-based; 0 when the problem has no position (e.g. unreadable)
  int column = 0;
  std::string reason;  // the message without the location

  // The problem `error` reports about the file at `path`.
  static LoadProblem of(const std::filesystem::path& path, const Error& error);
};

} // namespace desk::storage
