#include <desk/sla/ticket_sla.hpp>

#include <desk/util/time.hpp>

#include <algorithm>

namespace desk::sla {

double TargetStatus::fraction() const
{
  if (target.count() <= 0) {
    return 0.0;
  }
  return static_cast<double>(used.count()) / static_cast<double>(target.count());
}

BusinessCalendar calendar_for(const Config& config, const std::string& priority)
{
  const auto it = config.sla_targets.find(priority);
  if (it != config.sla_targets.end() && !it->second.business) {
    return BusinessCalendar::always(config.timezone);
  }
  CalendarSpec spec = config.calendar;
  spec.timezone = config.timezone;
  return BusinessCalendar(spec);
}

std::vector<Pause> pauses_of(const Ticket& ticket, const Config& config)
{
  std::vector<Pause> out;
  bool in_pause = false;
  Timestamp pause_begin{};
  for (const auto& e : ticket.events()) {
    const Value* status = e.set.find("status");
    if (!status) {
      continue;
    }
    const auto at = parse_timestamp(e.at, nullptr);
    if (!at) {
      continue;
    }
    bool pausing = false;
    if (status->str() == "pending") {
      const Value* reason = e.set.find("pending_reason");
      const std::string r = reason ? reason->str() : std::string();
      pausing = std::find(config.pause_reasons.begin(), config.pause_reasons.end(), r) != config.pause_reasons.end();
    } else if (status->str() == "resolved") {
      pausing = true; // waiting for the user's confirmation
    }
    if (pausing && !in_pause) {
      in_pause = true;
      pause_begin = *at;
    } else if (!pausing && in_pause) {
      if (*at > pause_begin) {
        out.push_back({pause_begin, *at});
      }
      in_pause = false;
    }
  }
  if (in_pause) {
    out.push_back({pause_begin, std::nullopt});
  }
  return out;
}

namespace {

TargetStatus evaluate_target(const BusinessCalendar& cal, Timestamp start, std::chrono::minutes target,
                             std::optional<Timestamp> done, const std::vector<Pause>& pauses, Timestamp now,
                             double warning)
{
  TargetStatus t;
  t.target = target;
  t.done = done;
  const Timestamp until = done ? *done : now;
  t.due = due_time(cal, start, target, pauses, until);
  t.used = consumed(cal, start, until, pauses);
  if (done) {
    t.state = *done <= t.due ? TargetState::met : TargetState::missed;
  } else if (now > t.due) {
    t.state = TargetState::breached;
  } else if (t.fraction() >= warning) {
    t.state = TargetState::at_risk;
  } else {
    t.state = TargetState::ok;
  }
  return t;
}

std::optional<Timestamp> field_time(const Ticket& ticket, std::string_view name)
{
  const std::string& s = ticket.get(name);
  return s.empty() ? std::nullopt : parse_timestamp(s, nullptr);
}

} // namespace

TicketSla evaluate(const Ticket& ticket, const Config& config, Timestamp now)
{
  TicketSla out;
  const std::string& priority = ticket.get("priority");
  const auto target = config.sla_targets.find(priority);
  const auto created = field_time(ticket, "created");
  if (target == config.sla_targets.end() || !created) {
    return out;
  }
  out.applies = true;
  const BusinessCalendar cal = calendar_for(config, priority);
  out.pauses = pauses_of(ticket, config);
  out.paused_now = !out.pauses.empty() && !out.pauses.back().end;
  // The respond clock is never paused: a first response is owed even while waiting.
  out.respond = evaluate_target(cal, *created, target->second.respond, field_time(ticket, "responded_at"), {}, now,
                                config.sla_warning);
  std::optional<Timestamp> resolved = field_time(ticket, "resolved_at");
  // A resolved ticket's pause (awaiting confirmation) is not part of its resolve time.
  out.resolve = evaluate_target(cal, *created, target->second.resolve, resolved, out.pauses, now, config.sla_warning);
  out.paused = paused(cal, *created, resolved ? *resolved : now, out.pauses);
  return out;
}

std::string_view to_string(TargetState s)
{
  switch (s) {
  case TargetState::ok:
    return "ok";
  case TargetState::at_risk:
    return "at_risk";
  case TargetState::breached:
    return "breached";
  case TargetState::met:
    return "met";
  case TargetState::missed:
    return "missed";
  }
  return "?";
}

} // namespace desk::sla
