#include "cli/commands.hpp"

#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_reindex(CLI::App& app, Globals& g)
{
  CLI::App* reindex = app.add_subcommand(
    "reindex", "Rebuild the ticket index (.desk/cache/tickets.idx) from every ticket file");
  reindex->footer("The index is derived data, never committed, and kept current automatically: every read\n"
                  "compares each ticket file's size and times with the index and parses what changed, and a\n"
                  "missing or damaged index is rebuilt silently. `reindex` is never needed for correctness;\n"
                  "it forces a full rebuild (e.g. to measure it). DESK_INDEX=off makes commands read the\n"
                  "files directly.");
  reindex->callback([&g] {
    const Invocation s = open_invocation(g);
    const auto& store = s.repo.tickets();
    const auto stats = storage::rebuild_index(store, store.index_file());
    if (!stats.written) {
      throw StorageError(fmt::format("could not write {}", store.index_file().string()),
                         "check that .desk/cache/ is writable (commands still work, reading every file)");
    }
    out(fmt::format("indexed {} ticket file(s) into {}\n", stats.files,
                    store.index_file().lexically_relative(s.repo.root()).generic_string()));
  });
}

} // namespace desk::cli
