#include <desk/model/status.hpp>

#include <array>
#include <utility>

namespace desk {

namespace {

using enum Status;

constexpr std::array<std::pair<Status, std::string_view>, 11> k_status_names = {{
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
  for (const auto& [k, v] : k_status_names) {
    if (k == s) {
      return v;
    }
  }
  return "?";
}

std::optional<Status> parse_status(std::string_view s)
{
  for (const auto& [k, v] : k_status_names) {
    if (v == s) {
      return k;
    }
  }
  return std::nullopt;
}

std::vector<std::string> status_names()
{
  std::vector<std::string> out;
  for (const auto& [k, v] : k_status_names) {
    out.emplace_back(v);
  }
  return out;
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
