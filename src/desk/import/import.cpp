#include <desk/import/import.hpp>

#include <desk/import/config_update.hpp>
#include <desk/import/csv.hpp>
#include <desk/import/csv_mapping.hpp>
#include <desk/import/export.hpp>
#include <desk/import/importer.hpp>
#include <desk/import/source.hpp>
#include <desk/model/id.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <set>

namespace fs = std::filesystem;

namespace desk::import {

namespace {

std::vector<std::string> not_in(const std::vector<std::string>& values, const std::vector<std::string>& known)
{
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (std::find(known.begin(), known.end(), v) == known.end()) {
      out.push_back(v);
    }
  }
  return out;
}

// Plan, then (unless dry_run) extend the config and write the tickets.
void finish(const storage::Repository& repo, const ImportSpec& spec, const std::vector<ImportKey>& keys,
            const BuildTicket& build, const std::vector<std::string>& categories,
            const std::vector<std::string>& pending_reasons, bool dry_run, ImportReport& report,
            const std::function<void()>& after_build = {})
{
  ImportSpec checked = spec;
  checked.config = &repo.config();
  checked.now = now();
  ImportPlan plan = plan_import(repo, checked, keys, build);
  if (after_build) {
    after_build();
  }
  report.tickets = keys.size();
  report.created = plan.created;
  report.updated = plan.updated;
  report.unchanged = plan.unchanged;
  report.events = plan.events;
  report.kept_local = plan.kept_local;
  const Config& c = repo.config();
  report.added_categories = not_in(categories, c.categories);
  report.added_pending_reasons = not_in(pending_reasons, c.pending_reasons);
  if (dry_run) {
    return;
  }
  // The config first: a ticket must never name a category the config does not know.
  std::vector<ConfigAddition> additions;
  if (!report.added_categories.empty()) {
    additions.push_back({"categories", c.categories, report.added_categories});
  }
  if (!report.added_pending_reasons.empty()) {
    additions.push_back({"pending_reasons", c.pending_reasons, report.added_pending_reasons});
  }
  if (!additions.empty()) {
    const std::string path = repo.config_path().string();
    const std::string updated = add_to_config_lists(storage::read_text_file(repo.config_path()), additions, path);
    storage::check_file_size(repo.config_path(), updated.size());
    storage::write_file_atomic(repo.config_path(), updated, repo.root());
    report.written.push_back(repo.config_path());
  }
  for (auto& p : write_plan(repo, plan)) {
    report.written.push_back(std::move(p));
  }
}

} // namespace

ImportReport import_servicenow(const storage::Repository& repo, const fs::path& file, const ServiceNowOptions& options,
                               bool dry_run)
{
  ImportReport report;
  InputText input = read_input(file, {".csv"});
  report.input = input.name;
  ServiceNowLog log(CsvTable::parse(std::move(input.text), input.name), repo.config(), options);
  report.rows = log.rows();
  std::vector<ImportKey> keys;
  keys.reserve(log.incidents());
  for (std::size_t i = 0; i < log.incidents(); ++i) {
    keys.push_back({log.number(i), log.prefix()});
  }
  ImportSpec spec;
  spec.source = std::string(k_servicenow_source);
  const auto& managed = servicenow_managed_fields();
  spec.managed_fields = std::set<std::string>(managed.begin(), managed.end());
  finish(repo, spec, keys, [&](std::size_t i, const std::string& id) { return log.build(i, id); }, log.categories(),
         log.pending_reasons(), dry_run, report);
  return report;
}

ImportReport import_mapped_csv(const storage::Repository& repo, const fs::path& file, const fs::path& mapping_path,
                               const std::string& timezone, bool dry_run)
{
  ImportReport report;
  CsvMapping mapping = CsvMapping::load(mapping_path);
  InputText input = read_input(file, {".csv", ".tsv", ".txt"});
  report.input = input.name;
  CsvOptions options;
  options.delimiter = mapping.delimiter;
  MappedCsv csv(CsvTable::parse(std::move(input.text), input.name, options), std::move(mapping), repo.config(),
                timezone);
  report.rows = csv.size();
  std::vector<ImportKey> keys;
  keys.reserve(csv.size());
  for (std::size_t i = 0; i < csv.size(); ++i) {
    keys.push_back({csv.external_id(i), csv.prefix(i)});
  }
  ImportSpec spec;
  spec.source = csv.mapping().source;
  for (auto& f : csv.managed_fields()) {
    spec.managed_fields.insert(std::move(f));
  }
  for (const auto& reason : not_in(csv.pending_reasons(), repo.config().pending_reasons)) {
    throw UsageError(fmt::format("pending reason '{}' is not in the config", reason),
                     "map it onto one of the config's pending_reasons");
  }
  finish(repo, spec, keys, [&](std::size_t i, const std::string& id) { return csv.build(i, id); }, csv.categories(),
         {}, dry_run, report);
  return report;
}

ImportReport import_export_json(const storage::Repository& repo, const fs::path& file, bool dry_run)
{
  ImportReport report;
  InputText input = read_input(file, {".json"});
  report.input = input.name;
  const ExportDocument doc(std::move(input.text), input.name);
  report.rows = doc.size();
  std::vector<ImportKey> keys;
  keys.reserve(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (doc.id(i).empty()) {
      doc.build(i); // reports the missing id at the ticket's place
    }
    keys.push_back({doc.id(i), ""});
  }
  ImportSpec spec;
  spec.source = "json";
  spec.keyed_by_id = true;
  std::mutex mutex;
  std::set<std::string> categories;
  std::set<std::string> reasons;
  std::vector<std::string> category_list;
  std::vector<std::string> reason_list;
  finish(
    repo, spec, keys,
    [&](std::size_t i, const std::string& id) {
      Ticket t = doc.build(i);
      // The id and the creation time name the file: they must be what desk writes.
      if (!ids::is_ticket_id(t.id()) || !repo.config().find_type_by_prefix(t.id().substr(0, t.id().find('-')))) {
        throw UsageError(fmt::format("tickets[{}]: '{}' is not a ticket id with a configured prefix", i, t.id()));
      }
      if (t.id() != id || !parse_timestamp(t.get("created"), nullptr)) {
        throw UsageError(fmt::format("tickets[{}] ({}): 'created' is not a time: '{}'", i, id, t.get("created")));
      }
      const std::lock_guard lock(mutex);
      if (!t.get("category").empty()) {
        categories.insert(t.get("category"));
      }
      if (!t.get("pending_reason").empty()) {
        reasons.insert(t.get("pending_reason"));
      }
      return t;
    },
    category_list, reason_list, dry_run, report,
    [&] {
      category_list.assign(categories.begin(), categories.end());
      reason_list.assign(reasons.begin(), reasons.end());
    });
  return report;
}

} // namespace desk::import
