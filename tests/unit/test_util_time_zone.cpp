#include <desk/util/time_zone.hpp>

#include <date/tz.h>
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using desk::TimeZone;
using std::chrono::seconds;
using std::chrono::sys_seconds;

namespace {

sys_seconds utc_at(int y, unsigned m, unsigned d, int h = 0, int min = 0)
{
  return date::sys_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{h} +
         std::chrono::minutes{min};
}

date::local_seconds local_at(int y, unsigned m, unsigned d, int h = 0, int min = 0)
{
  return date::local_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours{h} +
         std::chrono::minutes{min};
}

std::string file_bytes(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_SUITE_BEGIN("util.time_zone");

TEST_CASE("TimeZone: every zone of the system's database agrees with date/tz")
{
  // date/tz reads the same files (its OS database) but only their transitions, which the
  // Debian files list up to 2037: compared from 1900 to 2037, at every transition date/tz
  // knows (just before, at, after) and for local times around each.
  const auto& db = date::get_tzdb();
  REQUIRE(db.zones.size() > 300);
  std::size_t zones = 0;
  std::size_t checks = 0;
  for (const auto& reference : db.zones) {
    const TimeZone* zone = desk::load_time_zone(reference.name());
    INFO(reference.name());
    if (file_bytes("/usr/share/zoneinfo/" + reference.name()).substr(0, 4) != "TZif") {
      CHECK(zone == nullptr); // a table date/tz lists as a zone (e.g. zonenow.tab)
      continue;
    }
    REQUIRE(zone != nullptr);
    ++zones;
    const auto same_at = [&](sys_seconds t) {
      ++checks;
      const auto want = reference.get_info(t).offset;
      const auto got = zone->get_info(t).offset;
      if (got != want) {
        FAIL_CHECK(fmt::format("{} at {}: offset {} want {}", reference.name(), t.time_since_epoch().count(),
                               got.count(), want.count()));
      }
    };
    const auto same_local = [&](date::local_seconds l) {
      ++checks;
      const auto want = reference.to_sys(l, date::choose::earliest);
      const auto got = zone->to_sys(l);
      if (got != want) {
        FAIL_CHECK(fmt::format("{} local {}: {} want {}", reference.name(), l.time_since_epoch().count(),
                               got.time_since_epoch().count(), want.time_since_epoch().count()));
      }
    };
    for (sys_seconds t = utc_at(1900, 1, 1); t < utc_at(2037, 1, 1); t += seconds{86400 * 53 + 3 * 3600 + 17 * 60}) {
      same_at(t);
      same_local(date::local_seconds{t.time_since_epoch()});
    }
    for (auto info = reference.get_info(utc_at(1970, 1, 1)); info.end < utc_at(2037, 1, 1);
         info = reference.get_info(info.end)) {
      const sys_seconds change = info.end;
      same_at(change - seconds{1});
      same_at(change);
      same_at(change + seconds{1});
      const auto before = info.offset;
      const auto after = reference.get_info(change).offset;
      const auto low = change + std::min(before, after) - std::chrono::hours{1};
      const auto high = change + std::max(before, after) + std::chrono::hours{1};
      for (auto l = low; l <= high; l += std::chrono::minutes{15}) {
        same_local(date::local_seconds{l.time_since_epoch()});
      }
    }
  }
  MESSAGE(fmt::format("{} zones, {} comparisons", zones, checks));
}

TEST_CASE("TimeZone: after the last transition the footer's rule goes on")
{
  const TimeZone* new_york = desk::load_time_zone("America/New_York");
  const TimeZone* sydney = desk::load_time_zone("Australia/Sydney");
  const TimeZone* shanghai = desk::load_time_zone("Asia/Shanghai");
  REQUIRE(new_york);
  REQUIRE(sydney);
  REQUIRE(shanghai);
  // 2050: second Sunday of March 02:00 EST (13 March), first Sunday of November 02:00 EDT
  // (6 November).
  CHECK(new_york->get_info(utc_at(2050, 3, 13, 6, 59)).offset == seconds{-5 * 3600});
  CHECK(new_york->get_info(utc_at(2050, 3, 13, 7, 0)).offset == seconds{-4 * 3600});
  CHECK(new_york->get_info(utc_at(2050, 11, 6, 5, 59)).offset == seconds{-4 * 3600});
  CHECK(new_york->get_info(utc_at(2050, 11, 6, 6, 0)).offset == seconds{-5 * 3600});
  CHECK(new_york->get_info(utc_at(2050, 3, 13, 8, 0)).end == utc_at(2050, 11, 6, 6, 0));
  // Southern summer across the new year: AEDT (+11) in January 2060, AEST (+10) in July.
  CHECK(sydney->get_info(utc_at(2060, 1, 15)).offset == seconds{11 * 3600});
  CHECK(sydney->get_info(utc_at(2060, 7, 15)).offset == seconds{10 * 3600});
  // A gap and an overlap in 2050, local to instant.
  CHECK(new_york->to_sys(local_at(2050, 3, 13, 2, 30)) == utc_at(2050, 3, 13, 7, 0)); // skipped: the gap's end
  CHECK(new_york->to_sys(local_at(2050, 11, 6, 1, 30)) == utc_at(2050, 11, 6, 5, 30)); // twice: the earlier
  CHECK(shanghai->get_info(utc_at(2099, 6, 1)).offset == seconds{8 * 3600});
  CHECK(shanghai->get_info(utc_at(2099, 6, 1)).end > utc_at(2200, 1, 1));
}

TEST_CASE("TimeZone: POSIX TZ rules")
{
  using Kind = TimeZone::Rule::Date::Kind;
  const auto cet = TimeZone::parse_rule("CET-1CEST,M3.5.0,M10.5.0/3");
  REQUIRE(cet);
  CHECK(cet->std_offset == 3600);
  CHECK(cet->has_dst);
  CHECK(cet->dst_offset == 7200);
  CHECK(cet->start.kind == Kind::month_week_day);
  CHECK(cet->start.month == 3);
  CHECK(cet->start.week == 5);
  CHECK(cet->start.time == 7200);
  CHECK(cet->end.time == 3 * 3600);
  const auto nepal = TimeZone::parse_rule("<+0545>-5:45");
  REQUIRE(nepal);
  CHECK(nepal->std_offset == 5 * 3600 + 45 * 60);
  CHECK(!nepal->has_dst);
  const auto israel = TimeZone::parse_rule("IST-2IDT,M3.4.4/26,M10.5.0");
  REQUIRE(israel);
  CHECK(israel->start.time == 26 * 3600);
  const auto greenland = TimeZone::parse_rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  REQUIRE(greenland);
  CHECK(greenland->std_offset == -7200);
  CHECK(greenland->dst_offset == -3600);
  CHECK(greenland->start.time == -3600);
  const auto julian = TimeZone::parse_rule("XXX3YYY,J60/1:30,300");
  REQUIRE(julian);
  CHECK(julian->start.kind == Kind::julian);
  CHECK(julian->start.day == 60);
  CHECK(julian->start.time == 5400);
  CHECK(julian->end.kind == Kind::zero_based);
  CHECK(julian->end.day == 300);
  for (const char* bad : {"", "C-1", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
                          "CET-1CEST,J0,J365", "<+05", "CET-1CEST,M3.5.0/200,M10.5.0", "CET-1 CEST"}) {
    CHECK_MESSAGE(!TimeZone::parse_rule(bad), bad);
  }
}

TEST_CASE("TimeZone: names and files that are not zones")
{
  for (const char* name : {"", "Mars/Olympus", "../etc/passwd", "/etc/localtime", "Asia/../UTC", "Asia//Shanghai",
                           "Asia", "zone.tab", "tzdata.zi", "posixrules", "right/UTC", "Factory", "Asia/Shanghai "}) {
    CHECK_MESSAGE(desk::load_time_zone(name) == nullptr, name);
  }
  CHECK(desk::load_time_zone("Etc/GMT+8")->get_info(utc_at(2026, 1, 1)).offset == seconds{-8 * 3600});
  CHECK(desk::load_time_zone("UTC")->get_info(utc_at(2026, 1, 1)).offset == seconds{0});
  CHECK(desk::load_time_zone("Asia/Shanghai") == desk::load_time_zone("Asia/Shanghai")); // loaded once

  const std::string good = file_bytes("/usr/share/zoneinfo/Europe/Berlin");
  REQUIRE(good.size() > 100);
  CHECK(TimeZone::from_tzif("x", good) != nullptr);
  CHECK(TimeZone::from_tzif("x", "") == nullptr);
  CHECK(TimeZone::from_tzif("x", "TZif2 not really") == nullptr);
  CHECK(TimeZone::from_tzif("x", good.substr(0, good.size() / 2)) == nullptr); // truncated
  std::string bad_footer = good;
  bad_footer.replace(bad_footer.rfind('\n', bad_footer.size() - 2) + 1, 3, "???");
  CHECK(TimeZone::from_tzif("x", bad_footer) == nullptr);
}

TEST_SUITE_END();
