#include "cli/commands.hpp"

namespace desk::cli {

void register_start(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "start", "Begin work (counts as the first response)", a->id);
  add_note_option(cmd, a->note);
  cmd->callback([a, &g] {
    const std::string note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    render_step(ops::start(s.repo, s.call(), a->id, note));
  });
}

} // namespace desk::cli
