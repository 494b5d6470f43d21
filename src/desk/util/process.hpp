#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace desk {

// What a child process did.
struct ProcessResult {
  int exit_code = -1;     // -1 when it could not start, was killed or timed out
  int signal = 0;         // the signal that ended it (SIGSEGV, SIGKILL...), 0 when it exited
  bool started = false;   // false when the program was not found or not executable
  bool timed_out = false; // killed after the time limit
  std::string out;        // standard output
  std::string err;        // standard error
};

// Run `argv` directly (never through a shell), feed `input` on stdin, collect stdout and
// stderr, kill it (and its process group) after `timeout`. `cwd` empty = current folder.
// Returns when the program exits: output a background job it left behind still writes
// (holding the pipes open) is not waited for.
// `env`: "NAME=value" assignments added to (or replacing in) this process's environment.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::milliseconds timeout, const std::filesystem::path& cwd = {},
                          const std::vector<std::string>& env = {});

} // namespace desk

namespace desk {

// A signal's name for messages: "SIGSEGV (Segmentation fault)".
std::string signal_name(int sig);

// Run `argv` attached to this terminal (for $EDITOR); returns its exit status, -1 when it
// could not be started.
int run_interactive(const std::vector<std::string>& argv);

} // namespace desk

namespace desk {

// Start `argv` detached from this process: double fork, a new session, stdin, stdout and
// stderr on /dev/null, in `cwd`; this process neither waits for it nor is killed with it.
// False when the first fork fails (the program's own failure is not seen).
bool spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {});

// Where the companion program `name` (desk-mail, desk-serve) may be, in the order looked
// in: beside the running binary (a build tree, or another companion), in libexec/desk/ of
// the prefix the running desk is installed in (a relocated package), in the configured one.
std::vector<std::filesystem::path> companion_places(std::string_view name);

// The first of companion_places(name) that is an executable; empty when none is.
std::string find_companion(std::string_view name);

} // namespace desk
