#pragma once

#include <desk/config/config.hpp>
#include <desk/model/ticket.hpp>
#include <desk/sla/clock.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

// SLA state of one ticket, derived from its fields and events and the config.
namespace desk::sla {

// Where a target stands.
enum class TargetState { ok, at_risk, breached, met, missed };

// One target (respond or resolve).
struct TargetStatus {
  Timestamp due{};
  std::optional<Timestamp> done; // when it was met (responded / resolved)
  std::chrono::seconds used{0};  // working time consumed, pauses excluded
  std::chrono::seconds target{0};
  TargetState state = TargetState::ok;
  // Share of the target used (1.0 = due now).
  double fraction() const;
};

// The ticket's SLA picture at `now`.
struct TicketSla {
  bool applies = false; // false when the priority has no targets
  TargetStatus respond;
  TargetStatus resolve;
  std::vector<Pause> pauses;
  std::chrono::seconds paused{0}; // working time spent paused so far
  bool paused_now = false;
};

// The calendar a priority's targets run on (business or 24x7).
BusinessCalendar calendar_for(const Config& config, const std::string& priority);

// The pauses of a ticket: pending with a reason the config pauses on, and resolved while
// waiting for the user's confirmation (ended by a reopen).
std::vector<Pause> pauses_of(const Ticket& ticket, const Config& config);

// Evaluate the ticket at `now`.
TicketSla evaluate(const Ticket& ticket, const Config& config, Timestamp now);

// Name of a target state ("at_risk").
std::string_view to_string(TargetState s);

} // namespace desk::sla
