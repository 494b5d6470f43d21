#include <desk/config/config.hpp>
#include <desk/model/id.hpp>
#include <desk/storage/config_file.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>
#include <desk/workflow/operations.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using desk::Config;
using desk::Ticket;
using desk::Value;
using desk::test::at;
using desk::test::stamp;
namespace wf = desk::workflow;

namespace {

// The default config plus teams, a vendor and a rule.
Config make_config()
{
  std::string text = desk::storage::default_config_text("Asia/Shanghai");
  auto replace = [&](const std::string& from, const std::string& to) {
    const auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), to);
  };
  replace("teams: {}\n", "teams:\n"
                         "  service-desk:\n"
                         "    tier: 1\n"
                         "    members: [alice, bob]\n"
                         "    skills: [end-user-device, application]\n"
                         "    supervisor: carol\n"
                         "  network-team:\n"
                         "    tier: 2\n"
                         "    members: [erin, dave]\n"
                         "    skills: [network]\n"
                         "    supervisor: frank\n"
                         "  server-team:\n"
                         "    tier: 2\n"
                         "    members: [gina]\n"
                         "    skills: [server, database]\n"
                         "  experts:\n"
                         "    tier: 3\n"
                         "    members: [hank]\n"
                         "    skills: [network, server, database, application]\n"
                         "    supervisor: ivy\n");
  replace("vendors: {}\n", "vendors:\n  acme-isp: {contact: noc@acme.example}\n");
  replace("rules: []\n", "rules:\n  - {affected: ERP, team: server-team}\n");
  return desk::storage::parse_config(text, "config.yaml");
}

const Config& config()
{
  static const Config k_config = make_config();
  return k_config;
}

wf::Context ctx(const char* local, std::string actor = "alice")
{
  return wf::Context{config(), std::move(actor), at(local)};
}

// Opened Monday 2026-11-23 10:00, department × medium = P3.
Ticket open_p3(const char* when = "2026-11-23T10:00")
{
  wf::OpenRequest r;
  r.title = "VPN 连不上";
  r.impact = "department";
  r.urgency = "medium";
  return wf::open_ticket(ctx(when), r);
}

Ticket triaged(const std::string& category = "network")
{
  Ticket t = open_p3();
  wf::TriageRequest r;
  r.category = category;
  wf::triage(t, ctx("2026-11-23T10:05"), r);
  return t;
}

Ticket assigned_to(const std::string& user, const std::string& category = "network")
{
  Ticket t = triaged(category);
  wf::AssignRequest r;
  r.user = user;
  wf::assign(t, ctx("2026-11-23T10:10"), r, {});
  return t;
}

Ticket in_progress()
{
  Ticket t = assigned_to("bob");
  wf::start(t, ctx("2026-11-23T10:20", "bob"), "");
  return t;
}

Ticket resolved(const char* when = "2026-11-23T12:00")
{
  Ticket t = in_progress();
  wf::ResolveRequest r;
  r.solution = "重启了 VPN 网关";
  r.verified_by = "alice";
  wf::resolve(t, ctx(when, "bob"), r);
  return t;
}

const desk::Event& last(const Ticket& t)
{
  REQUIRE_FALSE(t.events().empty());
  return t.events().back();
}

std::string set_of(const desk::Event& e, const char* key)
{
  const Value* v = e.set.find(key);
  return v ? v->str() : std::string("<absent>");
}

// Run `step` on a copy and check it throws E and leaves the ticket as it was.
template <typename E, typename F>
void refused(const Ticket& t, F step, const std::string& words = {})
{
  Ticket copy = t;
  try {
    step(copy);
    FAIL_CHECK("no error");
  } catch (const E& e) {
    INFO(e.what(), " / ", e.hint());
    if (!words.empty()) {
      CHECK(std::string(e.what()).find(words) != std::string::npos);
    }
  } catch (const std::exception& e) {
    FAIL_CHECK("wrong error type: " << e.what());
  }
  CHECK(copy == t);
}

} // namespace

TEST_SUITE_BEGIN("workflow.operations");

TEST_CASE("open_ticket: defaults, priority from the matrix, due times, the open event")
{
  wf::OpenRequest r;
  r.title = "打印机坏了";
  const Ticket t = wf::open_ticket(ctx("2026-11-23T10:00"), r);
  CHECK(desk::ids::is_ticket_id(t.id()));
  CHECK(t.id().starts_with("INC-"));
  CHECK(t.get("type") == "incident");
  CHECK(t.status() == "new");
  CHECK(t.get("priority") == "P4");
  CHECK(t.get("impact") == "individual");
  CHECK(t.get("urgency") == "medium");
  CHECK(t.get("channel") == "portal");
  CHECK(t.get("title") == "打印机坏了");
  CHECK(t.get("created") == "2026-11-23T10:00:00+08:00");
  CHECK(t.get("updated") == "2026-11-23T10:00:00+08:00");
  CHECK(t.get("respond_due") == "2026-11-23T18:00:00+08:00"); // 8 business hours
  CHECK(t.get("resolve_due") == "2026-11-27T14:00:00+08:00"); // 40 business hours: Mon 8 + 3 × 9 + Fri 5
  CHECK(t.get("responded_at").empty());
  REQUIRE(t.events().size() == 1);
  const auto& e = t.events()[0];
  CHECK(e.action == "open");
  CHECK(e.by == "alice");
  CHECK(e.at == "2026-11-23T10:00:00+08:00");
  CHECK(desk::ids::is_ticket_id("INC-" + e.id.substr(2)));
  CHECK(set_of(e, "status") == "new");
  CHECK(set_of(e, "priority") == "P4");
  CHECK(set_of(e, "impact") == "individual");
  CHECK(set_of(e, "urgency") == "medium");
  CHECK(set_of(e, "respond_due") == "2026-11-23T18:00:00+08:00");
  CHECK(set_of(e, "resolve_due") == "2026-11-27T14:00:00+08:00");
}

