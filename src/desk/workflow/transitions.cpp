#include <desk/workflow/transitions.hpp>

#include <desk/util/error.hpp>
#include <desk/util/names.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace desk::workflow {

namespace {

using enum Status;

constexpr NameTable<Action, 18> k_action_names = {{
  {Action::open, "open"},
  {Action::triage, "triage"},
  {Action::assign, "assign"},
  {Action::escalate, "escalate"},
  {Action::start, "start"},
  {Action::log, "log"},
  {Action::pending, "pending"},
  {Action::resume, "resume"},
  {Action::resolve, "resolve"},
  {Action::confirm, "confirm"},
  {Action::reopen, "reopen"},
  {Action::close, "close"},
  {Action::cancel, "cancel"},
  {Action::notice, "notice"},
  {Action::edit, "edit"},
  {Action::reply, "reply"},
  {Action::message, "message"},
  {Action::notified, "notified"},
}};

} // namespace

const std::vector<Transition>& transitions()
{
  // new → triaged → assigned → in_progress ⇄ pending; escalated reassigns to another tier
  // or a vendor; in_progress → resolved → confirmed → closed; resolved → reopened (the
  // user rejects) → back to diagnosis; every working status → resolved (a first-line quick
  // fix, a tier-2 engineer fixing an escalation, a pending ticket the user reports fixed);
  // any open status → cancelled. `triage` on a ticket already in work reclassifies it
  // without moving it back.
  static const std::vector<Transition> k_table = {
    {Action::open, {}, new_, false},
    {Action::triage, {new_, triaged, reopened}, triaged, true},
    {Action::triage, {assigned, in_progress, pending, escalated}, std::nullopt, true},
    {Action::assign, {triaged, reopened, assigned, escalated, in_progress}, assigned, true},
    {Action::escalate, {assigned, in_progress, pending, escalated}, escalated, true},
    {Action::start, {assigned, escalated, reopened}, in_progress, true},
    {Action::log, {new_, triaged, assigned, in_progress, pending, escalated, reopened, resolved}, std::nullopt, true},
    {Action::pending, {assigned, in_progress, escalated}, pending, true},
    {Action::resume, {pending}, in_progress, true},
    {Action::resolve, {new_, triaged, assigned, in_progress, pending, escalated, reopened}, resolved, true},
    {Action::confirm, {resolved}, confirmed, false},
    {Action::reopen, {resolved}, reopened, false},
    {Action::close, {confirmed, resolved}, closed, false},
    {Action::cancel, {new_, triaged, assigned, in_progress, pending, escalated, reopened}, cancelled, false},
    {Action::notice, {new_, triaged, assigned, in_progress, pending, escalated, reopened}, std::nullopt, false},
    {Action::edit, {new_, triaged, assigned, in_progress, pending, escalated, resolved, reopened, confirmed}, std::nullopt, false},
    {Action::reply, {new_, triaged, assigned, in_progress, pending, escalated, resolved, reopened, confirmed}, std::nullopt, true},
    {Action::message, {new_, triaged, assigned, in_progress, pending, escalated, resolved, reopened, confirmed}, std::nullopt, false},
    {Action::notified, {new_, triaged, assigned, in_progress, pending, escalated, resolved, reopened, confirmed, closed, cancelled}, std::nullopt, false},
  };
  return k_table;
}

std::string_view to_string(Action a)
{
  return name_of(k_action_names, a);
}

std::optional<Action> parse_action(std::string_view s)
{
  return value_named(k_action_names, s);
}

const Transition& transition_for(Action action)
{
  for (const auto& t : transitions()) {
    if (t.action == action) {
      return t;
    }
  }
  throw Error(fmt::format("no transition for action {}", to_string(action)));
}

const Transition* find_transition(Status from, Action action)
{
  for (const auto& t : transitions()) {
    if (t.action == action && std::find(t.from.begin(), t.from.end(), from) != t.from.end()) {
      return &t;
    }
  }
  return nullptr;
}

std::vector<Action> allowed_actions(Status from)
{
  std::vector<Action> out;
  for (const auto& t : transitions()) {
    if (t.action != Action::notified && std::find(t.from.begin(), t.from.end(), from) != t.from.end() &&
        std::find(out.begin(), out.end(), t.action) == out.end()) {
      out.push_back(t.action);
    }
  }
  return out;
}

Status check_transition(std::string_view ticket_id, Status from, Action action)
{
  if (const Transition* row = find_transition(from, action)) {
    return row->to.value_or(from);
  }
  std::vector<std::string_view> allowed;
  for (Action a : allowed_actions(from)) {
    if (a != Action::notice) { // recorded by `desk sla --notify`, not a step people take
      allowed.push_back(to_string(a));
    }
  }
  throw InvalidTransitionError(
    fmt::format("cannot {} {}: it is {}", to_string(action), ticket_id, to_string(from)),
    allowed.empty() ? std::string("nothing more can be done with it")
                    : fmt::format("allowed from {}: {}", to_string(from), fmt::join(allowed, ", ")));
}

} // namespace desk::workflow
