#include <desk/model/status.hpp>

#include <desk/util/names.hpp>


namespace desk {

namespace {

using enum Status;

constexpr NameTable<Status, 11> k_status_names = {{
  {new_, "new"},
  {triaged, "triaged"},
  {assigned, "assigned"},
  {in_progress, "in_progress"},
  {pending, "pending"},
  {escalated, "escalated"},
  {resolved, "resolved"},
  {reopened, "reopened"},
  {confirmed, "confirmed"},
  {closed, "closed"},
  {cancelled, "cancelled"},
}};

} // namespace

std::string_view to_string(Status s)
{
  return name_of(k_status_names, s);
}

std::optional<Status> parse_status(std::string_view s)
{
  return value_named(k_status_names, s);
}

std::vector<std::string> status_names()
{
  return names_of(k_status_names);
}

bool is_unresolved(Status s)
{
  return s != resolved && s != confirmed && s != closed && s != cancelled;
}

bool is_unresolved_status(std::string_view name)
{
  const auto s = parse_status(name);
  return s && is_unresolved(*s);
}

bool is_final(Status s)
{
  return s == closed || s == cancelled;
}

} // namespace desk
