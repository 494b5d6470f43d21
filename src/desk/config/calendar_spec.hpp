#pragma once

#include <string>
#include <vector>

// The working calendar as configured (plain data; sla::BusinessCalendar does the
// arithmetic over it).
namespace desk {

// One daily working interval, in minutes after local midnight: [start, end).
struct WorkingInterval {
  int start_minute = 9 * 60;
  int end_minute = 18 * 60;
};

// A calendar as configured: zone, ISO weekdays (1 = Monday ... 7 = Sunday), daily
// intervals (several allow a lunch break), and holidays as `YYYY-MM-DD` local dates.
struct CalendarSpec {
  std::string timezone = "UTC";
  std::vector<int> working_days = {1, 2, 3, 4, 5};
  std::vector<WorkingInterval> hours = {WorkingInterval{}};
  std::vector<std::string> holidays;
};

} // namespace desk
