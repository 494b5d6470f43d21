#include "cli/commands.hpp"

#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <map>

namespace desk::cli {

void register_edit(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
    std::map<std::string, std::string> values;
    std::vector<std::string> affected;
    bool clear_affected = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("edit", "Correct intake fields: title, description, reporter, ...");
  cmd->add_option("id", a->id, "Ticket id or a unique part of it")->required()->type_name("ID");
  for (const char* name : {"title", "description", "reporter", "department", "contact", "email", "channel", "steps", "error"}) {
    cmd->add_option(std::string("--") + name, a->values[name], fmt::format("New {} ('-' reads standard input)", name))
      ->type_name("TEXT");
  }
  cmd->add_option("--affected", a->affected, "Affected systems (repeatable; replaces the list)")->type_name("NAME");
  cmd->add_flag("--clear-affected", a->clear_affected, "Remove every affected system");
  add_note_option(cmd, a->note);
  cmd->callback([a, cmd, &g] {
    workflow::EditRequest r;
    auto take = [&](const char* name, std::optional<std::string>& target) {
      if (cmd->count(std::string("--") + name) > 0) {
        target = text_arg(a->values[name], std::string("--") + name);
      }
    };
    take("title", r.title);
    take("description", r.description);
    take("reporter", r.reporter);
    take("department", r.department);
    take("contact", r.contact);
    take("email", r.email);
    take("channel", r.channel);
    take("steps", r.steps);
    take("error", r.error);
    if (!a->affected.empty() && a->clear_affected) {
      throw UsageError("give --affected or --clear-affected, not both");
    }
    if (!a->affected.empty() || a->clear_affected) {
      r.affected = a->affected;
    }
    r.note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    render_step(ops::edit(s.repo, s.call(), a->id, r));
  });
}

} // namespace desk::cli
