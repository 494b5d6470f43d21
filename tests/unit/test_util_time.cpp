#include <desk/util/error.hpp>
#include <desk/util/time.hpp>
#include <desk/util/time_zone.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace std::chrono_literals;

using desk::test::ScopedEnv;
using desk::test::utc;

TEST_SUITE("util.time") {

TEST_CASE("find_zone")
{
  CHECK(desk::find_zone("Asia/Shanghai")->name() == "Asia/Shanghai");
  CHECK(desk::find_zone("UTC") != nullptr);
  CHECK_THROWS_WITH_AS(desk::find_zone("Mars/Olympus"), "unknown time zone 'Mars/Olympus'",
                       desk::UsageError);
  CHECK_THROWS_AS(desk::find_zone(""), desk::UsageError);
}

TEST_CASE("parse_timestamp accepted forms")
{
  const auto* shanghai = desk::find_zone("Asia/Shanghai");
  const auto expected = utc("2026-11-26T01:30:00Z");

  CHECK(desk::parse_timestamp("2026-11-26T09:30", shanghai) == expected);
  CHECK(desk::parse_timestamp("2026-11-26 09:30", shanghai) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T09:30:00", shanghai) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T09:30:00.123", shanghai) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T09:30:00.999999+08:00", nullptr) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T01:30Z", shanghai) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T01:30:00z", shanghai) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T09:30+08:00", nullptr) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T09:30+0800", nullptr) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T09:30+08", nullptr) == expected);
  CHECK(desk::parse_timestamp("2026-11-25T20:30-05:00", shanghai) == expected);
  CHECK(desk::parse_timestamp("2026-11-26T07:00+05:30", nullptr) == expected);

  // Date only: local midnight; no zone means UTC.
  CHECK(desk::parse_timestamp("2026-11-26", shanghai) == utc("2026-11-25T16:00:00Z"));
  CHECK(desk::parse_timestamp("2026-11-26", nullptr) == utc("2026-11-26T00:00:00+00:00"));
  CHECK(desk::parse_timestamp("2026-11-26T09:30", nullptr) == utc("2026-11-26T09:30Z"));
  CHECK(desk::parse_timestamp("2024-02-29", nullptr).has_value());
  CHECK(desk::parse_timestamp("1970-01-01T00:00Z", nullptr)->time_since_epoch() == 0s);
}

TEST_CASE("parse_timestamp DST gaps and repeats")
{
  const auto* new_york = desk::find_zone("America/New_York");
  // 02:30 does not exist on 2026-03-08: the instant the gap ends (03:00 EDT).
  CHECK(desk::parse_timestamp("2026-03-08T02:30", new_york) == utc("2026-03-08T07:00Z"));
  CHECK(desk::parse_timestamp("2026-03-08T03:30", new_york) == utc("2026-03-08T07:30Z"));
  // 01:30 happens twice on 2026-11-01: the earlier one (EDT).
  CHECK(desk::parse_timestamp("2026-11-01T01:30", new_york) == utc("2026-11-01T05:30Z"));
  CHECK(desk::parse_timestamp("2026-11-01T01:30-05:00", new_york) == utc("2026-11-01T06:30Z"));

  const auto* berlin = desk::find_zone("Europe/Berlin");
  CHECK(desk::parse_timestamp("2026-03-29T02:15", berlin) == utc("2026-03-29T01:00Z"));
  CHECK(desk::parse_timestamp("2026-10-25T02:15", berlin) == utc("2026-10-25T00:15Z"));
}

