#include <desk/config/config.hpp>
#include <desk/model/ticket.hpp>
#include <desk/sla/ticket_sla.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using desk::Config;
using desk::Event;
using desk::Ticket;
using desk::Timestamp;
using desk::Value;
using desk::sla::TargetState;
using desk::test::at;
using desk::test::stamp;

namespace {

const Config& config()
{
  static const Config k_config = desk::test::default_config();
  return k_config;
}

std::string show(Timestamp t)
{
  return desk::format_local_minutes(t, desk::test::shanghai());
}

// A ticket of `priority` opened at `created` (Shanghai local), with its open event.
Ticket opened(const char* priority, const char* created)
{
  Ticket t;
  t.set("id", "INC-AAAA0001");
  t.set("type", "incident");
  t.set("status", "new");
  t.set("title", "x");
  t.set("created", stamp(created));
  Event e;
  e.id = "E-0";
  e.at = stamp(created);
  e.by = "alice";
  e.action = "open";
  e.set.set("status", Value::text("new"));
  e.set.set("priority", Value::text(priority));
  t.apply(e);
  return t;
}

// Record a status change at `when` (with a pending reason for pending).
void step(Ticket& t, const char* when, const char* status, const char* reason = "")
{
  Event e;
  e.id = "E-" + std::to_string(t.events().size());
  e.at = stamp(when);
  e.by = "bob";
  e.action = status;
  e.set.set("status", Value::text(status));
  if (*reason) {
    e.set.set("pending_reason", Value::text(reason));
  } else if (!t.get("pending_reason").empty()) {
    e.set.set("pending_reason", Value::text(""));
  }
  t.apply(e);
}

} // namespace

TEST_SUITE_BEGIN("sla.ticket_sla");

TEST_CASE("due times of a fresh P3 ticket in business time")
{
  const Ticket t = opened("P3", "2026-11-23T10:00"); // Monday
  const auto s = desk::sla::evaluate(t, config(), at("2026-11-23T10:30"));
  REQUIRE(s.applies);
  CHECK(show(s.respond.due) == "2026-11-23 12:00");
  CHECK(show(s.resolve.due) == "2026-11-25 16:00");
  CHECK(s.respond.target == 2h);
  CHECK(s.resolve.target == 24h);
  CHECK(s.respond.used == 30min);
  CHECK(s.respond.fraction() == doctest::Approx(0.25));
  CHECK(s.respond.state == TargetState::ok);
  CHECK(s.resolve.state == TargetState::ok);
  CHECK_FALSE(s.respond.done.has_value());
  CHECK(s.pauses.empty());
  CHECK(s.paused == 0s);
  CHECK_FALSE(s.paused_now);
}

TEST_CASE("business time skips the night and the weekend; P1 runs on calendar time")
{
  const Ticket p3 = opened("P3", "2026-11-27T17:30"); // Friday
  auto s = desk::sla::evaluate(p3, config(), at("2026-11-28T12:00"));
  CHECK(show(s.respond.due) == "2026-11-30 10:30");
  CHECK(s.respond.used == 30min);
  CHECK(s.respond.state == TargetState::ok);

  const Ticket p1 = opened("P1", "2026-11-27T17:30");
  s = desk::sla::evaluate(p1, config(), at("2026-11-27T17:40"));
  CHECK(show(s.respond.due) == "2026-11-27 17:45");
  CHECK(show(s.resolve.due) == "2026-11-27 21:30");
  CHECK(desk::sla::calendar_for(config(), "P1").is_always());
  CHECK_FALSE(desk::sla::calendar_for(config(), "P3").is_always());
}

