// Record's rules (field order, set, get_list, apply, the event's form), through Ticket.
#include <desk/model/record.hpp>
#include <desk/model/ticket.hpp>
#include <desk/storage/yaml_io.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using desk::Event;
using desk::Ticket;
using desk::Value;
using desk::storage::emit_yaml;

TEST_SUITE_BEGIN("model.record");

TEST_CASE("set keeps schema order; unknown keys go after the known ones")
{
  Ticket t;
  t.set("x-unknown", "u");
  t.set("title", "T");
  t.set("zzz", "z");
  t.set("id", "INC-AAAA");
  t.set("created", "2026-01-01T00:00:00+00:00");
  t.set("status", "new");
  t.set("priority", "P2");
  t.set("solution", "fixed");
  std::vector<std::string> keys;
  for (const auto& [k, v] : t.fields().entries) {
    keys.push_back(k);
  }
  CHECK(keys == std::vector<std::string>{"id", "status", "priority", "title", "created", "solution", "x-unknown", "zzz"});

  // Replacing keeps the place; an empty value removes the field.
  t.set("title", "T2");
  CHECK(t.fields().entries[3].first == "title");
  CHECK(t.get("title") == "T2");
  t.set("priority", "");
  CHECK(t.find("priority") == nullptr);
  t.set("affected", Value::list({}));
  CHECK(t.find("affected") == nullptr);
  t.erase("zzz");
  CHECK(t.find("zzz") == nullptr);
}

TEST_CASE("set of a number field writes it plain")
{
  Ticket t;
  t.set("tier", "2");
  t.set("title", "2");
  CHECK(t.find("tier")->plain);
  CHECK_FALSE(t.find("title")->plain);
  t.set("tier", Value::number(3));
  CHECK(emit_yaml(t.fields()) == "title: '2'\ntier: 3\n"); // schema order: title before tier
}

TEST_CASE("get_list treats a scalar as a one-item list")
{
  Ticket t;
  t.set("affected", Value::list({"a", "b"}));
  CHECK(t.get_list("affected") == std::vector<std::string>{"a", "b"});
  t.set("kb", "KB-1");
  CHECK(t.get_list("kb") == std::vector<std::string>{"KB-1"});
  CHECK(t.get_list("collaborators").empty());
}

TEST_CASE("apply appends the event and applies its fields")
{
  Ticket t;
  t.set("id", "INC-AAAA");
  t.set("status", "pending");
  t.set("pending_reason", "awaiting-user");
  Event e;
  e.id = "E-1";
  e.at = "2026-11-23T10:00:00+08:00";
  e.by = "bob";
  e.action = "resume";
  e.set = Value::map();
  e.set.set("status", Value::text("in_progress"));
  e.set.set("pending_reason", Value::text(""));
  e.set.set("assignee", Value::text("bob"));
  t.apply(e);
  CHECK(t.status() == "in_progress");
  CHECK(t.find("pending_reason") == nullptr);
  CHECK(t.get("assignee") == "bob");
  REQUIRE(t.events().size() == 1);
  CHECK(t.events()[0] == e);
  // Fields land in schema order.
  CHECK(t.fields().entries[2].first == "assignee");
}

TEST_CASE("event_to_value writes the fixed key order, extras last, no empty set or note")
{
  Event e;
  e.id = "E-1";
  e.at = "2026-11-23T10:00:00+08:00";
  e.by = "bob";
  e.action = "log";
  e.extra.set("minutes", Value::number(5));
  Value v = desk::event_to_value(e);
  std::vector<std::string> keys;
  for (const auto& [k, x] : v.entries) {
    keys.push_back(k);
  }
  CHECK(keys == std::vector<std::string>{"id", "at", "by", "action", "minutes"});
  e.note = "n";
  e.set.set("status", Value::text("x"));
  v = desk::event_to_value(e);
  keys.clear();
  for (const auto& [k, x] : v.entries) {
    keys.push_back(k);
  }
  CHECK(keys == std::vector<std::string>{"id", "at", "by", "action", "set", "note", "minutes"});
}

TEST_SUITE_END();
