#pragma once

#include <desk/storage/repository.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

// The subcommands of `desk mail` (the desk-mail companion program).
namespace desk::mail_cli {

// The options every desk command takes that matter here.
struct GlobalOptions {
  std::string dir;   // -C: the repository
  std::string actor; // --as
};

// The repository of -C / $DESK_DIR / the working directory.
storage::Repository open_repository(const GlobalOptions& global);

// The exit code a command sets (0 unless it says otherwise).
int& exit_code();

// `desk mail parse FILE`: how desk reads one message, as JSON.
void add_parse_command(CLI::App& app);
// `desk mail receive`: one message on stdin, or --maildir DIR.
void add_receive_command(CLI::App& app, const GlobalOptions& global);
// `desk mail send`: the due notices.
void add_send_command(CLI::App& app, const GlobalOptions& global);
// `desk mail status`.
void add_status_command(CLI::App& app, const GlobalOptions& global);

} // namespace desk::mail_cli
