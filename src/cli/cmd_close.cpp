#include "cli/commands.hpp"

#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_close(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
    bool stale = false;
    bool kb_capture = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("close", "Close a confirmed ticket, or all resolved ones past the confirmation wait (--stale)");
  cmd->add_option("id", a->id, "Ticket id or a unique part of it")->type_name("ID");
  cmd->add_flag("--stale", a->stale, "Close every resolved ticket unconfirmed for close_after_days (for cron)");
  cmd->add_flag("--kb", a->kb_capture, "Also capture a draft knowledge-base article from the ticket (stage 5)");
  add_note_option(cmd, a->note);
  cmd->callback([a, &g] {
    if (a->stale == !a->id.empty()) {
      throw UsageError("close needs a ticket id or --stale (not both)");
    }
    if (a->stale && a->kb_capture) {
      throw UsageError("--kb goes with one ticket id, not with --stale");
    }
    const std::string note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    if (!a->stale) {
      render_step(ops::close(s.repo, s.call(), a->id, note, a->kb_capture));
      return;
    }
    const auto r = ops::close_stale(s.repo, s.call(), note);
    for (const auto& t : r.closed) {
      out(fmt::format("{}: closed (unconfirmed for {} days)\n", t.id(), s.repo.config().close_after_days));
    }
    warn_all(r.warnings);
    out(fmt::format("{} ticket(s) closed\n", r.closed.size()));
  });
}

} // namespace desk::cli
