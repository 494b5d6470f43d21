#pragma once

#include <desk/model/record.hpp>
#include <desk/model/value.hpp>
#include <desk/util/time.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace desk {

// Every known current field of a ticket, in file order (events come last, unknown keys
// before them).
const std::vector<FieldSpec>& ticket_fields();

// The spec of a known ticket field, or nullptr.
const FieldSpec* find_field(std::string_view name);

// A ticket: current fields (a mapping kept in schema order, unknown keys after the known
// ones) and its events (see Record).
class Ticket : public Record {
public:
  Ticket();

  const std::string& id() const { return get("id"); }
  const std::string& status() const { return get("status"); }

  // Build from a file's mapping; throws ParseError at the offending key for a missing
  // required field or a field of the wrong shape. `path` is used in messages.
  static Ticket from_value(const Value& document, const std::string& path);
  // The same, moving the fields and events out of a document given up (no copies).
  static Ticket from_value(Value&& document, const std::string& path);

  // Rebuild a ticket from fields and events taken from another ticket (the index's copy);
  // no checks: they were made when the file was read.
  static Ticket from_parts(Value fields, std::vector<Event> events);

  // Give the fields back (the index reuses their storage for the next ticket it decodes).
  Value take_fields() && { return std::move(m_fields); }

  bool operator==(const Ticket&) const = default;
};

// What a reader can decide much on without the rest of a ticket: the ticket index keeps
// it beside each ticket's records, so filters on status and times refuse a ticket before
// any of it is decoded.
struct TicketBrief {
  std::string_view status;
  std::optional<Timestamp> created; // none when missing or not a time (read as UTC without an offset)
  std::optional<Timestamp> updated;
};

// The brief of a ticket (views into it).
TicketBrief brief_of(const Ticket& ticket);

} // namespace desk
