#include <desk/sla/calendar.hpp>
#include <desk/sla/clock.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace std::chrono_literals;
using desk::Timestamp;
using desk::sla::BusinessCalendar;
using desk::CalendarSpec;
using desk::sla::Pause;

namespace {

using desk::test::local;
using desk::test::show;

// Mon-Fri 09:00-18:00 in Asia/Shanghai.
BusinessCalendar office()
{
  CalendarSpec spec;
  spec.timezone = "Asia/Shanghai";
  return BusinessCalendar(spec);
}

} // namespace

TEST_SUITE("sla.clock") {

TEST_CASE("no pauses: the calendar's due time")
{
  const auto calendar = office();
  const auto start = local(calendar, "2026-11-27T17:30");
  const auto now = local(calendar, "2026-11-27T17:45");
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 4h, {}, now)) == "2026-11-30 12:30");
  CHECK(desk::sla::due_time(calendar, start, 0s, {}, now) == start);
  CHECK(desk::sla::consumed(calendar, start, local(calendar, "2026-11-30T10:00"), {}) == 90min);
  CHECK(desk::sla::paused(calendar, start, local(calendar, "2026-11-30T10:00"), {}) == 0s);
}

TEST_CASE("a pause pushes the due time out by its working time")
{
  const auto calendar = office();
  const auto start = local(calendar, "2026-11-23T09:00"); // Monday
  const auto now = local(calendar, "2026-11-25T12:00");
  const std::vector<Pause> pauses = {
    {local(calendar, "2026-11-23T10:00"), local(calendar, "2026-11-23T11:00")}};
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 4h, pauses, now)) == "2026-11-23 14:00");
  const auto noon = local(calendar, "2026-11-23T12:00");
  CHECK(desk::sla::consumed(calendar, start, noon, pauses) == 2h);
  CHECK(desk::sla::paused(calendar, start, noon, pauses) == 1h);
  // Halfway through the pause.
  const auto mid = local(calendar, "2026-11-23T10:30");
  CHECK(desk::sla::consumed(calendar, start, mid, pauses) == 1h);
  CHECK(desk::sla::paused(calendar, start, mid, pauses) == 30min);
}

TEST_CASE("a pause that outlasts the due time")
{
  const auto calendar = office();
  const auto start = local(calendar, "2026-11-23T09:00");
  const auto now = local(calendar, "2026-11-30T09:00");
  // One hour used, then paused past the original 13:00 due time: three hours remain at 15:00.
  std::vector<Pause> pauses = {
    {local(calendar, "2026-11-23T10:00"), local(calendar, "2026-11-23T15:00")}};
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 4h, pauses, now)) == "2026-11-23 18:00");
  // Paused over the weekend: resumes Monday morning with two hours left.
  pauses = {{local(calendar, "2026-11-27T10:00"), local(calendar, "2026-11-28T12:00")}};
  const auto fri = local(calendar, "2026-11-27T09:00");
  CHECK(show(calendar, desk::sla::due_time(calendar, fri, 3h, pauses, now)) == "2026-11-30 11:00");
  CHECK(desk::sla::consumed(calendar, fri, local(calendar, "2026-11-30T11:00"), pauses) == 3h);
}

TEST_CASE("an open pause lasts until now")
{
  const auto calendar = office();
  const auto start = local(calendar, "2026-11-23T09:00");
  const std::vector<Pause> pauses = {{local(calendar, "2026-11-23T10:00"), std::nullopt}};
  // Paused since 10:00 with three hours left; at 16:00 two fit today, one tomorrow.
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 4h, pauses,
                                           local(calendar, "2026-11-23T16:00")))
        == "2026-11-24 10:00");
  // The due time keeps moving while the pause is open.
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 4h, pauses,
                                           local(calendar, "2026-11-24T16:00")))
        == "2026-11-25 10:00");
  // "Now" before the pause began: nothing to push.
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 4h, pauses,
                                           local(calendar, "2026-11-23T09:30")))
        == "2026-11-23 13:00");
  const auto at = local(calendar, "2026-11-23T16:00");
  CHECK(desk::sla::consumed(calendar, start, at, pauses) == 1h);
  CHECK(desk::sla::paused(calendar, start, at, pauses) == 6h);
}

TEST_CASE("a pause outside working hours pushes nothing")
{
  const auto calendar = office();
  const auto start = local(calendar, "2026-11-23T09:00");
  const auto now = local(calendar, "2026-11-30T09:00");
  const std::vector<Pause> pauses = {
    {local(calendar, "2026-11-23T19:00"), local(calendar, "2026-11-24T08:30")},
    {local(calendar, "2026-11-28T10:00"), local(calendar, "2026-11-29T20:00")}};
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 12h, pauses, now)) == "2026-11-24 12:00");
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 45h, pauses, now)) == "2026-11-27 18:00");
  CHECK(desk::sla::paused(calendar, start, now, pauses) == 0s);
  CHECK(desk::sla::consumed(calendar, start, now, pauses) == 45h);
}

TEST_CASE("pauses after the due time are ignored; the due time moves")
{
  const auto calendar = office();
  const auto start = local(calendar, "2026-11-23T09:00");
  const auto now = local(calendar, "2026-11-30T09:00");
  std::vector<Pause> pauses = {
    {local(calendar, "2026-11-23T11:30"), local(calendar, "2026-11-23T12:30")}};
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 2h, pauses, now)) == "2026-11-23 11:00");
  // The first pause moves the due time to 12:00, so the second one (11:30) now counts.
  pauses.insert(pauses.begin(), Pause{local(calendar, "2026-11-23T09:30"),
                                      local(calendar, "2026-11-23T10:30")});
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 2h, pauses, now)) == "2026-11-23 13:00");
  CHECK(desk::sla::consumed(calendar, start, local(calendar, "2026-11-23T13:00"), pauses) == 2h);
}

TEST_CASE("pauses are clipped to the window")
{
  const auto calendar = office();
  const auto start = local(calendar, "2026-11-23T10:00");
  const auto now = local(calendar, "2026-11-30T09:00");
  // Began before the clock started: only the part after start counts.
  const std::vector<Pause> pauses = {
    {local(calendar, "2026-11-23T09:00"), local(calendar, "2026-11-23T11:00")}};
  CHECK(show(calendar, desk::sla::due_time(calendar, start, 1h, pauses, now)) == "2026-11-23 12:00");
  CHECK(desk::sla::paused(calendar, start, local(calendar, "2026-11-23T10:30"), pauses) == 30min);
  CHECK(desk::sla::consumed(calendar, start, local(calendar, "2026-11-23T12:00"), pauses) == 1h);
  // Nothing is consumed before the start.
  CHECK(desk::sla::consumed(calendar, start, start, pauses) == 0s);
  CHECK(desk::sla::consumed(calendar, start, start - 1h, pauses) == 0s);
}

TEST_CASE("a 24x7 calendar counts every second")
{
  const auto calendar = BusinessCalendar::always("UTC");
  const auto start = desk::parse_timestamp_or_throw("2026-11-28T22:00Z", nullptr, "test");
  const std::vector<Pause> pauses = {{start + 1h, start + 3h}, {start + 5h, std::nullopt}};
  CHECK(desk::sla::due_time(calendar, start, 4h, pauses, start + 6h) == start + 7h);
  CHECK(desk::sla::consumed(calendar, start, start + 6h, pauses) == 3h);
  CHECK(desk::sla::paused(calendar, start, start + 6h, pauses) == 3h);
}

} // TEST_SUITE
