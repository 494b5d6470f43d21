#include "test_support.hpp"

#include <desk/config/config.hpp>
#include <desk/import/config_update.hpp>
#include <desk/import/csv.hpp>
#include <desk/import/csv_mapping.hpp>
#include <desk/import/export.hpp>
#include <desk/import/importer.hpp>
#include <desk/import/servicenow.hpp>
#include <desk/model/json.hpp>
#include <desk/storage/config_file.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

using desk::ParseError;
using desk::Ticket;
using desk::import::CsvOptions;
using desk::import::CsvTable;
using desk::test::default_config;

namespace {

// The location part of a ParseError ("path:line:column"), or "" when no error.
std::string error_at(const std::string& data, const CsvOptions& options = {})
{
  try {
    CsvTable::parse(data, "f.csv", options);
  } catch (const ParseError& e) {
    return fmt::format("{}:{}", e.line(), e.column());
  }
  return {};
}

std::string error_message(const std::string& data)
{
  try {
    CsvTable::parse(data, "f.csv");
  } catch (const ParseError& e) {
    return e.what();
  }
  return {};
}

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

std::vector<std::string> actions(const Ticket& t)
{
  std::vector<std::string> out;
  for (const auto& e : t.events()) {
    out.push_back(e.action);
  }
  return out;
}

} // namespace

TEST_SUITE("import.csv") {

TEST_CASE("plain, quoted, doubled quotes, embedded newlines and CRLF")
{
  const auto t = CsvTable::parse("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,\"\"\r\n", "f.csv");
  REQUIRE(t.columns() == 3);
  REQUIRE(t.rows() == 2);
  CHECK(t.header() == std::vector<std::string>{"a", "b", "c"});
  CHECK(t.cell(0, 0) == "1");
  CHECK(t.cell(0, 1) == "x, y");
  CHECK(t.cell(0, 2) == "say \"hi\"");
  CHECK(t.cell(1, 0) == "multi\nline");
  CHECK(t.cell(1, 1).empty());
  CHECK(t.cell(1, 2).empty());
  CHECK(t.line_of(1) == 3);
  CHECK(t.position(0, 2) == std::pair(2, 10));
}

TEST_CASE("BOM, blank lines, a last line without newline, other delimiters")
{
  const auto t = CsvTable::parse("\xEF\xBB\xBFid;name\n\n1;Zhang San 张三\n2;x", "f.csv", CsvOptions{';'});
  CHECK(t.header().front() == "id");
  REQUIRE(t.rows() == 2);
  CHECK(t.cell(0, 1) == "Zhang San 张三");
  CHECK(t.cell(1, 1) == "x");
  CHECK(t.find_column("name") == 1);
  CHECK(t.find_column("nope") == std::string::npos);
}

TEST_CASE("repeated header names")
{
  const auto t = CsvTable::parse("key,Component/s,Component/s\nA-1,db,net\n", "f.csv");
  CHECK(t.find_columns("Component/s") == std::vector<std::size_t>{1, 2});
}

TEST_CASE("malformed input is reported with line and column")
{
  CHECK(error_at("a,b\n1,2,3\n") == "2:5");                 // one field too many
  CHECK(error_at("a,b,c\n1,2\n") == "2:4");                 // too few
  CHECK(error_at("a,b,c\n1,2,3\n4,5") == "3:4");            // truncated last line
  CHECK(error_message("a,b,c\n1,2,3\n4,5").find("the last line is incomplete") != std::string::npos);
  CHECK(error_at("a,b\n1,\"open\n2,3\n") == "2:3");         // unterminated quote
  CHECK(error_message("a,b\n1,\"open\n").find("never closed") != std::string::npos);
  CHECK(error_at("a,b\n1,\"x\"y\n") == "2:6");              // text after a closing quote
  CHECK(error_at("a,b\n1,5\" disk\n") == "2:4");            // quote inside an unquoted field
  CHECK(error_at(std::string("a,b\n1,\0\n", 8)) == "2:3");  // binary
  CHECK(error_at("a,b\n1,\xff\n") == "2:3");                // not UTF-8
  CHECK(error_at("") == "1:1");                              // empty
  CHECK(error_at("名前,b\n値,1,2\n") == "2:5");              // columns count characters
}

} // TEST_SUITE

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

