#include "cli/commands.hpp"

#include <desk/storage/doctor.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_doctor(CLI::App& app, Globals& g)
{
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
      const auto renumbered = storage::fix_duplicate_ids(root, s.actor, format_timestamp(s.now, s.zone()));
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
    const auto report = storage::check_repository(root);
    for (const auto& p : report.problems) {
      out(p.to_string() + "\n");
    }
    for (const auto& n : report.notes) {
      out("note: " + n.to_string() + "\n");
    }
    if (report.problems.empty()) {
      out(fmt::format("ok: config and {} ticket(s) checked, no problems\n", report.tickets_checked));
    } else {
      out(fmt::format("{} problem(s) in {} ticket(s) checked\n", report.problems.size(), report.tickets_checked));
      command_exit_code() = static_cast<int>(ExitCode::failure);
    }
  });
}

} // namespace desk::cli
