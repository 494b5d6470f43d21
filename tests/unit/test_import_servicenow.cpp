#include <desk/config/config.hpp>
#include <desk/import/csv.hpp>
#include <desk/import/servicenow.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

using desk::ParseError;
using desk::Ticket;
using desk::import::CsvTable;
using desk::test::actions;
using desk::test::default_config;

namespace {

constexpr const char* k_header =
  "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,caller_id,opened_by,"
  "opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,contact_type,location,category,"
  "subcategory,u_symptom,cmdb_ci,impact,urgency,priority,assignment_group,assigned_to,knowledge,"
  "u_priority_confirmation,notify,problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at\n";

// One ServiceNow row with the columns that vary in these tests.
std::string sn_row(const std::string& number, const std::string& state, int mod, const std::string& updated_by,
                   const std::string& updated_at, const std::string& group = "Group 1",
                   const std::string& assigned = "?", const std::string& priority = "3 - Moderate",
                   int reopen = 0, const std::string& made_sla = "true")
{
  return fmt::format("{},{},true,0,{},{},{},Caller 1,Opened by  8,1/3/2016 09:00,Created by 6,1/3/2016 09:05,{},{},"
                     "Phone,Location 1,Category 7,Subcategory 9,Symptom 3,?,2 - Medium,2 - Medium,{},{},{},false,"
                     "false,Do Not Notify,?,?,?,?,code 5,Resolved by 2,2/3/2016 10:00,7/3/2016 11:00\n",
                     number, state, reopen, mod, made_sla, updated_by, updated_at, priority, group, assigned);
}

desk::import::ServiceNowLog sn_log(const std::string& rows, const desk::Config& config)
{
  return desk::import::ServiceNowLog(CsvTable::parse(std::string(k_header) + rows, "log.csv"), config, {});
}

} // namespace

TEST_SUITE("import.servicenow") {

TEST_CASE("mapping tables reproduce ServiceNow's priorities with desk's default matrix")
{
  const desk::Config c = default_config();
  const auto& impacts = desk::import::servicenow_impacts();
  const auto& urgencies = desk::import::servicenow_urgencies();
  // ServiceNow's default: impact × urgency → priority (1 = Critical ... 4 = Low, 3/3 = Low here).
  const char* expected[3][3] = {{"P1", "P2", "P3"}, {"P2", "P3", "P4"}, {"P3", "P4", "P4"}};
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t u = 0; u < 3; ++u) {
      CHECK(c.priority_for(impacts[i].value, urgencies[u].value) == expected[i][u]);
    }
  }
  for (const auto& p : desk::import::servicenow_priorities()) {
    CHECK(std::find(c.priorities.begin(), c.priorities.end(), p.value) != c.priorities.end());
  }
  for (const auto& ch : desk::import::servicenow_channels()) {
    CHECK(std::find(c.channels.begin(), c.channels.end(), ch.value) != c.channels.end());
  }
}

TEST_CASE("times: D/M/YYYY HH:MM and ISO, local to the zone")
{
  const auto* zone = desk::find_zone("Asia/Shanghai");
  const auto t = desk::import::parse_servicenow_time("29/2/2016 01:16", zone);
  REQUIRE(t);
  CHECK(desk::format_timestamp(*t, zone) == "2016-02-29T01:16:00+08:00");
  CHECK(desk::import::parse_servicenow_time("2016-02-29 01:16:30", zone) ==
        desk::parse_timestamp("2016-02-29T01:16:30+08:00", nullptr));
  CHECK_FALSE(desk::import::parse_servicenow_time("30/2/2016 01:16", zone));
  CHECK_FALSE(desk::import::parse_servicenow_time("1/13/2016 01:16", zone));
  CHECK_FALSE(desk::import::parse_servicenow_time("1/3/2016", zone));
  CHECK_FALSE(desk::import::parse_servicenow_time("1/3/2016 25:00", zone));
}

