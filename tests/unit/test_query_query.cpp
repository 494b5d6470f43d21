#include <desk/query/query.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using desk::Ticket;
using desk::Value;
using desk::query::Filter;
using desk::query::Scope;
using desk::query::SortKey;
using desk::test::utc;

namespace {

Ticket ticket(const std::string& id, const std::string& status, std::vector<std::pair<std::string, std::string>> fields = {})
{
  Ticket t;
  t.set("id", id);
  t.set("status", status);
  for (const auto& [k, v] : fields) {
    t.set(k, v);
  }
  return t;
}

std::vector<std::string> ticket_ids(const std::vector<Ticket>& tickets)
{
  std::vector<std::string> out;
  for (const auto& t : tickets) {
    out.push_back(t.id());
  }
  return out;
}

std::vector<std::string> sorted_ids(std::vector<Ticket> tickets, const std::string& spec)
{
  desk::query::sort_tickets(tickets, desk::query::parse_sort(spec));
  return ticket_ids(tickets);
}

} // namespace

TEST_SUITE_BEGIN("query.query");

TEST_CASE("scope: open hides closed and cancelled; closed shows only them; all shows everything")
{
  const std::vector<std::string> statuses = {"new",      "triaged",  "assigned",  "in_progress", "pending", "escalated",
                                             "resolved", "reopened", "confirmed", "closed",      "cancelled"};
  Filter open;
  Filter closed;
  closed.scope = Scope::closed;
  Filter all;
  all.scope = Scope::all;
  for (const auto& s : statuses) {
    INFO(s);
    const Ticket t = ticket("INC-1", s);
    const bool final = s == "closed" || s == "cancelled";
    CHECK(open.matches(t) == !final);
    CHECK(closed.matches(t) == final);
    CHECK(all.matches(t));
  }
  CHECK(open.matches(ticket("INC-1", "limbo"))); // an unknown status is not hidden
}

TEST_CASE("each field condition matches any of its values")
{
  const Ticket t = ticket("INC-1", "assigned",
                          {{"type", "incident"},
                           {"priority", "P2"},
                           {"category", "network"},
                           {"channel", "phone"},
                           {"reporter", "张三"},
                           {"department", "财务部"},
                           {"team", "network-team"},
                           {"assignee", "dave"}});
  CHECK(Filter{}.matches(t));
  auto check_field = [&](auto member, std::vector<std::string> hit, std::vector<std::string> miss) {
    Filter f;
    f.*member = hit;
    CHECK(f.matches(t));
    f.*member = miss;
    CHECK_FALSE(f.matches(t));
  };
  check_field(&Filter::status, {"new", "assigned"}, {"new"});
  check_field(&Filter::type, {"incident"}, {"request", "change"});
  check_field(&Filter::priority, {"P1", "P2"}, {"P1"});
  check_field(&Filter::category, {"network"}, {"server"});
  check_field(&Filter::channel, {"email", "phone"}, {"email"});
  check_field(&Filter::reporter, {"张三"}, {"李四"});
  check_field(&Filter::department, {"财务部"}, {"人事部"});
  check_field(&Filter::team, {"network-team"}, {"server-team"});
  check_field(&Filter::assignee, {"dave"}, {"erin"});
  // A condition on a field the ticket lacks does not match.
  Filter f;
  f.category = {"network"};
  CHECK_FALSE(f.matches(ticket("INC-2", "new")));
  // Conditions combine with AND.
  f.priority = {"P1"};
  CHECK_FALSE(f.matches(t));
}

TEST_CASE("team matches the team, the lead team and the collaborators")
{
  Ticket t = ticket("INC-1", "assigned", {{"team", "a"}, {"lead_team", "b"}});
  t.set("collaborators", Value::list({"c", "d"}));
  for (const char* name : {"a", "b", "c", "d"}) {
    Filter f;
    f.team = {name};
    INFO(name);
    CHECK(f.matches(t));
  }
  Filter f;
  f.team = {"e"};
  CHECK_FALSE(f.matches(t));
}

TEST_CASE("created range: since inclusive, until exclusive, across offsets")
{
  const Ticket t = ticket("INC-1", "new", {{"created", "2026-11-23T10:00:00+08:00"}}); // 02:00Z
  Filter f;
  f.created_since = utc("2026-11-23T02:00:00Z");
  CHECK(f.matches(t));
  f.created_since = utc("2026-11-23T02:00:01Z");
  CHECK_FALSE(f.matches(t));
  f = {};
  f.created_until = utc("2026-11-23T02:00:01Z");
  CHECK(f.matches(t));
  f.created_until = utc("2026-11-23T02:00:00Z");
  CHECK_FALSE(f.matches(t));
  f = {};
  f.created_since = utc("2026-11-01T00:00:00Z");
  CHECK_FALSE(f.matches(ticket("INC-2", "new"))); // no creation time: outside any range
}

