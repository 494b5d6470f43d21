#include "cli/commands.hpp"

namespace desk::cli {

void register_pending(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, reason, note;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "pending", "Wait on the user, a vendor or a change (may pause the SLA clock)", a->id);
  cmd->add_option("--reason", a->reason, "awaiting-user, awaiting-vendor, awaiting-change (config)")->type_name("REASON");
  add_note_option(cmd, a->note);
  cmd->callback([a, &g] {
    const std::string note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    render_step(ops::pending(s.repo, s.call(), a->id, a->reason, note));
  });
}

} // namespace desk::cli