TEST_CASE("an incident's rows become desk events")
{
  const desk::Config c = default_config();
  const std::string rows = sn_row("INC1", "New", 0, "Updated by 21", "1/3/2016 09:05") +
                           sn_row("INC1", "Active", 1, "Updated by 30", "1/3/2016 09:30", "Group 2", "Resolver 4") +
                           sn_row("INC1", "Awaiting User Info", 2, "Updated by 30", "1/3/2016 10:00", "Group 2", "Resolver 4") +
                           sn_row("INC1", "Active", 3, "Updated by 30", "1/3/2016 11:00", "Group 2", "Resolver 4") +
                           sn_row("INC1", "Active", 4, "Updated by 30", "1/3/2016 11:10", "Group 2", "Resolver 4", "2 - High") +
                           sn_row("INC1", "Resolved", 5, "Updated by 30", "2/3/2016 10:00", "Group 2", "Resolver 4", "2 - High") +
                           sn_row("INC1", "Closed", 6, "Updated by 908", "7/3/2016 11:00", "Group 2", "Resolver 4", "2 - High", 0, "false");
  const auto log = sn_log(rows, c);
  REQUIRE(log.incidents() == 1);
  CHECK(log.rows() == 7);
  CHECK(log.number(0) == "INC1");
  CHECK(log.categories() == std::vector<std::string>{"Category 7"});
  CHECK(log.pending_reasons() == std::vector<std::string>{"awaiting-user"});
  const Ticket t = log.build(0, "INC-TEST0001");
  CHECK(actions(t) == std::vector<std::string>{"open", "assign", "start", "pending", "resume", "triage", "resolve", "close"});
  CHECK(t.id() == "INC-TEST0001");
  CHECK(t.status() == "closed");
  CHECK(t.get("external_id") == "INC1");
  CHECK(t.get("created") == "2016-03-01T09:00:00+08:00");
  CHECK(t.get("priority") == "P2");
  CHECK(t.get("priority_reason") == "ServiceNow priority 2 - High");
  CHECK(t.get("impact") == "department");
  CHECK(t.get("category") == "Category 7");
  CHECK(t.get("channel") == "phone");
  CHECK(t.get("reporter") == "Caller 1");
  CHECK(t.get("team") == "Group 2");
  CHECK(t.get("assignee") == "Resolver 4");
  CHECK(t.get("responded_at") == "2016-03-01T09:30:00+08:00");
  CHECK(t.get("resolved_at") == "2016-03-02T10:00:00+08:00");
  CHECK(t.get("closed_at") == "2016-03-07T11:00:00+08:00");
  CHECK(t.get("pending_reason").empty());
  CHECK(t.get("updated") == "2016-03-07T11:00:00+08:00");
  CHECK(t.get("title") == "INC1 Symptom 3 (Category 7 / Subcategory 9)");
  const desk::Value* sn = t.find("servicenow");
  REQUIRE(sn);
  CHECK(sn->find("subcategory")->str() == "Subcategory 9");
  CHECK(sn->find("made_sla")->str() == "false");
  CHECK(sn->find("sys_mod_count")->str() == "6");
  // Shapes as desk's own commands write them.
  const auto& open = t.events()[0];
  CHECK(open.by == "Opened by  8");
  CHECK(open.at == "2016-03-01T09:00:00+08:00");
  CHECK(open.set.find("status")->str() == "new");
  CHECK(open.set.find("respond_due"));
  CHECK(open.extra.find("source")->str() == "servicenow/0");
  const auto& pending = t.events()[3];
  CHECK(pending.set.entries.front().first == "pending_reason");
  CHECK(pending.set.find("status")->str() == "pending");
  const auto& resume = t.events()[4];
  CHECK(resume.set.find("pending_reason")->str().empty());
  CHECK(resume.set.find("resolve_due")); // the pause moved the due time
  const auto& close = t.events()[7];
  CHECK(close.by == "Updated by 908");
  CHECK(close.note == "ServiceNow: made_sla true → false");
  // The same input gives the same ticket, byte for byte.
  CHECK(desk::storage::TicketStore::serialize(log.build(0, "INC-TEST0001")) ==
        desk::storage::TicketStore::serialize(t));
}

TEST_CASE("reopen, a state desk does not know, misnumbered rows, rows without a change")
{
  const desk::Config c = default_config();
  // Row order in the file is shuffled; sys_mod_count orders them. The copy numbered 7 is
  // really the first update (its time says so).
  const std::string rows = sn_row("INC2", "Active", 7, "Updated by 1", "1/3/2016 09:10") +
                           sn_row("INC2", "Active", 1, "Updated by 1", "1/3/2016 09:20") +
                           sn_row("INC2", "-100", 2, "Updated by 1", "1/3/2016 09:30") +
                           sn_row("INC2", "Resolved", 3, "Updated by 1", "1/3/2016 10:00") +
                           sn_row("INC2", "Active", 4, "Updated by 2", "1/3/2016 12:00", "Group 1", "?", "3 - Moderate", 1) +
                           sn_row("INC2", "Resolved", 5, "Updated by 1", "2/3/2016 10:00", "Group 1", "?", "3 - Moderate", 1) +
                           sn_row("INC2", "Closed", 7, "Updated by 908", "7/3/2016 11:00", "Group 1", "?", "3 - Moderate", 1);
  const auto log = sn_log(rows, c);
  const Ticket t = log.build(0, "INC-TEST0002");
  CHECK(actions(t) ==
        std::vector<std::string>{"open", "start", "log", "log", "resolve", "reopen", "start", "resolve", "close"});
  CHECK(t.get("reopen_count") == "1");
  CHECK(t.events()[2].note == "updated in ServiceNow");
  CHECK(t.events()[3].note.find("state -100") != std::string::npos);
  CHECK(t.events()[5].set.find("resolved_at")->str().empty());
  // The last resolution carries ServiceNow's resolved_at.
  CHECK(t.get("resolved_at") == "2016-03-02T10:00:00+08:00");
  for (std::size_t i = 1; i < t.events().size(); ++i) {
    CHECK(*desk::parse_timestamp(t.events()[i - 1].at, nullptr) <= *desk::parse_timestamp(t.events()[i].at, nullptr));
  }
}

TEST_CASE("bad logs are refused at the cell")
{
  const desk::Config c = default_config();
  auto error = [&](const std::string& rows, const std::string& header = k_header) -> std::string {
    try {
      desk::import::ServiceNowLog(CsvTable::parse(header + rows, "log.csv"), c, {});
    } catch (const ParseError& e) {
      return e.what();
    }
    return {};
  };
  CHECK(error(sn_row("INC1", "New", 0, "u", "1/3/2016 09:05", "G", "?", "9 - Urgent")).starts_with("log.csv:2:"));
  CHECK(error(sn_row("INC1", "New", 0, "u", "1/3/2016 09:05", "G", "?", "9 - Urgent")).find("unknown priority label '9 - Urgent'") !=
        std::string::npos);
  CHECK(error(sn_row("INC1", "New", 0, "u", "31/2/2016 09:05")).find("is not a time") != std::string::npos);
  CHECK(error(sn_row("INC1", "Sleeping", 0, "u", "1/3/2016 09:05")).find("unknown incident_state") != std::string::npos);
  CHECK(error("x,y\n", "number,foo\n").find("missing required column 'incident_state'") != std::string::npos);
}

} // TEST_SUITE
