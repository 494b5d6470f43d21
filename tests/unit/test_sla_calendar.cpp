#include <desk/sla/calendar.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include <date/date.h>
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace std::chrono_literals;
using desk::Timestamp;
using desk::sla::BusinessCalendar;
using desk::CalendarSpec;
using desk::WorkingInterval;

namespace {

using desk::test::local;
using desk::test::show;

// Mon-Fri 09:00-18:00 in Asia/Shanghai, the usual office.
CalendarSpec office_spec()
{
  CalendarSpec spec;
  spec.timezone = "Asia/Shanghai";
  return spec;
}

// ISO weekday of a local date given as text.
unsigned iso_weekday(const char* date_text)
{
  const auto t = desk::parse_timestamp_or_throw(date_text, nullptr, "test");
  return date::weekday{date::floor<date::days>(t)}.iso_encoding();
}

// Working time from add() back through between(), and between() antisymmetric.
void check_round_trip(const BusinessCalendar& calendar, Timestamp start, std::chrono::seconds amount)
{
  const auto end = calendar.add(start, amount);
  CAPTURE(show(calendar, start));
  CAPTURE(amount.count());
  CAPTURE(show(calendar, end));
  CHECK(end >= start);
  CHECK(calendar.between(start, end) == amount);
  CHECK(calendar.between(end, start) == -amount);
}

} // namespace

TEST_SUITE("sla.calendar") {

TEST_CASE("worked example: Friday 17:30 plus 4 working hours is Monday 12:30")
{
  const BusinessCalendar calendar(office_spec());
  REQUIRE(iso_weekday("2026-11-27") == 5);
  const auto start = local(calendar, "2026-11-27T17:30");
  const auto due = calendar.add(start, 4h);
  CHECK(show(calendar, due) == "2026-11-30 12:30");
  CHECK(desk::format_timestamp(due, calendar.zone()) == "2026-11-30T12:30:00+08:00");
  CHECK(calendar.between(start, due) == 4h);
}

TEST_CASE("counting starts at the next working moment")
{
  const BusinessCalendar calendar(office_spec());
  // Early morning, late night, weekend.
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-24T07:00"), 1h)) == "2026-11-24 10:00");
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-24T22:00"), 2h)) == "2026-11-25 11:00");
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-24T18:00"), 1min)) == "2026-11-25 09:01");
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-28T10:00"), 1h)) == "2026-11-30 10:00");
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-29T23:59"), 9h)) == "2026-11-30 18:00");
  // Filling the day exactly ends at closing time, not the next morning.
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-27T17:00"), 1h)) == "2026-11-27 18:00");
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-23T09:00"), 45h)) == "2026-11-27 18:00");
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-23T09:00"), 45h + 1s))
        == "2026-11-30 09:00");
  // Nothing to add.
  const auto night = local(calendar, "2026-11-28T03:00");
  CHECK(calendar.add(night, 0s) == night);
  CHECK(calendar.add(night, -5h) == night);
}

TEST_CASE("between")
{
  const BusinessCalendar calendar(office_spec());
  const auto fri = local(calendar, "2026-11-27T17:30");
  const auto mon = local(calendar, "2026-11-30T12:30");
  CHECK(calendar.between(fri, mon) == 4h);
  CHECK(calendar.between(mon, fri) == -4h);
  CHECK(calendar.between(fri, fri) == 0s);
  // Entirely outside working time.
  CHECK(calendar.between(local(calendar, "2026-11-28T00:00"), local(calendar, "2026-11-30T09:00"))
        == 0s);
  // Several weeks: 4 weeks of 45 hours.
  CHECK(calendar.between(local(calendar, "2026-11-02"), local(calendar, "2026-11-30")) == 180h);
  CHECK(calendar.between(local(calendar, "2026-11-02T12:00"), local(calendar, "2026-11-30T12:00"))
        == 180h);
}

