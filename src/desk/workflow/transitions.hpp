#pragma once

#include <desk/model/status.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The state model of a ticket: every status, every action, and the one table that says
// which action is allowed from which status and where it leads.
namespace desk::workflow {

// The statuses are the model's (model/status.hpp); the workflow says how they follow.
using desk::is_final;
using desk::is_unresolved;
using desk::is_unresolved_status;
using desk::parse_status;
using desk::Status;
using desk::status_names;
using desk::to_string;


// Actions that change or annotate a ticket; each records one event.
enum class Action {
  open,
  triage,
  assign,
  escalate,
  start,
  log,
  pending,
  resume,
  resolve,
  confirm,
  reopen,
  close,
  cancel,
  notice, // an SLA warning or breach was announced (hooks ran); no status change
  edit,   // intake fields corrected (title, description, reporter, ...); no status change
  reply,   // support writes to the requester (public); no status change
  message, // the requester writes (mail, portal); no status change by itself
  notified, // a mail notice went to the requester or staff (or was held back); no status change
};

// One row of the transition table.
struct Transition {
  Action action;
  std::vector<Status> from;
  std::optional<Status> to; // nullopt: the status stays as it is
  bool counts_as_response;  // the first such action is the SLA "response"
};

// The transition table (the only place the workflow's rules live).
const std::vector<Transition>& transitions();

// Action name as written in events ("escalate").
std::string_view to_string(Action a);

// Parse an action name; nullopt when unknown.
std::optional<Action> parse_action(std::string_view s);


// The row that allows `action` from `from`, or nullptr.
const Transition* find_transition(Status from, Action action);

// The first row for `action`.
const Transition& transition_for(Action action);

// The status after `action` from `from`; throws InvalidTransitionError naming the
// current status and the actions allowed from it when the table has no such step.
Status check_transition(std::string_view ticket_id, Status from, Action action);

// Actions allowed from `from`, in table order (without `notified`, which desk mail send
// records in every status and nobody takes as a step).
std::vector<Action> allowed_actions(Status from);

} // namespace desk::workflow
