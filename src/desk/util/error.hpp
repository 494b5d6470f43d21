#pragma once

#include <stdexcept>
#include <string>

namespace desk {

// Process exit codes; documented in README.md ("Exit codes") and `desk --help`.
enum class ExitCode : int {
  ok = 0,
  failure = 1,       // a check found problems
  usage = 2,         // bad command line: unknown option, bad value, missing value
  not_found = 3,     // something named does not exist, or a name is ambiguous
  invalid_state = 4, // the step is not allowed from the current state
  bad_data = 5,      // a file or input is malformed
  busy = 6,          // a lock is held by another process
  io = 7,            // the file system refused (read-only, disk full, permissions)
};

// Base of every error the library throws; a front end prints `<what>` and `hint`.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message, std::string hint = {})
    : std::runtime_error(message), m_hint(std::move(hint)) {}
  // What the user can do about it; may be empty.
  const std::string& hint() const { return m_hint; }
  // The exit code this error maps to.
  virtual ExitCode code() const { return ExitCode::failure; }

private:
  std::string m_hint;
};

// A bad argument or option value given by the caller.
class UsageError : public Error {
public:
  using Error::Error;
  ExitCode code() const override { return ExitCode::usage; }
};

// Something named does not exist, or a name is ambiguous.
class NotFoundError : public Error {
public:
  using Error::Error;
  ExitCode code() const override { return ExitCode::not_found; }
};

// The step is not allowed from the current state.
class InvalidTransitionError : public Error {
public:
  using Error::Error;
  ExitCode code() const override { return ExitCode::invalid_state; }
};

// A file's content is malformed; message starts with `path:line:column:` when known.
class ParseError : public Error {
public:
  ParseError(const std::string& path, int line, int column, const std::string& message,
             std::string hint = {})
    : Error(format_location(path, line, column) + message, std::move(hint)), m_path(path),
      m_line(line), m_column(column), m_message(message) {}
  ExitCode code() const override { return ExitCode::bad_data; }
  const std::string& path() const { return m_path; }
  int line() const { return m_line; }
  int column() const { return m_column; }
  // The message without the location.
  const std::string& message() const { return m_message; }

private:
  static std::string format_location(const std::string& path, int line, int column)
  {
    std::string out = path;
    if (line > 0) {
      out += ":" + std::to_string(line);
      if (column > 0) {
        out += ":" + std::to_string(column);
      }
    }
    return out + ": ";
  }
  std::string m_path;
  int m_line;
  int m_column;
  std::string m_message;
};

// A lock is held by someone else.
class BusyError : public Error {
public:
  using Error::Error;
  ExitCode code() const override { return ExitCode::busy; }
};

// The file system refused a read or write.
class StorageError : public Error {
public:
  using Error::Error;
  ExitCode code() const override { return ExitCode::io; }
};

} // namespace desk