TEST_CASE("open_ticket: every intake field and the SLA of each priority")
{
  wf::OpenRequest r;
  r.type = "request";
  r.title = "新员工开通邮箱";
  r.description = "入职：张三\n部门：财务部\n";
  r.reporter = "张三";
  r.department = "财务部";
  r.contact = "13800000000";
  r.channel = "phone";
  r.affected = {"邮件", "ERP"};
  r.impact = "core-business";
  r.urgency = "critical";
  r.occurred_at = "2026-11-23T09:30";
  r.steps = "1. 打开 Outlook\n2. 登录";
  r.error = "0x800CCC0E: 'connect' failed";
  r.attachments = {"shot.png"};
  r.dedup_key = "monitor:mail";
  r.external_id = "ZBX-42";
  const Ticket t = wf::open_ticket(ctx("2026-11-23T10:00"), r);
  CHECK(t.id().starts_with("REQ-"));
  CHECK(t.get("priority") == "P1");
  CHECK(t.get("respond_due") == "2026-11-23T10:15:00+08:00"); // P1: calendar time
  CHECK(t.get("resolve_due") == "2026-11-23T14:00:00+08:00");
  CHECK(t.get("reporter") == "张三");
  CHECK(t.get("department") == "财务部");
  CHECK(t.get("contact") == "13800000000");
  CHECK(t.get("channel") == "phone");
  CHECK(t.get_list("affected") == std::vector<std::string>{"邮件", "ERP"});
  CHECK(t.get("occurred_at") == "2026-11-23T09:30:00+08:00");
  CHECK(t.get("description") == "入职：张三\n部门：财务部\n");
  CHECK(t.get("steps") == "1. 打开 Outlook\n2. 登录");
  CHECK(t.get("error") == "0x800CCC0E: 'connect' failed");
  CHECK(t.get_list("attachments") == std::vector<std::string>{"shot.png"});
  CHECK(t.get("dedup_key") == "monitor:mail");
  CHECK(t.get("external_id") == "ZBX-42");

  const Ticket p3 = open_p3();
  CHECK(p3.get("priority") == "P3");
  CHECK(p3.get("respond_due") == "2026-11-23T12:00:00+08:00");
  CHECK(p3.get("resolve_due") == "2026-11-25T16:00:00+08:00"); // 8h + 9h + 7h of office time

  r = {};
  r.title = "x";
  r.impact = "company";
  r.urgency = "high";
  const Ticket p2 = wf::open_ticket(ctx("2026-11-27T17:30"), r); // Friday
  CHECK(p2.get("priority") == "P2");
  CHECK(p2.get("respond_due") == "2026-11-27T18:00:00+08:00"); // the last half hour of Friday
  CHECK(p2.get("resolve_due") == "2026-11-30T16:30:00+08:00");
}

TEST_CASE("open_ticket refuses bad input")
{
  auto open_with = [](auto tweak) {
    wf::OpenRequest r;
    r.title = "ok";
    tweak(r);
    return wf::open_ticket(ctx("2026-11-23T10:00"), r);
  };
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.title = ""; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.title = "  \t"; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.title = "two\nlines"; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.type = "bug"; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.channel = "fax"; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.impact = "galaxy"; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.urgency = "whenever"; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.affected = {""}; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.reporter = "a\nb"; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.occurred_at = "yesterday"; }), desk::UsageError);
  CHECK_THROWS_AS(open_with([](wf::OpenRequest& r) { r.occurred_at = "2026-11-23T10:01"; }), desk::UsageError);
  CHECK_NOTHROW(open_with([](wf::OpenRequest& r) { r.occurred_at = "2026-11-23T10:00"; }));
}