TEST_CASE("ok → at_risk at the warning fraction → breached after the due time")
{
  const Ticket t = opened("P3", "2026-11-23T10:00");
  // Respond target 2h, warning 0.75 → at risk from 11:30.
  CHECK(desk::sla::evaluate(t, config(), at("2026-11-23T11:29")).respond.state == TargetState::ok);
  CHECK(desk::sla::evaluate(t, config(), at("2026-11-23T11:30")).respond.state == TargetState::at_risk);
  CHECK(desk::sla::evaluate(t, config(), at("2026-11-23T12:00")).respond.state == TargetState::at_risk);
  const auto late = desk::sla::evaluate(t, config(), at("2026-11-23T12:01"));
  CHECK(late.respond.state == TargetState::breached);
  CHECK(late.resolve.state == TargetState::ok);
  CHECK(late.respond.fraction() > 1.0);

  Config eager = config();
  eager.sla_warning = 0.5;
  CHECK(desk::sla::evaluate(t, eager, at("2026-11-23T11:00")).respond.state == TargetState::at_risk);
}

TEST_CASE("met and missed once done")
{
  Ticket t = opened("P3", "2026-11-23T10:00");
  t.set("responded_at", stamp("2026-11-23T11:00"));
  auto s = desk::sla::evaluate(t, config(), at("2026-11-26T10:00"));
  CHECK(s.respond.state == TargetState::met);
  REQUIRE(s.respond.done.has_value());
  CHECK(show(*s.respond.done) == "2026-11-23 11:00");
  CHECK(s.respond.used == 1h);
  CHECK(s.resolve.state == TargetState::breached);

  t.set("responded_at", stamp("2026-11-23T12:00"));
  CHECK(desk::sla::evaluate(t, config(), at("2026-11-26T10:00")).respond.state == TargetState::met);
  t.set("responded_at", stamp("2026-11-23T12:30"));
  CHECK(desk::sla::evaluate(t, config(), at("2026-11-26T10:00")).respond.state == TargetState::missed);

  t.set("resolved_at", stamp("2026-11-25T15:00"));
  CHECK(desk::sla::evaluate(t, config(), at("2026-11-26T10:00")).resolve.state == TargetState::met);
  t.set("resolved_at", stamp("2026-11-25T17:00"));
  CHECK(desk::sla::evaluate(t, config(), at("2026-11-26T10:00")).resolve.state == TargetState::missed);
}

TEST_CASE("pending on the user pauses the resolve clock, never the respond clock")
{
  Ticket t = opened("P3", "2026-11-23T10:00");
  step(t, "2026-11-23T10:10", "in_progress");
  step(t, "2026-11-23T11:00", "pending", "awaiting-user");

  SUBCASE("still pending: the pause lasts until now")
  {
    const auto s = desk::sla::evaluate(t, config(), at("2026-11-23T14:00"));
    REQUIRE(s.pauses.size() == 1);
    CHECK_FALSE(s.pauses[0].end.has_value());
    CHECK(s.paused_now);
    CHECK(s.paused == 3h);
    CHECK(show(s.resolve.due) == "2026-11-26 10:00"); // Wed 16:00 + 3h of office time
    CHECK(s.resolve.used == 1h);
    CHECK(show(s.respond.due) == "2026-11-23 12:00");
    CHECK(s.respond.state == TargetState::breached); // nobody responded; the pause does not help
  }
  SUBCASE("resumed: a closed pause")
  {
    step(t, "2026-11-23T12:30", "in_progress");
    const auto s = desk::sla::evaluate(t, config(), at("2026-11-24T10:00"));
    REQUIRE(s.pauses.size() == 1);
    CHECK(show(s.pauses[0].begin) == "2026-11-23 11:00");
    REQUIRE(s.pauses[0].end.has_value());
    CHECK(show(*s.pauses[0].end) == "2026-11-23 12:30");
    CHECK_FALSE(s.paused_now);
    CHECK(s.paused == 90min);
    CHECK(show(s.resolve.due) == "2026-11-25 17:30");
  }
  SUBCASE("escalated while pending ends the pause too")
  {
    step(t, "2026-11-23T11:30", "escalated");
    const auto s = desk::sla::evaluate(t, config(), at("2026-11-23T15:00"));
    REQUIRE(s.pauses.size() == 1);
    CHECK(show(*s.pauses[0].end) == "2026-11-23 11:30");
    CHECK(s.paused == 30min);
  }
}

