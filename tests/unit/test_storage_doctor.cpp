#include <desk/storage/config_file.hpp>
#include <desk/storage/doctor.hpp>
#include <desk/storage/ticket_store.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using desk::Event;
using desk::Ticket;
using desk::Value;
using desk::storage::check_repository;
using desk::storage::DoctorReport;
using desk::storage::Problem;
using desk::storage::TicketStore;
using desk::test::read_raw;
using desk::test::TempDir;
using desk::test::write_raw;

namespace {

// A valid ticket with its intake fields (priority, impact, urgency, channel) set.
Ticket valid_ticket(const std::string& id, const std::string& created = "2026-11-23T10:00:00+08:00")
{
  Ticket t;
  t.set("id", id);
  t.set("type", "incident");
  t.set("status", "new");
  t.set("priority", "P4");
  t.set("impact", "individual");
  t.set("urgency", "medium");
  t.set("title", "打印机坏了");
  t.set("channel", "portal");
  t.set("created", created);
  t.set("updated", created);
  Event e;
  e.id = "E-AAAAAAAA";
  e.at = created;
  e.by = "alice";
  e.action = "open";
  e.set.set("status", Value::text("new"));
  t.apply(e);
  return t;
}

void init_repo(const fs::path& root)
{
  write_raw(root / ".desk/config.yaml", desk::storage::default_config_text("Asia/Shanghai"));
  fs::create_directories(root / "tickets");
}

void put(const fs::path& root, const std::string& rel, const Ticket& t)
{
  write_raw(root / rel, TicketStore::serialize(t));
}

// Every file's bytes, to prove doctor changes nothing.
std::map<std::string, std::string> snapshot(const fs::path& root)
{
  std::map<std::string, std::string> out;
  for (const auto& rel : desk::test::list_files(root)) {
    out[rel] = read_raw(root / rel);
  }
  return out;
}

// The problems whose path ends with `suffix`.
std::vector<Problem> about(const DoctorReport& report, const std::string& suffix)
{
  std::vector<Problem> out;
  for (const auto& p : report.problems) {
    if (p.path.ends_with(suffix)) {
      out.push_back(p);
    }
  }
  return out;
}

bool mentions(const std::vector<Problem>& problems, const std::string& words)
{
  for (const auto& p : problems) {
    if (p.message.find(words) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string all_problems(const DoctorReport& report)
{
  std::string out;
  for (const auto& p : report.problems) {
    out += p.to_string() + "\n";
  }
  return out;
}

} // namespace

TEST_SUITE_BEGIN("storage.doctor");

TEST_CASE("a clean repository has no problems")
{
  TempDir dir;
  init_repo(dir.path());
  put(dir.path(), "tickets/2026/11/INC-AAAA0001.yaml", valid_ticket("INC-AAAA0001"));
  write_raw(dir / "tickets/2026/11/INC-AAAA0001.files/screenshot.png", "png");
  const DoctorReport report = check_repository(dir.path());
  INFO(all_problems(report));
  CHECK(report.problems.empty());
  CHECK(report.tickets_checked == 1);
}

TEST_CASE("planted problems are each found, with their place, and nothing changes")
{
  TempDir dir;
  const fs::path root = dir.path();
  init_repo(root);
  put(root, "tickets/2026/11/INC-AAAA0001.yaml", valid_ticket("INC-AAAA0001"));
  write_raw(root / "tickets/2026/11/INC-AAAA0001.files/log.txt", "attachment");
  // Not YAML.
  write_raw(root / "tickets/2026/11/INC-BAD00001.yaml", "id: INC-BAD00001\nbad: a: b\n");
  // In the wrong month.
  put(root, "tickets/2026/12/INC-MMMM0001.yaml", valid_ticket("INC-MMMM0001", "2026-11-30T10:00:00+08:00"));
  // The same id twice (two clones that clashed).
  put(root, "tickets/2026/11/INC-DDDD0001.yaml", valid_ticket("INC-DDDD0001"));
  put(root, "tickets/2026/12/INC-DDDD0001.yaml", valid_ticket("INC-DDDD0001", "2026-12-01T10:00:00+08:00"));
  // Values the config does not allow.
  Ticket bad_values = valid_ticket("INC-VVVV0001");
  bad_values.set("status", "limbo");
  bad_values.set("category", "printers");
  bad_values.set("priority", "P9");
  bad_values.set("updated", "yesterday");
  put(root, "tickets/2026/11/INC-VVVV0001.yaml", bad_values);
  // A prefix no type has.
  put(root, "tickets/2026/11/XYZ-AAAA0001.yaml", valid_ticket("XYZ-AAAA0001"));
  // A file holding another ticket than its name says.
  put(root, "tickets/2026/11/INC-NAME0001.yaml", valid_ticket("INC-BBBB0002"));
  // Stray things.
  write_raw(root / "tickets/README.txt", "notes");
  write_raw(root / "tickets/2026/11/.INC-AAAA0001.yaml.tmp.abc123", "half");
  write_raw(root / "tickets/2026/11/notes.txt", "notes");
  write_raw(root / "tickets/2026/11/sub/INC-CCCC0001.yaml", "deep");

  const auto before = snapshot(root);
  const DoctorReport report = check_repository(root);
  CHECK(snapshot(root) == before);
  INFO(all_problems(report));
  CHECK(report.tickets_checked == 8);

  const auto yaml = about(report, "INC-BAD00001.yaml");
  REQUIRE(yaml.size() == 1);
  CHECK(yaml[0].line == 2);
  CHECK(yaml[0].column > 0);
  CHECK(yaml[0].to_string().starts_with((root / "tickets/2026/11/INC-BAD00001.yaml").string() + ":2:"));

  const auto month = about(report, "INC-MMMM0001.yaml");
  REQUIRE(month.size() == 1);
  CHECK(month[0].message.find("belongs in tickets/2026/11") != std::string::npos);

  CHECK(mentions(about(report, "INC-DDDD0001.yaml"), "duplicate ticket id INC-DDDD0001"));
  CHECK(about(report, "INC-DDDD0001.yaml").size() == 1);

  const auto values = about(report, "INC-VVVV0001.yaml");
  CHECK(values.size() == 4);
  CHECK(mentions(values, "unknown status 'limbo'"));
  CHECK(mentions(values, "unknown category 'printers'"));
  CHECK(mentions(values, "unknown priority 'P9'"));
  CHECK(mentions(values, "'updated' is not a time"));
  for (const auto& p : values) {
    CHECK(p.line > 0); // each points at its key's value
  }

  CHECK(mentions(about(report, "XYZ-AAAA0001.yaml"), "not configured"));
  CHECK(mentions(about(report, "INC-NAME0001.yaml"), "named INC-NAME0001 but holds ticket 'INC-BBBB0002'"));
  CHECK(mentions(about(report, "tickets/README.txt"), "outside"));
  // A temp file is a note, not a problem (a write may be in progress).
  CHECK(about(report, ".INC-AAAA0001.yaml.tmp.abc123").empty());
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0].path.ends_with(".INC-AAAA0001.yaml.tmp.abc123"));
  CHECK(report.notes[0].message.find("temporary") != std::string::npos);
  CHECK(mentions(about(report, "tickets/2026/11/notes.txt"), "not a ticket file"));
  CHECK(mentions(about(report, "tickets/2026/11/sub"), "unexpected folder"));
  CHECK(about(report, "INC-AAAA0001.yaml").empty());
  CHECK(about(report, "log.txt").empty());
  CHECK(report.problems.size() == 12);
}

TEST_CASE("a broken config is reported with its line; tickets are still checked")
{
  TempDir dir;
  const fs::path root = dir.path();
  std::string config = desk::storage::default_config_text("Asia/Shanghai");
  config.replace(config.find("warning: 0.75"), 13, "warning: 1.5");
  write_raw(root / ".desk/config.yaml", config);
  put(root, "tickets/2026/11/INC-AAAA0001.yaml", valid_ticket("INC-AAAA0001"));
  write_raw(root / "tickets/2026/11/INC-BAD00001.yaml", "");
  const DoctorReport report = check_repository(root);
  INFO(all_problems(report));
  const auto cfg = about(report, ".desk/config.yaml");
  REQUIRE(cfg.size() == 1);
  CHECK(cfg[0].line > 0);
  CHECK(cfg[0].message.find("sla.warning") != std::string::npos);
  CHECK(cfg[0].message.find(root.string()) == std::string::npos); // the path is not repeated
  CHECK(mentions(about(report, "INC-BAD00001.yaml"), "empty"));
  CHECK(report.tickets_checked == 2);
}

TEST_CASE("a missing config is a problem")
{
  TempDir dir;
  fs::create_directories(dir / ".desk");
  const DoctorReport report = check_repository(dir.path());
  INFO(all_problems(report));
  CHECK(about(report, ".desk/config.yaml").size() == 1);
  CHECK(report.tickets_checked == 0);
}

TEST_CASE("Problem::to_string")
{
  CHECK(Problem{"a.yaml", 3, 7, "bad"}.to_string() == "a.yaml:3:7: bad");
  CHECK(Problem{"a.yaml", 3, 0, "bad"}.to_string() == "a.yaml:3: bad");
  CHECK(Problem{"a.yaml", 0, 0, "bad"}.to_string() == "a.yaml: bad");
}

TEST_CASE("check_ticket: the per-ticket checks imports share with doctor")
{
  const desk::Config config = desk::storage::parse_config(desk::storage::default_config_text("Asia/Shanghai"), "c");
  CHECK(desk::storage::check_ticket(valid_ticket("INC-AAAA0001"), config, "t").empty());
  Ticket bad = valid_ticket("INC-AAAA0001");
  bad.set("status", "exploded");
  bad.set("rating", "five");
  bad.set("title", std::string("a\0b", 3));
  const auto problems = desk::storage::check_ticket(bad, config, "t");
  CHECK(mentions(problems, "unknown status 'exploded'"));
  CHECK(mentions(problems, "'rating' must be a whole number"));
  CHECK(mentions(problems, "'title' holds a NUL byte"));
  Ticket none = valid_ticket("INC-AAAA0001");
  none.events().clear();
  CHECK(mentions(desk::storage::check_ticket(none, config, "t"), "no events"));
  Ticket future = valid_ticket("INC-AAAA0001", "2027-01-01T00:00:00+08:00");
  future.set("category", "not-yet-configured");
  CHECK(mentions(desk::storage::check_ticket(future, config, "t"), "unknown category"));
  const auto by = desk::parse_timestamp("2026-12-01T00:00:00+08:00", nullptr);
  const auto imported = desk::storage::check_ticket(future, config, "t", {.any_category = true, .created_by = by});
  CHECK(imported.size() == 1);
  CHECK(mentions(imported, "in the future"));
}

TEST_CASE("symlinked folders under tickets/ and a linked cache are problems")
{
  TempDir dir;
  init_repo(dir.path());
  fs::create_directories(dir / "elsewhere");
  fs::create_directories(dir / "repo");
  fs::create_directories(dir / "tickets/2026");
  fs::create_directory_symlink(dir / "elsewhere", dir / "tickets/2026/11");
  fs::create_directory_symlink(dir / "elsewhere", dir / ".desk/cache");
  const DoctorReport report = check_repository(dir.path());
  INFO(all_problems(report));
  CHECK(mentions(about(report, "tickets/2026/11"), "symbolic link to a folder"));
  CHECK(mentions(about(report, ".desk/cache"), "symbolic link"));
}

TEST_SUITE_END();
