#include <desk/import/history.hpp>

#include <desk/import/importer.hpp>
#include <desk/sla/ticket_sla.hpp>
#include <desk/workflow/operations.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

namespace desk::import {

HistoryBuilder::HistoryBuilder(Ticket& ticket, const Config& config, const TimeZone* zone, std::string source,
                               std::string seed)
  : m_ticket(ticket), m_config(config), m_zone(zone), m_source(std::move(source)), m_seed(std::move(seed))
{
}

std::string HistoryBuilder::format(Timestamp t) const
{
  return format_timestamp(t, m_zone);
}

void HistoryBuilder::add_step(workflow::Action action, Timestamp at, const std::string& by, Value set)
{
  const auto& to = workflow::transition_for(action).to;
  add(workflow::to_string(action), at, by, std::move(set), to ? workflow::to_string(*to) : std::string_view(), "", "");
}

void HistoryBuilder::add(std::string_view action, Timestamp at, const std::string& by, Value set,
                         std::string_view status, const std::string& note, std::string_view origin)
{
  Event e;
  // Stable ids: the n-th event of a ticket from the same input always gets the same id.
  for (int salt = 0;; ++salt) {
    e.id = "E-" + stable_token(fmt::format("{}/{}/{}", m_seed, m_count, salt), 8);
    if (m_ids.insert(e.id).second) {
      break;
    }
  }
  ++m_count;
  if (at < m_last) {
    at = m_last;
  }
  m_last = at;
  if (at != m_format_cache_time || m_format_cache.empty()) {
    m_format_cache = format(at);
    m_format_cache_time = at;
  }
  e.at = m_format_cache;
  e.by = by;
  e.action = std::string(action);

  // What workflow::record adds to every event.
  if (!status.empty() && status != m_ticket.status()) {
    set.set("status", Value::text(std::string(status)));
  }
  const bool may_move_due = set.find("status") != nullptr || set.find("priority") != nullptr;
  if (const auto parsed = workflow::parse_action(action)) {
    workflow::add_implied_fields(m_ticket, *parsed, e.at, set);
  }
  e.set = std::move(set);
  e.note = note;
  e.extra = Value::map();
  e.extra.set(k_source_key, Value::text(origin.empty() ? m_source : fmt::format("{}/{}", m_source, origin)));
  m_ticket.apply(std::move(e));

  // Due times move only with the priority or a pause that starts or ends (a status change).
  if (may_move_due) {
    const sla::TicketSla s = sla::evaluate(m_ticket, m_config, at);
    if (s.applies) {
      Event& last = m_ticket.events().back();
      const std::string respond = format(s.respond.due);
      const std::string resolve = format(s.resolve.due);
      if (m_ticket.get("respond_due") != respond) {
        last.set.set("respond_due", Value::text(respond));
        m_ticket.set("respond_due", respond);
      }
      if (m_ticket.get("resolve_due") != resolve && !s.paused_now) {
        last.set.set("resolve_due", Value::text(resolve));
        m_ticket.set("resolve_due", resolve);
      }
    }
  }
  m_ticket.set("updated", m_ticket.events().back().at);
}

} // namespace desk::import