TEST_CASE("only the configured reasons pause")
{
  Ticket t = opened("P3", "2026-11-23T10:00");
  step(t, "2026-11-23T10:10", "in_progress");
  step(t, "2026-11-23T11:00", "pending", "awaiting-change");
  auto s = desk::sla::evaluate(t, config(), at("2026-11-23T14:00"));
  CHECK(s.pauses.empty());
  CHECK_FALSE(s.paused_now);
  CHECK(show(s.resolve.due) == "2026-11-25 16:00");

  Ticket v = opened("P3", "2026-11-23T10:00");
  step(v, "2026-11-23T10:10", "in_progress");
  step(v, "2026-11-23T11:00", "pending", "awaiting-vendor");
  CHECK(desk::sla::evaluate(v, config(), at("2026-11-23T14:00")).paused_now);

  Config strict = config();
  strict.pause_reasons.clear();
  CHECK(desk::sla::pauses_of(v, strict).empty());
  Config lenient = config();
  lenient.pause_reasons.push_back("awaiting-change");
  CHECK(desk::sla::pauses_of(t, lenient).size() == 1);
}

TEST_CASE("resolved awaiting confirmation is a pause, ended by a reopen")
{
  Ticket t = opened("P3", "2026-11-23T10:00");
  step(t, "2026-11-23T10:10", "in_progress");
  step(t, "2026-11-23T12:00", "resolved");
  t.set("resolved_at", stamp("2026-11-23T12:00"));

  auto s = desk::sla::evaluate(t, config(), at("2026-11-24T09:30"));
  CHECK(s.resolve.state == TargetState::met);
  CHECK(s.resolve.used == 2h);
  CHECK(s.paused_now);

  step(t, "2026-11-24T10:00", "reopened");
  t.erase("resolved_at");
  s = desk::sla::evaluate(t, config(), at("2026-11-24T11:00"));
  REQUIRE(s.pauses.size() == 1);
  CHECK(show(s.pauses[0].begin) == "2026-11-23 12:00");
  CHECK(show(*s.pauses[0].end) == "2026-11-24 10:00");
  CHECK_FALSE(s.paused_now);
  CHECK(s.paused == 7h); // Monday 12:00-18:00 and Tuesday 09:00-10:00
  CHECK(show(s.resolve.due) == "2026-11-26 14:00");
  CHECK(s.resolve.used == 3h); // 10:00-12:00 Monday, 10:00-11:00 Tuesday
  CHECK(s.resolve.state == TargetState::ok);
}

TEST_CASE("no SLA without targets for the priority or a creation time")
{
  const Ticket t = opened("P9", "2026-11-23T10:00");
  CHECK_FALSE(desk::sla::evaluate(t, config(), at("2026-11-23T11:00")).applies);
  Ticket u = opened("P3", "2026-11-23T10:00");
  u.erase("created");
  CHECK_FALSE(desk::sla::evaluate(u, config(), at("2026-11-23T11:00")).applies);
  Ticket v = opened("P3", "2026-11-23T10:00");
  v.erase("priority");
  CHECK_FALSE(desk::sla::evaluate(v, config(), at("2026-11-23T11:00")).applies);
}

TEST_CASE("target state names")
{
  CHECK(desk::sla::to_string(TargetState::ok) == "ok");
  CHECK(desk::sla::to_string(TargetState::at_risk) == "at_risk");
  CHECK(desk::sla::to_string(TargetState::breached) == "breached");
  CHECK(desk::sla::to_string(TargetState::met) == "met");
  CHECK(desk::sla::to_string(TargetState::missed) == "missed");
  desk::sla::TargetStatus zero;
  CHECK(zero.fraction() == 0.0);
}

TEST_SUITE_END();
