#include "cli/commands.hpp"

#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

namespace {

struct InitArgs {
  std::string dir = ".";
  std::string timezone;
  bool force = false;
};

} // namespace

void register_init(CLI::App& app, Globals& g)
{
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = app.add_subcommand("init", "Create a ticket repository (.desk/config.yaml, .gitattributes)");
  cmd->add_option("dir", args->dir, "Folder to create it in (default: the current folder)")->type_name("DIR");
  cmd->add_option("--timezone", args->timezone, "Time zone of the desk, e.g. Asia/Shanghai (default: the system's)")
    ->type_name("ZONE");
  cmd->add_flag("--force", args->force, "Rewrite the config of an existing repository with the defaults");
  cmd->callback([args, &g] {
    std::string dir = args->dir;
    if (!g.dir.empty() && dir == ".") {
      dir = g.dir;
    }
    const auto result = storage::Repository::init(dir, {args->timezone, args->force});
    out(fmt::format("{} desk repository in {}\n", result.reinitialised ? "Reinitialised" : "Initialised",
                    result.root.string()));
  });
}

} // namespace desk::cli