TEST_CASE("make_timestamp: fields to an instant, by offset, zone or UTC; impossible fields refused")
{
  const auto* new_york = desk::find_zone("America/New_York");
  CHECK(desk::make_timestamp(2026, 11, 26, 9, 30, 0, std::nullopt, desk::find_zone("Asia/Shanghai")) ==
        utc("2026-11-26T01:30:00Z"));
  CHECK(desk::make_timestamp(2026, 11, 26, 9, 30, 5, std::chrono::seconds{-5 * 3600}, new_york) ==
        utc("2026-11-26T14:30:05Z")); // the offset wins over the zone
  CHECK(desk::make_timestamp(2026, 11, 26, 9, 30, 0, std::nullopt, nullptr) == utc("2026-11-26T09:30:00Z"));
  CHECK(desk::make_timestamp(2026, 3, 8, 2, 30, 0, std::nullopt, new_york) == utc("2026-03-08T07:00Z")); // gap
  CHECK(desk::make_timestamp(2024, 2, 29, 0, 0, 0, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 2, 29, 0, 0, 0, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 13, 1, 0, 0, 0, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 0, 1, 0, 0, 0, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 4, 31, 0, 0, 0, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 4, 1, 24, 0, 0, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 4, 1, 23, 60, 0, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 4, 1, 23, 59, 60, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 4, 1, -1, 0, 0, std::nullopt, nullptr).has_value());
  CHECK_FALSE(desk::make_timestamp(2026, 4, -1, 0, 0, 0, std::nullopt, nullptr).has_value());
}

TEST_CASE("parse_timestamp rejects")
{
  const auto* shanghai = desk::find_zone("Asia/Shanghai");
  for (const char* text : {"",
                           "garbage",
                           "2026",
                           "2026-11",
                           "26-11-26",
                           "2026/11/26",
                           "2026-1-26",
                           "2026-13-01",
                           "2026-00-10",
                           "2026-02-30",
                           "2026-02-29",
                           "2026-04-31",
                           "2026-11-00",
                           "2026-11-26T",
                           "2026-11-26T9:30",
                           "2026-11-26T25:00",
                           "2026-11-26T24:00",
                           "2026-11-26T09:60",
                           "2026-11-26T09:30:60",
                           "2026-11-26T09:30:00.",
                           "2026-11-26T09:30.5",
                           "2026-11-26T09:30x",
                           "2026-11-26T09:30 ",
                           " 2026-11-26",
                           "2026-11-26x",
                           "2026-11-26Z",
                           "2026-11-26T09:30+8",
                           "2026-11-26T09:30+08:0",
                           "2026-11-26T09:30+08:00junk",
                           "2026-11-26T09:30+24:00",
                           "2026-11-26T09:30+08:60",
                           "2026-11-26T09:30 +08:00",
                           "2026-11-26X09:30"}) {
    CAPTURE(text);
    CHECK_FALSE(desk::parse_timestamp(text, shanghai).has_value());
  }
}

TEST_CASE("parse_timestamp_or_throw")
{
  CHECK(desk::parse_timestamp_or_throw("2026-11-26", nullptr, "--due")
        == utc("2026-11-26T00:00Z"));
  CHECK_THROWS_WITH_AS(desk::parse_timestamp_or_throw("soon", nullptr, "--due"),
                       "--due: 'soon' is not a time; use YYYY-MM-DD or "
                       "YYYY-MM-DDTHH:MM[:SS][+HH:MM]",
                       desk::UsageError);
}

TEST_CASE("format_timestamp")
{
  const auto t = utc("2026-11-26T01:30:00Z");
  CHECK(desk::format_timestamp(t, desk::find_zone("Asia/Shanghai")) == "2026-11-26T09:30:00+08:00");
  CHECK(desk::format_timestamp(t, desk::find_zone("UTC")) == "2026-11-26T01:30:00+00:00");
  CHECK(desk::format_timestamp(t, nullptr) == "2026-11-26T01:30:00+00:00");
  CHECK(desk::format_timestamp(t, desk::find_zone("America/New_York"))
        == "2026-11-25T20:30:00-05:00");
  CHECK(desk::format_timestamp(utc("2026-07-01T12:00:05Z"), desk::find_zone("America/New_York"))
        == "2026-07-01T08:00:05-04:00");
  CHECK(desk::format_timestamp(t, desk::find_zone("Asia/Kolkata")) == "2026-11-26T07:00:00+05:30");
  CHECK(desk::format_timestamp(utc("1969-12-31T23:59:59Z"), nullptr) == "1969-12-31T23:59:59+00:00");

  // Round trip, including both sides of a repeated hour.
  const auto* new_york = desk::find_zone("America/New_York");
  for (auto u : {utc("2026-11-01T05:30Z"), utc("2026-11-01T06:30Z"), utc("2026-03-08T07:00Z"),
                 utc("2026-11-26T01:30:00Z")}) {
    const auto text = desk::format_timestamp(u, new_york);
    CAPTURE(text);
    CHECK(desk::parse_timestamp(text, nullptr) == u);
  }
}