TEST_CASE("holidays")
{
  auto spec = office_spec();
  spec.holidays = {"2026-11-30", "2026-12-25", "2026-11-30"};
  const BusinessCalendar calendar(spec);
  // Monday is a holiday: the worked example moves to Tuesday.
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-27T17:30"), 4h)) == "2026-12-01 12:30");
  // Starting on the holiday itself.
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-30T10:00"), 1h)) == "2026-12-01 10:00");
  CHECK_FALSE(calendar.is_working(local(calendar, "2026-11-30T10:00")));
  CHECK(calendar.between(local(calendar, "2026-11-30"), local(calendar, "2026-12-01")) == 0s);
  // A week with a holiday has 36 hours; the weeks around it 45.
  CHECK(calendar.between(local(calendar, "2026-11-23"), local(calendar, "2026-12-14")) == 45h + 36h + 45h);
  check_round_trip(calendar, local(calendar, "2026-11-20T15:00"), 200h);
}

TEST_CASE("lunch break")
{
  auto spec = office_spec();
  spec.hours = {WorkingInterval{13 * 60, 18 * 60}, WorkingInterval{9 * 60, 12 * 60}};
  const BusinessCalendar calendar(spec);
  const auto start = local(calendar, "2026-11-23T11:00");
  CHECK(show(calendar, calendar.add(start, 1h)) == "2026-11-23 12:00");
  CHECK(show(calendar, calendar.add(start, 2h)) == "2026-11-23 14:00");
  CHECK(show(calendar, calendar.add(local(calendar, "2026-11-23T12:30"), 30min)) == "2026-11-23 13:30");
  CHECK(calendar.between(start, local(calendar, "2026-11-23T14:00")) == 2h);
  CHECK(calendar.between(local(calendar, "2026-11-23"), local(calendar, "2026-11-24")) == 8h);
  CHECK_FALSE(calendar.is_working(local(calendar, "2026-11-23T12:30")));
  CHECK(calendar.is_working(local(calendar, "2026-11-23T13:00")));
  CHECK(calendar.is_working(local(calendar, "2026-11-23T11:59:59")));
  CHECK_FALSE(calendar.is_working(local(calendar, "2026-11-23T12:00")));
  check_round_trip(calendar, start, 100h + 17min);
}

TEST_CASE("is_working")
{
  const BusinessCalendar calendar(office_spec());
  CHECK(calendar.is_working(local(calendar, "2026-11-27T09:00")));
  CHECK(calendar.is_working(local(calendar, "2026-11-27T17:59:59")));
  CHECK_FALSE(calendar.is_working(local(calendar, "2026-11-27T18:00")));
  CHECK_FALSE(calendar.is_working(local(calendar, "2026-11-27T08:59:59")));
  CHECK_FALSE(calendar.is_working(local(calendar, "2026-11-28T12:00")));
  CHECK_FALSE(calendar.is_always());
}

TEST_CASE("DST days have their true length: America/New_York")
{
  CalendarSpec spec;
  spec.timezone = "America/New_York";
  spec.working_days = {1, 2, 3, 4, 5, 6, 7};
  spec.hours = {WorkingInterval{0, 24 * 60}};
  const BusinessCalendar calendar(spec);
  REQUIRE(iso_weekday("2026-03-08") == 7);
  CHECK(calendar.between(local(calendar, "2026-03-08"), local(calendar, "2026-03-09")) == 23h);
  CHECK(calendar.between(local(calendar, "2026-11-01"), local(calendar, "2026-11-02")) == 25h);
  CHECK(calendar.between(local(calendar, "2026-03-07"), local(calendar, "2026-03-08")) == 24h);
  CHECK(show(calendar, calendar.add(local(calendar, "2026-03-08T01:00"), 2h)) == "2026-03-08 04:00");
  CHECK(show(calendar, calendar.add(local(calendar, "2026-03-07T12:00"), 24h)) == "2026-03-08 13:00");
  // Across the whole year the offset changes twice and the hours still add up.
  CHECK(calendar.between(local(calendar, "2026-01-01"), local(calendar, "2027-01-01")) == 365 * 24h);
  check_round_trip(calendar, local(calendar, "2026-03-01T10:00"), 24h * 300 + 7min);
}