TEST_CASE("triage classifies, counts as the response, recomputes priority and due times")
{
  Ticket t = open_p3();
  wf::TriageRequest r;
  r.category = "network";
  r.note = "looks like the gateway";
  wf::triage(t, ctx("2026-11-23T10:05", "bob"), r);
  CHECK(t.status() == "triaged");
  CHECK(t.get("category") == "network");
  CHECK(t.get("responded_at") == stamp("2026-11-23T10:05"));
  CHECK(t.get("updated") == stamp("2026-11-23T10:05"));
  CHECK(t.get("priority") == "P3");
  const auto& e = last(t);
  CHECK(e.action == "triage");
  CHECK(e.by == "bob");
  CHECK(e.note == "looks like the gateway");
  CHECK(set_of(e, "category") == "network");
  CHECK(set_of(e, "status") == "triaged");
  CHECK(set_of(e, "priority") == "<absent>"); // unchanged, not recorded

  // Wider impact, higher urgency: P1 and calendar-time due times from creation.
  r = {};
  r.category = "network";
  r.impact = "core-business";
  r.urgency = "critical";
  wf::triage(t, ctx("2026-11-23T10:06"), r);
  CHECK(t.get("priority") == "P1");
  CHECK(t.get("impact") == "core-business");
  CHECK(t.get("urgency") == "critical");
  CHECK(t.get("respond_due") == "2026-11-23T10:15:00+08:00");
  CHECK(t.get("resolve_due") == "2026-11-23T14:00:00+08:00");
  CHECK(set_of(last(t), "priority") == "P1");
  CHECK(set_of(last(t), "resolve_due") == "2026-11-23T14:00:00+08:00");
  CHECK(set_of(last(t), "category") == "<absent>");
  CHECK(t.get("responded_at") == stamp("2026-11-23T10:05")); // the first response stays
}

TEST_CASE("triage: a priority override needs a reason, which is recorded")
{
  const Ticket t = open_p3();
  wf::TriageRequest r;
  r.category = "server";
  r.priority = "P1";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::triage(x, ctx("2026-11-23T10:05"), r); }, "needs a reason");
  r.priority = "";
  r.reason = "CEO";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::triage(x, ctx("2026-11-23T10:05"), r); });
  r.priority = "P0";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::triage(x, ctx("2026-11-23T10:05"), r); }, "P0");
  r = {};
  r.category = "printers";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::triage(x, ctx("2026-11-23T10:05"), r); }, "printers");
  r.category = "";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::triage(x, ctx("2026-11-23T10:05"), r); }, "category");

  Ticket u = t;
  r = {};
  r.category = "server";
  r.priority = "P1";
  r.reason = "the CEO's laptop";
  wf::triage(u, ctx("2026-11-23T10:05"), r);
  CHECK(u.get("priority") == "P1");
  CHECK(u.get("priority_reason") == "the CEO's laptop");
  CHECK(set_of(last(u), "priority_reason") == "the CEO's laptop");
  CHECK(u.get("resolve_due") == "2026-11-23T14:00:00+08:00");

  // Reclassifying without touching impact or urgency keeps the override.
  r = {};
  r.category = "server";
  wf::triage(u, ctx("2026-11-23T10:06"), r);
  CHECK(u.get("priority") == "P1");
  CHECK(u.get("priority_reason") == "the CEO's laptop");
}

