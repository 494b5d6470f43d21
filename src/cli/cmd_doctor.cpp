#include "cli/commands.hpp"

#include <desk/storage/doctor.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_doctor(CLI::App& app, Globals& g)
{
  CLI::App* cmd = app.add_subcommand(
    "doctor", "Check the config and every ticket file; exit 1 when anything is wrong");
  cmd->callback([&g] {
    std::optional<std::filesystem::path> dir;
    if (!g.dir.empty()) {
      dir = g.dir;
    }
    const auto root = storage::Repository::find_root(dir);
    const auto report = storage::check_repository(root);
    for (const auto& p : report.problems) {
      out(p.to_string() + "\n");
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
