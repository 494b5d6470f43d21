#include "cli/commands.hpp"

namespace desk::cli {

void register_escalate(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id;
    workflow::EscalateRequest request;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "escalate", "Escalate to tier 2, tier 3 or a vendor (reassigns)", a->id);
  cmd->add_option("--tier", a->request.tier, "Tier to escalate to: 2 or 3")->type_name("N");
  cmd->add_option("--vendor", a->request.vendor,
                  "External vendor (any name while the config lists none; else one of config vendors)")
    ->type_name("NAME");
  cmd->add_option("--reason", a->request.reason, "Why (required)")->type_name("TEXT");
  cmd->add_option("--to", a->request.user, "Assignee at the new level")->type_name("USER");
  cmd->add_option("--team", a->request.team, "Team at the new level")->type_name("TEAM");
  cmd->add_flag("--notify", a->request.notify,
                "Also escalate hierarchically: notify the team's supervisor (recorded; passed to the hook)");
  cmd->callback([a, &g] {
    a->request.reason = text_arg(a->request.reason, "--reason");
    a->request.vendor = text_arg(a->request.vendor, "--vendor");
    const Invocation s = open_invocation(g);
    render_step(ops::escalate(s.repo, s.call(), a->id, a->request));
  });
}

} // namespace desk::cli