TEST_CASE("assign to a user or a team")
{
  const Ticket t = triaged();
  Ticket u = t;
  wf::AssignRequest r;
  r.user = "alice";
  wf::assign(u, ctx("2026-11-23T10:10"), r, {});
  CHECK(u.status() == "assigned");
  CHECK(u.get("assignee") == "alice");
  CHECK(u.get("team") == "service-desk");
  CHECK(u.get("tier") == "1");
  CHECK(last(u).action == "assign");

  u = t;
  r = {};
  r.team = "network-team";
  r.user = "dave";
  wf::assign(u, ctx("2026-11-23T10:10"), r, {});
  CHECK(u.get("assignee") == "dave");
  CHECK(u.get("team") == "network-team");
  CHECK(u.get("tier") == "2");

  u = t;
  r = {};
  r.team = "server-team";
  wf::assign(u, ctx("2026-11-23T10:10"), r, {});
  CHECK(u.get("team") == "server-team");
  CHECK(u.get("assignee").empty());

  r = {};
  r.user = "zed";
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:10"), r, {}); }, "zed");
  r = {};
  r.team = "nope";
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:10"), r, {}); }, "nope");
  r = {};
  r.team = "network-team";
  r.user = "alice";
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:10"), r, {}); },
                               "not a member of team 'network-team'");
  r = {};
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:10"), r, {}); });
  r.user = "alice";
  r.automatic = true;
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:10"), r, {}); });
  // Not from new: triage first.
  r = {};
  r.user = "alice";
  refused<desk::InvalidTransitionError>(open_p3(), [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:10"), r, {}); });
}

TEST_CASE("assign with no members configured accepts any name")
{
  const Config plain = desk::storage::parse_config(desk::storage::default_config_text("Asia/Shanghai"), "c.yaml");
  wf::OpenRequest o;
  o.title = "x";
  const wf::Context c{plain, "alice", at("2026-11-23T10:00")};
  Ticket t = wf::open_ticket(c, o);
  wf::TriageRequest tr;
  tr.category = "network";
  wf::triage(t, c, tr);
  wf::AssignRequest r;
  r.user = "anyone";
  wf::assign(t, c, r, {});
  CHECK(t.get("assignee") == "anyone");
  CHECK(t.get("team").empty());
}

TEST_CASE("assign --auto: by rule, then by skill; fewest open tickets, ties by name")
{
  SUBCASE("a rule on the affected system")
  {
    wf::OpenRequest o;
    o.title = "ERP slow";
    o.affected = {"ERP"};
    Ticket t = wf::open_ticket(ctx("2026-11-23T10:00"), o);
    wf::TriageRequest tr;
    tr.category = "application";
    wf::triage(t, ctx("2026-11-23T10:01"), tr);
    wf::AssignRequest r;
    r.automatic = true;
    wf::assign(t, ctx("2026-11-23T10:02"), r, {{"gina", 7}});
    CHECK(t.get("team") == "server-team");
    CHECK(t.get("assignee") == "gina");
    CHECK(last(t).note.find("affected=ERP") != std::string::npos);
    CHECK(last(t).note.find("gina has the fewest open tickets (7)") != std::string::npos);
  }
  SUBCASE("a skill: the lowest tier that has it, then the least loaded member")
  {
    Ticket t = triaged("network");
    wf::AssignRequest r;
    r.automatic = true;
    wf::assign(t, ctx("2026-11-23T10:10"), r, {{"dave", 3}, {"erin", 1}, {"hank", 0}});
    CHECK(t.get("team") == "network-team");
    CHECK(t.get("assignee") == "erin");
    CHECK(t.get("tier") == "2");
    CHECK(last(t).note.find("team network-team (tier 2) has skill network") != std::string::npos);
  }
  SUBCASE("a tie goes to the first name in order")
  {
    Ticket t = triaged("network");
    wf::AssignRequest r;
    r.automatic = true;
    r.note = "night shift";
    wf::assign(t, ctx("2026-11-23T10:10"), r, {{"dave", 2}, {"erin", 2}});
    CHECK(t.get("assignee") == "dave");
    CHECK(last(t).note.starts_with("night shift\nauto: "));
  }
  SUBCASE("members missing from the load count as zero")
  {
    Ticket t = triaged("network");
    wf::AssignRequest r;
    r.automatic = true;
    wf::assign(t, ctx("2026-11-23T10:10"), r, {{"dave", 1}});
    CHECK(t.get("assignee") == "erin");
  }
  SUBCASE("nothing matches, or no category yet")
  {
    wf::AssignRequest r;
    r.automatic = true;
    Config no_skill = config();
    no_skill.teams.clear();
    no_skill.rules.clear();
    const Ticket t = triaged("network");
    refused<desk::UsageError>(t, [&](Ticket& x) { wf::assign(x, wf::Context{no_skill, "a", at("2026-11-23T10:10")}, r, {}); },
                              "no assignment rule or team skill matches category 'network'");
    Ticket reopened_without_category = open_p3();
    reopened_without_category.set("status", "triaged");
    refused<desk::UsageError>(reopened_without_category,
                              [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:10"), r, {}); }, "no category");
  }
}

TEST_CASE("assign: a lead team and collaborators")
{
  Ticket t = triaged("network");
  wf::AssignRequest r;
  r.team = "network-team";
  r.collaborators = {"server-team"};
  wf::assign(t, ctx("2026-11-23T10:10"), r, {});
  CHECK(t.get("lead_team") == "network-team");
  CHECK(t.get_list("collaborators") == std::vector<std::string>{"server-team"});

  r = {};
  r.user = "hank";
  r.lead_team = "experts";
  r.collaborators = {"service-desk", "server-team"};
  wf::assign(t, ctx("2026-11-23T10:20"), r, {});
  CHECK(t.get("team") == "experts");
  CHECK(t.get("lead_team") == "experts");
  CHECK(t.get_list("collaborators") == std::vector<std::string>{"server-team", "service-desk"});

  r = {};
  r.team = "experts";
  r.collaborators = {"experts"};
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:30"), r, {}); }, "both the lead");
  r.collaborators = {"ghosts"};
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:30"), r, {}); }, "ghosts");
  r = {};
  r.team = "experts";
  r.lead_team = "ghosts";
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::assign(x, ctx("2026-11-23T10:30"), r, {}); }, "ghosts");
}

TEST_CASE("escalate: up a tier to that tier's team, keeping the tier history")
{
  Ticket t = assigned_to("alice", "network");
  REQUIRE(t.get("tier") == "1");
  wf::EscalateRequest r;
  r.tier = 2;
  r.reason = "needs the router config";
  const std::string notified = wf::escalate(t, ctx("2026-11-23T11:00"), r, {{"erin", 4}, {"dave", 1}});
  CHECK(notified.empty());
  CHECK(t.status() == "escalated");
  CHECK(t.get("tier") == "2");
  CHECK(t.get("team") == "network-team");
  CHECK(t.get("assignee") == "dave");
  CHECK(last(t).action == "escalate");
  CHECK(last(t).note == "needs the router config");
  REQUIRE(last(t).extra.find("escalation") != nullptr);
  CHECK(last(t).extra.find("escalation")->str() == "tier 2 (network-team)");
  CHECK(last(t).extra.find("notify") == nullptr);

  // Not sideways or down.
  r.tier = 2;
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:05"), r, {}); }, "already at tier 2");
  r.tier = 1;
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:05"), r, {}); });

  r.tier = 3;
  r.notify = true;
  CHECK(wf::escalate(t, ctx("2026-11-23T12:00"), r, {}) == "ivy");
  CHECK(t.get("team") == "experts");
  CHECK(t.get("assignee") == "hank");
  CHECK(t.get("tier") == "3");
  CHECK(last(t).extra.find("notify")->str() == "ivy");

  std::vector<std::string> tiers;
  for (const auto& e : t.events()) {
    if (const Value* tier = e.set.find("tier")) {
      tiers.push_back(tier->str());
    }
  }
  CHECK(tiers == std::vector<std::string>{"1", "2", "3"});
}

TEST_CASE("escalate to a vendor, and the refusals")
{
  const Ticket t = assigned_to("alice", "network");
  Ticket u = t;
  wf::EscalateRequest r;
  r.vendor = "acme-isp";
  r.reason = "line down";
  wf::escalate(u, ctx("2026-11-23T11:00"), r, {});
  CHECK(u.get("vendor") == "acme-isp");
  CHECK(u.status() == "escalated");
  CHECK(u.get("assignee") == "alice"); // the vendor works with the current owner
  CHECK(u.get("team") == "service-desk");
  CHECK(last(u).extra.find("escalation")->str() == "vendor acme-isp");
  refused<desk::UsageError>(u, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:05"), r, {}); }, "already with vendor");

  r.vendor = "globex";
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); }, "globex");
  r.vendor = "acme-isp";
  r.tier = 2;
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); }, "not both");
  r = {};
  r.tier = 2;
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); }, "reason");
  r.reason = "x";
  r.tier = 0;
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); });
  r.tier = 3;
  r.team = "network-team";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); }, "is tier 2");
  r.team = "ghosts";
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); }, "ghosts");
  r = {};
  r.tier = 2;
  r.reason = "x";
  r.team = "server-team";
  r.notify = true;
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); }, "supervisor");
  r.notify = false;
  r.user = "hank";
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); }, "hank");
  r = {};
  r.tier = 2;
  r.reason = "x";
  refused<desk::InvalidTransitionError>(triaged(), [&](Ticket& x) { wf::escalate(x, ctx("2026-11-23T11:00"), r, {}); });
}