TEST_SUITE("import.mapping") {

TEST_CASE("strptime-style formats")
{
  const auto* utc = desk::find_zone("UTC");
  using desk::import::parse_with_format;
  CHECK(parse_with_format("18/Nov/24 3:15 PM", "%d/%b/%y %I:%M %p", utc) ==
        desk::parse_timestamp("2024-11-18T15:15:00Z", nullptr));
  CHECK(parse_with_format("18/Nov/24 12:05 AM", "%d/%b/%y %I:%M %p", utc) ==
        desk::parse_timestamp("2024-11-18T00:05:00Z", nullptr));
  CHECK(parse_with_format("2024-11-18 15:15:00 +0100", "%Y-%m-%d %H:%M:%S %z", utc) ==
        desk::parse_timestamp("2024-11-18T14:15:00Z", nullptr));
  CHECK(parse_with_format("March 3, 2025 9:07", "%B %d, %Y %H:%M", utc) ==
        desk::parse_timestamp("2025-03-03T09:07:00Z", nullptr));
  CHECK(parse_with_format("2024-11-18T15:15:00+08:00", "iso", utc) ==
        desk::parse_timestamp("2024-11-18T07:15:00Z", nullptr));
  CHECK_FALSE(parse_with_format("18/Nov/24", "%d/%b/%y %I:%M %p", utc));
  CHECK_FALSE(parse_with_format("31/Feb/24 3:15 PM", "%d/%b/%y %I:%M %p", utc));
  CHECK_FALSE(parse_with_format("18/Nov/24 3:15 PM extra", "%d/%b/%y %I:%M %p", utc));
}

TEST_CASE("a mapping turns rows into tickets")
{
  const desk::Config c = default_config();
  const auto mapping = desk::import::CsvMapping::parse(R"(source: tool
external_id: Key
date_format: "%Y-%m-%d %H:%M"
timezone: UTC
fields:
  title: Summary
  created: Created
  resolved_at: Resolved
  status: {column: Status, map: {Open: new, Done: closed, Working: in_progress}}
  priority: {column: Prio, map: {High: P2, Low: P4}, default: P3}
  category: Area
  affected: {column: Parts, split: ","}
  assignee: Owner
keep:
  Labels: labels
)",
                                                       "map.yaml");
  const std::string csv = "Key,Summary,Created,Resolved,Status,Prio,Area,Parts,Owner,Labels\n"
                          "T-1,Printer jams,2024-05-01 08:00,,Working,High,hardware,\"printer, tray\",bob,paper\n"
                          "T-2,VPN down,2024-05-02 09:00,2024-05-02 11:00,Done,,network,,carol,\n";
  desk::import::MappedCsv rows(CsvTable::parse(csv, "x.csv"), mapping, c);
  REQUIRE(rows.size() == 2);
  CHECK(rows.categories() == std::vector<std::string>{"hardware", "network"});
  const Ticket a = rows.build(0, "INC-TEST0003");
  CHECK(actions(a) == std::vector<std::string>{"open", "start"});
  CHECK(a.status() == "in_progress");
  CHECK(a.get("priority") == "P2");
  CHECK(a.get("priority_reason") == "set in tool");
  CHECK(a.get_list("affected") == std::vector<std::string>{"printer", "tray"});
  CHECK(a.get("created") == "2024-05-01T16:00:00+08:00");
  CHECK(a.find("tool")->find("labels")->str() == "paper");
  const Ticket b = rows.build(1, "INC-TEST0004");
  CHECK(actions(b) == std::vector<std::string>{"open", "resolve", "close"});
  CHECK(b.get("priority") == "P3");
  CHECK(b.get("resolved_at") == "2024-05-02T19:00:00+08:00");
  CHECK(b.events()[1].extra.find("source")->str() == "tool");

  auto error = [&](const std::string& text) -> std::string {
    try {
      desk::import::MappedCsv(CsvTable::parse(text, "x.csv"), mapping, c);
    } catch (const ParseError& e) {
      return e.what();
    }
    return {};
  };
  const std::string head = "Key,Summary,Created,Resolved,Status,Prio,Area,Parts,Owner,Labels\n";
  CHECK(error(head + "T-1,a,2024-05-01 08:00,,Paused,,x,,,\n").starts_with("x.csv:2:"));
  CHECK(error(head + "T-1,a,2024-05-01 08:00,,Paused,,x,,,\n").find("unknown status value 'Paused'") != std::string::npos);
  CHECK(error(head + "T-1,a,yesterday,,Open,,x,,,\n") .find("x.csv:2:") == 0);
  CHECK(error(head + "T-1,a,2024-05-01 08:00,,Open,,x,,,\nT-1,b,2024-05-01 08:00,,Open,,x,,,\n").find("appears again") !=
        std::string::npos);
  CHECK(error("Key,Summary\nT-1,a\n").find("missing column 'Created'") != std::string::npos);
}

