#include "cli/commands.hpp"

#include <desk/kb/kb_store.hpp>
#include <desk/storage/doctor.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_doctor(CLI::App& app, Globals& g)
{
  CLI::App* reindex = app.add_subcommand(
    "reindex", "Rebuild the ticket index (.desk/cache/tickets.idx) from every ticket file");
  reindex->footer("The index is derived data, never committed, and kept current automatically: every read\n"
                  "compares each ticket file's size and times with the index and parses what changed, and a\n"
                  "missing or damaged index is rebuilt silently. `reindex` is never needed for correctness;\n"
                  "it forces a full rebuild (e.g. to measure it). DESK_INDEX=off makes commands read the\n"
                  "files directly.");
  reindex->callback([&g] {
    const Session s = open_session(g);
    const auto& store = s.repo.tickets();
    const auto stats = storage::rebuild_index(store, store.index_file());
    if (!stats.written) {
      throw StorageError(fmt::format("could not write {}", store.index_file().string()),
                         "check that .desk/cache/ is writable (commands still work, reading every file)");
    }
    out(fmt::format("indexed {} ticket file(s) into {}\n", stats.files,
                    store.index_file().lexically_relative(s.repo.root()).generic_string()));
  });

  CLI::App* cmd = app.add_subcommand(
    "doctor", "Check the config and every ticket file; exit 1 when anything is wrong");
  auto fix = std::make_shared<bool>(false);
  cmd->add_flag("--fix", *fix,
                "Repair what is safe to repair: give duplicate ticket ids new ids (recorded), remove temporary files "
                "of interrupted writes");
  cmd->callback([&g, fix] {
    std::optional<std::filesystem::path> dir;
    if (!g.dir.empty()) {
      dir = g.dir;
    }
    const auto root = storage::Repository::find_root(dir);
    if (*fix) {
      const Session s = open_session(g);
      const auto lock = s.repo.lock();
      const auto renumbered = storage::fix_duplicate_ids(root, s.actor(), format_timestamp(s.now, s.zone()));
      std::vector<std::filesystem::path> paths;
      for (const auto& r : renumbered) {
        out(fmt::format("renumbered {} → {} ({})\n", r.old_id, r.new_id,
                        std::filesystem::relative(r.new_path, root).string()));
        paths.push_back(r.old_path);
        paths.push_back(r.new_path);
      }
      commit_change(s, paths, fmt::format("doctor --fix: renumbered {} ticket(s)", renumbered.size()));
      if (const auto removed = storage::remove_leftover_temp_files(root); removed > 0) {
        out(fmt::format("removed {} temporary file(s) of interrupted writes\n", removed));
      }
    }
    auto report = storage::check_repository(root);
    std::size_t articles = 0;
    for (auto& p : kb::check_articles(root, articles)) {
      report.problems.push_back(std::move(p));
    }
    for (const auto& p : report.problems) {
      out(p.to_string() + "\n");
    }
    for (const auto& n : report.notes) {
      out("note: " + n.to_string() + "\n");
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
