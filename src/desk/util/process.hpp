#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace desk {

// What a child process did.
struct ProcessResult {
  int exit_code = -1;     // -1 when it could not start, was killed or timed out
  bool started = false;   // false when the program was not found or not executable
  bool timed_out = false; // killed after the time limit
  std::string out;        // standard output
  std::string err;        // standard error
};

// Run `argv` directly (never through a shell), feed `input` on stdin, collect stdout and
// stderr, kill it (and its process group) after `timeout`. `cwd` empty = current folder.
// `env`: "NAME=value" assignments added to (or replacing in) this process's environment.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::milliseconds timeout, const std::filesystem::path& cwd = {},
                          const std::vector<std::string>& env = {});

} // namespace desk

namespace desk {

// Run `argv` attached to this terminal (for $EDITOR); returns its exit status, -1 when it
// could not be started.
int run_interactive(const std::vector<std::string>& argv);

} // namespace desk

namespace desk {

// Start `argv` detached from this process: double fork, a new session, stdin, stdout and
// stderr on /dev/null, in `cwd`; this process neither waits for it nor is killed with it.
// False when the first fork fails (the program's own failure is not seen).
bool spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {});

} // namespace desk
