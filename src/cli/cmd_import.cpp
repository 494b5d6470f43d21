#include "cli/commands.hpp"
#include "cli/share_files.hpp"

#include <desk/import/import.hpp>
#include <desk/query/query.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::cli {

namespace {

struct ImportArgs {
  std::string file;
  std::string map;
  std::string timezone;
  std::size_t limit = 0;
  bool dry_run = false;
  bool quiet = false;
};

void print_report(const import::ImportReport& r, std::string_view what, bool dry_run)
{
  std::string text = fmt::format("{} {} {} from {} ({} {}): {} created, {} updated, {} unchanged; {} events\n",
                                 dry_run ? "would import" : "imported", r.tickets, r.tickets == 1 ? "ticket" : "tickets",
                                 r.input, r.rows, what, r.created, r.updated, r.unchanged, r.events);
  if (r.kept_local > 0) {
    text += fmt::format("kept the events recorded in desk on {} ticket(s)\n", r.kept_local);
  }
  if (!r.added_categories.empty()) {
    text += fmt::format("{} {} categor{} to .desk/config.yaml\n", dry_run ? "would add" : "added",
                        r.added_categories.size(), r.added_categories.size() == 1 ? "y" : "ies");
  }
  if (!r.added_pending_reasons.empty()) {
    text += fmt::format("{} pending reason(s) {} to .desk/config.yaml\n", dry_run ? "would add" : "added",
                        fmt::join(r.added_pending_reasons, ", "));
  }
  out(text);
}

// Import under the lock, commit (when autocommit is on), report.
void run_import(const Globals& g, const ImportArgs& a, std::string_view what,
                const std::function<import::ImportReport(const storage::Repository&)>& work)
{
  const Invocation s = open_invocation(g);
  const import::ImportReport report = ops::run_import(s.repo, s.call(), what, a.dry_run, work);
  if (!a.quiet) {
    print_report(report, what == "json" ? "tickets" : "rows", a.dry_run);
  }
}

} // namespace

void register_import(CLI::App& app, Globals& g)
{
  CLI::App* cmd = app.add_subcommand(
    "import", "Import tickets: a ServiceNow event log, a CSV export through a mapping, or a desk export");
  cmd->require_subcommand(1);
  cmd->footer("Re-running an import updates the tickets it made (matched by external_id; `json` by id) and never "
              "duplicates one; an interrupted import resumes. Bad input is refused before anything is written "
              "(exit 5, FILE:LINE:COLUMN).");

  auto a = std::make_shared<ImportArgs>();
  auto common = [&](CLI::App* sub) {
    sub->add_option("FILE", a->file, "The file to import (.csv, .json, or a .zip holding one)")->required();
    sub->add_flag("--dry-run", a->dry_run, "Check the input and report what would change; write nothing");
    sub->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  };

  CLI::App* sn = cmd->add_subcommand("servicenow", "Import a ServiceNow incident event log (one row per update)");
  common(sn);
  sn->add_option("--timezone", a->timezone, "Zone of the log's times (default: the repository's)")->type_name("ZONE");
  sn->add_option("--limit", a->limit, "Import only the first N incidents (for trials)")->type_name("N");
  sn->callback([a, &g] {
    run_import(g, *a, "servicenow", [&](const storage::Repository& repo) {
      import::ServiceNowOptions options;
      options.timezone = a->timezone;
      options.limit = a->limit;
      return import::import_servicenow(repo, a->file, options, a->dry_run);
    });
  });

  CLI::App* csv = cmd->add_subcommand("csv", "Import a one-row-per-ticket CSV export through a mapping file");
  common(csv);
  csv->add_option("--map", a->map, "The mapping (YAML): columns, value maps, date format; jira or zendesk for a shipped one")
    ->type_name("MAPPING")
    ->required();
  csv->add_option("--timezone", a->timezone, "Zone of times without an offset (default: the mapping's, else the "
                                             "repository's)")
    ->type_name("ZONE");
  csv->callback([a, &g] {
    run_import(g, *a, "csv", [&](const storage::Repository& repo) {
      return import::import_mapped_csv(repo, a->file, mapping_path(a->map), a->timezone, a->dry_run);
    });
  });

  CLI::App* json = cmd->add_subcommand("json", "Import a `desk export` JSON document (tickets keep their ids)");
  common(json);
  json->callback([a, &g] {
    run_import(g, *a, "json", [&](const storage::Repository& repo) { return import::import_export_json(repo, a->file, a->dry_run); });
  });
}

} // namespace desk::cli
