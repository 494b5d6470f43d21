#pragma once

#include <desk/config/config.hpp>
#include <desk/model/ticket.hpp>
#include <desk/util/time.hpp>
#include <desk/workflow/transitions.hpp>

#include <set>
#include <string>
#include <string_view>

// Rebuilding a ticket's history from another tool's records, event by event, in the shape
// desk's own commands write: the same actions, the same `set` fields, the response time,
// the SLA due times and `updated` kept in step as workflow::record keeps them.
namespace desk::import {

// Appends imported events to one ticket.
class HistoryBuilder {
public:
  // `ticket` must already hold its id and `created`. `source` names the import (the
  // events' `source` key); `seed` makes the event ids (the same seed, the same ids).
  HistoryBuilder(Ticket& ticket, const Config& config, const TimeZone* zone, std::string source,
                 std::string seed);

  // Record one event: `action` (open, triage, assign, start, pending, resume, resolve,
  // reopen, close, cancel, log, ...) at `at` by `by`, with the fields it sets, then the new
  // `status` when it differs (as workflow::record appends it) — the status the other tool
  // recorded, which may move where desk's own steps would not. Leaving `pending` clears
  // pending_reason; the first action that counts as a response sets responded_at; the due
  // times are refreshed; `updated` follows. `origin` is appended to the source
  // ("servicenow/12") when not empty. Times earlier than the previous event are clamped.
  void add(std::string_view action, Timestamp at, const std::string& by, Value set, std::string_view status,
           const std::string& note, std::string_view origin);

  // Record one of desk's own steps: as add, with the status the transition table leads
  // `action` to (none for an action that keeps the status).
  void add_step(workflow::Action action, Timestamp at, const std::string& by, Value set = Value::map());

  // Time of the last event (the clamp for out-of-order records).
  Timestamp last_time() const { return m_last; }

  // Format a time as the ticket stores it (the repository's zone).
  std::string format(Timestamp t) const;

private:
  Ticket& m_ticket;
  const Config& m_config;
  const TimeZone* m_zone;
  std::string m_source;
  std::string m_seed;
  std::set<std::string> m_ids;
  std::size_t m_count = 0;
  Timestamp m_last{};
  Timestamp m_format_cache_time{};
  std::string m_format_cache;
};

} // namespace desk::import
