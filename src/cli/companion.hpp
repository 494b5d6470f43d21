#pragma once

#include "cli/common.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

// Companion programs: `desk mail …` and `desk serve …` are front ends of their own
// (desk-mail, desk-serve) that link the libraries they need (GMime, the HTTP server), so
// that the desk binary every other command runs does not load them.
namespace desk::cli {

// The companion executable `name` ("desk-mail"): beside the running desk binary (a build
// tree), else in libexec/desk/ of the prefix desk runs from, else in the configured one. Throws
// NotFoundError naming the places looked in.
std::string find_companion(std::string_view name);

// When `word` (the first word of the command line) names a companion ("mail"), replace
// this process with it, the command line passed on as given without that word
// (`desk -C DIR mail receive` runs `desk-mail -C DIR receive`). Returns otherwise.
void exec_companion_if_asked(int argc, char** argv, std::string_view word);

// List `mail` and `serve` in desk's --help when their programs are there (they are run
// by exec_companion_if_asked).
void register_companions(CLI::App& app, Globals& g);

// Ask every companion program that is there to write its manual pages into `dir`
// (`desk-mail __man DIR`); throws StorageError when one fails.
void write_companion_pages(const std::string& dir);

// Parse `argv` with `app` and run the chosen callback, mapping every error to desk's exit
// codes and printing it as "<program>: error: …" with its hint. For desk and its companions.
int run_guarded(CLI::App& app, int argc, char** argv, std::string_view program);

// Print "desk: error: <message>" and the hint to stderr; returns the exit code.
int print_error(std::string_view message, std::string_view hint, ExitCode code);

} // namespace desk::cli
