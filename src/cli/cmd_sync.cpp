#include "cli/commands.hpp"

#include <desk/util/text.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_sync(CLI::App& app, Globals& g)
{
  {
    CLI::App* cmd = app.add_subcommand(
      "sync", "Share work through git: fetch, merge (desk's driver resolves ticket files), push");
    cmd->callback([&g] {
      const Invocation s = open_invocation(g);
      const auto r = ops::sync(s.repo, self_path());
      auto is_ticket = [](const std::string& p) { return p.ends_with(".yaml") && p.find("tickets/") != std::string::npos; };
      std::size_t new_tickets = 0;
      std::size_t changed_tickets = 0;
      for (const auto& p : r.new_files) {
        if (is_ticket(p)) {
          ++new_tickets;
          out(fmt::format("  new      {}\n", text::visible(p)));
        }
      }
      for (const auto& p : r.changed_files) {
        if (is_ticket(p)) {
          ++changed_tickets;
          out(fmt::format("  changed  {}\n", text::visible(p)));
        }
      }
      out(fmt::format("Synced with {} ({}): {} new ticket(s), {} changed ticket(s){}; pushed\n", r.remote, r.branch,
                      new_tickets, changed_tickets, r.up_to_date ? ", nothing came in" : ""));
    });
  }
}

} // namespace desk::cli
