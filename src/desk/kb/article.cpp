#include <desk/kb/article.hpp>

#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace desk::kb {

std::string_view to_string(State s)
{
  switch (s) {
  case State::draft:
    return "draft";
  case State::validated:
    return "validated";
  case State::archived:
    return "archived";
  }
  return "draft";
}

std::string_view to_string(Audience a)
{
  return a == Audience::public_ ? "public" : "internal";
}

std::optional<State> parse_state(std::string_view s)
{
  for (State st : {State::draft, State::validated, State::archived}) {
    if (to_string(st) == s) {
      return st;
    }
  }
  return std::nullopt;
}

std::optional<Audience> parse_audience(std::string_view s)
{
  for (Audience a : {Audience::internal, Audience::public_}) {
    if (to_string(a) == s) {
      return a;
    }
  }
  return std::nullopt;
}

std::vector<std::string> state_names()
{
  return {"draft", "validated", "archived"};
}

std::vector<std::string> audience_names()
{
  return {"internal", "public"};
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
  for (const auto& f : article_fields()) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

namespace {

std::size_t field_rank(std::string_view name)
{
  const auto& fields = article_fields();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) {
      return i;
    }
  }
  return fields.size();
}

const std::set<std::string_view>& event_keys()
{
  static const std::set<std::string_view> k_keys = {"id", "at", "by", "action", "set", "note"};
  return k_keys;
}

[[noreturn]] void fail_at(const std::string& path, const Value& where, const std::string& message,
                          const std::string& hint = {})
{
  throw ParseError(path, where.line, where.column, message, hint);
}

std::string required_scalar(const Value& map, std::string_view key, const std::string& path,
                            const std::string& what)
{
  const Value* v = map.find(key);
  if (!v || v->empty()) {
    fail_at(path, map, fmt::format("{} has no '{}'", what, key), fmt::format("add '{}: ...'", key));
  }
  if (!v->is_scalar()) {
    fail_at(path, *v, fmt::format("'{}' must be a single value", key));
  }
  return v->scalar;
}

} // namespace

const std::string& Article::get(std::string_view name) const
{
  const Value* v = m_fields.find(name);
  static const std::string k_empty;
  return v ? v->str() : k_empty;
}

std::vector<std::string> Article::get_list(std::string_view name) const
{
  const Value* v = m_fields.find(name);
  return v ? v->strings() : std::vector<std::string>{};
}

void Article::set(std::string_view name, Value value)
{
  if (value.empty()) {
    m_fields.erase(name);
    return;
  }
  if (Value* existing = m_fields.find(name)) {
    *existing = std::move(value);
    return;
  }
  const std::size_t rank = field_rank(name);
  auto& entries = m_fields.entries;
  auto pos = entries.end();
  if (rank < article_fields().size()) {
    pos = std::find_if(entries.begin(), entries.end(),
                       [&](const auto& kv) { return field_rank(kv.first) > rank; });
  }
  entries.emplace(pos, std::string(name), std::move(value));
}

void Article::set(std::string_view name, const std::string& text)
{
  const FieldSpec* spec = find_article_field(name);
  if (spec && spec->kind == FieldKind::number && !text.empty()) {
    Value v = Value::text(text);
    v.plain = true;
    set(name, std::move(v));
    return;
  }
  set(name, Value::text(text));
}

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

void Article::apply(Event event)
{
  for (const auto& [key, value] : event.set.entries) {
    set(key, value);
  }
  m_events.push_back(std::move(event));
}

Value Article::to_value() const
{
  Value doc = m_fields;
  Value events;
  events.kind = Value::Kind::sequence;
  for (const auto& e : m_events) {
    events.items.push_back(event_to_value(e));
  }
  doc.entries.emplace_back("events", std::move(events));
  return doc;
}

Article Article::from_value(const Value& doc, const std::string& path)
{
  if (doc.is_null()) {
    throw ParseError(path, 0, 0, "the file is empty", "restore it from git (git checkout -- FILE)");
  }
  if (!doc.is_mapping()) {
    fail_at(path, doc, "an article file must be a mapping of fields (key: value)");
  }
  Article a;
  const Value* events = nullptr;
  for (const auto& [key, value] : doc.entries) {
    if (key == "events") {
      events = &value;
      continue;
    }
    if (const FieldSpec* spec = find_article_field(key)) {
      const bool list = spec->kind == FieldKind::list;
      if (list && !(value.is_sequence() || value.is_null())) {
        fail_at(path, value, fmt::format("'{}' must be a list (one '- item' per line)", key));
      }
      if (list) {
        for (const auto& item : value.items) {
          if (!item.is_scalar()) {
            fail_at(path, item, fmt::format("'{}' items must be single values", key));
          }
        }
      }
      if (!list && !(value.is_scalar() || value.is_null())) {
        fail_at(path, value, fmt::format("'{}' must be a single value", key));
      }
    }
    if (!value.is_null()) {
      a.set(key, value);
    }
  }
  required_scalar(doc, "id", path, "the article");
  required_scalar(doc, "title", path, "the article");
  const std::string state = required_scalar(doc, "state", path, "the article");
  required_scalar(doc, "created", path, "the article");
  if (!parse_state(state)) {
    fail_at(path, *doc.find("state"), fmt::format("unknown article state '{}'", state),
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
  if (!events || events->is_null()) {
    fail_at(path, doc, "the article has no 'events'", "every article keeps its history under 'events:'");
  }
  if (!events->is_sequence()) {
    fail_at(path, *events, "'events' must be a list of events");
  }
  std::set<std::string> ids;
  for (const auto& item : events->items) {
    if (!item.is_mapping()) {
      fail_at(path, item, "an event must be a mapping (id, at, by, action, ...)");
    }
    Event e;
    e.id = required_scalar(item, "id", path, "an event");
    e.at = required_scalar(item, "at", path, "an event");
    e.by = required_scalar(item, "by", path, "an event");
    e.action = required_scalar(item, "action", path, "an event");
    if (!ids.insert(e.id).second) {
      fail_at(path, item, fmt::format("duplicate event id '{}'", e.id));
    }
    if (const Value* set = item.find("set"); set && !set->is_null()) {
      if (!set->is_mapping()) {
        fail_at(path, *set, "an event's 'set' must be a mapping of fields");
      }
      e.set = *set;
    }
    if (const Value* note = item.find("note"); note && !note->is_null()) {
      if (!note->is_scalar()) {
        fail_at(path, *note, "an event's 'note' must be text");
      }
      e.note = note->scalar;
    }
    e.extra = Value::map();
    for (const auto& [k, x] : item.entries) {
      if (!event_keys().contains(k)) {
        e.extra.entries.emplace_back(k, x);
      }
    }
    a.m_events.push_back(std::move(e));
  }
  return a;
}

} // namespace desk::kb
