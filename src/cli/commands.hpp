#pragma once

#include "cli/common.hpp"
#include "cli/companion.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json_fwd.hpp>

// Each command group adds its subcommands to the app; the callbacks call the library.
namespace desk::cli {

void register_init(CLI::App& app, Globals& g);
void register_open(CLI::App& app, Globals& g);
void register_show(CLI::App& app, Globals& g);
void register_list(CLI::App& app, Globals& g);
void register_doctor(CLI::App& app, Globals& g);
void register_workflow(CLI::App& app, Globals& g);
void register_sla(CLI::App& app, Globals& g);
void register_import(CLI::App& app, Globals& g);
void register_export(CLI::App& app, Globals& g);
void register_report(CLI::App& app, Globals& g);
void register_kb(CLI::App& app, Globals& g);
void register_git(CLI::App& app, Globals& g);

// Knowledge base (cmd_kb.cpp): suggestions at open/triage ("" / [] when none match; the
// JSON is null when the repository has no kb/ folder).
std::string kb_suggestions_text(const Session& s, const Ticket& ticket);
nlohmann::ordered_json kb_suggestions_json(const Session& s, const Ticket& ticket);
// resolve --kb: the full id of an existing, readable article (NotFoundError, ParseError).
std::string kb_article_id(const Session& s, const std::string& input);
// resolve --kb, under the lock: the article's reuse count + 1 and the ticket linked;
// returns the article's path (committed with the ticket by the caller).
std::filesystem::path kb_record_reuse(const Session& s, const std::string& article_id, const std::string& ticket_id);
// close --kb, under the lock: write a draft article from the ticket, link it; returns its
// id and path (committed with the ticket by the caller).
std::pair<std::string, std::filesystem::path> kb_capture_at_close(const Session& s, Ticket& ticket);

// The exit code a command callback asks for (0 unless set), e.g. doctor's findings.
int& command_exit_code();

} // namespace desk::cli