TEST_CASE("bad mapping files name the place")
{
  auto error = [](const std::string& text) -> std::string {
    try {
      desk::import::CsvMapping::parse(text, "m.yaml");
    } catch (const ParseError& e) {
      return e.what();
    }
    return {};
  };
  CHECK(error("external_id: K\nfields:\n  title: T\n  created: C\n  colour: X\n").starts_with("m.yaml:5:"));
  CHECK(error("fields:\n  title: T\n  created: C\n").find("no 'external_id'") != std::string::npos);
  CHECK(error("external_id: K\nfields:\n  title: T\n").find("'title' and 'created'") != std::string::npos);
  CHECK(error("external_id: K\ntimezone: Mars/Olympus\nfields:\n  title: T\n  created: C\n").starts_with("m.yaml:2:"));
}

} // TEST_SUITE

TEST_SUITE("import.support") {

TEST_CASE("stable tokens")
{
  using desk::import::stable_token;
  CHECK(stable_token("servicenow\nINC0000045", 8) == stable_token("servicenow\nINC0000045", 8));
  CHECK(stable_token("servicenow\nINC0000045", 8) != stable_token("servicenow\nINC0000046", 8));
  CHECK(stable_token("a", 8).size() == 8);
  CHECK(stable_token("a", 20).size() == 20);
  CHECK(stable_token("x", 8).find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ") == std::string::npos);
}

TEST_CASE("re-import keeps desk's own events and unmanaged fields")
{
  desk::import::ImportSpec spec;
  spec.source = "servicenow";
  spec.managed_fields = {"id", "status", "title", "updated", "servicenow"};
  Ticket old;
  old.set("id", "INC-AAAA0001");
  old.set("status", "closed");
  old.set("title", "old title");
  old.set("department", "Finance");
  desk::Event imported_event;
  imported_event.id = "E-00000001";
  imported_event.at = "2016-03-01T09:00:00+08:00";
  imported_event.by = "x";
  imported_event.action = "open";
  imported_event.extra.set("source", desk::Value::text("servicenow/0"));
  old.apply(imported_event);
  desk::Event local;
  local.id = "E-LOCAL001";
  local.at = "2026-01-01T09:00:00+08:00";
  local.by = "alice";
  local.action = "log";
  local.note = "called the user";
  old.apply(local);

  Ticket fresh;
  fresh.set("id", "INC-AAAA0001");
  fresh.set("status", "closed");
  fresh.set("title", "new title");
  fresh.set("updated", "2016-03-07T11:00:00+08:00");
  imported_event.by = "y";
  fresh.apply(imported_event);
  const Ticket merged = desk::import::merge_imported(old, fresh, spec);
  REQUIRE(merged.events().size() == 2);
  CHECK(merged.events()[0].by == "y");
  CHECK(merged.events()[1].id == "E-LOCAL001");
  CHECK(merged.get("title") == "new title");
  CHECK(merged.get("department") == "Finance");
  CHECK(merged.get("updated") == "2026-01-01T09:00:00+08:00");
  CHECK(desk::import::is_imported_event(merged.events()[0], "servicenow"));
  CHECK_FALSE(desk::import::is_imported_event(merged.events()[1], "servicenow"));
  CHECK_FALSE(desk::import::is_imported_event(merged.events()[0], "service"));
}

TEST_CASE("config lists grow by a small edit that keeps comments")
{
  const std::vector<desk::import::ConfigAddition> additions = {
    {"categories", {"network", "server"}, {"server", "Category 55", "a: b"}},
    {"pending_reasons", {"awaiting-user", "awaiting-vendor"}, {"awaiting-problem"}},
  };
  CHECK(desk::import::missing_count(additions) == 3);
  const std::string full = desk::storage::default_config_text("UTC");
  const desk::Config before = desk::storage::parse_config(full, "c.yaml");
  const std::string after = desk::import::add_to_config_lists(
    full, {{"categories", before.categories, {"Category 55", "a: b"}}, {"pending_reasons", before.pending_reasons, {"awaiting-problem"}}},
    "c.yaml");
  const desk::Config c = desk::storage::parse_config(after, "c.yaml");
  CHECK(c.categories.size() == before.categories.size() + 2);
  CHECK(c.categories.back() == "a: b");
  CHECK(c.pending_reasons.back() == "awaiting-problem");
  CHECK(after.find("# Where requests come from.") != std::string::npos);
  CHECK(after.find("  - Category 55\n") != std::string::npos);
  CHECK(after.find("pending_reasons: [awaiting-user, awaiting-vendor, awaiting-change, awaiting-problem]") !=
        std::string::npos);
  // Nothing missing: the text stays as it is.
  CHECK(desk::import::add_to_config_lists(full, {{"categories", before.categories, {"network"}}}, "c.yaml") == full);
}

TEST_CASE("JSON values map onto desk values and back")
{
  const auto j = nlohmann::ordered_json::parse(R"({"a": "x", "n": 3, "l": ["p", "q"], "m": {"k": "v"}, "b": true})");
  const desk::Value v = desk::import::json_to_value(j);
  CHECK(v.find("a")->str() == "x");
  CHECK(v.find("n")->plain);
  CHECK(v.find("l")->strings() == std::vector<std::string>{"p", "q"});
  CHECK(v.find("m")->find("k")->str() == "v");
  CHECK(desk::value_to_json(v).dump() == R"({"a":"x","n":3,"l":["p","q"],"m":{"k":"v"},"b":"true"})");
}

} // TEST_SUITE

TEST_CASE("JSON import: deep nesting and numbers out of range are refused with a position")
{
  using desk::import::ExportDocument;
  const std::string deep = "[" + std::string(20000, '[') + std::string(20000, ']') + "]";
  try {
    ExportDocument doc(deep, "deep.json");
    FAIL_CHECK("no error");
  } catch (const desk::ParseError& e) {
    CHECK(e.line() == 1);
    CHECK(e.column() == desk::import::k_max_json_depth + 1);
    CHECK(e.message().find("levels deep") != std::string::npos);
  }
  try {
    ExportDocument doc("[\n {\"id\": \"INC-1\", \"tier\": 1e999}\n]\n", "big.json");
    FAIL_CHECK("no error");
  } catch (const desk::ParseError& e) {
    INFO(e.what());
    CHECK(e.line() == 2);
    CHECK(e.message().find("number overflow") != std::string::npos);
    CHECK(std::string(e.what()).find("json.exception") == std::string::npos);
  }
  nlohmann::ordered_json nested = 1;
  for (int i = 0; i < desk::import::k_max_json_depth + 2; ++i) {
    nested = nlohmann::ordered_json::array({nested});
  }
  CHECK_THROWS_AS(desk::import::json_to_value(nested), desk::ParseError);
}
