#include <desk/query/query.hpp>

#include <desk/util/error.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace desk::query {

namespace {

bool any_of_values(const std::vector<std::string>& wanted, std::string_view value)
{
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
}

// One ticket's value for one sort key, read once before sorting (a sort compares each
// ticket about log2(n) times: parsing a time on every comparison cost most of a 25,000-row
// list's sort).
struct KeyValue {
  const std::string* text = nullptr;
  long long number = 0;               // number fields
  std::optional<Timestamp> time;      // timestamp fields that parse
  std::optional<workflow::Status> status; // the status field, when it names one
};

enum class KeyKind { text, number, timestamp, status };

KeyKind kind_of(const std::string& field)
{
  const FieldSpec* spec = find_field(field);
  if (spec && spec->kind == FieldKind::number) {
    return KeyKind::number;
  }
  if (spec && spec->kind == FieldKind::timestamp) {
    return KeyKind::timestamp;
  }
  return field == "status" ? KeyKind::status : KeyKind::text;
}

KeyValue key_value(const Ticket& t, const std::string& field, KeyKind kind)
{
  KeyValue v;
  v.text = &t.get(field);
  switch (kind) {
  case KeyKind::number:
    v.number = std::atoll(v.text->c_str());
    break;
  case KeyKind::timestamp:
    v.time = parse_timestamp(*v.text, nullptr);
    break;
  case KeyKind::status:
    v.status = workflow::parse_status(*v.text);
    break;
  case KeyKind::text:
    break;
  }
  return v;
}

// Compare two values of one field the way people expect for that field: empty values
// last, numbers numerically, times chronologically, statuses in workflow order, else by
// code point (also for times and statuses that do not parse).
int compare_values(const KeyValue& a, const KeyValue& b, KeyKind kind)
{
  const std::string& x = *a.text;
  const std::string& y = *b.text;
  if (x.empty() != y.empty()) {
    return x.empty() ? 1 : -1;
  }
  if (kind == KeyKind::number) {
    return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
  }
  if (kind == KeyKind::timestamp && a.time && b.time) {
    return *a.time < *b.time ? -1 : (*a.time > *b.time ? 1 : 0);
  }
  if (kind == KeyKind::status && a.status && b.status) {
    return *a.status < *b.status ? -1 : (*a.status > *b.status ? 1 : 0);
  }
  const int c = x.compare(y);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

} // namespace

bool Filter::matches_brief(const TicketBrief& brief) const
{
  const auto st = workflow::parse_status(brief.status);
  const bool final = st && workflow::is_final(*st);
  if ((scope == Scope::open && final) || (scope == Scope::closed && !final)) {
    return false;
  }
  if (!any_of_values(this->status, brief.status)) {
    return false;
  }
  if (created_since || created_until) {
    const auto& created = brief.created;
    if (!created || (created_since && *created < *created_since) || (created_until && *created >= *created_until)) {
      return false;
    }
  }
  return true;
}

bool Filter::matches(const Ticket& t) const
{
  if (!matches_brief(brief_of(t))) {
    return false;
  }
  if (!any_of_values(type, t.get("type")) ||
      !any_of_values(priority, t.get("priority")) || !any_of_values(category, t.get("category")) ||
      !any_of_values(channel, t.get("channel")) || !any_of_values(reporter, t.get("reporter")) ||
      !any_of_values(department, t.get("department")) || !any_of_values(assignee, t.get("assignee"))) {
    return false;
  }
  if (!team.empty()) {
    bool hit = any_of_values(team, t.get("team")) || any_of_values(team, t.get("lead_team"));
    for (const auto& c : t.get_list("collaborators")) {
      hit = hit || any_of_values(team, c);
    }
    if (!hit) {
      return false;
    }
  }
  return true;
}

const std::vector<std::string>& sortable_fields()
{
  static const std::vector<std::string> k_fields = [] {
    std::vector<std::string> out;
    for (const auto& f : ticket_fields()) {
      if (f.kind != FieldKind::list && f.kind != FieldKind::multiline) {
        out.emplace_back(f.name);
      }
    }
    return out;
  }();
  return k_fields;
}

std::vector<SortKey> parse_sort(std::string_view spec)
{
  std::vector<SortKey> keys;
  std::size_t pos = 0;
  while (pos <= spec.size()) {
    const auto comma = spec.find(',', pos);
    std::string_view part = spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    SortKey key;
    if (!part.empty() && (part.front() == '-' || part.front() == '+')) {
      key.descending = part.front() == '-';
      part.remove_prefix(1);
    }
    key.field = std::string(part);
    const auto& fields = sortable_fields();
    if (std::find(fields.begin(), fields.end(), key.field) == fields.end()) {
      throw UsageError(fmt::format("cannot sort by '{}'; use one of: {}", key.field, fmt::join(fields, ", ")),
                       "prefix a field with - to sort descending, e.g. --sort -created");
    }
    keys.push_back(std::move(key));
    if (comma == std::string_view::npos) {
      break;
    }
    pos = comma + 1;
  }
  return keys;
}

void sort_tickets(std::vector<Ticket>& tickets, const std::vector<SortKey>& keys)
{
  const std::size_t n = tickets.size();
  const std::size_t k = keys.size();
  std::vector<KeyKind> kinds;
  for (const auto& key : keys) {
    kinds.push_back(kind_of(key.field));
  }
  std::vector<KeyValue> values(n * k);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      values[i * k + j] = key_value(tickets[i], keys[j].field, kinds[j]);
    }
  }
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    for (std::size_t j = 0; j < k; ++j) {
      const KeyValue& x = values[a * k + j];
      const KeyValue& y = values[b * k + j];
      const int c = compare_values(x, y, kinds[j]);
      if (c != 0) {
        const bool empty_involved = x.text->empty() || y.text->empty();
        return (keys[j].descending && !empty_involved) ? c > 0 : c < 0;
      }
    }
    return tickets[a].id() < tickets[b].id();
  });
  std::vector<Ticket> sorted;
  sorted.reserve(n);
  for (const std::size_t i : order) {
    sorted.push_back(std::move(tickets[i]));
  }
  tickets = std::move(sorted);
}

} // namespace desk::query
