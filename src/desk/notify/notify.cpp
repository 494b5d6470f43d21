#include <desk/notify/notify.hpp>

#include <desk/model/id.hpp>
#include <desk/util/text.hpp>

#include <algorithm>

namespace desk::notify {

std::string_view to_string(Audience a)
{
  return a == Audience::requester ? "requester" : "staff";
}

std::string notice_kind(const Event& e)
{
  if (const Value* a = e.extra.find("auto"); a && !a->empty()) {
    return {}; // recorded from a robot's mail: never answered
  }
  if (e.action == "notice") {
    const Value* sla = e.extra.find("sla");
    const std::string s = sla ? sla->str() : std::string();
    if (s.rfind("warning", 0) == 0) {
      return "sla-warning";
    }
    if (s.rfind("breach", 0) == 0) {
      return "sla-breach";
    }
    return {};
  }
  if (e.action == "pending") {
    const Value* reason = e.set.find("pending_reason");
    return reason && reason->str() == "awaiting-user" ? "pending" : std::string();
  }
  static constexpr std::string_view k_kinds[] = {"open", "reply", "resolve", "reopen", "close",
                                                 "assign", "escalate", "message"};
  for (auto k : k_kinds) {
    if (e.action == k) {
      return std::string(k);
    }
  }
  return {};
}

namespace {

std::string lower(std::string_view s) { return text::ascii_lower(s); }

bool plain_address(std::string_view s)
{
  const std::size_t at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
         s.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
}

// The requester's address: the `email` field, else a contact that is one.
std::string requester_address(const Ticket& t)
{
  if (plain_address(t.get("email"))) {
    return lower(t.get("email"));
  }
  if (plain_address(t.get("contact"))) {
    return lower(t.get("contact"));
  }
  return {};
}

void add(std::vector<Recipient>& to, Recipient r)
{
  if (r.address.empty()) {
    return;
  }
  r.address = lower(r.address);
  for (const auto& existing : to) {
    if (existing.address == r.address) {
      return;
    }
  }
  to.push_back(std::move(r));
}

void staff_recipients(const Ticket& t, const Config& c, const Event& e, const std::string& role,
                      std::vector<Recipient>& to)
{
  const Team* team = c.find_team(t.get("team"));
  if (role == "assignee") {
    const std::string& a = t.get("assignee");
    if (!a.empty()) {
      add(to, {c.email_of(a), a, role});
    }
  } else if (role == "supervisor") {
    // On escalate only with --notify (the event names the supervisor); otherwise the team's.
    std::string sup;
    if (e.action == "escalate") {
      if (const Value* n = e.extra.find("notify")) {
        sup = n->str();
      }
    } else if (team) {
      sup = team->supervisor;
    }
    if (!sup.empty()) {
      add(to, {c.email_of(sup), sup, role});
    }
  } else if (role == "team") {
    if (team) {
      for (const auto& m : team->members) {
        add(to, {c.email_of(m), m, role});
      }
    }
  } else if (plain_address(role)) {
    add(to, {role, {}, "address"});
  }
}

} // namespace

std::vector<DueNotice> due_notices(const Ticket& t, const Config& c, Timestamp now)
{
  std::vector<DueNotice> out;
  if (c.mail.address.empty()) {
    return out;
  }
  const std::string requester = requester_address(t);
  for (const Event& e : t.events()) {
    const std::string kind = notice_kind(e);
    if (kind.empty()) {
      continue;
    }
    const std::vector<std::string>& roles = c.mail.recipients_of(kind);
    if (roles.empty()) {
      continue;
    }
    if (const auto at = parse_timestamp(e.at, nullptr); !at || now - *at > c.mail.notify_within) {
      continue;
    }
    DueNotice for_requester{e.id, kind == "sla-breach" ? "delay" : kind, Audience::requester, {}, &e};
    DueNotice for_staff{e.id, kind, Audience::staff, {}, &e};
    for (const auto& role : roles) {
      if (role == "requester") {
        // Never write to the requester about their own message.
        if (!requester.empty() && !(e.action == "message" && lower(e.by) == requester)) {
          add(for_requester.to, {requester, t.get("reporter"), "requester"});
        }
      } else {
        staff_recipients(t, c, e, role, for_staff.to);
      }
    }
    // The requester never gets a staff copy.
    std::erase_if(for_staff.to, [&](const Recipient& r) { return r.address == requester; });
    // Nobody is told of their own step.
    const std::string actor_mail = lower(c.email_of(e.by));
    std::erase_if(for_staff.to, [&](const Recipient& r) { return !actor_mail.empty() && r.address == actor_mail; });
    if (!for_requester.to.empty() && !is_answered(t, e.id, Audience::requester)) {
      out.push_back(std::move(for_requester));
    }
    if (!for_staff.to.empty() && !is_answered(t, e.id, Audience::staff)) {
      out.push_back(std::move(for_staff));
    }
  }
  return out;
}

Value notified_extra(const NotifiedRecord& r)
{
  Value extra = Value::map();
  extra.set("answers", Value::text(r.answers));
  extra.set("audience", Value::text(std::string(to_string(r.audience))));
  extra.set("notice", Value::text(r.kind));
  extra.set("to", Value::list(r.to));
  if (!r.message_id.empty()) {
    extra.set("message_id", Value::text(r.message_id));
  }
  if (!r.skipped.empty()) {
    extra.set("skipped", Value::text(r.skipped));
  }
  return extra;
}

bool is_answered(const Ticket& t, const std::string& event_id, Audience audience)
{
  const std::string_view aud = to_string(audience);
  for (const Event& e : t.events()) {
    if (e.action != "notified") {
      continue;
    }
    const Value* answers = e.extra.find("answers");
    const Value* a = e.extra.find("audience");
    if (answers && answers->str() == event_id && a && a->str() == aud) {
      return true;
    }
  }
  return false;
}

std::string make_message_id(std::string_view prefix, const std::string& address)
{
  const std::size_t at = address.find('@');
  const std::string domain = at == std::string::npos ? std::string("desk.invalid") : address.substr(at + 1);
  return std::string(prefix) + "." + ids::random_token(12) + "@" + domain;
}

std::string make_message_id(const std::string& ticket_id, const std::string& event_id, const std::string& address)
{
  return make_message_id(ticket_id + "." + event_id, address);
}

std::string ticket_of_message_id(std::string_view message_id)
{
  const std::size_t dot = message_id.find('.');
  const std::size_t at = message_id.find('@');
  if (dot == std::string_view::npos || at == std::string_view::npos || dot > at) {
    return {};
  }
  const std::string id(message_id.substr(0, dot));
  return ids::is_ticket_id(id) ? id : std::string();
}

std::vector<std::string> thread_ids(const Ticket& t)
{
  std::vector<std::string> out;
  for (const Event& e : t.events()) {
    if (const Value* m = e.extra.find("message_id"); m && !m->str().empty()) {
      out.push_back(m->str());
    }
  }
  return out;
}

bool has_message_id(const Ticket& t, std::string_view message_id)
{
  if (message_id.empty()) {
    return false;
  }
  for (const Event& e : t.events()) {
    if (const Value* m = e.extra.find("message_id"); m && m->str() == message_id) {
      return true;
    }
  }
  return false;
}

std::string language_for(const Ticket& t, const Config& c)
{
  const std::string& lang = t.get("language");
  if (lang == "zh" || lang == "en") {
    return lang;
  }
  for (const std::string* field : {&t.get("title"), &t.get("description")}) {
    for (char32_t cp : text::decode(*field)) {
      if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)) {
        return "zh";
      }
    }
  }
  return c.mail.language;
}

} // namespace desk::notify
