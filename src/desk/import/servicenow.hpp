#pragma once

#include <desk/config/config.hpp>
#include <desk/import/csv.hpp>
#include <desk/model/ticket.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// ServiceNow incident event logs (one row per update of an incident, as exported from the
// incident_metric / audit tables, e.g. the UCI "Incident management process enriched event
// log"): the mapping tables onto desk's scales and the reconstruction of each incident's
// history as desk events.
namespace desk::import {

// One line of a mapping table: a ServiceNow label and the desk value it becomes.
struct LabelMapping {
  std::string_view label;
  std::string_view value;
};

// incident_state → desk status (empty: no status change) and pending reason.
struct StateMapping {
  std::string_view state;
  std::string_view status;
  std::string_view pending_reason;
};

// The documented tables (share/doc/import.md, "ServiceNow event logs").
const std::vector<StateMapping>& servicenow_states();
const std::vector<LabelMapping>& servicenow_impacts();
const std::vector<LabelMapping>& servicenow_urgencies();
const std::vector<LabelMapping>& servicenow_priorities();
const std::vector<LabelMapping>& servicenow_channels();

// The source name of ServiceNow imports (event `source: servicenow/<sys_mod_count>`).
inline constexpr std::string_view k_servicenow_source = "servicenow";

// Every field a ServiceNow import writes (the others of an existing ticket are kept).
const std::vector<std::string>& servicenow_managed_fields();

// Options of a ServiceNow import.
struct ServiceNowOptions {
  std::string timezone; // zone of the log's times; empty: the repository's
  std::size_t limit = 0; // only the first N incidents in file order; 0: all
};

// A ServiceNow event log read and checked, grouped by incident.
class ServiceNowLog {
public:
  // Group the rows by `number` and order each incident's rows by `sys_mod_count`. Checks
  // the header (required columns) and every cell the import reads (states, impact, urgency
  // and priority labels, dates, counts) and throws ParseError at the first bad cell, so a
  // bad file is refused before anything is written. Throws UsageError when the config lacks
  // a value the mapping tables lead to.
  ServiceNowLog(CsvTable table, const Config& config, const ServiceNowOptions& options);

  // Number of incidents (after --limit).
  std::size_t incidents() const { return m_incidents.size(); }

  // Number of rows of those incidents.
  std::size_t rows() const { return m_rows; }

  // The incident number (the ticket's external_id) of incident `i`.
  std::string number(std::size_t i) const;

  // The desk ticket of incident `i` with id `id`, its events rebuilt from the rows.
  // Thread-safe.
  Ticket build(std::size_t i, const std::string& id) const;

  // Categories the tickets use, in order of first use (for the config).
  const std::vector<std::string>& categories() const { return m_categories; }

  // Pending reasons the tickets use (for the config).
  const std::vector<std::string>& pending_reasons() const { return m_pending_reasons; }

  // The id prefix of the tickets' type.
  const std::string& prefix() const { return m_prefix; }

private:
  // The columns the import reads; npos when absent from the file.
  struct Columns {
    std::size_t number, state, reassignment_count, reopen_count, mod_count, made_sla, caller, opened_by, opened_at,
      created_by, created_at, updated_by, updated_at, contact_type, location, category, subcategory, symptom,
      cmdb_ci, impact, urgency, priority, group, assigned_to, knowledge, priority_confirmation, notify, problem,
      rfc, vendor, caused_by, closed_code, resolved_by, resolved_at, closed_at;
  };

  std::string_view value(std::size_t row, std::size_t column) const;
  Timestamp time_at(std::size_t row, std::size_t column) const;
  void check_rows();

  CsvTable m_table;
  const Config& m_config;
  const TimeZone* m_zone_in = nullptr;
  const TimeZone* m_zone_out = nullptr;
  Columns m_col{};
  std::string m_type;
  std::string m_prefix;
  std::vector<std::vector<std::uint32_t>> m_incidents; // row indexes, in history order
  std::size_t m_rows = 0;
  std::size_t m_limit = 0;
  std::vector<std::string> m_categories;
  std::vector<std::string> m_pending_reasons;
};

// Parse a ServiceNow time, `D/M/YYYY HH:MM[:SS]` or `YYYY-MM-DD HH:MM[:SS]`, local to
// `zone`; nullopt when it is neither.
std::optional<Timestamp> parse_servicenow_time(std::string_view text, const TimeZone* zone);

} // namespace desk::import
