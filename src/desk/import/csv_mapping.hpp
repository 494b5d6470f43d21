#pragma once

#include <desk/config/config.hpp>
#include <desk/import/csv.hpp>
#include <desk/model/ticket.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// Importing one-row-per-ticket CSV exports of other tools (Jira, Zendesk, osTicket, ...)
// through a mapping file that names the column of each desk field, the value maps, the
// date format and the time zone. Examples: share/import/*.yaml.
namespace desk::import {

// How one desk field is read from the file.
struct FieldRule {
  std::string field;                       // desk field name
  std::vector<std::string> columns;        // source column names (repeated names: every such column)
  std::string constant;                    // `value:` instead of a column
  std::vector<std::pair<std::string, std::string>> map; // source value → desk value
  std::optional<std::string> fallback;     // `default:` for empty or unmapped cells
  std::string split;                       // list fields: split each cell on this text
  int line = 0;                            // where the rule is in the mapping file
  int column = 0;
};

// A mapping file (YAML).
struct CsvMapping {
  std::string path;
  std::string source = "csv";       // names the import: event `source`, the key of kept columns
  char delimiter = ',';
  std::string date_format = "iso";  // strptime-style (%d/%b/%y %I:%M %p) or "iso"
  std::string timezone;             // zone of times without an offset; empty: the repository's
  std::string external_id;          // column that identifies a ticket across re-imports
  std::vector<FieldRule> fields;
  std::vector<std::pair<std::string, std::string>> keep; // column → key under `<source>:`

  // Read and check a mapping file; ParseError (path:line:column) for anything wrong in it.
  static CsvMapping load(const std::filesystem::path& path);

  // Parse mapping text (`path` for messages).
  static CsvMapping parse(std::string_view text, const std::string& path);

  // The rule for a desk field, or nullptr.
  const FieldRule* rule(std::string_view field) const;
};

// The desk fields a mapping may fill.
const std::vector<std::string>& mappable_fields();

// A CSV export read through a mapping, checked row by row.
class MappedCsv {
public:
  // Check the header (every mapped column exists) and every row (values the maps and the
  // config allow, times in the date format, a unique non-empty external id); throws
  // ParseError at the first bad cell, so nothing is written for a bad file.
  MappedCsv(CsvTable table, CsvMapping mapping, const Config& config, std::string timezone_override = {});

  // Number of tickets (rows).
  std::size_t size() const { return m_table.rows(); }

  // External id of row `i`.
  std::string external_id(std::size_t i) const;

  // Id prefix of row `i`'s type.
  std::string prefix(std::size_t i) const;

  // The ticket of row `i` with id `id`. Thread-safe.
  Ticket build(std::size_t i, const std::string& id) const;

  // Categories the tickets use, in order of first use (for the config).
  const std::vector<std::string>& categories() const { return m_categories; }

  // Pending reasons the tickets use.
  const std::vector<std::string>& pending_reasons() const { return m_pending_reasons; }

  // Fields the import writes (the others of an existing ticket are kept).
  std::vector<std::string> managed_fields() const;

  const CsvMapping& mapping() const { return m_mapping; }

private:
  // The desk value of `rule` in row `i`; the column index it came from in `where`.
  std::string scalar(const FieldRule& rule, std::size_t row, std::size_t& where) const;
  std::vector<std::string> list(const FieldRule& rule, std::size_t row) const;
  std::optional<Timestamp> time(std::string_view field, std::size_t row) const;
  std::string text_of(std::string_view field, std::size_t row) const;

  CsvTable m_table;
  CsvMapping m_mapping;
  const Config& m_config;
  const TimeZone* m_zone_in = nullptr;
  const TimeZone* m_zone_out = nullptr;
  std::map<std::string, std::vector<std::size_t>> m_columns; // rule column name → indexes
  std::size_t m_external_id = 0;
  std::vector<std::string> m_categories;
  std::vector<std::string> m_pending_reasons;
};

// Parse `text` with a strptime-style format (%Y %y %m %d %e %H %I %M %S %p %b %B %z %%,
// other characters literally) or "iso"; times without %z are local to `zone`.
std::optional<Timestamp> parse_with_format(std::string_view text, std::string_view format, const TimeZone* zone);

} // namespace desk::import