TEST_CASE("format_local_minutes")
{
  const auto t = utc("2026-11-26T01:30:59Z");
  CHECK(desk::format_local_minutes(t, desk::find_zone("Asia/Shanghai")) == "2026-11-26 09:30");
  CHECK(desk::format_local_minutes(t, nullptr) == "2026-11-26 01:30");
}

TEST_CASE("format_duration")
{
  CHECK(desk::format_duration(0s) == "0m");
  CHECK(desk::format_duration(59s) == "0m");
  CHECK(desk::format_duration(-59s) == "0m");
  CHECK(desk::format_duration(45min) == "45m");
  CHECK(desk::format_duration(60min) == "1h 00m");
  CHECK(desk::format_duration(3h + 5min) == "3h 05m");
  CHECK(desk::format_duration(23h + 59min + 59s) == "23h 59m");
  CHECK(desk::format_duration(24h) == "1d 0h");
  CHECK(desk::format_duration(52h + 59min) == "2d 4h");
  CHECK(desk::format_duration(-(1h + 10min)) == "-1h 10m");
  CHECK(desk::format_duration(-5min) == "-5m");
  CHECK(desk::format_duration(-(48h + 4h)) == "-2d 4h");
  CHECK_FALSE(desk::format_duration(std::chrono::seconds::min()).empty());
}

TEST_CASE("parse_duration")
{
  CHECK(desk::parse_duration("90m") == 90min);
  CHECK(desk::parse_duration("4h") == 4h);
  CHECK(desk::parse_duration("1h30m") == 90min);
  CHECK(desk::parse_duration("2d") == 48h);
  CHECK(desk::parse_duration("1d2h") == 26h);
  CHECK(desk::parse_duration("1d2h3m") == 26h + 3min);
  CHECK(desk::parse_duration("45") == 45min);
  CHECK(desk::parse_duration("0") == 0min);
  CHECK(desk::parse_duration("4H") == 4h);
  // What format_duration writes reads back.
  CHECK(desk::parse_duration("3h 05m") == 3h + 5min);
  CHECK(desk::parse_duration("2d 4h") == 52h);

  for (const char* text : {"", " ", "-5", "-1h", "h", "m", "1x", "1h30", "30m1h", "1h1h",
                           "1.5h", "1h ", " 1h", "1 h", "1h  ", "abc", "4h-", "+4h",
                           "99999999999999999999"}) {
    CAPTURE(text);
    CHECK_FALSE(desk::parse_duration(text).has_value());
  }
}

TEST_CASE("now")
{
  {
    const ScopedEnv env("DESK_NOW", "2026-11-26T09:30:00+08:00");
    CHECK(desk::now() == utc("2026-11-26T01:30Z"));
  }
  {
    const ScopedEnv env("DESK_NOW", "2026-11-26T09:30");
    CHECK(desk::now() == utc("2026-11-26T09:30Z"));
  }
  {
    const ScopedEnv env("DESK_NOW", "yesterday");
    CHECK_THROWS_WITH_AS(desk::now(),
                         doctest::Contains("DESK_NOW: 'yesterday' is not a time"),
                         desk::UsageError);
  }
  {
    const ScopedEnv env("DESK_NOW", nullptr);
    const auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto t = desk::now();
    CHECK(t >= before);
    CHECK(t <= before + 5s);
  }
}

TEST_CASE("system_zone_name")
{
  {
    const ScopedEnv env("TZ", "Asia/Tokyo");
    CHECK(desk::system_zone_name() == "Asia/Tokyo");
  }
  {
    const ScopedEnv env("TZ", ":Europe/Berlin");
    CHECK(desk::system_zone_name() == "Europe/Berlin");
  }
  {
    const ScopedEnv env("TZ", "/usr/share/zoneinfo/America/New_York");
    CHECK(desk::system_zone_name() == "America/New_York");
  }
  {
    // Not a zone: falls back to the system files, which always give a usable zone.
    const ScopedEnv env("TZ", "Nowhere/Special");
    const auto name = desk::system_zone_name();
    CHECK(name != "Nowhere/Special");
    CHECK_NOTHROW(desk::find_zone(name));
  }
}

} // TEST_SUITE
