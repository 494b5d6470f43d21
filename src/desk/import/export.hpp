#pragma once

#include <desk/model/ticket.hpp>
#include <desk/query/query.hpp>
#include <desk/storage/ticket_store.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// `desk export` and `desk import json`: every ticket with its events in one document.
//
// JSON (the round-trip format):
//   {"format": "desk-export", "version": 1, "tickets": [
//   {"id": "INC-...", "type": "incident", ..., "events": [{"id": "E-...", "at": ..., ...}]},
//   ...
//   ]}
// one ticket per line, each in the shape of `desk show --format json` (fields in file order,
// plain integers as numbers, everything else as strings, nested mappings as objects), so
// `desk import json` writes back the same ticket files byte for byte.
//
// CSV (for spreadsheets): one row per ticket; a column per known field in file order (lists
// joined with "; "), then `extra` (the other keys as a JSON object) and `events` (the
// events as a JSON array).
namespace desk::import {

// The `format` of an export document and its version.
inline constexpr std::string_view k_export_format = "desk-export";
inline constexpr int k_export_version = 1;

// Output shapes of `desk export`.
enum class ExportFormat { json, csv };

// Counts of one export.
struct ExportStats {
  std::size_t tickets = 0;
  std::size_t events = 0;
  std::size_t skipped = 0; // files that could not be read (reported to `on_problem`)
};

// Write every ticket of `store` that `filter` accepts, in path order, to `sink` piece by
// piece (tickets are read in parallel, a batch at a time, so memory stays small). Files
// that cannot be read go to `on_problem` and are left out.
ExportStats export_tickets(const storage::TicketStore& store, const query::Filter& filter, ExportFormat format,
                           const std::function<void(std::string_view)>& sink,
                           const std::function<void(const storage::LoadProblem&)>& on_problem);

// Deepest nesting of objects and arrays an import reads (a ticket needs 4).
inline constexpr int k_max_json_depth = 64;

// A JSON value as a desk Value: integers become plain scalars, booleans plain true/false,
// strings text, arrays sequences, objects mappings (in order). Throws ParseError when
// nested deeper than k_max_json_depth.
Value json_to_value(const nlohmann::ordered_json& json);

// An export document (or a bare JSON array of tickets with events), split into tickets
// without building them all at once.
class ExportDocument {
public:
  // Check the JSON syntax (ParseError at line:column) and the envelope (format, version).
  ExportDocument(std::string text, std::string path);

  // Number of tickets.
  std::size_t size() const { return m_tickets.size(); }

  // The id of ticket `i` ("" when it has none: build() then reports it).
  const std::string& id(std::size_t i) const { return m_ids[i]; }

  // Ticket `i`, checked like a ticket file; ParseError at the ticket's line:column naming
  // it (tickets[i], its id) when it is not a valid ticket. Thread-safe.
  Ticket build(std::size_t i) const;

private:
  std::string m_text;
  std::string m_path;
  std::vector<std::pair<std::size_t, std::size_t>> m_tickets; // byte ranges
  std::vector<std::string> m_ids;
};

} // namespace desk::import
