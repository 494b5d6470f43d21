#include "cli/commands.hpp"

#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

namespace {

struct InitArgs {
  std::string dir = ".";
  std::string timezone;
  bool force = false;
  bool git_hooks = false;
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
  cmd->add_flag("--git-hooks", args->git_hooks,
                "In an existing clone: only register desk's merge driver in the clone's git config");
  cmd->callback([args, &g] {
    std::string dir = args->dir;
    if (!g.dir.empty() && dir == ".") {
      dir = g.dir;
    }
    const auto result =
      storage::Repository::init(dir, {args->timezone, args->force, args->git_hooks, self_path()});
    if (args->git_hooks) {
      out(fmt::format("Registered desk's merge driver for {}\n", result.root.string()));
      return;
    }
    out(fmt::format("{} desk repository in {}{}\n", result.reinitialised ? "Reinitialised" : "Initialised",
                    result.root.string(),
                    result.in_git ? " (git: autocommit on, merge driver registered)" : ""));
  });
}

} // namespace desk::cli
