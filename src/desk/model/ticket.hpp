#pragma once

#include <desk/model/value.hpp>
#include <desk/util/time.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace desk {

// How a ticket field is stored and shown.
enum class FieldKind { text, multiline, list, number, timestamp };

// One current field of a ticket, in the fixed order of the file.
struct FieldSpec {
  std::string_view name;
  FieldKind kind;
};

// Every known current field, in file order (events come last, unknown keys before them).
const std::vector<FieldSpec>& ticket_fields();

// The spec of a known field, or nullptr.
const FieldSpec* find_field(std::string_view name);

// One entry of the append-only history.
struct Event {
  std::string id;     // unique within the ticket, random (see make_event_id)
  std::string at;     // ISO 8601 with offset
  std::string by;     // actor
  std::string action; // open, triage, assign, ...
  Value set;          // mapping: the current fields this event set
  std::string note;   // optional free text
  Value extra = Value::map(); // mapping: unknown keys, kept as they are

  bool operator==(const Event&) const = default;
};

// A ticket: current fields (a mapping kept in schema order, unknown keys after the known
// ones) and its events.
class Ticket {
public:
  // The current fields, without `events`.
  const Value& fields() const { return m_fields; }

  // A scalar field's text, "" when absent.
  const std::string& get(std::string_view name) const;

  // A list field's items (a scalar is a one-item list), empty when absent.
  std::vector<std::string> get_list(std::string_view name) const;

  // A whole field value; nullptr when absent.
  const Value* find(std::string_view name) const { return m_fields.find(name); }

  // Set a field, placing a known field at its schema position; an empty value removes it.
  void set(std::string_view name, Value value);
  void set(std::string_view name, const std::string& text);
  void set(std::string_view name, const char* text) { set(name, std::string(text)); }

  // Remove a field.
  void erase(std::string_view name) { m_fields.erase(name); }

  const std::string& id() const { return get("id"); }
  const std::string& status() const { return get("status"); }

  std::vector<Event>& events() { return m_events; }
  const std::vector<Event>& events() const { return m_events; }

  // Append an event and apply its `set` fields to the current fields.
  void apply(Event event);

  // The whole ticket as a mapping (fields, then `events`), the shape of the file.
  Value to_value() const;

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

private:
  template <class Doc> // Value or const Value
  static Ticket from_document(Doc& document, const std::string& path);

  Value m_fields = Value::map();
  std::vector<Event> m_events;
};

// The mapping form of one event, in its fixed key order.
Value event_to_value(const Event& event);

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
