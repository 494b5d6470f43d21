#include <desk/config/config.hpp>
#include <desk/model/ticket.hpp>
#include <desk/notify/notify.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using desk::Config;
using desk::Event;
using desk::Ticket;
using desk::Value;
using desk::test::mail_config;
using desk::test::utc;

namespace {

Event notify_event(std::string id, std::string action, std::string at = "2026-12-02T10:00:00+00:00")
{
  Event e;
  e.id = std::move(id);
  e.at = std::move(at);
  e.by = "alice";
  e.action = std::move(action);
  e.set = Value::map();
  return e;
}

Ticket notify_ticket(std::vector<Event> events)
{
  Ticket t;
  t.set("id", "INC-7K3F2A9Q");
  t.set("title", "printer");
  t.set("email", "User@Example.com");
  t.set("reporter", "Zhang San");
  t.set("team", "service-desk");
  t.set("assignee", "alice");
  for (auto& e : events) {
    t.events().push_back(std::move(e));
  }
  return t;
}

} // namespace

TEST_SUITE("notify.notify")
{
  TEST_CASE("an event is due until a notified event answers it")
  {
    const Config c = mail_config();
    Ticket t = notify_ticket({notify_event("E-1", "open")});
    auto due = desk::notify::due_notices(t, c, utc("2026-12-02T10:05:00Z"));
    REQUIRE(due.size() == 1);
    CHECK(due[0].kind == "open");
    CHECK(due[0].audience == desk::notify::Audience::requester);
    REQUIRE(due[0].to.size() == 1);
    CHECK(due[0].to[0].address == "user@example.com");
    Event n = notify_event("E-2", "notified");
    n.extra = desk::notify::notified_extra({"E-1", desk::notify::Audience::requester, "open", {"user@example.com"}, "m@x", {}});
    t.events().push_back(n);
    CHECK(desk::notify::due_notices(t, c, utc("2026-12-02T10:05:00Z")).empty());
  }

  TEST_CASE("staff and requester notices; old events, robots and own steps are not due")
  {
    const Config c = mail_config();
    Event pending = notify_event("E-3", "pending");
    pending.set.set("pending_reason", Value::text("awaiting-vendor"));
    Event robot = notify_event("E-4", "message");
    robot.extra.set("auto", Value::text("Auto-Submitted: auto-replied"));
    Event breach = notify_event("E-5", "notice");
    breach.by = "desk";
    breach.extra.set("sla", Value::text("breach resolve"));
    Ticket t = notify_ticket({notify_event("E-0", "open", "2026-11-01T10:00:00+00:00"), notify_event("E-1", "assign"), pending, robot, breach});
    const auto due = desk::notify::due_notices(t, c, utc("2026-12-02T11:00:00Z"));
    // assign by alice to alice: nobody; pending for a vendor: nobody; robot: nobody; breach: staff + requester.
    REQUIRE(due.size() == 2);
    CHECK(due[0].kind == "delay");
    CHECK(due[0].audience == desk::notify::Audience::requester);
    CHECK(due[1].kind == "sla-breach");
    REQUIRE(due[1].to.size() == 2);
    CHECK(due[1].to[0].address == "alice@example.com");
    CHECK(due[1].to[1].address == "carol@example.com");
  }

  TEST_CASE("no address configured: nothing is ever due")
  {
    Config c = mail_config();
    c.mail.address.clear();
    CHECK(desk::notify::due_notices(notify_ticket({notify_event("E-1", "open")}), c, utc("2026-12-02T10:05:00Z")).empty());
  }

  TEST_CASE("message ids name their ticket and are checked against it")
  {
    const std::string id = desk::notify::make_message_id("INC-7K3F2A9Q", "E-1", "it@example.com");
    CHECK(desk::notify::ticket_of_message_id(id) == "INC-7K3F2A9Q");
    CHECK(id.find("@example.com") != std::string::npos);
    CHECK(desk::notify::ticket_of_message_id("random@gmail.com").empty());
    CHECK(desk::notify::ticket_of_message_id("../x.y@z").empty());
    Event n = notify_event("E-2", "notified");
    n.extra.set("message_id", Value::text(id));
    const Ticket t = notify_ticket({n});
    CHECK(desk::notify::has_message_id(t, id));
    CHECK_FALSE(desk::notify::has_message_id(t, "INC-7K3F2A9Q.E-1.FORGED@example.com"));
  }

  TEST_CASE("the requester's language follows the ticket's text")
  {
    const Config c = mail_config();
    Ticket t = notify_ticket({});
    CHECK(desk::notify::language_for(t, c) == "en");
    t.set("title", "打印机坏了");
    CHECK(desk::notify::language_for(t, c) == "zh");
  }
}
