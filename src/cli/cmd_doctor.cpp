#include "cli/commands.hpp"

#include <desk/kb/kb_store.hpp>
#include <desk/kb/search.hpp>
#include <desk/storage/doctor.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_doctor(CLI::App& app, Globals& g)
{
  CLI::App* cmd = app.add_subcommand(
    "doctor", "Check the config and every ticket file; exit 1 when anything is wrong");
  auto fix = std::make_shared<bool>(false);
  cmd->add_flag("--fix", *fix,
                "Repair what is safe to repair: finish a merge of two different tickets under one path, give duplicate "
                "ticket ids new ids (recorded), remove temporary files of interrupted writes");
  cmd->callback([&g, fix] {
    std::optional<std::filesystem::path> dir;
    if (!g.dir.empty()) {
      dir = g.dir;
    }
    const auto root = storage::Repository::find_root(dir);
    if (*fix) {
      const Invocation s = open_invocation(g);
      const auto r = ops::repair(s.repo, s.call());
      for (const auto& n : r.merged) {
        out(fmt::format("kept both tickets merged into {}: the younger is now {} ({})\n",
                        std::filesystem::relative(n.old_path, root).string(), n.new_id,
                        std::filesystem::relative(n.new_path, root).string()));
      }
      if (r.merge_concluded) {
        out("concluded the merge (git commit)\n");
      }
      for (const auto& n : r.renumbered) {
        out(fmt::format("renumbered {} → {} ({})\n", n.old_id, n.new_id,
                        std::filesystem::relative(n.new_path, root).string()));
      }
      if (r.temp_files_removed > 0) {
        out(fmt::format("removed {} temporary file(s) of interrupted writes\n", r.temp_files_removed));
      }
    }
    auto report = storage::check_repository(root);
    std::size_t articles = 0;
    for (auto& p : kb::check_articles(root, articles)) {
      report.problems.push_back(std::move(p));
    }
    for (const auto& p : report.problems) {
      out(text::visible(p.to_string()) + "\n");
    }
    if (kb::index_is_damaged(root)) {
      report.notes.push_back({kb::index_path(root).string(), 0, 0,
                              "the knowledge-base search index is damaged (or from another desk version); the next "
                              "search rebuilds it, or run `desk reindex`"});
    }
    for (const auto& n : report.notes) {
      out("note: " + text::visible(n.to_string()) + "\n");
    }
    if (report.problems.empty()) {
      out(fmt::format("ok: config and {} ticket(s){} checked, no problems\n", report.tickets_checked,
                      articles > 0 ? fmt::format(" and {} article(s)", articles) : std::string()));
    } else {
      out(fmt::format("{} problem(s) in {} ticket(s){} checked\n", report.problems.size(), report.tickets_checked,
                      articles > 0 ? fmt::format(" and {} article(s)", articles) : std::string()));
      command_exit_code() = static_cast<int>(ExitCode::failure);
    }
  });
}

} // namespace desk::cli
