#pragma once

#include <desk/import/servicenow.hpp>
#include <desk/storage/repository.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

// The three imports as whole operations on a repository: read and check the input, work
// out every ticket, then (only when all of it is good) teach the config the new categories
// and write the tickets. The caller holds the repository lock.
namespace desk::import {

// What an import did (or, with dry_run, would do).
struct ImportReport {
  std::string input;           // the file (or archive:member) read
  std::size_t rows = 0;        // input rows (CSV) or tickets (JSON)
  std::size_t tickets = 0;
  std::size_t created = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
  std::size_t events = 0;
  std::size_t kept_local = 0;  // tickets whose desk-recorded events were kept
  std::vector<std::string> added_categories;
  std::vector<std::string> added_pending_reasons;
  std::vector<std::filesystem::path> written; // ticket files and the config, when changed
};

// `desk import servicenow FILE`: a ServiceNow incident event log (.csv, or the .zip as shipped).
ImportReport import_servicenow(const storage::Repository& repo, const std::filesystem::path& file,
                               const ServiceNowOptions& options, bool dry_run);

// `desk import csv FILE --map MAPPING`: a one-row-per-ticket export read through a mapping.
ImportReport import_mapped_csv(const storage::Repository& repo, const std::filesystem::path& file,
                               const std::filesystem::path& mapping, const std::string& timezone, bool dry_run);

// `desk import json FILE`: a `desk export` document; tickets keep their ids and are written
// exactly as exported (an existing ticket with the same id is replaced).
ImportReport import_export_json(const storage::Repository& repo, const std::filesystem::path& file, bool dry_run);

} // namespace desk::import
