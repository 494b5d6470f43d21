#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The statuses a ticket can be in, as written in files. Which action leads from which
// status to which is the workflow's table (workflow/transitions.hpp).
namespace desk {

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

// Status name as written in files ("in_progress").
std::string_view to_string(Status s);

// Parse a status name; nullopt when unknown.
std::optional<Status> parse_status(std::string_view s);

// Every status name, in workflow order.
std::vector<std::string> status_names();

// True for statuses in which support still owes work (not resolved/confirmed/closed/cancelled).
// Not to be confused with "open" as `list --open` says it: not final (see is_final).
bool is_unresolved(Status s);
// The same for a status name; false for a name that is no status.
bool is_unresolved_status(std::string_view name);
// True for closed and cancelled.
bool is_final(Status s);

} // namespace desk
