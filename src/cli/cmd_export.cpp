#include "cli/commands.hpp"

#include <desk/import/export.hpp>
#include <desk/query/query.hpp>
#include <desk/storage/file_io.hpp>

#include <fmt/format.h>

namespace desk::cli {

void register_export(CLI::App& app, Globals& g)
{
  struct ExportArgs : FilterArgs {
    std::string format = "json";
    std::string output;
  };
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Export every ticket with its events (JSON for `desk import json`, or CSV)");
  add_filter_options(cmd, *a, query::Scope::all);
  cmd->add_option("--format", a->format, "json (the round-trip format) or csv (one row per ticket)")
    ->check(CLI::IsMember({"json", "csv"}))
    ->capture_default_str();
  cmd->add_option("-o,--output", a->output, k_output_help)->type_name("FILE");
  cmd->footer(k_csv_guard_help);
  cmd->callback([a, &g] {
    const Invocation s = open_invocation(g);
    const query::Filter f = make_filter(s, *a);
    const auto format = a->format == "csv" ? import::ExportFormat::csv : import::ExportFormat::json;
    std::string buffer;
    const bool to_file = !a->output.empty();
    auto sink = [&](std::string_view piece) {
      if (to_file) {
        buffer.append(piece);
      } else {
        out(piece);
      }
    };
    const auto stats = import::export_tickets(s.repo.tickets(), f, format, sink, [](const storage::LoadProblem& p) {
      warn(fmt::format("skipped {}", p.message));
    });
    if (to_file) {
      storage::write_output_file(a->output, buffer);
      out(fmt::format("exported {} tickets ({} events) to {}\n", stats.tickets, stats.events, a->output));
    }
  });
}

} // namespace desk::cli