TEST_CASE("escalate --notify on the current team notifies its supervisor")
{
  Ticket t = assigned_to("alice", "application");
  wf::EscalateRequest r;
  r.vendor = "acme-isp";
  r.reason = "license server";
  r.notify = true;
  CHECK(wf::escalate(t, ctx("2026-11-23T11:00"), r, {}) == "carol");
  CHECK(last(t).extra.find("notify")->str() == "carol");
}

TEST_CASE("start, log, pending, resume")
{
  Ticket t = triaged();
  wf::AssignRequest a;
  a.team = "network-team";
  wf::assign(t, ctx("2026-11-23T10:10"), a, {});
  REQUIRE(t.get("assignee").empty());
  wf::start(t, ctx("2026-11-23T10:20", "erin"), "on it");
  CHECK(t.status() == "in_progress");
  CHECK(t.get("assignee") == "erin"); // whoever starts unowned work takes it
  CHECK(last(t).note == "on it");
  CHECK(last(t).by == "erin");

  wf::log_work(t, ctx("2026-11-23T10:40", "erin"), "换了网线\n没用", 25);
  CHECK(t.status() == "in_progress");
  CHECK(last(t).action == "log");
  CHECK(last(t).note == "换了网线\n没用");
  CHECK(last(t).extra.find("minutes")->str() == "25");
  CHECK(last(t).set.empty());
  wf::log_work(t, ctx("2026-11-23T10:41", "erin"), "no time given", 0);
  CHECK(last(t).extra.find("minutes") == nullptr);
  refused<desk::UsageError>(t, [](Ticket& x) { wf::log_work(x, ctx("2026-11-23T10:42"), " ", 5); });
  refused<desk::UsageError>(t, [](Ticket& x) { wf::log_work(x, ctx("2026-11-23T10:42"), "x", -1); });
  refused<desk::UsageError>(t, [](Ticket& x) { wf::log_work(x, ctx("2026-11-23T10:42"), "x", 24 * 60 * 7 + 1); });

  refused<desk::UsageError>(t, [](Ticket& x) { wf::set_pending(x, ctx("2026-11-23T11:00"), "", "m"); });
  refused<desk::UsageError>(t, [](Ticket& x) { wf::set_pending(x, ctx("2026-11-23T11:00"), "lunch", "m"); }, "lunch");
  wf::set_pending(t, ctx("2026-11-23T11:00", "erin"), "awaiting-user", "问用户要日志");
  CHECK(t.status() == "pending");
  CHECK(t.get("pending_reason") == "awaiting-user");
  refused<desk::InvalidTransitionError>(t, [](Ticket& x) { wf::set_pending(x, ctx("2026-11-23T11:01"), "awaiting-vendor", ""); });
  refused<desk::InvalidTransitionError>(t, [](Ticket& x) { wf::start(x, ctx("2026-11-23T11:01"), ""); });

  wf::resume(t, ctx("2026-11-23T12:30", "erin"), "got the logs");
  CHECK(t.status() == "in_progress");
  CHECK(t.find("pending_reason") == nullptr);
  CHECK(set_of(last(t), "pending_reason").empty());
  refused<desk::InvalidTransitionError>(t, [](Ticket& x) { wf::resume(x, ctx("2026-11-23T12:31"), ""); });
}

