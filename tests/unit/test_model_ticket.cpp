#include <desk/model/ticket.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using desk::Event;
using desk::ParseError;
using desk::Ticket;
using desk::Value;
using desk::storage::emit_yaml;
using desk::storage::parse_yaml;
using desk::test::line_diff;
using desk::test::replace;

namespace {

const std::string k_valid = "id: INC-7K3F2A9Q\n"                         // 1
                            "type: incident\n"                           // 2
                            "status: new\n"                              // 3
                            "priority: P4\n"                             // 4
                            "title: 打印机坏了\n"                        // 5
                            "created: '2026-11-23T10:00:00+08:00'\n"     // 6
                            "events:\n"                                  // 7
                            "  - id: E-AAAAAAAA\n"                       // 8
                            "    at: '2026-11-23T10:00:00+08:00'\n"      // 9
                            "    by: alice\n"                            // 10
                            "    action: open\n"                         // 11
                            "    set:\n"                                 // 12
                            "      status: new\n";                       // 13

Ticket parse_ticket(const std::string& text)
{
  return Ticket::from_value(parse_yaml(text, "t.yaml"), "t.yaml");
}

struct BadCase {
  std::string name;
  std::string text;
  int line;
  std::string message;
};

// A full ticket with many fields, two events, an unknown key.
Ticket sample_ticket()
{
  Ticket t;
  t.set("id", "INC-7K3F2A9Q");
  t.set("type", "incident");
  t.set("status", "new");
  t.set("title", "VPN 连不上: 超时 #3");
  t.set("created", "2026-11-23T10:00:00+08:00");
  t.set("updated", "2026-11-23T10:00:00+08:00");
  t.set("reporter", "张三");
  t.set("department", "财务部");
  t.set("affected", Value::list({"VPN", "笔记本 T14"}));
  t.set("description", "第一行\n  - 缩进的一行\n\n最后一行，后面有空格  \n");
  t.set("error", "Error 809: 'tunnel' \"failed\"\tcode=0x1F");
  t.set("x-custom", "kept");
  Event open;
  open.id = "E-AAAAAAAA";
  open.at = "2026-11-23T10:00:00+08:00";
  open.by = "alice";
  open.action = "open";
  open.set = Value::map();
  open.set.set("status", Value::text("new"));
  open.set.set("priority", Value::text("P4"));
  t.apply(open);
  Event log;
  log.id = "E-BBBBBBBB";
  log.at = "2026-11-23T11:00:00+08:00";
  log.by = "bob";
  log.action = "log";
  log.note = "重启了路由器\n没有用";
  log.extra.set("minutes", Value::number(15));
  t.apply(log);
  return t;
}

} // namespace

TEST_SUITE_BEGIN("model.ticket");

TEST_CASE("a valid ticket loads")
{
  const Ticket t = parse_ticket(k_valid);
  CHECK(t.id() == "INC-7K3F2A9Q");
  CHECK(t.status() == "new");
  CHECK(t.get("title") == "打印机坏了");
  CHECK(t.get("nothing").empty());
  REQUIRE(t.events().size() == 1);
  CHECK(t.events()[0].action == "open");
  CHECK(t.events()[0].set.find("status")->str() == "new");
  CHECK(t.events()[0].note.empty());
  CHECK(t.events()[0].extra.is_mapping());
}

