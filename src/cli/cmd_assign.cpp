#include "cli/commands.hpp"

namespace desk::cli {

void register_assign(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
    workflow::AssignRequest request;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "assign", "Assign to a person, a team, or by the rules (--auto)", a->id);
  cmd->add_option("--to", a->request.user, "Assignee")->type_name("USER");
  cmd->add_option("--team", a->request.team, "Owning team")->type_name("TEAM");
  cmd->add_flag("--auto", a->request.automatic,
                "Apply the assignment rules and team skills, then pick the member with the fewest open tickets");
  cmd->add_option("--lead-team", a->request.lead_team, "The team that leads when several work on it")->type_name("TEAM");
  cmd->add_option("--collaborator", a->request.collaborators, "Another team working on it (repeatable)")
    ->type_name("TEAM");
  add_note_option(cmd, a->note);
  cmd->callback([a, &g] {
    a->request.note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    render_step(ops::assign(s.repo, s.call(), a->id, a->request));
  });
}

} // namespace desk::cli