TEST_CASE("pending on the user pushes the stored resolve due time out by the pause")
{
  Ticket t = in_progress();
  REQUIRE(t.get("resolve_due") == "2026-11-25T16:00:00+08:00");
  wf::set_pending(t, ctx("2026-11-23T11:00"), "awaiting-user", "");
  CHECK(t.get("resolve_due") == "2026-11-25T16:00:00+08:00"); // not moved while still paused
  wf::resume(t, ctx("2026-11-23T12:30"), "");
  CHECK(t.get("resolve_due") == "2026-11-25T17:30:00+08:00"); // 1h30 of office time later
  CHECK(set_of(last(t), "resolve_due") == "2026-11-25T17:30:00+08:00");
  CHECK(t.get("respond_due") == "2026-11-23T12:00:00+08:00"); // the respond clock never pauses
}

TEST_CASE("pending on a change does not pause the clock (default config)")
{
  Ticket t = in_progress();
  wf::set_pending(t, ctx("2026-11-23T11:00"), "awaiting-change", "");
  wf::resume(t, ctx("2026-11-23T12:30"), "");
  CHECK(t.get("resolve_due") == "2026-11-25T16:00:00+08:00");
}

TEST_CASE("resolve needs a solution and an internal verification")
{
  const Ticket t = in_progress();
  wf::ResolveRequest r;
  r.verified_by = "alice";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::resolve(x, ctx("2026-11-23T12:00"), r); }, "solution");
  r.solution = "fixed";
  r.verified_by = "";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::resolve(x, ctx("2026-11-23T12:00"), r); }, "verification");
  r.verified_by = "zed";
  refused<desk::NotFoundError>(t, [&](Ticket& x) { wf::resolve(x, ctx("2026-11-23T12:00"), r); }, "zed");
  r.verified_by = "alice\nbob";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::resolve(x, ctx("2026-11-23T12:00"), r); });

  Ticket u = t;
  r.verified_by = "alice";
  r.solution = "重启了 VPN 网关\n并更新了固件";
  r.cause = "固件 bug";
  r.verification = "从外网连通";
  r.kb = "KB-12";
  wf::resolve(u, ctx("2026-11-23T12:00", "bob"), r);
  CHECK(u.status() == "resolved");
  CHECK(u.get("solution") == "重启了 VPN 网关\n并更新了固件");
  CHECK(u.get("cause") == "固件 bug");
  CHECK(u.get("verification") == "从外网连通");
  CHECK(u.get("verified_by") == "alice");
  CHECK(u.get_list("kb") == std::vector<std::string>{"KB-12"});
  CHECK(u.get("resolved_at") == stamp("2026-11-23T12:00"));

  Ticket pending = t;
  wf::set_pending(pending, ctx("2026-11-23T11:00"), "awaiting-user", "");
  wf::resolve(pending, ctx("2026-11-23T12:00"), r); // the user reported it fixed while support waited
  CHECK(pending.status() == "resolved");
  CHECK(pending.get("pending_reason").empty());
}

TEST_CASE("resolve from every working status, counting as the response when it is the first")
{
  wf::ResolveRequest r;
  r.solution = "replaced the cable";
  r.verified_by = "alice";
  for (const char* status : {"assigned", "in_progress", "pending", "escalated", "reopened"}) {
    INFO(status);
    Ticket t = in_progress();
    t.set("status", status);
    t.set("responded_at", "");
    wf::resolve(t, ctx("2026-11-23T12:00", "bob"), r);
    CHECK(t.status() == "resolved");
    CHECK(t.get("responded_at") == stamp("2026-11-23T12:00"));
  }
  Ticket closed = in_progress();
  closed.set("status", "closed");
  refused<desk::InvalidTransitionError>(closed, [&](Ticket& x) { wf::resolve(x, ctx("2026-11-23T12:00"), r); });
}

TEST_CASE("a first-line quick fix resolves straight from new")
{
  Ticket t = open_p3();
  wf::ResolveRequest r;
  r.solution = "told the user to restart";
  r.verified_by = "bob";
  wf::resolve(t, ctx("2026-11-23T10:03", "alice"), r);
  CHECK(t.status() == "resolved");
  CHECK(t.get("assignee") == "alice");
  CHECK(t.get("responded_at") == stamp("2026-11-23T10:03"));
}