TEST_CASE("from_value reports what is missing or misshapen, with the line")
{
  const std::vector<BadCase> cases = {
    {"missing id", replace(k_valid, "id: INC-7K3F2A9Q\n", ""), 1, "has no 'id'"},
    {"empty title", replace(k_valid, "title: 打印机坏了", "title: ''"), 1, "has no 'title'"},
    {"null title", replace(k_valid, "title: 打印机坏了", "title:"), 1, "has no 'title'"},
    {"missing status", replace(k_valid, "status: new\npriority", "priority"), 1, "has no 'status'"},
    {"missing created", replace(k_valid, "created: '2026-11-23T10:00:00+08:00'\n", ""), 1, "has no 'created'"},
    {"missing type", replace(k_valid, "type: incident\n", ""), 1, "has no 'type'"},
    {"missing events", k_valid.substr(0, k_valid.find("events:")), 1, "no 'events'"},
    {"null events", k_valid.substr(0, k_valid.find("events:")) + "events:\n", 1, "no 'events'"},
    {"events a scalar", k_valid.substr(0, k_valid.find("events:")) + "events: many\n", 7, "'events' must be a list"},
    {"title a list", replace(k_valid, "title: 打印机坏了", "title: [a, b]"), 5, "'title' must be a single value"},
    {"id a mapping", replace(k_valid, "id: INC-7K3F2A9Q\n", "id:\n  x: y\n"), 2, "'id' must be a single value"},
    {"affected a scalar", replace(k_valid, "title: 打印机坏了\n", "title: 打印机坏了\naffected: ERP\n"), 6,
     "'affected' must be a list"},
    {"affected item a list", replace(k_valid, "title: 打印机坏了\n", "title: 打印机坏了\naffected:\n  - [a]\n"), 7,
     "'affected' items must be single values"},
    {"event not a mapping", k_valid.substr(0, k_valid.find("events:")) + "events:\n  - just text\n", 8,
     "an event must be a mapping"},
    {"event without by", replace(k_valid, "    by: alice\n", ""), 8, "an event has no 'by'"},
    {"event without at", replace(k_valid, "    at: '2026-11-23T10:00:00+08:00'\n", ""), 8, "an event has no 'at'"},
    {"event without action", replace(k_valid, "    action: open\n", ""), 8, "an event has no 'action'"},
    {"event id a list", replace(k_valid, "  - id: E-AAAAAAAA\n", "  - id: [E-A]\n"), 8, "'id' must be a single value"},
    {"set not a mapping", replace(k_valid, "    set:\n      status: new\n", "    set: status\n"), 12,
     "'set' must be a mapping"},
    {"note not text", k_valid + "    note: [a, b]\n", 14, "'note' must be text"},
    {"duplicate event id", k_valid + "  - id: E-AAAAAAAA\n    at: x\n    by: bob\n    action: log\n", 14,
     "duplicate event id 'E-AAAAAAAA'"},
    {"a list document", "- a\n- b\n", 1, "must be a mapping"},
    {"a scalar document", "just text\n", 1, "must be a mapping"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    // Both overloads: copying out of a document and moving out of one given up.
    const desk::Value doc = parse_yaml(c.text, "t.yaml");
    for (const bool move : {false, true}) {
      INFO("move: " << move);
      try {
        desk::Value given = doc;
        move ? Ticket::from_value(std::move(given), "t.yaml") : Ticket::from_value(doc, "t.yaml");
        FAIL_CHECK("no error");
      } catch (const ParseError& e) {
        CHECK(e.line() == c.line);
        CHECK(e.path() == "t.yaml");
        INFO(e.what());
        CHECK(std::string(e.what()).find(c.message) != std::string::npos);
      }
    }
  }
}

TEST_CASE("from_value of a document given up (moved from) builds the same ticket as from a copy")
{
  const Ticket sample = sample_ticket();
  const desk::Value doc = sample.to_value();
  const Ticket copied = Ticket::from_value(doc, "s.yaml");
  desk::Value given = doc;
  const Ticket moved = Ticket::from_value(std::move(given), "s.yaml");
  CHECK(moved == copied);
  CHECK(copied == sample);
  CHECK(doc == sample.to_value()); // the const overload left its document alone
}

TEST_CASE("an empty file is reported as empty")
{
  try {
    parse_ticket("");
    FAIL_CHECK("no error");
  } catch (const ParseError& e) {
    CHECK(std::string(e.what()).find("the file is empty") != std::string::npos);
    CHECK(e.line() == 0);
  }
}

TEST_CASE("to_value → emit → parse → from_value gives an equal ticket")
{
  const Ticket t = sample_ticket();
  const std::string text = emit_yaml(t.to_value());
  const Ticket back = Ticket::from_value(parse_yaml(text, "rt.yaml"), "rt.yaml");
  CHECK(back == t);
  CHECK(emit_yaml(back.to_value()) == text);
  // events come last, unknown keys right before them
  const auto& entries = t.to_value().entries;
  CHECK(entries.back().first == "events");
  CHECK(entries[entries.size() - 2].first == "x-custom");
  REQUIRE(back.events().size() == 2);
  CHECK(back.events()[1].extra.find("minutes")->str() == "15");
  CHECK(back.events()[1].note == "重启了路由器\n没有用");
}

TEST_CASE("changing one field changes exactly that line")
{
  Ticket t = sample_ticket();
  const std::string before = emit_yaml(t.to_value());

  SUBCASE("title")
  {
    t.set("title", "VPN 又好了");
    CHECK(line_diff(before, emit_yaml(t.to_value())) ==
          std::vector<std::string>{"- title: 'VPN 连不上: 超时 #3'", "+ title: VPN 又好了"});
  }
  SUBCASE("status")
  {
    t.set("status", "triaged");
    CHECK(line_diff(before, emit_yaml(t.to_value())) ==
          std::vector<std::string>{"- status: new", "+ status: triaged"});
  }
  SUBCASE("a new field is one added line")
  {
    t.set("category", "network");
    CHECK(line_diff(before, emit_yaml(t.to_value())) == std::vector<std::string>{"+ category: network"});
  }
  SUBCASE("an unknown field")
  {
    t.set("x-custom", "changed");
    CHECK(line_diff(before, emit_yaml(t.to_value())) ==
          std::vector<std::string>{"- x-custom: kept", "+ x-custom: changed"});
  }
  SUBCASE("an event appends lines at the end only")
  {
    Event e;
    e.id = "E-CCCCCCCC";
    e.at = "2026-11-23T12:00:00+08:00";
    e.by = "bob";
    e.action = "triage";
    e.set.set("category", Value::text("network"));
    t.apply(e);
    const std::string after = emit_yaml(t.to_value());
    const auto diff = line_diff(before, after);
    CHECK(diff == std::vector<std::string>{"+ category: network", "+   - id: E-CCCCCCCC",
                                           "+     at: '2026-11-23T12:00:00+08:00'", "+     by: bob",
                                           "+     action: triage", "+     set:", "+       category: network"});
    CHECK(after.ends_with("      category: network\n"));
  }
}

TEST_CASE("unknown keys survive a load and save, even empty ones")
{
  const std::string text = k_valid.substr(0, k_valid.find("events:")) +
                           "x-tags: [a, b]\n"
                           "x-empty-list: []\n"
                           "x-empty-text: ''\n"
                           "x-nested:\n"
                           "  k: v\n" +
                           k_valid.substr(k_valid.find("events:"));
  const Ticket t = parse_ticket(text);
  CHECK(t.get_list("x-tags") == std::vector<std::string>{"a", "b"});
  CHECK(t.find("x-nested") != nullptr);
  CHECK(t.find("x-empty-list") != nullptr);
  CHECK(t.find("x-empty-text") != nullptr);
  const std::string saved = emit_yaml(t.to_value());
  CHECK(saved.find("x-empty-list: []\n") != std::string::npos);
  CHECK(saved.find("x-empty-text: ''\n") != std::string::npos);
}

TEST_CASE("field schema: the documented order and kinds")
{
  const auto& fields = desk::ticket_fields();
  REQUIRE(fields.size() > 10);
  CHECK(fields[0].name == "id");
  CHECK(fields[1].name == "type");
  CHECK(fields[2].name == "status");
  CHECK(desk::find_field("affected")->kind == desk::FieldKind::list);
  CHECK(desk::find_field("description")->kind == desk::FieldKind::multiline);
  CHECK(desk::find_field("tier")->kind == desk::FieldKind::number);
  CHECK(desk::find_field("created")->kind == desk::FieldKind::timestamp);
  CHECK(desk::find_field("events") == nullptr);
  CHECK(desk::find_field("nope") == nullptr);
}

TEST_SUITE_END();
