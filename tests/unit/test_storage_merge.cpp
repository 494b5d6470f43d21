#include <desk/storage/merge.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using desk::Value;
using desk::storage::merge_documents;
using desk::storage::parse_yaml;

namespace {

const std::string k_path = "tickets/2026/11/INC-0000000A.yaml";

std::string header(const std::string& title, const std::string& status, const std::string& assignee = "")
{
  std::string s = "id: INC-0000000A\ntype: incident\nstatus: " + status + "\npriority: P3\ntitle: " + title + "\n";
  if (!assignee.empty()) {
    s += "assignee: " + assignee + "\n";
  }
  return s + "events:\n";
}

std::string event(const std::string& id, const std::string& at, const std::string& action,
                  const std::string& set = "")
{
  std::string s = "  - id: " + id + "\n    at: " + at + "\n    by: alice\n    action: " + action + "\n";
  if (!set.empty()) {
    s += "    set:\n      " + set + "\n";
  }
  return s;
}

std::vector<std::string> actions(const std::string& text)
{
  const Value doc = parse_yaml(text, "merged");
  std::vector<std::string> out;
  for (const auto& e : doc.find("events")->items) {
    out.push_back(e.find("id")->str() + ":" + e.find("action")->str());
  }
  return out;
}

const std::string k_t0 = "2026-11-27T17:30:00+08:00";

} // namespace

TEST_SUITE_BEGIN("storage.merge");

TEST_CASE("merge: events recorded in the same second keep their order whatever their ids")
{
  // open and triage at the same instant, with ids that sort the other way round.
  const std::string base =
      header("VPN", "new") + event("E-ZZZZZZ", k_t0, "open") + event("E-AAAAAA", k_t0, "triage");
  const std::string ours = base + event("E-MMMMMM", "2026-11-27T17:40:00+08:00", "assign", "assignee: bob");
  const std::string theirs = base + event("E-BBBBBB", "2026-11-27T17:45:00+08:00", "log");
  const std::string ab = merge_documents(base, ours, theirs, k_path);
  const std::string ba = merge_documents(base, theirs, ours, k_path);
  CHECK(ab == ba);
  CHECK(actions(ab) == std::vector<std::string>{"E-ZZZZZZ:open", "E-AAAAAA:triage", "E-MMMMMM:assign", "E-BBBBBB:log"});
  CHECK(ab.find("<<<<<<<") == std::string::npos);
}

TEST_CASE("merge: additions of both sides interleave by time, each side's own order kept")
{
  const std::string base = header("VPN", "new") + event("E-000001", k_t0, "open");
  const std::string ours = base + event("E-X00001", "2026-11-27T17:40:00+08:00", "log") +
                           event("E-A00002", "2026-11-27T17:40:00+08:00", "log") +
                           event("E-X00003", "2026-11-27T17:50:00+08:00", "log");
  const std::string theirs = base + event("E-Y00001", "2026-11-27T17:45:00+08:00", "log") +
                             event("E-Y00002", "2026-11-27T17:55:00+08:00", "log");
  const std::string ab = merge_documents(base, ours, theirs, k_path);
  CHECK(ab == merge_documents(base, theirs, ours, k_path));
  CHECK(actions(ab) == std::vector<std::string>{"E-000001:open", "E-X00001:log", "E-A00002:log", "E-Y00001:log",
                                                "E-X00003:log", "E-Y00002:log"});
}

TEST_CASE("merge: a field changed on both sides keeps the later setter and records a merge event last")
{
  const std::string base = header("VPN", "new") + event("E-000001", k_t0, "open");
  // The later edit has the id that sorts first: the merge event must still come last.
  const std::string ours =
      header("VPN (finance)", "new") + event("E-000001", k_t0, "open") +
      event("E-ZZZZZ1", "2026-11-27T18:00:00+08:00", "edit", "title: VPN (finance)");
  const std::string theirs =
      header("VPN error 809", "new") + event("E-000001", k_t0, "open") +
      event("E-000002", "2026-11-27T18:05:00+08:00", "edit", "title: VPN error 809");
  const std::string ab = merge_documents(base, ours, theirs, k_path);
  CHECK(ab == merge_documents(base, theirs, ours, k_path));
  const Value doc = parse_yaml(ab, "merged");
  CHECK(doc.find("title")->str() == "VPN error 809");
  const auto& events = doc.find("events")->items;
  REQUIRE(events.size() == 4);
  CHECK(events.back().find("action")->str() == "merge");
  CHECK(events.back().find("at")->str() == "2026-11-27T18:05:00+08:00");
  CHECK(events.back().find("note")->str().find("VPN (finance)") != std::string::npos);
  // Merging the merged result with either side again changes nothing (no second merge event).
  CHECK(merge_documents(ours, ab, ab, k_path) == ab);
}

