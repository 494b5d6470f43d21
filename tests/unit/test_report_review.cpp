#include <desk/report/render.hpp>
#include <desk/report/review.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <fmt/format.h>
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using desk::Ticket;
using desk::test::at;
using desk::test::only;
using desk::test::report_config;
using desk::test::review;
using desk::test::stamp;
using desk::test::story;
using desk::test::Story;
using desk::test::two_weeks;

namespace {

const desk::report::GroupRow& row(const std::vector<desk::report::GroupRow>& rows, const std::string& name)
{
  for (const auto& r : rows) {
    if (r.name == name) {
      return r;
    }
  }
  FAIL("no group " << name);
  return rows.front();
}

long long secs(const std::optional<std::chrono::seconds>& s)
{
  REQUIRE(s.has_value());
  return s->count();
}

} // namespace

TEST_SUITE("report.review") {

TEST_CASE("volume: opened, resolved, closed, cancelled and the backlog at both ends")
{
  const auto r = review(story());
  const auto& v = r.totals.volume;
  // Opened in [11-02, 11-16): T1 T2 T3 T5 T6 T8 T9 T10 (T4 is older, T7 newer).
  CHECK(v.opened == 8);
  // Resolved and still resolved at the end: T1 T2 T3 T8 T9 T10 (T9's reopen is after the end).
  CHECK(v.resolved == 6);
  CHECK(v.closed == 1);    // T1
  CHECK(v.cancelled == 1); // T5
  CHECK(v.backlog_start == 1); // T4 was open on 11-02
  CHECK(v.backlog_end == 2);   // T4 (pending on the vendor) and T6 (never touched)
  CHECK(r.tickets_read == 10);
  CHECK(r.left_out.empty());
  CHECK(r.as_of == at("2026-11-16 00:00")); // now is later, so the end of the period

  // By department: only T1 has one; the rest count under "(none)".
  const auto& by_department = r.volume_by.back();
  CHECK(by_department.first == desk::report::Dimension::department);
  CHECK(row(by_department.second, "财务部").measures.volume.opened == 1);
  CHECK(row(by_department.second, "(none)").measures.volume.opened == 7);
  CHECK(by_department.second.back().name == "(none)");
  // By channel: T6 came by email.
  const auto& by_channel = r.volume_by[2];
  CHECK(by_channel.first == desk::report::Dimension::channel);
  CHECK(row(by_channel.second, "email").measures.volume.backlog_end == 1);
  CHECK(row(by_channel.second, "phone").measures.volume.opened == 7);
}

TEST_CASE("backlog ageing and oldest open tickets are taken at the end of the period")
{
  const auto r = review(story());
  // T4: 10-20 10:00 → 11-16 00:00 = 26d 14h (7-30d); T6: 11-13 20:00 → 11-16 00:00 = 2d 4h (1-3d).
  REQUIRE(r.backlog_ageing.size() == 5);
  CHECK(r.backlog_ageing[0].count == 0);
  CHECK(r.backlog_ageing[1].label == "1-3d");
  CHECK(r.backlog_ageing[1].count == 1);
  CHECK(r.backlog_ageing[2].count == 0);
  CHECK(r.backlog_ageing[3].label == "7-30d");
  CHECK(r.backlog_ageing[3].count == 1);
  CHECK(r.backlog_ageing[4].count == 0);
  REQUIRE(r.oldest_open.size() == 2);
  CHECK(r.oldest_open[0].ticket.id == "T4");
  CHECK(r.oldest_open[0].age == 26 * 24h + 14h);
  CHECK(r.oldest_open[0].ticket.status == "pending");
  CHECK(r.oldest_open[1].ticket.id == "T6");
  CHECK(r.oldest_open[1].age == 2 * 24h + 4h);

  // As of a "now" inside the period, ageing stops at now: T4 is then 10-20 10:00 → 11-14 10:00 = 25d.
  auto o = two_weeks("2026-11-14 10:00");
  const auto early = review(story(), o);
  CHECK(early.as_of == at("2026-11-14 10:00"));
  CHECK(early.oldest_open[0].age == 25 * 24h);
}

TEST_CASE("time to respond: created to the first support action, business and calendar")
{
  const auto r = review(story());
  // Responded in the period (minutes): T1 10, T2 5, T3 30, T8 10, T9 5, T10 30; all inside
  // working hours, so business = calendar. Sorted 5 5 10 10 30 30: mean 15m, median
  // (10+10)/2 = 10m, p90 = value at rank ceil(0.9*6) = 6 → 30m.
  const auto& b = r.totals.respond.business;
  CHECK(b.count == 6);
  CHECK(secs(b.mean) == 15 * 60);
  CHECK(secs(b.median) == 10 * 60);
  CHECK(secs(b.p90) == 30 * 60);
  CHECK(r.totals.respond.calendar.count == 6);
  CHECK(secs(r.totals.respond.calendar.mean) == 15 * 60);
  // T6 was never responded to; no response time, whatever its age.
  const auto p1 = row(r.by_priority, "P1");
  CHECK(p1.measures.respond.business.count == 0);
  CHECK_FALSE(p1.measures.respond.business.median.has_value());
}

TEST_CASE("time to resolve: paused time deducted, business differs from calendar")
{
  // T2: 09:00 → 16:00 = 7h, less the 3h pending on the user (11:00-14:00) = 4h either way.
  const auto t2 = review(only({"T2"}));
  CHECK(secs(t2.totals.resolve.business.median) == 4 * 3600);
  CHECK(secs(t2.totals.resolve.calendar.median) == 4 * 3600);
  // T3: Wed 17:00 → Fri 11:00. Business: 1h + 9h + 2h = 12h, less the 5h it waited as
  // resolved before the user rejected it (Thu 10:00-15:00) = 7h. Calendar: 42h - 5h = 37h.
  const auto t3 = review(only({"T3"}));
  CHECK(secs(t3.totals.resolve.business.median) == 7 * 3600);
  CHECK(secs(t3.totals.resolve.calendar.median) == 37 * 3600);
  // One value: mean = median = p90.
  CHECK(secs(t3.totals.resolve.business.p90) == 7 * 3600);
  CHECK(secs(t3.totals.resolve.business.mean) == 7 * 3600);
  // T8: Mon 09:00 → Wed 12:00: business 9h + 9h + 3h = 21h, calendar 51h.
  const auto t8 = review(only({"T8"}));
  CHECK(secs(t8.totals.resolve.business.median) == 21 * 3600);
  CHECK(secs(t8.totals.resolve.calendar.median) == 51 * 3600);

  // All six: business 0.5 2 4 7 21 27 h (T9: Tue 10:00 → Fri 10:00 = 8+9+9+1 = 27h):
  // mean 61.5/6 = 10.25h, median (4+7)/2 = 5.5h, p90 rank 6 = 27h.
  // Calendar 0.5 2 4 37 51 72 h: mean 166.5/6 = 27.75h, median (4+37)/2 = 20.5h, p90 72h.
  const auto r = review(story());
  const auto& b = r.totals.resolve.business;
  CHECK(b.count == 6);
  CHECK(secs(b.mean) == 36900);
  CHECK(secs(b.median) == 19800);
  CHECK(secs(b.p90) == 27 * 3600);
  const auto& c = r.totals.resolve.calendar;
  CHECK(secs(c.mean) == 99900);
  CHECK(secs(c.median) == 73800);
  CHECK(secs(c.p90) == 72 * 3600);
  // By priority: P4 holds T3 (7h) and T9 (27h): median 17h.
  CHECK(secs(row(r.by_priority, "P4").measures.resolve.business.median) == 17 * 3600);
  // Distribution (business): <1h T1; 1-4h T10 (2h); 4-8h T2 (4h), T3 (7h); 8-24h T8; 24-72h T9.
  REQUIRE(r.resolve_distribution.size() == 6);
  CHECK(r.resolve_distribution[0].count == 1);
  CHECK(r.resolve_distribution[1].count == 1);
  CHECK(r.resolve_distribution[2].count == 2);
  CHECK(r.resolve_distribution[3].count == 1);
  CHECK(r.resolve_distribution[4].count == 1);
  CHECK(r.resolve_distribution[5].count == 0);
}

TEST_CASE("SLA compliance: done in the period, or due in it and not done; cancelled left out")
{
  const auto r = review(story());
  // Respond: T1 T2 T3 T8 T9 T10 met; T6 (P1, due Fri 20:15 on the 24x7 clock) never
  // responded: breached. T5 is cancelled, T4 responded before the period.
  CHECK(r.totals.sla.respond.measured == 7);
  CHECK(r.totals.sla.respond.met == 6);
  // Resolve: T1 T2 T3 T9 T10 met; T8 (P2, 8 business hours: due Mon 17:00) resolved Wed
  // 12:00: missed; T6 due Sat 00:00 and still open: breached. T4's clock is paused.
  CHECK(r.totals.sla.resolve.measured == 7);
  CHECK(r.totals.sla.resolve.met == 5);
  CHECK(r.totals.sla.resolve.compliance().value() == doctest::Approx(5.0 / 7.0));
  const auto& p2 = row(r.by_priority, "P2").measures.sla;
  CHECK(p2.resolve.measured == 2); // T2 met, T8 missed
  CHECK(p2.resolve.met == 1);
  const auto& p1 = row(r.by_priority, "P1").measures.sla;
  CHECK(p1.respond.measured == 1);
  CHECK(p1.respond.met == 0);
  // By team at the end: platform holds T8 only.
  CHECK(row(r.by_team, "platform").measures.sla.resolve.met == 0);
  CHECK(row(r.by_team, "platform").measures.sla.resolve.measured == 1);

  // Breaches, by due time.
  REQUIRE(r.breaches.size() == 3);
  CHECK(r.breaches[0].ticket.id == "T8");
  CHECK(r.breaches[0].target == "resolve");
  CHECK(r.breaches[0].due == at("2026-11-09 17:00"));
  CHECK(r.breaches[0].done == at("2026-11-11 12:00"));
  CHECK(r.breaches[0].late == 43h); // Mon 17:00 → Wed 12:00
  CHECK(r.breaches[1].ticket.id == "T6");
  CHECK(r.breaches[1].target == "respond");
  CHECK(r.breaches[1].due == at("2026-11-13 20:15"));
  CHECK_FALSE(r.breaches[1].done.has_value());
  CHECK(r.breaches[1].late == 51h + 45min); // to the end of the period
  CHECK(r.breaches[2].target == "resolve");
  CHECK(r.breaches[2].due == at("2026-11-14 00:00"));
  CHECK(r.breaches[2].late == 48h);
}

TEST_CASE("FCR, FLR, escalations by tier and vendor, reopens, reassignments, KB")
{
  const auto r = review(story());
  const auto& q = r.totals.resolution;
  CHECK(q.resolved == 6); // T1 T2 T3 T8 T9 T10
  // FCR: resolved straight from triage, no escalation, no reopen: T1 and T9 (its reopen
  // came after the period). T10 was assigned and started first: FLR but not FCR.
  CHECK(q.first_contact == 2);
  // FLR: no escalation, no reopen, never above tier 1: T1 T9 T10. T3 was reopened.
  CHECK(q.first_level == 3);
  CHECK(q.escalated == 2);        // T2, T8
  CHECK(q.escalated_tier2 == 2);  // T2, T8
  CHECK(q.escalated_tier3 == 1);  // T8
  CHECK(q.escalated_vendor == 0); // T4 went to the vendor but is not resolved
  CHECK(q.reopened == 1);         // T3
  // T2: alice → bob (1); T8: alice → bob → erin (2). First assignments do not count.
  CHECK(q.reassignments == 3);
  CHECK(q.with_kb == 1); // T8

  // The vendor share shows once T4 is resolved (in a longer period that includes it).
  auto o = two_weeks();
  o.since = at("2026-10-01 00:00");
  std::vector<Ticket> tickets = only({"T4"});
  Ticket t4 = tickets.front();
  desk::Event resume;
  resume.id = "r1";
  resume.at = stamp("2026-11-10 10:00");
  resume.by = "dave";
  resume.action = "resume";
  resume.set = desk::Value::map();
  resume.set.set("status", desk::Value::text("in_progress"));
  t4.apply(resume);
  desk::Event fix = resume;
  fix.id = "r2";
  fix.at = stamp("2026-11-10 11:00");
  fix.action = "resolve";
  fix.set = desk::Value::map();
  fix.set.set("status", desk::Value::text("resolved"));
  fix.set.set("resolved_at", desk::Value::text(fix.at));
  t4.apply(fix);
  const auto with_vendor = review({t4}, o);
  CHECK(with_vendor.totals.resolution.escalated_vendor == 1);
  CHECK(with_vendor.totals.resolution.first_level == 0);
  CHECK(with_vendor.totals.activity.escalations_vendor == 1);
}

TEST_CASE("activity, work log and satisfaction in the period")
{
  const auto r = review(story());
  const auto& a = r.totals.activity;
  CHECK(a.escalations_tier2 == 2); // T2, T8 (T4's vendor escalation was in October)
  CHECK(a.escalations_tier3 == 1);
  CHECK(a.escalations_vendor == 0);
  CHECK(a.reopens == 1);      // T3 (T9's is after the period)
  CHECK(a.resolutions == 7);  // T1 T2 T3×2 T8 T9 T10
  CHECK(a.log_entries == 2);
  CHECK(a.log_minutes == 65); // T2 45 + T10 20
  const auto& s = r.totals.satisfaction;
  CHECK(s.confirmations == 4); // T1 (5), T2 (3), T8 (4), T10 (no rating)
  CHECK(s.rated == 3);
  CHECK(s.average().value() == doctest::Approx(4.0));
  CHECK(s.satisfied == 2);
  CHECK((s.ratings == std::array<int, 5>{0, 0, 1, 1, 1}));
}

TEST_CASE("groups and workload by the team and assignee at the end of the period")
{
  const auto r = review(story());
  // Config order first, "(none)" last.
  REQUIRE(r.groups.size() == 4);
  CHECK(r.groups[0].name == "service-desk");
  CHECK(r.groups[1].name == "network");
  CHECK(r.groups[2].name == "platform");
  CHECK(r.groups[3].name == "(none)");
  const auto& desk_team = r.groups[0].measures;
  CHECK(desk_team.volume.opened == 2);   // T3, T10
  CHECK(desk_team.volume.resolved == 2); // T3, T10
  CHECK(desk_team.volume.backlog_end == 1); // T4
  CHECK(desk_team.resolution.first_level == 1); // T10
  CHECK(r.groups[3].measures.volume.cancelled == 1); // T5

  // Workload per person: open/resolved by assignee at the end, minutes by the author.
  REQUIRE(r.workload_assignees.size() == 7);
  CHECK(r.workload_assignees[0].name == "alice");
  CHECK(r.workload_assignees[0].resolved == 1);
  CHECK(r.workload_assignees[0].log_minutes == 20);
  CHECK(r.workload_assignees[1].name == "bob");
  CHECK(r.workload_assignees[1].log_minutes == 45);
  CHECK(r.workload_assignees[3].name == "dave");
  CHECK(r.workload_assignees[3].open == 1);
  CHECK(r.workload_assignees[5].name == "lina");
  CHECK(r.workload_assignees[5].resolved == 2);
  CHECK(r.workload_assignees[6].name == "(none)");
  CHECK(r.workload_assignees[6].open == 1); // T6
  // Per team: minutes go to the team holding the ticket when they were logged.
  REQUIRE(r.workload_teams.size() == 4);
  CHECK(r.workload_teams[0].name == "service-desk");
  CHECK(r.workload_teams[0].open == 1);
  CHECK(r.workload_teams[0].resolved == 2);
  CHECK(r.workload_teams[0].log_minutes == 20);
  CHECK(r.workload_teams[1].name == "network");
  CHECK(r.workload_teams[1].log_minutes == 45);

  // Grouped by priority instead: config order.
  auto o = two_weeks();
  o.group_by = desk::report::Dimension::priority;
  const auto by_priority = review(story(), o);
  REQUIRE(by_priority.groups.size() == 4);
  CHECK(by_priority.groups[0].name == "P1");
  CHECK(by_priority.groups[3].name == "P4");
}

TEST_CASE("trend: the same measures per week and per month")
{
  const auto r = review(story());
  REQUIRE(r.trend.size() == 2);
  CHECK(r.trend[0].label == "2026-11-02");
  CHECK(r.trend[0].start == at("2026-11-02 00:00"));
  CHECK(r.trend[0].end == at("2026-11-09 00:00"));
  // Week 1: T1 T2 T3 opened and resolved; T1 closed; T4 open throughout.
  CHECK(r.trend[0].measures.volume.opened == 3);
  CHECK(r.trend[0].measures.volume.resolved == 3);
  CHECK(r.trend[0].measures.volume.closed == 1);
  CHECK(r.trend[0].measures.volume.backlog_end == 1);
  CHECK(r.trend[0].measures.activity.reopens == 1);
  // Week 2: T5 T6 T8 T9 T10 opened; T8 T9 T10 resolved; T5 cancelled; T4 and T6 open.
  CHECK(r.trend[1].label == "2026-11-09");
  CHECK(r.trend[1].measures.volume.opened == 5);
  CHECK(r.trend[1].measures.volume.resolved == 3);
  CHECK(r.trend[1].measures.volume.cancelled == 1);
  CHECK(r.trend[1].measures.volume.backlog_start == 1);
  CHECK(r.trend[1].measures.volume.backlog_end == 2);
  CHECK(r.trend[1].measures.sla.resolve.measured == 4); // T8 missed, T9 T10 met, T6 breached
  CHECK(r.trend[1].measures.sla.resolve.met == 2);

  // A period starting mid-week: the first bucket is clipped to the period.
  auto o = two_weeks();
  o.since = at("2026-11-04 12:00");
  const auto clipped = review(story(), o);
  REQUIRE(clipped.trend.size() == 2);
  CHECK(clipped.trend[0].label == "2026-11-02");
  CHECK(clipped.trend[0].start == at("2026-11-04 12:00"));

  // By month: October (part) and November (part).
  o = two_weeks();
  o.since = at("2026-10-15 00:00");
  o.bucket = desk::report::Bucket::month;
  const auto monthly = review(story(), o);
  REQUIRE(monthly.trend.size() == 2);
  CHECK(monthly.trend[0].label == "2026-10");
  CHECK(monthly.trend[0].measures.volume.opened == 1); // T4
  CHECK(monthly.trend[0].measures.activity.escalations_vendor == 1);
  CHECK(monthly.trend[1].label == "2026-11");
  CHECK(monthly.trend[1].start == at("2026-11-01 00:00"));
  CHECK(monthly.trend[1].measures.volume.opened == 8);
}

// Every count and duration of one slice, as text (Measures has no ==).
std::string figures(const desk::report::Measures& m)
{
  const auto d = [](const desk::report::DurationStats& x) {
    const auto s = [](const std::optional<std::chrono::seconds>& v) { return v ? v->count() : -1; };
    return fmt::format("{}/{}/{}/{}", x.count, s(x.mean), s(x.median), s(x.p90));
  };
  const auto& v = m.volume;
  const auto& r = m.resolution;
  const auto& a = m.activity;
  return fmt::format("volume {} {} {} {} {} {}; respond {} {}; resolve {} {}; sla {}/{} {}/{}; "
                     "resolution {} {} {} {} {} {} {} {} {} {}; activity {} {} {} {} {} {} {}; rated {} {}",
                     v.opened, v.resolved, v.closed, v.cancelled, v.backlog_start, v.backlog_end,
                     d(m.respond.business), d(m.respond.calendar), d(m.resolve.business), d(m.resolve.calendar),
                     m.sla.respond.met, m.sla.respond.measured, m.sla.resolve.met, m.sla.resolve.measured, r.resolved,
                     r.first_contact, r.first_level, r.escalated, r.escalated_tier2, r.escalated_tier3,
                     r.escalated_vendor, r.reopened, r.reassignments, r.with_kb, a.escalations_tier2,
                     a.escalations_tier3, a.escalations_vendor, a.reopens, a.resolutions, a.log_minutes,
                     a.log_entries, m.satisfaction.rated, m.satisfaction.rating_sum);
}

TEST_CASE("trend: each bucket measures what a report of that bucket alone does")
{
  // The builder makes each ticket's snapshot once for all the ends with the same events
  // before them; a report of one bucket makes its own. Also with one ticket's events out
  // of time order in its file (its snapshots are then made for each end).
  // T11's history spans three weeks: at each week's end it stands differently.
  std::vector<Ticket> spanning = story();
  spanning.push_back(Story("T11", "P3", "2026-10-30 10:00")
                       .step("2026-10-30 10:10", "triage", {{"category", "network"}})
                       .step("2026-11-03 10:20", "assign", {{"assignee", "dave"}, {"team", "service-desk"}, {"tier", "1"}})
                       .step("2026-11-06 09:00", "start", {}, {}, "dave")
                       .step("2026-11-10 10:00", "resolve", {{"solution", "swap"}}, {}, "dave")
                       .step("2026-11-11 09:00", "confirm", {{"rating", "4"}}, {}, "user")
                       .ticket());
  std::vector<Ticket> shuffled = spanning;
  for (auto& t : shuffled) {
    if (t.id() == "T8" && t.events().size() >= 3) {
      std::swap(t.events()[1], t.events()[2]);
    }
  }
  for (const auto& tickets : {spanning, shuffled}) {
    for (const auto bucket : {desk::report::Bucket::week, desk::report::Bucket::month}) {
      auto o = two_weeks();
      o.since = at("2026-10-20 00:00");
      o.bucket = bucket;
      const auto whole = review(tickets, o);
      REQUIRE(!whole.trend.empty());
      int opened = 0;
      for (const auto& point : whole.trend) {
        auto alone = o;
        alone.since = point.start;
        alone.until = point.end;
        CHECK(figures(point.measures) == figures(review(tickets, alone).totals));
        opened += point.measures.volume.opened;
      }
      CHECK(opened == whole.totals.volume.opened);
      CHECK(opened >= 9);
    }
  }
}

TEST_CASE("a past period gives the same report whenever it is run")
{
  // Later events (T9's reopen, T7) and a later "now" do not change it.
  const auto first = desk::report::render_json(review(story(), two_weeks("2026-11-16 00:00")));
  const auto later = desk::report::render_json(review(story(), two_weeks("2027-03-01 00:00")));
  CHECK(first == later);
  std::vector<Ticket> without_later_events;
  for (auto t : story()) {
    if (t.id() == "T9") {
      t.events().resize(3); // open, triage, resolve
      t.set("status", "resolved");
    }
    without_later_events.push_back(t);
  }
  // T9's current fields differ (status), its state at the end of the period does not.
  CHECK(desk::report::render_json(review(without_later_events, two_weeks("2026-11-16 00:00"))) == first);
}

TEST_CASE("tickets whose times or status cannot be read are left out and named")
{
  auto tickets = only({"T1", "T2"});
  tickets[1].set("created", "yesterday");
  Ticket odd = only({"T3"}).front();
  odd.events()[2].at = "soon";
  tickets.push_back(odd);
  const auto r = desk::report::build_report(tickets, report_config(), two_weeks(),
                                            {{"tickets/2026/11/BAD.yaml:3:1", "bad indentation"}},
                                            {"tickets/T1.yaml", "tickets/T2.yaml", "tickets/T3.yaml"});
  CHECK(r.tickets_read == 1);
  REQUIRE(r.left_out.size() == 3);
  CHECK(r.left_out[0].source == "tickets/2026/11/BAD.yaml:3:1");
  CHECK(r.left_out[1].source == "tickets/T2.yaml");
  CHECK(r.left_out[1].reason.find("'created' is not a time") != std::string::npos);
  CHECK(r.left_out[2].source == "tickets/T3.yaml");
  CHECK(r.left_out[2].reason.find("event 3 (assign) has a bad time 'soon'") != std::string::npos);
  CHECK(r.totals.volume.opened == 1);
  CHECK(desk::report::to_json(r)["tickets"]["left_out"] == 3);
}

TEST_CASE("the period must be non-empty and the trend bounded")
{
  auto o = two_weeks();
  o.since = o.until;
  CHECK_THROWS_AS(review(story(), o), desk::UsageError);
  o = two_weeks();
  o.since = at("2000-01-01 00:00");
  CHECK_THROWS_AS(review(story(), o), desk::UsageError); // > 520 weeks
  o.bucket = desk::report::Bucket::month;
  CHECK_NOTHROW(review(story(), o));
}

TEST_CASE("names of dimensions and buckets")
{
  CHECK(desk::report::parse_dimension("channel") == desk::report::Dimension::channel);
  CHECK_FALSE(desk::report::parse_dimension("colour").has_value());
  CHECK(desk::report::parse_bucket("month") == desk::report::Bucket::month);
  CHECK_FALSE(desk::report::parse_bucket("day").has_value());
  CHECK((desk::report::group_by_names() ==
         std::vector<std::string>{"team", "category", "priority", "assignee", "channel"}));
}

TEST_CASE("many tickets: measured in batches, each counted once, left-out ones in their order")
{
  // The story 250 times over (2,500 tickets: the builder measures 1,024 at a time), with
  // one ticket that cannot be read in the middle.
  const auto one = review(story());
  desk::report::ReportBuilder builder(report_config(), two_weeks());
  int added = 0;
  for (int copy = 0; copy < 250; ++copy) {
    for (Ticket t : story()) {
      t.set("id", t.id() + "-" + std::to_string(copy));
      if (copy == 123 && added % 10 == 4) {
        t.set("created", "never");
      }
      builder.add(std::move(t), "tickets/" + std::to_string(added) + ".yaml");
      ++added;
    }
  }
  const auto many = builder.finish({{"tickets/BAD.yaml:1:1", "bad indentation"}}, 7);
  REQUIRE(many.left_out.size() == 2);
  CHECK(many.left_out[0].source == "tickets/BAD.yaml:1:1");
  CHECK(many.left_out[1].source == "tickets/" + std::to_string(123 * 10 + 4) + ".yaml");
  CHECK(many.tickets_read == one.tickets_read * 250 - 1 + 7);
  // The bad copy is one of the story's tickets: every figure but its own is 250 times.
  const Ticket bad = story()[4];
  const auto without = [&] {
    std::vector<Ticket> rest;
    for (const auto& t : story()) {
      if (t.id() != bad.id()) {
        rest.push_back(t);
      }
    }
    return review(rest);
  }();
  const auto times = [](int whole, int part) { return whole * 249 + part; };
  CHECK(many.totals.volume.opened == times(one.totals.volume.opened, without.totals.volume.opened));
  CHECK(many.totals.volume.resolved == times(one.totals.volume.resolved, without.totals.volume.resolved));
  CHECK(many.totals.volume.backlog_end == times(one.totals.volume.backlog_end, without.totals.volume.backlog_end));
  REQUIRE(many.trend.size() == one.trend.size());
  for (std::size_t b = 0; b < one.trend.size(); ++b) {
    CHECK(many.trend[b].measures.volume.opened ==
          times(one.trend[b].measures.volume.opened, without.trend[b].measures.volume.opened));
    CHECK(many.trend[b].measures.sla.resolve.met ==
          times(one.trend[b].measures.sla.resolve.met, without.trend[b].measures.sla.resolve.met));
  }
  CHECK(many.totals.resolve.business.count ==
        times(one.totals.resolve.business.count, without.totals.resolve.business.count));
}

} // TEST_SUITE
