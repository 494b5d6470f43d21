#include "cli/commands.hpp"

namespace desk::cli {

void register_cancel(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, reason;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "cancel", "Cancel an open ticket (duplicate, withdrawn)", a->id);
  cmd->add_option("--reason", a->reason, "Why (required)")->type_name("TEXT");
  cmd->callback([a, &g] {
    const std::string reason = text_arg(a->reason, "--reason");
    const Invocation s = open_invocation(g);
    render_step(ops::cancel(s.repo, s.call(), a->id, reason));
  });
}

} // namespace desk::cli
