#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The state model of a ticket: every status, every action, and the one table that says
// which action is allowed from which status and where it leads.
namespace desk::workflow {

// Ticket statuses as written in files.
enum class Status {
  new_,
  triaged,
  assigned,
  in_progress,
  pending,
  escalated,
  resolved,
  reopened,
  confirmed,
  closed,
  cancelled,
};

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

// Status name as written in files ("in_progress").
std::string_view to_string(Status s);
// Action name as written in events ("escalate").
std::string_view to_string(Action a);

// Parse a status name; nullopt when unknown.
std::optional<Status> parse_status(std::string_view s);
// Parse an action name; nullopt when unknown.
std::optional<Action> parse_action(std::string_view s);

// Every status name, in workflow order.
std::vector<std::string> status_names();

// True for statuses in which support still owes work (not resolved/confirmed/closed/cancelled).
// Not to be confused with "open" as `list --open` says it: not final (see is_final).
bool is_unresolved(Status s);
// The same for a status name; false for a name that is no status.
bool is_unresolved_status(std::string_view name);
// True for closed and cancelled.
bool is_final(Status s);

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
