#include "cli/commands.hpp"

#include <desk/storage/file_io.hpp>
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

void register_merge_driver(CLI::App& app, Globals&)
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
}

} // namespace desk::cli
