#pragma once

#include <desk/model/ticket.hpp>
#include <desk/util/time.hpp>

#include <optional>
#include <string>
#include <vector>

// Selecting and ordering tickets for `list` and friends.
namespace desk::query {

// Which tickets by life stage: open (not final: neither closed nor cancelled), closed
// (closed or cancelled), all.
enum class Scope { open, closed, all };

// A filter: every non-empty condition must hold; a list condition matches any of its values.
struct Filter {
  Scope scope = Scope::open;
  std::vector<std::string> status;
  std::vector<std::string> type;
  std::vector<std::string> priority;
  std::vector<std::string> category;
  std::vector<std::string> channel;
  std::vector<std::string> reporter;
  std::vector<std::string> department;
  std::vector<std::string> team;
  std::vector<std::string> assignee;
  std::optional<Timestamp> created_since; // inclusive
  std::optional<Timestamp> created_until; // exclusive

  // True when `ticket` passes every condition.
  bool matches(const Ticket& ticket) const;
  // True when a ticket with this brief can pass (the scope, status and creation-time
  // conditions, which are all that a brief decides; `matches` checks them the same way).
  bool matches_brief(const TicketBrief& brief) const;
};

// One sort key: a field name, descending when `descending`.
struct SortKey {
  std::string field;
  bool descending = false;
};

// Parse "priority,-created" into keys; throws UsageError for unknown fields.
std::vector<SortKey> parse_sort(std::string_view spec);

// Sort in place (stable; ties by id). Priorities sort P1 < P2; times chronologically;
// numbers numerically; text by code point.
void sort_tickets(std::vector<Ticket>& tickets, const std::vector<SortKey>& keys);

// Names of the fields `list` can show, sort and filter by.
const std::vector<std::string>& sortable_fields();

} // namespace desk::query
