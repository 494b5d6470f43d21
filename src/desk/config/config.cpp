#include <desk/config/config.hpp>

#include <desk/util/text.hpp>

#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace desk {

const TicketType* Config::find_type(std::string_view name) const
{
  for (const auto& t : types) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

const TicketType* Config::find_type_by_prefix(std::string_view prefix) const
{
  for (const auto& t : types) {
    if (t.prefix == prefix) {
      return &t;
    }
  }
  return nullptr;
}

const Team* Config::find_team(std::string_view name) const
{
  for (const auto& t : teams) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

const Vendor* Config::find_vendor(std::string_view name) const
{
  for (const auto& v : vendors) {
    if (v.name == name) {
      return &v;
    }
  }
  return nullptr;
}

std::string Config::priority_for(std::string_view impact, std::string_view urgency) const
{
  require_one_of("impact", impact, impacts);
  require_one_of("urgency", urgency, urgencies);
  const auto row = matrix.find(std::string(impact));
  if (row != matrix.end()) {
    const auto cell = row->second.find(std::string(urgency));
    if (cell != row->second.end()) {
      return cell->second;
    }
  }
  throw UsageError(fmt::format("the priority matrix has no entry for impact '{}' and urgency '{}'",
                               impact, urgency),
                   "complete 'matrix:' in .desk/config.yaml");
}

bool Config::has_members() const
{
  return std::any_of(teams.begin(), teams.end(), [](const Team& t) { return !t.members.empty(); });
}

bool Config::is_member(std::string_view user) const
{
  return std::any_of(teams.begin(), teams.end(), [&](const Team& t) {
    return std::find(t.members.begin(), t.members.end(), user) != t.members.end();
  });
}

std::string Config::email_of(std::string_view user) const
{
  if (const auto it = member_emails.find(std::string(user)); it != member_emails.end()) {
    return it->second;
  }
  if (user.find('@') != std::string_view::npos) {
    return std::string(user);
  }
  return {};
}

std::string Config::user_with_email(std::string_view address) const
{
  const std::string want = text::ascii_lower(address);
  for (const auto& [user, email] : member_emails) {
    if (text::ascii_lower(email) == want) {
      return user;
    }
  }
  return {};
}

std::vector<NotifyRule> default_notify_rules()
{
  return {
    {"open", {"requester"}},       {"reply", {"requester"}},
    {"pending", {"requester"}},    {"resolve", {"requester"}},
    {"reopen", {"requester", "assignee"}},
    {"close", {"requester"}},      {"assign", {"assignee"}},
    {"escalate", {"assignee", "supervisor"}},
    {"message", {}},
    {"sla-warning", {"assignee", "supervisor"}},
    {"sla-breach", {"assignee", "supervisor", "requester"}},
  };
}

const std::vector<std::string>& MailConfig::recipients_of(std::string_view event) const
{
  static const std::vector<std::string> k_none;
  for (const auto& r : notify) {
    if (r.event == event) {
      return r.to;
    }
  }
  return k_none;
}

void Config::require_one_of(std::string_view what, std::string_view value,
                            const std::vector<std::string>& allowed)
{
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    throw UsageError(fmt::format("unknown {} '{}'; use one of: {}", what, value,
                                 fmt::join(allowed, ", ")));
  }
}

std::vector<std::string> Config::type_names() const
{
  std::vector<std::string> out;
  for (const auto& t : types) {
    out.push_back(t.name);
  }
  return out;
}

// desk serve
const std::vector<std::string>& api_scopes()
{
  static const std::vector<std::string> k_scopes = {"read", "open", "message", "reply", "workflow"};
  return k_scopes;
}

} // namespace desk
