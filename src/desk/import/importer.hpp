#pragma once

#include <desk/model/ticket.hpp>
#include <desk/storage/repository.hpp>

#include <desk/config/config.hpp>
#include <desk/util/time.hpp>

#include <cstddef>
#include <optional>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// Writing the tickets an import produced into a repository: stable ids, re-imports that
// update instead of duplicating, local work kept, fast batch writes.
namespace desk::import {

// `n` Crockford base32 characters derived from `key` (the same key gives the same text).
std::string stable_token(std::string_view key, std::size_t n);

// The event `source` key imports write: "servicenow/12" is the update with sys_mod_count
// 12 of a ServiceNow log; "jira" an event made from a row of a Jira export.
inline constexpr std::string_view k_source_key = "source";

// True when `event` was written by the import named `source` (its `source` is `source` or
// starts with `source/`).
bool is_imported_event(const Event& event, std::string_view source);

// What the import is and how its tickets are identified.
struct ImportSpec {
  std::string source;                  // "servicenow", "jira", ...: event `source`, id derivation
  std::set<std::string> managed_fields; // fields the import writes; others on an existing ticket are kept
  bool keyed_by_id = false;            // JSON: tickets carry their own ids (no external_id matching)
  unsigned threads = 0;                // 0: one per core (at most 4)
  const Config* config = nullptr;      // when set, every ticket must pass storage::check_ticket
  std::optional<Timestamp> now;        // with `config`: no ticket may be created after it
};

// One ticket to import: its key and its type prefix (for a new id).
struct ImportKey {
  std::string key;    // external id (or the ticket id when keyed_by_id)
  std::string prefix; // id prefix of the ticket's type (INC)
};

// Builds the ticket of item `index` with the given id; throws ParseError for bad input.
// Called from several threads at once.
using BuildTicket = std::function<Ticket(std::size_t index, const std::string& id)>;

// What happens to one ticket file.
enum class ImportAction { create, update, unchanged };

// One ticket file the import will write (or leave as it is).
struct PlannedFile {
  std::filesystem::path path;
  std::string id;
  std::string text; // empty when unchanged
  ImportAction action = ImportAction::unchanged;
  std::size_t events = 0;
};

// Everything the import will do, worked out before anything is written.
struct ImportPlan {
  std::vector<PlannedFile> files;
  std::size_t created = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
  std::size_t events = 0;       // events of the imported tickets
  std::size_t kept_local = 0;   // tickets where events recorded in desk were kept
};

// Build every ticket (in parallel), match them to the repository's tickets (by external id,
// or by id for `keyed_by_id`) and decide what to write. Nothing is written. Throws the
// ParseError of the earliest bad input line when a build fails.
ImportPlan plan_import(const storage::Repository& repo, const ImportSpec& spec, const std::vector<ImportKey>& keys,
                       const BuildTicket& build);

// Write the plan's new and changed files (temp + rename, one sync at the end). Call under
// the repository lock. Returns the paths written.
std::vector<std::filesystem::path> write_plan(const storage::Repository& repo, ImportPlan& plan);

// Merge a freshly imported ticket with the one already in the repository: the imported
// fields and events replace the old imported ones; fields the import does not manage and
// events recorded in desk (not from `source`) are kept, the events re-applied in order.
Ticket merge_imported(const Ticket& existing, Ticket imported, const ImportSpec& spec);

// The external ids of the repository's tickets → their files (read without a full parse).
struct ExistingTicket {
  std::string id;
  std::filesystem::path path;
};
std::vector<std::pair<std::string, ExistingTicket>> scan_external_ids(const storage::TicketStore& store);

} // namespace desk::import
