#pragma once

#include "cli/common.hpp"
#include "cli/companion.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>

namespace desk::cli {

// One function per command (cmd_<name>.cpp) adds it to the app; its callback parses,
// makes one library call and renders.
void register_init(CLI::App& app, Globals& g);
void register_open(CLI::App& app, Globals& g);
void register_show(CLI::App& app, Globals& g);
void register_list(CLI::App& app, Globals& g);
void register_triage(CLI::App& app, Globals& g);
void register_assign(CLI::App& app, Globals& g);
void register_escalate(CLI::App& app, Globals& g);
void register_start(CLI::App& app, Globals& g);
void register_log(CLI::App& app, Globals& g);
void register_pending(CLI::App& app, Globals& g);
void register_resume(CLI::App& app, Globals& g);
void register_resolve(CLI::App& app, Globals& g);
void register_confirm(CLI::App& app, Globals& g);
void register_close(CLI::App& app, Globals& g);
void register_edit(CLI::App& app, Globals& g);
void register_cancel(CLI::App& app, Globals& g);
void register_reply(CLI::App& app, Globals& g);
void register_sla(CLI::App& app, Globals& g);
void register_import(CLI::App& app, Globals& g);
void register_export(CLI::App& app, Globals& g);
void register_report(CLI::App& app, Globals& g);
void register_kb(CLI::App& app, Globals& g);
void register_reindex(CLI::App& app, Globals& g);
void register_doctor(CLI::App& app, Globals& g);
void register_merge_driver(CLI::App& app, Globals& g);
void register_sync(CLI::App& app, Globals& g);
// `desk serve` (cmd_serve.cpp): its options and subcommands, defined once for the desk-serve
// program that runs them and for desk's --help listing, manual pages and completion.
struct ServeArgs {
  std::string listen = "127.0.0.1:8080"; // --listen HOST:PORT
  std::string token_name;                // token add NAME
  std::vector<std::string> scopes;       // token add --scope
};
// The commands define_serve made that need a callback of their own.
struct ServeCommand {
  CLI::App* token_add = nullptr;
};
// Add serve's options (the global ones too) and its `token add` subcommand to `cmd`.
ServeCommand define_serve(CLI::App& cmd, Globals& g, ServeArgs& a);
// help --man, completion and __complete: they walk every command, so all are built for them.
void register_help(CLI::App& app, Globals& g);
// A companion program's hidden `__man DIR`: its pages, named as `desk <word> ...` commands.
void register_companion_manual(CLI::App& app, std::string_view word);

// Knowledge base (cmd_kb.cpp): suggestions at open/triage ("" / [] when none match; the
// JSON is null when the repository has no kb/ folder).
std::string kb_suggestions_text(const Invocation& s, const Ticket& ticket);
nlohmann::ordered_json kb_suggestions_json(const Invocation& s, const Ticket& ticket);
// The exit code a command callback asks for (0 unless set), e.g. doctor's findings.
int& command_exit_code();

} // namespace desk::cli
