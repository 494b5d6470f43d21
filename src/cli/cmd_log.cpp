#include "cli/commands.hpp"

namespace desk::cli {

void register_log(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
    int minutes = 0;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "log", "Add a work-log entry (internal): steps taken, findings, time spent", a->id);
  add_note_option(cmd, a->note, "What was done or found (required; '-' reads standard input)");
  cmd->add_option("--minutes", a->minutes, "Time spent, in minutes")->type_name("N");
  cmd->callback([a, &g] {
    const std::string note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    render_step(ops::log_work(s.repo, s.call(), a->id, note, a->minutes));
  });
}

} // namespace desk::cli