TEST_CASE("DST days have their true length: America/New_York office hours")
{
  CalendarSpec spec;
  spec.timezone = "America/New_York";
  spec.working_days = {1, 2, 3, 4, 5, 6, 7};
  const BusinessCalendar calendar(spec);
  // Office hours are 09:00-18:00 local on both sides of the change.
  const auto sat = local(calendar, "2026-03-07T17:00");
  const auto due = calendar.add(sat, 2h);
  CHECK(show(calendar, due) == "2026-03-08 10:00");
  CHECK(desk::format_timestamp(due, calendar.zone()) == "2026-03-08T10:00:00-04:00");
  CHECK(calendar.between(sat, due) == 2h);
}

TEST_CASE("DST days have their true length: Europe/Berlin")
{
  CalendarSpec spec;
  spec.timezone = "Europe/Berlin";
  spec.working_days = {1, 2, 3, 4, 5, 6, 7};
  spec.hours = {WorkingInterval{1 * 60, 5 * 60}, WorkingInterval{9 * 60, 18 * 60}};
  const BusinessCalendar calendar(spec);
  REQUIRE(iso_weekday("2026-03-29") == 7);
  // 02:00-03:00 does not exist on 2026-03-29: the night shift is an hour short.
  CHECK(calendar.between(local(calendar, "2026-03-29"), local(calendar, "2026-03-30")) == 3h + 9h);
  CHECK(calendar.between(local(calendar, "2026-03-28"), local(calendar, "2026-03-29")) == 4h + 9h);
  // 02:00-03:00 happens twice on 2026-10-25: the night shift is an hour long.
  CHECK(calendar.between(local(calendar, "2026-10-25"), local(calendar, "2026-10-26")) == 5h + 9h);
  const auto start = local(calendar, "2026-03-29T01:30");
  CHECK(desk::format_timestamp(calendar.add(start, 1h), calendar.zone()) == "2026-03-29T03:30:00+02:00");
  CHECK(desk::format_timestamp(calendar.add(start, 3h), calendar.zone()) == "2026-03-29T09:30:00+02:00");
  CHECK(calendar.is_working(desk::parse_timestamp_or_throw("2026-03-29T01:30Z", nullptr, "t")));
  check_round_trip(calendar, local(calendar, "2026-03-20T12:00"), 500h + 1s);
  check_round_trip(calendar, local(calendar, "2026-10-20T12:00"), 500h + 1s);
}

TEST_CASE("add and between agree")
{
  auto spec = office_spec();
  spec.timezone = "America/New_York";
  spec.holidays = {"2026-01-01", "2026-05-25", "2026-07-03", "2026-09-07", "2026-11-26",
                   "2026-12-25", "2027-01-01"};
  spec.hours = {WorkingInterval{8 * 60, 12 * 60}, WorkingInterval{12 * 60 + 30, 17 * 60}};
  const BusinessCalendar calendar(spec);
  for (const char* start : {"2026-01-01T00:00", "2026-03-06T16:59", "2026-03-08T02:30",
                            "2026-10-30T12:15", "2026-11-25T23:00", "2026-12-31T08:00"}) {
    for (auto amount : {std::chrono::seconds{1}, std::chrono::seconds{30min}, std::chrono::seconds{4h},
                        std::chrono::seconds{8h + 30min}, std::chrono::seconds{101h + 1s},
                        std::chrono::seconds{1000h}}) {
      check_round_trip(calendar, local(calendar, start), amount);
    }
  }
}