TEST_CASE("confirm records the rating; a rejection reopens and counts")
{
  const Ticket t = resolved();
  refused<desk::UsageError>(t, [](Ticket& x) { wf::confirm(x, ctx("2026-11-24T09:00"), 6, ""); }, "rating 6");
  refused<desk::UsageError>(t, [](Ticket& x) { wf::confirm(x, ctx("2026-11-24T09:00"), -1, ""); });
  Ticket u = t;
  wf::confirm(u, ctx("2026-11-24T09:00", "张三"), 5, "很快，谢谢");
  CHECK(u.status() == "confirmed");
  CHECK(u.get("rating") == "5");
  CHECK(u.find("rating")->plain);
  CHECK(u.get("confirmed_at") == stamp("2026-11-24T09:00"));
  CHECK(last(u).by == "张三");
  CHECK(last(u).note == "很快，谢谢");
  Ticket no_rating = t;
  wf::confirm(no_rating, ctx("2026-11-24T09:00"), std::nullopt, "");
  CHECK(no_rating.find("rating") == nullptr);
  refused<desk::InvalidTransitionError>(in_progress(), [](Ticket& x) { wf::confirm(x, ctx("2026-11-24T09:00"), 5, ""); });

  Ticket r = t;
  refused<desk::UsageError>(r, [](Ticket& x) { wf::reopen(x, ctx("2026-11-24T09:00"), ""); });
  wf::reopen(r, ctx("2026-11-24T09:00", "张三"), "还是连不上");
  CHECK(r.status() == "reopened");
  CHECK(r.get("reopen_count") == "1");
  CHECK(r.find("resolved_at") == nullptr);
  CHECK(last(r).action == "reopen");
  CHECK(last(r).note == "还是连不上");
  // Back to diagnosis, fixed again, rejected again.
  wf::start(r, ctx("2026-11-24T09:30", "bob"), "");
  CHECK(r.status() == "in_progress");
  wf::ResolveRequest rr;
  rr.solution = "换了网关";
  rr.verified_by = "alice";
  wf::resolve(r, ctx("2026-11-24T11:00", "bob"), rr);
  wf::reopen(r, ctx("2026-11-24T12:00"), "again");
  CHECK(r.get("reopen_count") == "2");
  refused<desk::InvalidTransitionError>(r, [](Ticket& x) { wf::reopen(x, ctx("2026-11-24T12:01"), "x"); });
}

TEST_CASE("close: confirmed, or resolved and stale; never incomplete")
{
  Ticket confirmed = resolved();
  wf::confirm(confirmed, ctx("2026-11-24T09:00"), 4, "");
  wf::close(confirmed, ctx("2026-11-24T10:00"), "done");
  CHECK(confirmed.status() == "closed");
  CHECK(confirmed.get("closed_at") == stamp("2026-11-24T10:00"));
  refused<desk::InvalidTransitionError>(confirmed, [](Ticket& x) { wf::close(x, ctx("2026-11-24T10:01"), ""); });

  const Ticket fresh = resolved("2026-11-23T12:00");
  CHECK_FALSE(wf::is_stale_resolved(fresh, ctx("2026-11-28T11:59")));
  CHECK(wf::is_stale_resolved(fresh, ctx("2026-11-28T12:00")));
  refused<desk::InvalidTransitionError>(fresh, [](Ticket& x) { wf::close(x, ctx("2026-11-28T11:59"), ""); },
                                        "not confirmed");
  Ticket stale = fresh;
  wf::close(stale, ctx("2026-11-28T12:00", "cron"), "");
  CHECK(stale.status() == "closed");
  CHECK(last(stale).by == "cron");

  refused<desk::InvalidTransitionError>(in_progress(), [](Ticket& x) { wf::close(x, ctx("2026-11-24T10:00"), ""); });
  CHECK_FALSE(wf::is_stale_resolved(in_progress(), ctx("2027-01-01T00:00")));

  // A quick fix without triage has no category: the record is incomplete.
  Ticket quick = open_p3();
  wf::ResolveRequest r;
  r.solution = "restart";
  r.verified_by = "bob";
  wf::resolve(quick, ctx("2026-11-23T10:03"), r);
  wf::confirm(quick, ctx("2026-11-23T10:30"), std::nullopt, "");
  try {
    Ticket copy = quick;
    wf::close(copy, ctx("2026-11-23T11:00"), "");
    FAIL_CHECK("closed an incomplete record");
  } catch (const desk::InvalidTransitionError& e) {
    CHECK(std::string(e.what()).find("no category") != std::string::npos);
    CHECK(std::string(e.hint()).find("--category") != std::string::npos);
  }
}

TEST_CASE("edit corrects intake fields and refuses a change that changes nothing")
{
  const Ticket t = in_progress();
  Ticket u = t;
  wf::EditRequest r;
  r.title = "VPN 连不上（仅限家里）";
  r.affected = std::vector<std::string>{"VPN"};
  wf::edit(u, ctx("2026-11-23T11:00"), r);
  CHECK(u.status() == "in_progress");
  CHECK(u.get("title") == "VPN 连不上（仅限家里）");
  CHECK(u.get_list("affected") == std::vector<std::string>{"VPN"});
  CHECK(last(u).action == "edit");
  CHECK(set_of(last(u), "title") == "VPN 连不上（仅限家里）");
  refused<desk::UsageError>(u, [&](Ticket& x) { wf::edit(x, ctx("2026-11-23T11:01"), r); }, "nothing to change");
  wf::EditRequest bad;
  bad.title = "a\nb";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::edit(x, ctx("2026-11-23T11:01"), bad); });
  bad.title = std::nullopt;
  bad.channel = "fax";
  refused<desk::UsageError>(t, [&](Ticket& x) { wf::edit(x, ctx("2026-11-23T11:01"), bad); }, "fax");
  Ticket c = t;
  wf::cancel(c, ctx("2026-11-23T11:02"), "dup");
  refused<desk::InvalidTransitionError>(c, [&](Ticket& x) { wf::edit(x, ctx("2026-11-23T11:03"), r); });
}