TEST_CASE("merge: without a newer setter on either side the result does not depend on which side is ours")
{
  // Added on both sides (no base), the same open event, and priority hand-edited apart:
  // the latest setter of both values is the shared open event.
  std::string ours = header("VPN", "new") + event("E-000001", k_t0, "open", "priority: P3");
  std::string theirs = ours;
  theirs.replace(theirs.find("priority: P3"), 12, "priority: P1");
  const std::string ab = merge_documents("", ours, theirs, k_path);
  CHECK(ab == merge_documents("", theirs, ours, k_path));
  CHECK(parse_yaml(ab, "merged").find("priority")->str() == "P1"); // the value that sorts first
  CHECK(ab.find("action: merge") != std::string::npos);

  // `updated` changed on both sides, one of them to a time that does not parse.
  const std::string base = header("VPN", "new") + event("E-000001", k_t0, "open");
  const std::string good = "updated: '2026-11-27T18:00:00+08:00'\n" + base;
  const std::string bad = "updated: '2026-11-27T1,0:00:00+08:00'\n" + base;
  const std::string cd = merge_documents(base, good, bad, k_path);
  CHECK(cd == merge_documents(base, bad, good, k_path));
  CHECK(parse_yaml(cd, "merged").find("updated")->str() == "2026-11-27T18:00:00+08:00"); // the readable one
}

TEST_CASE("merge: one-sided changes take that side without a merge event")
{
  const std::string base = header("VPN", "new") + event("E-000001", k_t0, "open");
  const std::string ours = header("VPN", "assigned", "bob") + event("E-000001", k_t0, "open") +
                           event("E-000002", "2026-11-27T17:40:00+08:00", "assign", "assignee: bob");
  const std::string theirs = header("VPN", "new") + event("E-000001", k_t0, "open") +
                             event("E-000003", "2026-11-27T17:45:00+08:00", "log");
  const std::string ab = merge_documents(base, ours, theirs, k_path);
  CHECK(ab == merge_documents(base, theirs, ours, k_path));
  const Value doc = parse_yaml(ab, "merged");
  CHECK(doc.find("assignee")->str() == "bob");
  CHECK(doc.find("status")->str() == "assigned");
  CHECK(ab.find("action: merge") == std::string::npos);
}

TEST_CASE("merge: a side that is not YAML is a parse error naming the side")
{
  const std::string base = header("VPN", "new") + event("E-000001", k_t0, "open");
  CHECK_THROWS_AS(merge_documents(base, base, "title: [unclosed\n", k_path), desk::ParseError);
  try {
    merge_documents(base, "- just\n- a list\n", base, k_path);
    FAIL("expected a ParseError");
  } catch (const desk::ParseError& e) {
    CHECK(std::string(e.what()).find("ours") != std::string::npos);
  }
}

TEST_CASE("merge: two different tickets under one path are never fused; the older is kept either way")
{
  const std::string older = header("VPN", "new") + event("E-0000A1", k_t0, "open");
  const std::string younger = header("Printer jam", "new") + event("E-0000B1", "2026-11-27T18:00:00+08:00", "open");
  for (const bool ours_older : {true, false}) {
    try {
      merge_documents("", ours_older ? older : younger, ours_older ? younger : older, k_path);
      FAIL_CHECK("no error");
    } catch (const desk::storage::DifferentDocuments& e) {
      CHECK(e.kept() == older);
      CHECK(std::string(e.what()).find("two different tickets") != std::string::npos);
      CHECK(e.hint().find("desk doctor --fix") != std::string::npos);
    }
  }
  // With a base: theirs replaced the ticket by another one (an import that kept its id).
  const std::string edited = older + event("E-0000A2", "2026-11-27T18:30:00+08:00", "log");
  CHECK_THROWS_AS(merge_documents(older, edited, younger, k_path), desk::storage::DifferentDocuments);
  // The same first event: one ticket, merged.
  CHECK(actions(merge_documents(older, edited, older, k_path)) ==
        std::vector<std::string>{"E-0000A1:open", "E-0000A2:log"});
}

TEST_CASE("merge: an over-size result or side is refused")
{
  const std::string base = header("VPN", "new") + event("E-000001", k_t0, "open");
  const std::string big(5 * 1024 * 1024, 'a');
  const std::string ours = base + "  - id: E-000002\n    at: " + k_t0 + "\n    by: alice\n    action: log\n    note: " + big + "\n";
  const std::string theirs = base + "  - id: E-000003\n    at: " + k_t0 + "\n    by: bob\n    action: log\n    note: b" + big + "\n";
  CHECK_THROWS_WITH_AS(merge_documents(base, ours, theirs, k_path), doctest::Contains("at most 8 MiB"), desk::UsageError);
  const std::string huge = base + "  - id: E-000004\n    at: " + k_t0 + "\n    by: bob\n    action: log\n    note: " +
                           std::string(9 * 1024 * 1024, 'b') + "\n";
  CHECK_THROWS_AS(merge_documents(base, huge, base, k_path), desk::UsageError);
}

TEST_CASE("merge: a side nested deeper than desk reads is a parse error")
{
  const std::string base = header("VPN", "new") + event("E-000001", k_t0, "open");
  std::string deep = base + "extra: " + std::string(100, '[') + std::string(100, ']') + "\n";
  CHECK_THROWS_WITH_AS(merge_documents(base, deep, base, k_path), doctest::Contains("levels deep"), desk::ParseError);
}

TEST_SUITE_END();
