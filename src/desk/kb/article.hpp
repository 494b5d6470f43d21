#pragma once

#include <desk/model/ticket.hpp>
#include <desk/model/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A knowledge-base article: the same shape and care as a ticket file (fixed key order,
// exact round trip, unknown keys kept, append-only events), with its own field schema.
namespace desk::kb {

// The knowledge-centred lifecycle of an article.
enum class State { draft, validated, archived };

// Who may read an article: engineers only, or users too (the self-service site).
enum class Audience { internal, public_ };

// State name as written in files ("validated").
std::string_view to_string(State s);
// Audience name as written in files ("public").
std::string_view to_string(Audience a);
// Parse a state name; nullopt when unknown.
std::optional<State> parse_state(std::string_view s);
// Parse an audience name; nullopt when unknown.
std::optional<Audience> parse_audience(std::string_view s);
// Every state name, in lifecycle order.
std::vector<std::string> state_names();
// Every audience name.
std::vector<std::string> audience_names();

// Every known field of an article, in file order (unknown keys follow, `events` last).
const std::vector<FieldSpec>& article_fields();

// The spec of a known article field, or nullptr.
const FieldSpec* find_article_field(std::string_view name);

// One article: current fields (a mapping in schema order) and its events.
class Article {
public:
  // The current fields, without `events`.
  const Value& fields() const { return m_fields; }

  // A scalar field's text, "" when absent.
  const std::string& get(std::string_view name) const;

  // A list field's items, empty when absent.
  std::vector<std::string> get_list(std::string_view name) const;

  // A whole field value; nullptr when absent.
  const Value* find(std::string_view name) const { return m_fields.find(name); }

  // Set a field at its schema position; an empty value removes it.
  void set(std::string_view name, Value value);
  void set(std::string_view name, const std::string& text);
  void set(std::string_view name, const char* text) { set(name, std::string(text)); }

  // The id (KB-...) and the one-line title.
  const std::string& id() const { return get("id"); }
  const std::string& title() const { return get("title"); }

  // The state; the file was checked on load, a made article defaults to draft.
  State state() const;
  // The audience (internal when absent).
  Audience audience() const;
  // How many tickets this article solved.
  long reuse_count() const;

  // The append-only history, oldest first.
  std::vector<Event>& events() { return m_events; }
  const std::vector<Event>& events() const { return m_events; }

  // Append an event and apply its `set` fields to the current fields.
  void apply(Event event);

  // The whole article as a mapping (fields, then `events`), the shape of the file.
  Value to_value() const;

  // Build from a file's mapping; throws ParseError at the offending key for a missing
  // required field (id, title, state, created, events) or a field of the wrong shape.
  static Article from_value(const Value& document, const std::string& path);

  bool operator==(const Article&) const = default;

private:
  Value m_fields = Value::map();
  std::vector<Event> m_events;
};

} // namespace desk::kb
