#pragma once

#include <desk/config/calendar_spec.hpp>
#include <desk/util/time.hpp>

#include <chrono>
#include <string>
#include <vector>

// Business-time arithmetic over a working calendar, in one time zone.
namespace desk::sla {

// Answers "how much working time lies between two instants" and "which instant is N
// working seconds after this one". Local times are resolved through the zone, so a day
// that crosses a DST change has its true length.
class BusinessCalendar {
public:
  // Validates the spec; throws UsageError naming the bad part (unknown zone, weekday out
  // of 1..7, interval with start >= end or outside 00:00..24:00, overlapping intervals,
  // a holiday that is not a date, no working time at all).
  explicit BusinessCalendar(const CalendarSpec& spec);

  // A 24x7 calendar in `zone_name` (every second counts).
  static BusinessCalendar always(const std::string& zone_name);

  // The instant at which `amount` of working time has elapsed after `start`. When `start`
  // is outside working time, counting begins at the next working moment. amount <= 0
  // returns `start`.
  Timestamp add(Timestamp start, std::chrono::seconds amount) const;

  // Working time in [from, to); negative when to < from.
  std::chrono::seconds between(Timestamp from, Timestamp to) const;

  // True when `t` lies inside working time.
  bool is_working(Timestamp t) const;

  // True for a 24x7 calendar.
  bool is_always() const { return m_always; }

  const TimeZone* zone() const { return m_zone; }

private:
  BusinessCalendar() = default;
  const TimeZone* m_zone = nullptr;
  bool m_always = false;
  std::vector<int> m_days;                  // ISO weekdays, sorted
  std::vector<WorkingInterval> m_hours;     // sorted, disjoint
  std::vector<std::chrono::sys_days> m_holidays; // local dates, sorted
};

} // namespace desk::sla
