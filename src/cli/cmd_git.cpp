#include "cli/commands.hpp"

#include <desk/storage/file_io.hpp>
#include <desk/storage/git.hpp>
#include <desk/storage/merge.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <fstream>
#include <iterator>

namespace desk::cli {

namespace {

struct MergeArgs {
  std::string base;
  std::string ours;
  std::string theirs;
  std::string path;
};

// The driver reads raw files: git gives it temporary copies, an empty base when the file
// was added on both sides.
std::string read_all(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw NotFoundError(fmt::format("cannot read {}", path));
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

void register_git(CLI::App& app, Globals& g)
{
  {
    auto a = std::make_shared<MergeArgs>();
    CLI::App* cmd = app.add_subcommand(
      "merge-driver", "git merge driver for ticket and article files (registered by `desk init`; git runs it)");
    cmd->add_option("base", a->base, "%O: the common ancestor")->required();
    cmd->add_option("ours", a->ours, "%A: our version; the result is written here")->required();
    cmd->add_option("theirs", a->theirs, "%B: their version")->required();
    cmd->add_option("path", a->path, "%P: the file's path in the repository");
    cmd->callback([a] {
      const std::string path = a->path.empty() ? a->ours : a->path;
      const std::string merged =
        storage::merge_documents(read_all(a->base), read_all(a->ours), read_all(a->theirs), path);
      storage::write_file_atomic(a->ours, merged);
    });
  }
  {
    CLI::App* cmd = app.add_subcommand(
      "sync", "Share work through git: fetch, merge (desk's driver resolves ticket files), push");
    cmd->callback([&g] {
      const Session s = open_session(g);
      const auto top = s.repo.git_top();
      if (!top) {
        throw NotFoundError(fmt::format("{} is not in a git work tree", s.repo.root().string()),
                            "put the ticket repository under git (git init, git remote add) to share it");
      }
      const auto lock = s.repo.lock();
      storage::git::register_merge_driver(*top, self_path()); // a fresh clone may lack it
      const auto r = storage::git::sync(*top);
      auto is_ticket = [](const std::string& p) { return p.ends_with(".yaml") && p.find("tickets/") != std::string::npos; };
      std::size_t new_tickets = 0;
      std::size_t changed_tickets = 0;
      for (const auto& p : r.new_files) {
        if (is_ticket(p)) {
          ++new_tickets;
          out(fmt::format("  new      {}\n", p));
        }
      }
      for (const auto& p : r.changed_files) {
        if (is_ticket(p)) {
          ++changed_tickets;
          out(fmt::format("  changed  {}\n", p));
        }
      }
      out(fmt::format("Synced with {} ({}): {} new ticket(s), {} changed ticket(s){}; pushed\n", r.remote, r.branch,
                      new_tickets, changed_tickets, r.up_to_date ? ", nothing came in" : ""));
    });
  }
}

} // namespace desk::cli
