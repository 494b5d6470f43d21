#include <desk/query/query.hpp>

#include <desk/util/error.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace desk::query {

namespace {

bool any_of_values(const std::vector<std::string>& wanted, std::string_view value)
{
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
}

// Compare two field values the way people expect for that field.
int compare_field(const Ticket& a, const Ticket& b, const std::string& field)
{
  const std::string& x = a.get(field);
  const std::string& y = b.get(field);
  if (x.empty() != y.empty()) {
    return x.empty() ? 1 : -1; // empty values last
  }
  const FieldSpec* spec = find_field(field);
  if (spec && spec->kind == FieldKind::number) {
    const long long nx = std::atoll(x.c_str());
    const long long ny = std::atoll(y.c_str());
    return nx < ny ? -1 : (nx > ny ? 1 : 0);
  }
  if (spec && spec->kind == FieldKind::timestamp) {
    const auto tx = parse_timestamp(x, nullptr);
    const auto ty = parse_timestamp(y, nullptr);
    if (tx && ty) {
      return *tx < *ty ? -1 : (*tx > *ty ? 1 : 0);
    }
  }
  if (field == "status") {
    const auto sx = workflow::parse_status(x);
    const auto sy = workflow::parse_status(y);
    if (sx && sy) {
      return *sx < *sy ? -1 : (*sx > *sy ? 1 : 0);
    }
  }
  const int c = x.compare(y);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

} // namespace

bool Filter::matches_status(std::string_view status_text) const
{
  const auto st = workflow::parse_status(status_text);
  const bool final = st && workflow::is_final(*st);
  if ((scope == Scope::open && final) || (scope == Scope::closed && !final)) {
    return false;
  }
  return any_of_values(this->status, status_text);
}

bool Filter::matches(const Ticket& t) const
{
  if (!matches_status(t.status())) {
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
  if (created_since || created_until) {
    const auto created = parse_timestamp(t.get("created"), nullptr);
    if (!created || (created_since && *created < *created_since) || (created_until && *created >= *created_until)) {
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
  std::stable_sort(tickets.begin(), tickets.end(), [&](const Ticket& a, const Ticket& b) {
    for (const auto& k : keys) {
      const int c = compare_field(a, b, k.field);
      if (c != 0) {
        const bool empty_involved = a.get(k.field).empty() || b.get(k.field).empty();
        return (k.descending && !empty_involved) ? c > 0 : c < 0;
      }
    }
    return a.id() < b.id();
  });
}

} // namespace desk::query