TEST_CASE("parse_sort")
{
  auto keys = desk::query::parse_sort("priority,-created");
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].field == "priority");
  CHECK_FALSE(keys[0].descending);
  CHECK(keys[1].field == "created");
  CHECK(keys[1].descending);
  keys = desk::query::parse_sort("+title");
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].field == "title");
  CHECK_FALSE(keys[0].descending);
  for (const char* bad : {"", "nope", "priority,", ",priority", "-", "affected", "description", "events",
                          "priority,,created", "Priority", " priority", "--created"}) {
    INFO("'", bad, "'");
    try {
      desk::query::parse_sort(bad);
      FAIL_CHECK("accepted");
    } catch (const desk::UsageError& e) {
      CHECK(std::string(e.what()).find("use one of: id, type, status") != std::string::npos);
    }
  }
  const auto& fields = desk::query::sortable_fields();
  CHECK(std::find(fields.begin(), fields.end(), "created") != fields.end());
  CHECK(std::find(fields.begin(), fields.end(), "affected") == fields.end());
  CHECK(std::find(fields.begin(), fields.end(), "solution") == fields.end());
}

TEST_CASE("sort by priority, then by id for ties")
{
  const std::vector<Ticket> t = {
    ticket("INC-D", "new", {{"priority", "P3"}}), ticket("INC-C", "new", {{"priority", "P1"}}),
    ticket("INC-B", "new", {{"priority", "P3"}}), ticket("INC-A", "new", {{"priority", "P2"}}),
    ticket("INC-E", "new"),
  };
  CHECK(sorted_ids(t, "priority") == std::vector<std::string>{"INC-C", "INC-A", "INC-B", "INC-D", "INC-E"});
  CHECK(sorted_ids(t, "-priority") == std::vector<std::string>{"INC-B", "INC-D", "INC-A", "INC-C", "INC-E"});
  CHECK(sorted_ids(t, "id") == std::vector<std::string>{"INC-A", "INC-B", "INC-C", "INC-D", "INC-E"});
  CHECK(sorted_ids(t, "-id") == std::vector<std::string>{"INC-E", "INC-D", "INC-C", "INC-B", "INC-A"});
}

TEST_CASE("sort by status follows the workflow, not the alphabet")
{
  const std::vector<Ticket> t = {
    ticket("INC-1", "closed"), ticket("INC-2", "new"), ticket("INC-3", "in_progress"),
    ticket("INC-4", "assigned"), ticket("INC-5", "resolved"), ticket("INC-6", "escalated"),
  };
  CHECK(sorted_ids(t, "status") == std::vector<std::string>{"INC-2", "INC-4", "INC-3", "INC-6", "INC-5", "INC-1"});
  CHECK(sorted_ids(t, "-status") == std::vector<std::string>{"INC-1", "INC-5", "INC-6", "INC-3", "INC-4", "INC-2"});
}

TEST_CASE("sort by time is chronological across offsets; empty last either way")
{
  const std::vector<Ticket> t = {
    ticket("INC-1", "new", {{"created", "2026-11-23T10:00:00+08:00"}}), // 02:00Z
    ticket("INC-2", "new", {{"created", "2026-11-23T03:00:00+00:00"}}), // 03:00Z
    ticket("INC-3", "new", {{"created", "2026-11-22T20:30:00-05:00"}}), // 01:30Z next day
    ticket("INC-4", "new"),
  };
  CHECK(sorted_ids(t, "created") == std::vector<std::string>{"INC-3", "INC-1", "INC-2", "INC-4"});
  CHECK(sorted_ids(t, "-created") == std::vector<std::string>{"INC-2", "INC-1", "INC-3", "INC-4"});
}

TEST_CASE("sort numbers numerically and text by code point")
{
  const std::vector<Ticket> t = {
    ticket("INC-1", "new", {{"reopen_count", "10"}, {"title", "b"}}),
    ticket("INC-2", "new", {{"reopen_count", "9"}, {"title", "B"}}),
    ticket("INC-3", "new", {{"reopen_count", "2"}, {"title", "中"}}),
    ticket("INC-4", "new", {{"title", "a"}}),
  };
  CHECK(sorted_ids(t, "reopen_count") == std::vector<std::string>{"INC-3", "INC-2", "INC-1", "INC-4"});
  CHECK(sorted_ids(t, "-reopen_count") == std::vector<std::string>{"INC-1", "INC-2", "INC-3", "INC-4"});
  CHECK(sorted_ids(t, "title") == std::vector<std::string>{"INC-2", "INC-4", "INC-1", "INC-3"});
}

TEST_CASE("several keys: the second breaks ties of the first")
{
  const std::vector<Ticket> t = {
    ticket("INC-1", "new", {{"priority", "P2"}, {"created", "2026-11-23T10:00:00+08:00"}}),
    ticket("INC-2", "new", {{"priority", "P1"}, {"created", "2026-11-23T09:00:00+08:00"}}),
    ticket("INC-3", "new", {{"priority", "P2"}, {"created", "2026-11-23T11:00:00+08:00"}}),
    ticket("INC-4", "new", {{"priority", "P1"}, {"created", "2026-11-23T12:00:00+08:00"}}),
  };
  CHECK(sorted_ids(t, "priority,-created") == std::vector<std::string>{"INC-4", "INC-2", "INC-3", "INC-1"});
  CHECK(sorted_ids(t, "-priority,created") == std::vector<std::string>{"INC-1", "INC-3", "INC-2", "INC-4"});
  std::vector<Ticket> copy = t;
  desk::query::sort_tickets(copy, {});
  CHECK(ticket_ids(copy) == std::vector<std::string>{"INC-1", "INC-2", "INC-3", "INC-4"});
}

TEST_SUITE_END();
