#pragma once

#include "cli/common.hpp"

#include <CLI/CLI.hpp>

// Each command group adds its subcommands to the app; the callbacks call the library.
namespace desk::cli {

void register_init(CLI::App& app, Globals& g);
void register_open(CLI::App& app, Globals& g);
void register_show(CLI::App& app, Globals& g);
void register_list(CLI::App& app, Globals& g);
void register_doctor(CLI::App& app, Globals& g);
void register_workflow(CLI::App& app, Globals& g);
void register_sla(CLI::App& app, Globals& g);

// The exit code a command callback asks for (0 unless set), e.g. doctor's findings.
int& command_exit_code();

} // namespace desk::cli
