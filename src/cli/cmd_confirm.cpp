#include "cli/commands.hpp"

#include <desk/util/error.hpp>

namespace desk::cli {

void register_confirm(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
    int rating = 0;
    bool reject = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "confirm", "The user confirms the fix (with a rating) or rejects it (--reject)", a->id);
  cmd->add_option("--rating", a->rating, "Satisfaction 1 (poor) to 5 (excellent)")->type_name("N");
  cmd->add_flag("--reject", a->reject, "The fix does not work: reopen the ticket (needs -m WHY)");
  add_note_option(cmd, a->note, "The user's comment (with --reject: why it is not fixed)");
  cmd->callback([a, cmd, &g] {
    const std::string note = text_arg(a->note, "-m");
    const bool rated = cmd->count("--rating") > 0;
    if (a->reject && rated) {
      throw UsageError("--rating goes with a confirmation, not with --reject");
    }
    const Invocation s = open_invocation(g);
    if (a->reject) {
      render_step(ops::reopen(s.repo, s.call(), a->id, note));
      return;
    }
    render_step(ops::confirm(s.repo, s.call(), a->id, rated ? std::optional<int>(a->rating) : std::nullopt, note));
  });
}

} // namespace desk::cli
