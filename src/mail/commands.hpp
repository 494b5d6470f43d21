#pragma once

#include "cli/common.hpp"

#include <CLI/CLI.hpp>

// The subcommands of `desk mail` (the desk-mail companion program). Global options
// (-C, --as, --color), sessions and error printing are desk's own (deskcli).
namespace desk::mail_cli {

// `desk mail parse FILE`: how desk reads one message, as JSON.
void add_parse_command(CLI::App& app);
// `desk mail receive`: one message on stdin, or --maildir DIR.
void add_receive_command(CLI::App& app, const cli::Globals& g);
// `desk mail send`: the due notices.
void add_send_command(CLI::App& app, const cli::Globals& g);
// `desk mail status`.
void add_status_command(CLI::App& app, const cli::Globals& g);

} // namespace desk::mail_cli
