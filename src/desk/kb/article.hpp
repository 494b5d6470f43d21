#pragma once

#include <desk/model/record.hpp>
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

// One article: current fields (a mapping in schema order) and its events (see Record).
class Article : public Record {
public:
  Article();

  // The id (KB-...) and the one-line title.
  const std::string& id() const { return get("id"); }
  const std::string& title() const { return get("title"); }

  // The state; the file was checked on load, a made article defaults to draft.
  State state() const;
  // The audience (internal when absent).
  Audience audience() const;
  // How many tickets this article solved.
  long reuse_count() const;

  // Build from a file's mapping; throws ParseError at the offending key for a missing
  // required field (id, title, state, created, events) or a field of the wrong shape.
  static Article from_value(const Value& document, const std::string& path);

  bool operator==(const Article&) const = default;
};

} // namespace desk::kb
