#include "cli/commands.hpp"

#include <desk/storage/file_io.hpp>
#include <desk/storage/merge.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

namespace {

struct MergeArgs {
  std::string base;
  std::string ours;
  std::string theirs;
  std::string path;
};

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
      // git gives temporary copies (an empty base when the file was added on both sides);
      // each is read as a desk file: a folder, a FIFO or an over-size side is refused.
      try {
        const std::string merged = storage::merge_documents(
          storage::read_text_file(a->base), storage::read_text_file(a->ours), storage::read_text_file(a->theirs), path);
        storage::write_file_atomic(a->ours, merged);
      } catch (const storage::DifferentDocuments& e) {
        storage::write_file_atomic(a->ours, e.kept()); // git records the conflict
        throw;
      }
    });
  }
}

} // namespace desk::cli
