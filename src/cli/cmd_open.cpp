#include "cli/commands.hpp"

#include <desk/model/json.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <filesystem>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::cli {

namespace {

struct OpenArgs {
  workflow::OpenRequest request;
  std::string description;
  std::string steps;
  std::string error;
  std::vector<std::string> attach;
  bool quiet = false;
  bool no_suggest = false; // --no-suggest: no knowledge-base suggestions
  std::string format = "text";
};

constexpr std::string_view k_editor_template =
  "\n# Describe the problem above: what happened, what you expected, since when.\n"
  "# Lines starting with '#' are removed. An empty description keeps the ticket without one.\n";

// Ask $VISUAL/$EDITOR for the description when stdin is a terminal and none was given.
std::string description_from_editor()
{
  const std::optional<std::string> content = edit_text(k_editor_template, "description", "opened");
  if (!content) {
    return {};
  }
  std::string kept;
  for (const auto& line : text::split(*content, '\n')) {
    if (!line.starts_with("#")) {
      kept += line + "\n";
    }
  }
  while (!kept.empty() && (kept.back() == '\n' || kept.back() == ' ')) {
    kept.pop_back();
  }
  const auto first = kept.find_first_not_of('\n');
  return first == std::string::npos ? std::string() : kept.substr(first);
}

} // namespace

void register_open(CLI::App& app, Globals& g)
{
  auto a = std::make_shared<OpenArgs>();
  auto& r = a->request;
  CLI::App* cmd = app.add_subcommand("open", "Record a new request (stage 1: intake)");
  cmd->add_option("--type,-t", r.type, "Ticket type: incident, request, change, consultation (config)")->type_name("TYPE");
  cmd->add_option("--title", r.title, "One line saying what is wrong or wanted (required)")->type_name("TEXT");
  cmd->add_option("--description,-d", a->description,
                  "Full description; '-' reads standard input; without it an interactive terminal opens $VISUAL/$EDITOR")
    ->type_name("TEXT");
  cmd->add_option("--reporter", r.reporter, "Who reported it")->type_name("NAME");
  cmd->add_option("--department", r.department, "The reporter's department")->type_name("NAME");
  cmd->add_option("--contact", r.contact, "How to reach the reporter (phone, mail, IM)")->type_name("TEXT");
  cmd->add_option("--email", r.email, "The requester's e-mail address (mail and the portal find their tickets by it)")
    ->type_name("ADDRESS");
  cmd->add_option("--channel", r.channel, "Where it came from: phone, im, email, portal, walk-in (config)")
    ->type_name("CHANNEL");
  cmd->add_option("--affected", r.affected, "Affected system or device (repeatable)")->type_name("NAME");
  cmd->add_option("--impact", r.impact, "Impact scope: individual, department, company, core-business (config)")
    ->type_name("SCOPE");
  cmd->add_option("--urgency", r.urgency, "Urgency: low, medium, high, critical (config)")->type_name("LEVEL");
  cmd->add_option("--occurred-at", r.occurred_at, "When the problem started (ISO 8601; local time without offset)")
    ->type_name("TIME");
  cmd->add_option("--steps", a->steps, "Steps to reproduce; '-' reads standard input")->type_name("TEXT");
  cmd->add_option("--error", a->error, "The exact error text; '-' reads standard input")->type_name("TEXT");
  cmd->add_option("--attach", a->attach, "File to attach (repeatable; copied beside the ticket)")->type_name("FILE");
  cmd->add_option("--dedup-key", r.dedup_key,
                  "Idempotency key: while a ticket with this key is open, return its id instead of opening another")
    ->type_name("KEY");
  cmd->add_option("--external-id", r.external_id, "Id of this request in another system")->type_name("ID");
  cmd->add_flag("--quiet,-q", a->quiet, "Print only the new id (for scripts)");
  cmd->add_flag("--no-suggest", a->no_suggest, "Do not show matching knowledge-base articles");
  cmd->add_option("--format", a->format, "Output: text or json (the new ticket)")
    ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([a, &g] {
    auto& req = a->request;
    req.title = text_arg(req.title, "--title");
    if (!a->description.empty()) {
      req.description = text_arg(a->description, "--description");
    } else if (::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO) && !a->quiet) {
      req.description = description_from_editor();
    }
    req.steps = a->steps.empty() ? std::string() : text_arg(a->steps, "--steps");
    req.error = a->error.empty() ? std::string() : text_arg(a->error, "--error");
    for (auto* field : {&req.reporter, &req.department, &req.contact, &req.email, &req.dedup_key, &req.external_id}) {
      *field = text_arg(*field, "an option");
    }
    std::vector<ops::Attachment> files;
    for (const auto& path : a->attach) {
      files.push_back({{}, path, {}});
    }
    const Invocation s = open_invocation(g);
    const ops::OpenResult opened = ops::open(s.repo, s.call(), req, files);
    if (a->format == "json") {
      auto j = ticket_to_json(opened.ticket, opened.changed);
      if (!opened.changed) {
        j["deduplicated"] = true;
      } else if (auto suggestions = a->no_suggest ? nullptr : kb_suggestions_json(s, opened.ticket); !suggestions.is_null()) {
        j["suggestions"] = std::move(suggestions); // knowledge base (cmd_kb.cpp)
      }
      out(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    } else if (a->quiet) {
      out(opened.ticket.id() + "\n");
    } else if (!opened.changed) {
      out(opened.summary + "\n");
    } else {
      out(fmt::format("Opened {}\n", text::visible(opened.summary)));
      if (!a->no_suggest) {
        out(kb_suggestions_text(s, opened.ticket)); // knowledge base (cmd_kb.cpp)
      }
    }
    warn_all(opened.warnings);
  });
}

} // namespace desk::cli