TEST_CASE("large amounts skip whole weeks and land where small steps do")
{
  auto spec = office_spec();
  spec.timezone = "Europe/Berlin";
  spec.holidays = {"2026-12-24", "2026-12-25", "2027-04-02", "2028-05-01", "2030-01-01"};
  const BusinessCalendar calendar(spec);
  const auto start = local(calendar, "2026-11-27T17:30");
  const auto far = calendar.add(start, 10'000h);
  CHECK(calendar.between(start, far) == 10'000h);
  CHECK(calendar.between(far, start) == -10'000h);
  // 1250 steps of one working day each, none long enough to skip a week.
  auto t = start;
  for (int i = 0; i < 1250; ++i) {
    t = calendar.add(t, 8h);
  }
  CHECK(show(calendar, t) == show(calendar, far));
  CHECK(t == far);
}

TEST_CASE("always")
{
  const auto calendar = BusinessCalendar::always("Asia/Shanghai");
  CHECK(calendar.is_always());
  CHECK(calendar.zone() == desk::find_zone("Asia/Shanghai"));
  const auto start = local(calendar, "2026-11-28T23:00");
  CHECK(show(calendar, calendar.add(start, 4h)) == "2026-11-29 03:00");
  CHECK(calendar.add(start, 10'000h) == start + 10'000h);
  CHECK(calendar.add(start, -1h) == start);
  CHECK(calendar.between(start, start + 90min) == 90min);
  CHECK(calendar.between(start + 90min, start) == -90min);
  CHECK(calendar.is_working(start));
  CHECK_THROWS_WITH_AS(BusinessCalendar::always("Nowhere/Town"),
                       doctest::Contains("Nowhere/Town"), desk::UsageError);
}

TEST_CASE("invalid specs name the problem")
{
  const auto check_rejects = [](const CalendarSpec& spec, const char* message) {
    CAPTURE(message);
    CHECK_THROWS_WITH_AS(BusinessCalendar{spec}, doctest::Contains(message), desk::UsageError);
  };
  auto spec = office_spec();
  spec.timezone = "Asia/Atlantis";
  check_rejects(spec, "calendar: unknown time zone 'Asia/Atlantis'");

  spec = office_spec();
  spec.working_days = {1, 0};
  check_rejects(spec, "working day 0 is not a weekday");
  spec.working_days = {8};
  check_rejects(spec, "working day 8 is not a weekday");
  spec.working_days = {};
  check_rejects(spec, "no working time (no working days)");

  spec = office_spec();
  spec.hours = {WorkingInterval{18 * 60, 9 * 60}};
  check_rejects(spec, "working hours 18:00-09:00 are not an interval");
  spec.hours = {WorkingInterval{9 * 60, 9 * 60}};
  check_rejects(spec, "working hours 09:00-09:00 are not an interval");
  spec.hours = {WorkingInterval{20 * 60, 25 * 60}};
  check_rejects(spec, "working hours 20:00-25:00 are not an interval");
  spec.hours = {WorkingInterval{-60, 60}};
  check_rejects(spec, "working hours -60-01:00 are not an interval");
  spec.hours = {WorkingInterval{9 * 60, 13 * 60}, WorkingInterval{12 * 60, 18 * 60}};
  check_rejects(spec, "working hours 09:00-13:00 and 12:00-18:00 overlap");
  spec.hours = {};
  check_rejects(spec, "no working time (no working hours)");

  spec = office_spec();
  spec.holidays = {"2026-12-25", "Christmas"};
  check_rejects(spec, "holiday 'Christmas' is not a date");
  spec.holidays = {"2026-13-01"};
  check_rejects(spec, "holiday '2026-13-01' is not a date");
  spec.holidays = {"2026-12-25T00:00"};
  check_rejects(spec, "holiday '2026-12-25T00:00' is not a date");

  // Adjacent intervals and duplicate weekdays are fine.
  spec = office_spec();
  spec.working_days = {5, 1, 1};
  spec.hours = {WorkingInterval{9 * 60, 12 * 60}, WorkingInterval{12 * 60, 24 * 60}};
  CHECK_NOTHROW(BusinessCalendar{spec});
}

} // TEST_SUITE
