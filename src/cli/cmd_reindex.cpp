#include "cli/commands.hpp"

#include <desk/kb/search.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_reindex(CLI::App& app, Globals& g)
{
  CLI::App* reindex = app.add_subcommand(
    "reindex", "Rebuild the ticket index (.desk/cache/tickets.idx) from every ticket file, and the knowledge-base "
               "search index (.desk/cache/kb-index)");
  reindex->footer("The index is derived data, never committed, and kept current automatically: every read\n"
                  "compares each ticket file's size and times with the index and parses what changed, and a\n"
                  "missing or damaged index is rebuilt silently. `reindex` is never needed for correctness;\n"
                  "it forces a full rebuild (e.g. to measure it). DESK_INDEX=off makes commands read the\n"
                  "files directly.");
  reindex->callback([&g] {
    const Invocation s = open_invocation(g);
    const auto& store = s.repo.tickets();
    const auto stats = store.rebuild_index();
    if (!stats.written) {
      throw StorageError(fmt::format("could not write {}", store.index_file().string()),
                         "check that .desk/cache/ is writable (commands still work, reading every file)");
    }
    out(fmt::format("indexed {} ticket file(s) into {}\n", stats.files,
                    store.index_file().lexically_relative(s.repo.root()).generic_string()));
    if (std::error_code ec; std::filesystem::is_directory(s.repo.root() / "kb", ec)) {
      const auto kb = kb::load_index(s.repo.root(), true);
      out(fmt::format("indexed {} article(s) into {}\n", kb.size(),
                      kb::index_path(s.repo.root()).lexically_relative(s.repo.root()).generic_string()));
    }
  });
}

} // namespace desk::cli
