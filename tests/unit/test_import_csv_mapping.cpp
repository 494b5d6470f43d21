#include <desk/config/config.hpp>
#include <desk/import/csv.hpp>
#include <desk/import/csv_mapping.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using desk::ParseError;
using desk::Ticket;
using desk::import::CsvTable;
using desk::test::actions;
using desk::test::default_config;

TEST_SUITE("import.csv_mapping") {

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
