#include <desk/config/config.hpp>
#include <desk/storage/config_file.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using desk::Config;
using desk::ParseError;
using desk::storage::default_config_text;
using desk::storage::parse_config;
using desk::test::mail_config;
using desk::test::replace;

namespace {

std::string default_text()
{
  return default_config_text("Asia/Shanghai");
}

// 1-based line of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle)
{
  const auto pos = text.find(needle);
  REQUIRE_MESSAGE(pos != std::string::npos, "missing: " << needle);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

// The default config with the first `from` replaced by `to`.
std::string config_with(const std::string& from, const std::string& to)
{
  return replace(default_text(), from, to);
}

struct BadConfig {
  std::string name;
  std::string text;
  int line;
  std::string words;
};

} // namespace

TEST_SUITE_BEGIN("storage.config_file");

TEST_CASE("the default config parses to the documented defaults")
{
  const Config c = parse_config(default_text(), "config.yaml");
  CHECK(c.timezone == "Asia/Shanghai");
  REQUIRE(c.types.size() == 4);
  CHECK(c.types[0].name == "incident");
  CHECK(c.types[0].prefix == "INC");
  CHECK(c.find_type("request")->prefix == "REQ");
  CHECK(c.find_type("change")->prefix == "CHG");
  CHECK(c.find_type("consultation")->prefix == "CON");
  CHECK(c.find_type_by_prefix("CHG")->name == "change");
  CHECK(c.find_type("nope") == nullptr);
  CHECK(c.categories == std::vector<std::string>{"network", "server", "database", "application", "end-user-device"});
  CHECK(c.impacts == std::vector<std::string>{"individual", "department", "company", "core-business"});
  CHECK(c.urgencies == std::vector<std::string>{"low", "medium", "high", "critical"});
  CHECK(c.channels == std::vector<std::string>{"phone", "im", "email", "portal", "walk-in"});
  CHECK(c.priorities == std::vector<std::string>{"P1", "P2", "P3", "P4"});
  CHECK(c.default_type == "incident");
  CHECK(c.default_impact == "individual");
  CHECK(c.default_urgency == "medium");
  CHECK(c.default_channel == "portal");
  CHECK(c.teams.empty());
  CHECK(c.vendors.empty());
  CHECK(c.rules.empty());
  CHECK_FALSE(c.has_members());
  CHECK_FALSE(c.git_autocommit);
  CHECK(c.hook_timeout == 10s);
}

TEST_CASE("the default priority matrix: all 16 cells")
{
  const Config c = parse_config(default_text(), "config.yaml");
  // impact → {critical, high, medium, low}
  const std::map<std::string, std::vector<std::string>> expected = {
    {"core-business", {"P1", "P1", "P2", "P3"}},
    {"company", {"P1", "P2", "P2", "P3"}},
    {"department", {"P2", "P2", "P3", "P4"}},
    {"individual", {"P2", "P3", "P4", "P4"}},
  };
  const std::vector<std::string> urgencies = {"critical", "high", "medium", "low"};
  int cells = 0;
  for (const auto& [impact_name, row] : expected) {
    const std::string& impact = impact_name; // INFO captures it; clang 14 cannot capture a structured binding
    for (std::size_t i = 0; i < urgencies.size(); ++i) {
      INFO(impact, " × ", urgencies[i]);
      CHECK(c.priority_for(impact, urgencies[i]) == row[i]);
      CHECK(c.matrix.at(impact).at(urgencies[i]) == row[i]);
      ++cells;
    }
  }
  CHECK(cells == 16);
  CHECK(c.matrix.size() == 4);
  CHECK_THROWS_AS(c.priority_for("galaxy", "high"), desk::UsageError);
  CHECK_THROWS_AS(c.priority_for("company", "whenever"), desk::UsageError);
}

TEST_CASE("the default SLA targets, warning, calendar, pauses and close days")
{
  const Config c = parse_config(default_text(), "config.yaml");
  REQUIRE(c.sla_targets.size() == 4);
  CHECK(c.sla_targets.at("P1").respond == 15min);
  CHECK(c.sla_targets.at("P1").resolve == 4h);
  CHECK_FALSE(c.sla_targets.at("P1").business);
  CHECK(c.sla_targets.at("P2").respond == 30min);
  CHECK(c.sla_targets.at("P2").resolve == 8h);
  CHECK(c.sla_targets.at("P2").business);
  CHECK(c.sla_targets.at("P3").respond == 2h);
  CHECK(c.sla_targets.at("P3").resolve == 24h);
  CHECK(c.sla_targets.at("P3").business);
  CHECK(c.sla_targets.at("P4").respond == 8h);
  CHECK(c.sla_targets.at("P4").resolve == 40h);
  CHECK(c.sla_targets.at("P4").business);
  CHECK(c.sla_warning == doctest::Approx(0.75));
  CHECK(c.calendar.timezone == "Asia/Shanghai");
  CHECK(c.calendar.working_days == std::vector<int>{1, 2, 3, 4, 5});
  REQUIRE(c.calendar.hours.size() == 1);
  CHECK(c.calendar.hours[0].start_minute == 9 * 60);
  CHECK(c.calendar.hours[0].end_minute == 18 * 60);
  CHECK(c.calendar.holidays.empty());
  CHECK(c.pending_reasons == std::vector<std::string>{"awaiting-user", "awaiting-vendor", "awaiting-change"});
  CHECK(c.pause_reasons == std::vector<std::string>{"awaiting-user", "awaiting-vendor"});
  CHECK(c.close_after_days == 5);
}

TEST_CASE("default_config_text sets the zone and nothing else")
{
  const std::string utc = default_config_text("UTC");
  const std::string berlin = default_config_text("Europe/Berlin");
  CHECK(berlin.find("\ntimezone: Europe/Berlin\n") != std::string::npos);
  CHECK(desk::test::line_diff(utc, berlin) ==
        std::vector<std::string>{"- timezone: UTC", "+ timezone: Europe/Berlin"});
  CHECK(parse_config(berlin, "c.yaml").timezone == "Europe/Berlin");
}

TEST_CASE("teams, vendors, rules and calendar extras parse")
{
  std::string text = default_text();
  text = replace(text, "teams: {}\n",
                 "teams:\n"
                 "  service-desk:\n"
                 "    tier: 1\n"
                 "    members: [alice, bob]\n"
                 "    skills: [end-user-device, application]\n"
                 "    supervisor: carol\n"
                 "  network-team:\n"
                 "    tier: 2\n"
                 "    members: [dave]\n"
                 "    skills: [network]\n");
  text = replace(text, "vendors: {}\n", "vendors:\n  acme-isp: {contact: noc@acme.example}\n");
  text = replace(text, "rules: []\n", "rules:\n  - {category: network, team: network-team}\n  - {affected: ERP, type: request, team: service-desk}\n");
  text = replace(text, "holidays: []", "holidays: ['2026-10-01', '2026-10-02']");
  text = replace(text, "hours: [\"09:00-18:00\"]", "hours: [\"09:00-12:00\", \"13:30-18:00\"]");
  const Config c = parse_config(text, "c.yaml");
  REQUIRE(c.teams.size() == 2);
  CHECK(c.teams[0].name == "service-desk");
  CHECK(c.teams[0].tier == 1);
  CHECK(c.teams[0].members == std::vector<std::string>{"alice", "bob"});
  CHECK(c.teams[0].supervisor == "carol");
  CHECK(c.find_team("network-team")->tier == 2);
  CHECK(c.find_team("nobody") == nullptr);
  CHECK(c.has_members());
  CHECK(c.is_member("dave"));
  CHECK_FALSE(c.is_member("mallory"));
  REQUIRE(c.vendors.size() == 1);
  CHECK(c.find_vendor("acme-isp")->contact == "noc@acme.example");
  REQUIRE(c.rules.size() == 2);
  CHECK(c.rules[0].category == "network");
  CHECK(c.rules[0].team == "network-team");
  CHECK(c.rules[1].affected == "ERP");
  CHECK(c.rules[1].type == "request");
  CHECK(c.calendar.holidays == std::vector<std::string>{"2026-10-01", "2026-10-02"});
  REQUIRE(c.calendar.hours.size() == 2);
  CHECK(c.calendar.hours[1].start_minute == 13 * 60 + 30);
}

TEST_CASE("invalid configs throw ParseError at the right line")
{
  const std::string d = default_text();
  std::vector<BadConfig> cases;
  {
    const std::string t = replace(d, "individual:    {critical: P2, high: P3, medium: P4, low: P4}",
                                  "individual:    {critical: P2, high: P3, medium: P4}");
    // A hole is reported at the matrix (its first row); the message names the cell.
    cases.push_back({"hole in the matrix", t, line_of(t, "  core-business: {"), "no priority for impact 'individual'"});
  }
  {
    const std::string t = replace(d, "company:       {critical: P1, high: P2,", "company:       {critical: P9, high: P2,");
    cases.push_back({"unknown priority in the matrix", t, line_of(t, "{critical: P9"), "'P9', which is not in priorities"});
  }
  {
    const std::string t = replace(d, "department:    {critical: P2,", "departmint:    {critical: P2,");
    cases.push_back({"unknown impact in the matrix", t, line_of(t, "departmint:"), "matrix names impact 'departmint'"});
  }
  {
    const std::string t = replace(d, "working_days: [mon, tue, wed, thu, fri]", "working_days: []");
    cases.push_back({"no working days", t, line_of(t, "working_days: []"), "working_days must not be empty"});
  }
  {
    const std::string t = replace(d, "hours: [\"09:00-18:00\"]", "hours: [\"18:00-09:00\"]");
    cases.push_back({"hours backwards", t, line_of(t, "hours: [\"18:00-09:00\"]"), "'18:00-09:00'"});
  }
  {
    const std::string t = replace(d, "hours: [\"09:00-18:00\"]", "hours: [\"9-18\"]");
    cases.push_back({"hours badly written", t, line_of(t, "hours: [\"9-18\"]"), "'9-18'"});
  }
  {
    const std::string t = replace(d, "P2: {respond: 30m,", "P2: {respond: 30x,");
    cases.push_back({"bad duration", t, line_of(t, "respond: 30x"), "'30x' is not a duration"});
  }
  {
    const std::string t = replace(d, "P3: {respond: 2h, resolve: 24h,", "P3: {respond: 2h, resolve: 0h,");
    cases.push_back({"zero duration", t, line_of(t, "resolve: 0h"), "is not a duration"});
  }
  {
    const std::string t = replace(d, "working_days: [mon, tue, wed, thu, fri]", "working_days: [mon, tue, wed, thu, fry]");
    cases.push_back({"unknown weekday", t, line_of(t, "fry]"), "unknown weekday 'fry'"});
  }
  {
    const std::string t = replace(d, "teams: {}\n", "teams:\n  desk:\n    tier: 1\n    skills: [printers]\n");
    cases.push_back({"skill not a category", t, line_of(t, "skills: [printers]"), "skill 'printers', which is not a category"});
  }
  {
    const std::string t = replace(d, "teams: {}\n", "teams:\n  desk:\n    tier: 4\n");
    cases.push_back({"tier out of range", t, line_of(t, "tier: 4"), "from 1 to 3"});
  }
  {
    const std::string t = replace(d, "rules: []\n", "rules:\n  - {category: network, team: nobody}\n");
    cases.push_back({"rule naming an unknown team", t, line_of(t, "{category: network, team: nobody}"), "not 'nobody'"});
  }
  {
    const std::string t = replace(d, "rules: []\n", "rules:\n  - {category: printers, team: nobody}\n");
    cases.push_back({"rule naming an unknown category", t, line_of(t, "{category: printers"), "category 'printers'"});
  }
  {
    const std::string t = replace(d, "warning: 0.75", "warning: 1.5");
    cases.push_back({"warning 1.5", t, line_of(t, "warning: 1.5"), "between 0 and 1"});
  }
  {
    const std::string t = replace(d, "warning: 0.75", "warning: 75%");
    cases.push_back({"warning 75%", t, line_of(t, "warning: 75%"), "between 0 and 1"});
  }
  {
    const std::string t = replace(d, "    P4: {respond: 8h, resolve: 40h, clock: business}\n", "");
    cases.push_back({"priority without targets", t, line_of(t, "  targets:"), "no entry for priority P4"});
  }
  {
    const std::string t = replace(d, "P1: {respond: 15m, resolve: 4h, clock: calendar}", "P1: {respond: 15m, resolve: 4h, clock: lunar}");
    cases.push_back({"unknown clock", t, line_of(t, "clock: lunar"), "unknown clock 'lunar'"});
  }
  {
    const std::string t = replace(d, "pause_on: [awaiting-user, awaiting-vendor]", "pause_on: [awaiting-user, awaiting-godot]");
    cases.push_back({"pause reason not a pending reason", t, line_of(t, "pause_on:"), "'awaiting-godot'"});
  }
  {
    const std::string t = replace(d, "\ntimezone: Asia/Shanghai\n", "\ntimezone: Mars/Olympus\n");
    cases.push_back({"unknown zone", t, line_of(t, "timezone: Mars"), "Mars/Olympus"});
  }
  {
    const std::string t = replace(d, "  change: CHG ", "  change: chg ");
    cases.push_back({"lower-case prefix", t, line_of(t, "change: chg"), "capital letters"});
  }
  {
    const std::string t = replace(d, "  change: CHG ", "  change: INC ");
    cases.push_back({"prefix used twice", t, line_of(t, "change: INC"), "used by two types"});
  }
  {
    const std::string t = replace(d, "close_after_days: 5", "close_after_days: five");
    cases.push_back({"close_after_days not a number", t, line_of(t, "close_after_days: five"), "whole number"});
  }
  {
    const std::string t = replace(d, "  urgency: medium\n", "  urgency: meh\n");
    cases.push_back({"default not allowed", t, line_of(t, "urgency: meh"), "defaults.urgency is 'meh'"});
  }
  {
    const std::string t = replace(d, "  - walk-in\n", "  - walk-in\n  - phone\n");
    cases.push_back({"a channel twice", t, line_of(t, "  - walk-in\n") + 1, "'phone' appears twice"});
  }
  {
    const std::string t = replace(d, "  holidays: []", "  holidays: [someday]");
    cases.push_back({"a holiday that is not a date", t, line_of(t, "holidays: [someday]"), "someday"});
  }

  for (const auto& c : cases) {
    INFO(c.name);
    try {
      parse_config(c.text, ".desk/config.yaml");
      FAIL_CHECK("no error");
    } catch (const ParseError& e) {
      INFO(e.what());
      CHECK(e.path() == ".desk/config.yaml");
      CHECK(e.line() == c.line);
      CHECK(std::string(e.what()).find(c.words) != std::string::npos);
      CHECK_FALSE(e.hint().empty());
    } catch (const std::exception& e) {
      FAIL_CHECK("not a ParseError: " << e.what());
    }
  }
}

TEST_CASE("a config missing a section names it")
{
  const std::string t = replace(default_text(), "priorities: [P1, P2, P3, P4]\n", "");
  try {
    parse_config(t, "c.yaml");
    FAIL_CHECK("no error");
  } catch (const ParseError& e) {
    CHECK(std::string(e.what()).find("the config has no 'priorities'") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_config("", "c.yaml"), ParseError);
  CHECK_THROWS_AS(parse_config("- a\n", "c.yaml"), ParseError);
}

TEST_CASE("load_config reads a file and names it in errors")
{
  desk::test::TempDir dir;
  desk::test::write_raw(dir / ".desk/config.yaml", replace(default_text(), "warning: 0.75", "warning: 2"));
  try {
    desk::storage::load_config(dir / ".desk/config.yaml");
    FAIL_CHECK("no error");
  } catch (const ParseError& e) {
    CHECK(e.path() == (dir / ".desk/config.yaml").string());
    CHECK(e.line() > 0);
  }
  desk::test::write_raw(dir / "ok.yaml", default_text());
  CHECK(desk::storage::load_config(dir / "ok.yaml").close_after_days == 5);
}

TEST_CASE("config: mail keys, member emails, notify table overrides")
{
  const Config c = mail_config();
  CHECK(c.mail.address == "it@example.com");
  CHECK(c.email_of("alice") == "alice@example.com");
  CHECK(c.email_of("bob").empty());
  CHECK(c.email_of("carol") == "carol@example.com");
  CHECK(c.user_with_email("ALICE@example.com") == "alice");
  CHECK(c.mail.recipients_of("open") == std::vector<std::string>{"requester"});
  std::string text = desk::storage::default_config_text("UTC") +
                     "\nmail:\n  address: it@x.com\n  language: zh\n  sendmail: /usr/bin/msmtp -t\n"
                     "  notify:\n    open: []\n    close: [requester, boss@x.com]\n";
  const Config d = desk::storage::parse_config(text, "config.yaml");
  CHECK(d.mail.recipients_of("open").empty());
  CHECK(d.mail.recipients_of("close") == std::vector<std::string>{"requester", "boss@x.com"});
  CHECK(d.mail.sendmail == std::vector<std::string>{"/usr/bin/msmtp", "-t"});
  CHECK(d.mail.language == "zh");
  CHECK_THROWS_AS(desk::storage::parse_config(desk::storage::default_config_text("UTC") + "\nmail:\n  language: fr\n", "c"), ParseError);
  CHECK_THROWS_AS(desk::storage::parse_config(desk::storage::default_config_text("UTC") + "\nmail:\n  notify: {opne: [requester]}\n", "c"),
                  ParseError);
  CHECK_THROWS_AS(desk::storage::parse_config(desk::storage::default_config_text("UTC") + "\nmail:\n  address: not-an-address\n", "c"),
                  ParseError);
}

// serve and api, the portal's sections (these cases are written inside namespace desk).
namespace desk {

TEST_CASE("the default config has the portal's defaults")
{
  const Config c = storage::parse_config(storage::default_config_text("Asia/Shanghai"), "config.yaml");
  CHECK(c.serve.url.empty());
  CHECK(c.serve.auth == PortalAuth::mail);
  CHECK(c.serve.header == "X-Remote-User");
  CHECK(c.serve.max_upload_bytes == 10U * 1024 * 1024);
  CHECK(c.api.tokens.empty());
}

TEST_CASE("serve and api values are read and checked")
{
  const Config c = storage::parse_config(
    config_with("  url: \"\"\n", "  url: https://desk.example.com/\n") + "", "config.yaml");
  CHECK(c.serve.url == "https://desk.example.com");
  CHECK(storage::parse_config(config_with("max_upload_bytes: 10MiB", "max_upload_bytes: 512KiB"), "c").serve.max_upload_bytes ==
        512U * 1024);
  CHECK_THROWS_WITH_AS(storage::parse_config(config_with("max_upload_bytes: 10MiB", "max_upload_bytes: lots"), "c"),
                       doctest::Contains("is not a size"), ParseError);
  CHECK_THROWS_WITH_AS(storage::parse_config(config_with("  auth: mail\n", "  auth: header\n"), "c"),
                       doctest::Contains("trusted_proxies is empty"), ParseError);
  CHECK_THROWS_WITH_AS(storage::parse_config(config_with("  url: \"\"\n", "  url: desk.example.com\n"), "c"),
                       doctest::Contains("must start with https://"), ParseError);
  const std::string sha(64, 'a');
  const Config t = storage::parse_config(
    config_with("  tokens: []\n", "  tokens:\n    - {name: mon, sha256: " + sha + ", scopes: [read, open]}\n"), "c");
  REQUIRE(t.api.tokens.size() == 1);
  CHECK(t.api.tokens[0].name == "mon");
  CHECK(t.api.tokens[0].scopes == std::vector<std::string>{"read", "open"});
  CHECK_THROWS_WITH_AS(
    storage::parse_config(config_with("  tokens: []\n", "  tokens:\n    - {name: mon, sha256: " + sha + ", scopes: [root]}\n"), "c"),
    doctest::Contains("unknown scope 'root'"), ParseError);
  CHECK_THROWS_WITH_AS(
    storage::parse_config(config_with("  tokens: []\n", "  tokens:\n    - {name: mon, sha256: abc, scopes: [read]}\n"), "c"),
    doctest::Contains("64 hex digits"), ParseError);
  // Sign-in links go out through the mail channel, which has its own sender settings.
  CHECK_THROWS_WITH_AS(
    storage::parse_config(config_with("  auth: mail\n", "  auth: mail\n  sendmail: [/usr/bin/msmtp, -t]\n"), "c"),
    doctest::Contains("serve.sendmail is not a key of serve"), ParseError);
}

} // namespace desk

TEST_SUITE_END();