TEST_CASE("cancel from any open state, with a reason")
{
  const Ticket t = open_p3();
  refused<desk::UsageError>(t, [](Ticket& x) { wf::cancel(x, ctx("2026-11-23T10:30"), ""); }, "reason");
  Ticket u = t;
  wf::cancel(u, ctx("2026-11-23T10:30"), "duplicate of INC-AAAA");
  CHECK(u.status() == "cancelled");
  CHECK(u.get("closed_at") == stamp("2026-11-23T10:30"));
  CHECK(last(u).note == "duplicate of INC-AAAA");
  refused<desk::InvalidTransitionError>(u, [](Ticket& x) { wf::cancel(x, ctx("2026-11-23T10:31"), "again"); });
  Ticket p = in_progress();
  wf::set_pending(p, ctx("2026-11-23T11:00"), "awaiting-user", "");
  wf::cancel(p, ctx("2026-11-23T11:30"), "withdrawn");
  CHECK(p.status() == "cancelled");
  CHECK(p.find("pending_reason") == nullptr);
  refused<desk::InvalidTransitionError>(resolved(), [](Ticket& x) { wf::cancel(x, ctx("2026-11-24T10:00"), "x"); });
}

TEST_CASE("notice is recorded once per kind and target, without a status change")
{
  Ticket t = in_progress();
  CHECK_FALSE(wf::has_notice(t, "warning", "resolve"));
  wf::notice(t, ctx("2026-11-25T14:00", "desk"), "warning", "resolve");
  CHECK(t.status() == "in_progress");
  CHECK(wf::has_notice(t, "warning", "resolve"));
  CHECK_FALSE(wf::has_notice(t, "breach", "resolve"));
  CHECK_FALSE(wf::has_notice(t, "warning", "respond"));
  CHECK(last(t).extra.find("sla")->str() == "warning resolve");
}

TEST_CASE("every step records actor and time and moves `updated`")
{
  Ticket t = resolved();
  for (const auto& e : t.events()) {
    INFO(e.action);
    CHECK_FALSE(e.by.empty());
    CHECK(desk::parse_timestamp(e.at, nullptr).has_value());
    CHECK(e.id.starts_with("E-"));
  }
  CHECK(t.get("updated") == last(t).at);
  std::vector<std::string> actions;
  for (const auto& e : t.events()) {
    actions.push_back(e.action);
  }
  CHECK(actions == std::vector<std::string>{"open", "triage", "assign", "start", "resolve"});
}

TEST_CASE("status_of refuses an unknown status")
{
  Ticket t = open_p3();
  t.set("status", "limbo");
  CHECK_THROWS_AS(wf::status_of(t), desk::UsageError);
  refused<desk::UsageError>(t, [](Ticket& x) { wf::start(x, ctx("2026-11-23T10:30"), ""); }, "limbo");
}

TEST_CASE("the fields a step implies: pending_reason cleared on leaving pending, responded_at once, not by open")
{
  Ticket t;
  t.set("id", "INC-IMPLIED1");
  t.set("status", "pending");
  t.set("pending_reason", "awaiting-user");
  const std::string at = "2026-11-23T10:00:00+08:00";

  Value leaving = Value::map();
  leaving.set("status", Value::text("in_progress"));
  wf::add_implied_fields(t, wf::Action::resume, at, leaving);
  CHECK(leaving.find("pending_reason") != nullptr);
  CHECK(leaving.find("pending_reason")->str().empty());
  CHECK(leaving.find("responded_at")->str() == at);

  Value staying = Value::map(); // a log keeps the ticket pending: the reason stays
  wf::add_implied_fields(t, wf::Action::log, at, staying);
  CHECK(staying.find("pending_reason") == nullptr);

  Value given = Value::map(); // a step that names the reason itself keeps it
  given.set("status", Value::text("in_progress"));
  given.set("pending_reason", Value::text("x"));
  wf::add_implied_fields(t, wf::Action::resume, at, given);
  CHECK(given.find("pending_reason")->str() == "x");

  t.set("responded_at", "2026-11-23T09:00:00+08:00");
  Value again = Value::map();
  wf::add_implied_fields(t, wf::Action::log, at, again);
  CHECK(again.find("responded_at") == nullptr);

  Ticket fresh;
  fresh.set("id", "INC-IMPLIED2");
  fresh.set("status", "new");
  Value opened = Value::map();
  wf::add_implied_fields(fresh, wf::Action::open, at, opened);
  CHECK(opened.find("responded_at") == nullptr);
  Value confirmed = Value::map(); // the requester's confirmation is no response by support
  wf::add_implied_fields(fresh, wf::Action::confirm, at, confirmed);
  CHECK(confirmed.find("responded_at") == nullptr);
}

TEST_SUITE_END();
