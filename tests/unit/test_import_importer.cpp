#include <desk/import/importer.hpp>

#include <doctest/doctest.h>

#include <string>

using desk::Ticket;

TEST_SUITE("import.importer") {

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

} // TEST_SUITE
