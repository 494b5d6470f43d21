#include <desk/kb/article.hpp>

#include <desk/util/error.hpp>
#include <desk/util/names.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace desk::kb {

namespace {

constexpr NameTable<State, 3> k_state_names = {{
  {State::draft, "draft"},
  {State::validated, "validated"},
  {State::archived, "archived"},
}};

constexpr NameTable<Audience, 2> k_audience_names = {{
  {Audience::internal, "internal"},
  {Audience::public_, "public"},
}};

} // namespace

std::string_view to_string(State s)
{
  return name_of(k_state_names, s);
}

std::string_view to_string(Audience a)
{
  return name_of(k_audience_names, a);
}

std::optional<State> parse_state(std::string_view s)
{
  return value_named(k_state_names, s);
}

std::optional<Audience> parse_audience(std::string_view s)
{
  return value_named(k_audience_names, s);
}

std::vector<std::string> state_names()
{
  return names_of(k_state_names);
}

std::vector<std::string> audience_names()
{
  return names_of(k_audience_names);
}

const std::vector<FieldSpec>& article_fields()
{
  // State and audience first: a glance (or grep) at the top says whether it may be used.
  static const std::vector<FieldSpec> k_fields = {
    {"id", FieldKind::text},
    {"title", FieldKind::text},
    {"state", FieldKind::text},
    {"audience", FieldKind::text},
    {"category", FieldKind::text},
    {"affected", FieldKind::list},
    {"tags", FieldKind::list},
    {"author", FieldKind::text},
    {"reviewers", FieldKind::list},
    {"created", FieldKind::timestamp},
    {"updated", FieldKind::timestamp},
    {"reuse_count", FieldKind::number},
    {"tickets", FieldKind::list},
    {"symptoms", FieldKind::multiline},
    {"error", FieldKind::multiline},
    {"cause", FieldKind::multiline},
    {"solution", FieldKind::multiline},
  };
  return k_fields;
}

const FieldSpec* find_article_field(std::string_view name)
{
  return find_spec(article_fields(), name);
}

namespace {

// What every article file must have, besides its events.
constexpr std::array<std::string_view, 4> k_required = {"id", "title", "state", "created"};

const RecordSchema& article_schema()
{
  static const RecordSchema k_schema{article_fields(), "article", "an article"};
  return k_schema;
}

// An article's own rules, past the shape every record has.
void check_article(const Value& doc, const std::string& path)
{
  const Value& state = *doc.find("state"); // required: there
  if (!parse_state(state.str())) {
    fail_at(path, state, fmt::format("unknown article state '{}'", state.str()),
            fmt::format("states are: {}", fmt::join(state_names(), ", ")));
  }
  if (const Value* audience = doc.find("audience"); audience && !audience->empty() &&
                                                   !parse_audience(audience->str())) {
    fail_at(path, *audience, fmt::format("unknown audience '{}'", audience->str()),
            fmt::format("audiences are: {}", fmt::join(audience_names(), ", ")));
  }
  if (const Value* reuse = doc.find("reuse_count"); reuse && !reuse->empty()) {
    const std::string& n = reuse->str();
    if (n.empty() || n.size() > 12 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      fail_at(path, *reuse, fmt::format("'reuse_count' must be a whole number, not '{}'", n));
    }
  }
}

} // namespace

Article::Article() : Record(article_schema()) {}

State Article::state() const
{
  return parse_state(get("state")).value_or(State::draft);
}

Audience Article::audience() const
{
  return parse_audience(get("audience")).value_or(Audience::internal);
}

long Article::reuse_count() const
{
  return std::strtol(get("reuse_count").c_str(), nullptr, 10);
}

Article Article::from_value(const Value& doc, const std::string& path)
{
  Article a;
  a.read(doc, path, k_required, [&path](const Value& d) { check_article(d, path); });
  return a;
}

} // namespace desk::kb
