#pragma once

#include <desk/model/value.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// What a ticket and a knowledge-base article share: a file of current fields, kept in the
// fixed order of a schema with unknown keys after the known ones, and an append-only
// history under `events`. The rules of that shape (field order, how a file is checked
// and read, how an event is written) live here once; Ticket and kb::Article add their
// schema and their own rules.
namespace desk {

// How a field is stored and shown.
enum class FieldKind { text, multiline, list, number, timestamp };

// One known current field, in the fixed order of the file.
struct FieldSpec {
  std::string_view name;
  FieldKind kind;
};

// One entry of the append-only history.
struct Event {
  std::string id;     // unique within the record, random (see make_event_id)
  std::string at;     // ISO 8601 with offset
  std::string by;     // actor
  std::string action; // open, triage, assign, ...
  Value set;          // mapping: the current fields this event set
  std::string note;   // optional free text
  Value extra = Value::map(); // mapping: unknown keys, kept as they are

  bool operator==(const Event&) const = default;
};

// A new event with a fresh random id (make_event_id): what every step, the knowledge
// base's lifecycle and `doctor --fix` record.
Event new_event(std::string action, std::string at, std::string by, Value set = Value::map(), std::string note = {},
                Value extra = Value::map());

// The mapping form of one event, in its fixed key order.
Value event_to_value(const Event& event);

// One kind of record file.
struct RecordSchema {
  const std::vector<FieldSpec>& fields; // every known field, in file order
  std::string_view noun;                // "ticket", in messages ("the ticket has no ...")
  std::string_view a_noun;              // "a ticket" ("a ticket file must be ...")
};

// The spec of a known field of `fields`, or nullptr.
const FieldSpec* find_spec(const std::vector<FieldSpec>& fields, std::string_view name);

// Throw the ParseError of a record file at `where` (its line and column).
[[noreturn]] void fail_at(const std::string& path, const Value& where, const std::string& message,
                          const std::string& hint = {});

// The scalar `key` of the mapping `map`; throws ParseError when it is missing, empty or not
// a single value (`what` names the mapping in the message: "the ticket", "an event").
std::string required_scalar(const Value& map, std::string_view key, const std::string& path,
                            const std::string& what);

// Current fields and events, in the shape of its schema.
class Record {
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
  // The same with text; a number field's text is written plain.
  void set(std::string_view name, const std::string& text);
  void set(std::string_view name, const char* text) { set(name, std::string(text)); }

  // Remove a field.
  void erase(std::string_view name) { m_fields.erase(name); }

  // The append-only history, oldest first.
  std::vector<Event>& events() { return m_events; }
  const std::vector<Event>& events() const { return m_events; }

  // Append an event and apply its `set` fields to the current fields.
  void apply(Event event);

  // The whole record as a mapping (fields, then `events`), the shape of the file.
  Value to_value() const;

  // Throws ParseError (at its `id`) unless this is the record its file is named after:
  // `name` is the file name without ".yaml", `hint` says what to do about a mismatch.
  void require_named(std::string_view name, const std::string& path, const std::string& hint) const;

  bool operator==(const Record& other) const { return m_fields == other.m_fields && m_events == other.m_events; }

protected:
  explicit Record(const RecordSchema& schema) : m_schema(&schema) {}

  // Read a file's mapping into this (empty) record: every known field of the right shape,
  // the `required` fields present, then `check` (the kind's own rules, may be empty),
  // then the events. Throws ParseError at the offending key; nothing is moved out of
  // `document` before everything is checked. Doc is Value (moved from) or const Value.
  template <class Doc>
  void read(Doc& document, const std::string& path, std::span<const std::string_view> required,
            const std::function<void(const Value&)>& check);

  const RecordSchema* m_schema;
  Value m_fields = Value::map();
  std::vector<Event> m_events;
};

} // namespace desk
