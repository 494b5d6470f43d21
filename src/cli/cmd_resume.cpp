#include "cli/commands.hpp"

namespace desk::cli {

void register_resume(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "resume", "Back to work after pending", a->id);
  add_note_option(cmd, a->note);
  cmd->callback([a, &g] {
    const std::string note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    render_step(ops::resume(s.repo, s.call(), a->id, note));
  });
}

} // namespace desk::cli
