#include <desk/model/ticket.hpp>

#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <type_traits>

namespace desk {

const std::vector<FieldSpec>& ticket_fields()
{
  // Status and priority first so `grep status:` and a glance at the top tell the state.
  static const std::vector<FieldSpec> k_fields = {
    {"id", FieldKind::text},
    {"type", FieldKind::text},
    {"status", FieldKind::text},
    {"pending_reason", FieldKind::text},
    {"priority", FieldKind::text},
    {"priority_reason", FieldKind::text},
    {"impact", FieldKind::text},
    {"urgency", FieldKind::text},
    {"title", FieldKind::text},
    {"category", FieldKind::text},
    {"channel", FieldKind::text},
    {"reporter", FieldKind::text},
    {"department", FieldKind::text},
    {"contact", FieldKind::text},
    {"affected", FieldKind::list},
    {"team", FieldKind::text},
    {"assignee", FieldKind::text},
    {"lead_team", FieldKind::text},
    {"collaborators", FieldKind::list},
    {"tier", FieldKind::number},
    {"vendor", FieldKind::text},
    {"created", FieldKind::timestamp},
    {"updated", FieldKind::timestamp},
    {"occurred_at", FieldKind::timestamp},
    {"responded_at", FieldKind::timestamp},
    {"respond_due", FieldKind::timestamp},
    {"resolve_due", FieldKind::timestamp},
    {"resolved_at", FieldKind::timestamp},
    {"confirmed_at", FieldKind::timestamp},
    {"closed_at", FieldKind::timestamp},
    {"reopen_count", FieldKind::number},
    {"rating", FieldKind::number},
    {"dedup_key", FieldKind::text},
    {"external_id", FieldKind::text},
    {"kb", FieldKind::list},
    {"attachments", FieldKind::list},
    {"description", FieldKind::multiline},
    {"steps", FieldKind::multiline},
    {"error", FieldKind::multiline},
    {"cause", FieldKind::multiline},
    {"solution", FieldKind::multiline},
    {"verification", FieldKind::multiline},
    {"verified_by", FieldKind::text},
  };
  return k_fields;
}

const FieldSpec* find_field(std::string_view name)
{
  for (const auto& f : ticket_fields()) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

namespace {

// Position of a known field in the schema; unknown keys sort after all known ones.
std::size_t field_rank(std::string_view name)
{
  const auto& fields = ticket_fields();
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

const std::string& Ticket::get(std::string_view name) const
{
  const Value* v = m_fields.find(name);
  static const std::string k_empty;
  return v ? v->str() : k_empty;
}

std::vector<std::string> Ticket::get_list(std::string_view name) const
{
  const Value* v = m_fields.find(name);
  return v ? v->strings() : std::vector<std::string>{};
}

void Ticket::set(std::string_view name, Value value)
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
  if (rank < ticket_fields().size()) {
    pos = std::find_if(entries.begin(), entries.end(),
                       [&](const auto& kv) { return field_rank(kv.first) > rank; });
  }
  entries.emplace(pos, std::string(name), std::move(value));
}

void Ticket::set(std::string_view name, const std::string& text)
{
  const FieldSpec* spec = find_field(name);
  if (spec && spec->kind == FieldKind::number && !text.empty()) {
    Value v = Value::text(text);
    v.plain = true;
    set(name, std::move(v));
    return;
  }
  set(name, Value::text(text));
}

void Ticket::apply(Event event)
{
  for (const auto& [key, value] : event.set.entries) {
    set(key, value);
  }
  m_events.push_back(std::move(event));
}

Value event_to_value(const Event& e)
{
  Value v = Value::map();
  v.set("id", Value::text(e.id));
  v.set("at", Value::text(e.at));
  v.set("by", Value::text(e.by));
  v.set("action", Value::text(e.action));
  if (!e.set.empty()) {
    v.set("set", e.set);
  }
  if (!e.note.empty()) {
    v.set("note", Value::text(e.note));
  }
  for (const auto& [k, x] : e.extra.entries) {
    v.set(k, x);
  }
  return v;
}

Value Ticket::to_value() const
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

Ticket Ticket::from_parts(Value fields, std::vector<Event> events)
{
  Ticket t;
  t.m_fields = std::move(fields);
  t.m_events = std::move(events);
  return t;
}

namespace {

// A copy of a const document's value, the value itself moved out of one given up.
template <class V>
std::remove_const_t<V> take_value(V& v)
{
  if constexpr (std::is_const_v<V>) {
    return v;
  } else {
    return std::move(v);
  }
}

} // namespace

// from_value for a document to copy from (const) or to move out of: everything is checked
// before anything is moved, so the errors and their order are the same either way.
template <class Doc>
Ticket Ticket::from_document(Doc& doc, const std::string& path)
{
  if (doc.is_null()) {
    throw ParseError(path, 0, 0, "the file is empty", "restore it from git (git checkout -- FILE)");
  }
  if (!doc.is_mapping()) {
    fail_at(path, doc, "a ticket file must be a mapping of fields (key: value)");
  }
  Doc* events = nullptr;
  for (auto& [key, value] : doc.entries) {
    if (key == "events") {
      events = &value;
      continue;
    }
    const FieldSpec* spec = find_field(key);
    if (spec) {
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
  }
  required_scalar(doc, "id", path, "the ticket");
  required_scalar(doc, "type", path, "the ticket");
  required_scalar(doc, "status", path, "the ticket");
  required_scalar(doc, "title", path, "the ticket");
  required_scalar(doc, "created", path, "the ticket");
  if (!events || events->is_null()) {
    fail_at(path, doc, "the ticket has no 'events'", "every ticket keeps its history under 'events:'");
  }
  if (!events->is_sequence()) {
    fail_at(path, *events, "'events' must be a list of events");
  }
  Ticket t;
  std::set<std::string> ids;
  for (auto& item : events->items) {
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
    Doc* set = item.find("set");
    if (set && !set->is_null() && !set->is_mapping()) {
      fail_at(path, *set, "an event's 'set' must be a mapping of fields");
    }
    Doc* note = item.find("note");
    if (note && !note->is_null() && !note->is_scalar()) {
      fail_at(path, *note, "an event's 'note' must be text");
    }
    if (set && !set->is_null()) {
      e.set = take_value(*set);
    }
    if (note && !note->is_null()) {
      e.note = take_value(note->scalar);
    }
    e.extra = Value::map();
    for (auto& [k, x] : item.entries) {
      if (!event_keys().contains(k)) {
        e.extra.entries.emplace_back(k, take_value(x));
      }
    }
    t.m_events.push_back(std::move(e));
  }
  // The fields, each kept as read, in canonical order; unknown keys even when empty.
  for (auto& [key, value] : doc.entries) {
    if (&value == events) {
      continue;
    }
    if (!find_field(key)) {
      t.m_fields.entries.emplace_back(key, take_value(value));
    } else if (!value.is_null()) {
      t.set(key, take_value(value));
    }
  }
  return t;
}

Ticket Ticket::from_value(const Value& doc, const std::string& path)
{
  return from_document(doc, path);
}

Ticket Ticket::from_value(Value&& doc, const std::string& path)
{
  return from_document(doc, path);
}

TicketBrief brief_of(const Ticket& ticket)
{
  return {ticket.status(), parse_timestamp(ticket.get("created"), nullptr),
          parse_timestamp(ticket.get("updated"), nullptr)};
}

} // namespace desk
