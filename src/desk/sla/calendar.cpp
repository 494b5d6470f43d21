#include <desk/sla/calendar.hpp>

#include <desk/util/error.hpp>
#include <desk/util/time_zone.hpp>

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace desk::sla {

namespace {

using std::chrono::seconds;

constexpr int k_minutes_per_day = 24 * 60;
constexpr auto k_week = date::days{7};
// Arithmetic stops before the date library's range ends (year 32767).
constexpr date::local_days k_last_day = date::local_days{date::year{9999} / 12 / 31};

std::string format_minute(int minute)
{
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

// The first instant whose local time is at or after `local`: in a DST gap the instant the
// gap ends, when ambiguous the earlier instant. Monotonic, so intervals never invert.
Timestamp local_to_sys(const TimeZone* zone, date::local_seconds local)
{
  return zone->to_sys(local);
}

date::local_days local_day(const TimeZone* zone, Timestamp t)
{
  return date::floor<date::days>(zone->to_local(t));
}

// The pieces of the calendar the day-by-day walk needs, read from the class's members.
struct Walker {
  const TimeZone* zone;
  const std::vector<int>& days;
  const std::vector<WorkingInterval>& hours;
  const std::vector<std::chrono::sys_days>& holidays;

  // Working time in a week without holidays or offset changes.
  seconds nominal_week() const
  {
    int per_day = 0;
    for (const auto& interval : hours) {
      per_day += interval.end_minute - interval.start_minute;
    }
    return std::chrono::minutes{per_day} * static_cast<int>(days.size());
  }

  bool is_working_day(date::local_days day) const
  {
    const int iso = static_cast<int>(date::weekday{day}.iso_encoding());
    if (!std::binary_search(days.begin(), days.end(), iso)) {
      return false;
    }
    return !std::binary_search(holidays.begin(), holidays.end(),
                               std::chrono::sys_days{day.time_since_epoch()});
  }

  // Calls `visit(begin, end)` for each non-empty working interval of local `day`, in order;
  // stops early when `visit` returns true and then returns true.
  template <typename Visit>
  bool for_each_interval(date::local_days day, Visit&& visit) const
  {
    if (!is_working_day(day)) {
      return false;
    }
    for (const auto& interval : hours) {
      const Timestamp begin = local_to_sys(zone, day + std::chrono::minutes{interval.start_minute});
      const Timestamp end = local_to_sys(zone, day + std::chrono::minutes{interval.end_minute});
      if (begin < end && visit(begin, end)) {
        return true;
      }
    }
    return false;
  }

  // How many whole weeks from local `day` (which begins at `day_start`) can be counted at
  // the nominal rate: no holiday and no UTC offset change inside them; at most `limit`.
  std::int64_t plain_weeks(date::local_days day, Timestamp day_start, std::int64_t limit) const
  {
    // About 10,000 years; keeps the arithmetic below far from overflow.
    limit = std::min<std::int64_t>(limit, 520'000);
    if (limit <= 0) {
      return 0;
    }
    const auto holiday = std::lower_bound(holidays.begin(), holidays.end(),
                                          std::chrono::sys_days{day.time_since_epoch()});
    if (holiday != holidays.end()) {
      const auto free_days = (holiday->time_since_epoch() - day.time_since_epoch()).count();
      limit = std::min<std::int64_t>(limit, free_days / 7);
    }
    const auto info = zone->get_info(day_start);
    // Compare before subtracting: info.end may be the far end of time.
    if (limit > 0 && info.end < day_start + k_week * limit) {
      limit = std::min<std::int64_t>(limit, (info.end - day_start) / k_week);
    }
    return limit;
  }
};

} // namespace

BusinessCalendar::BusinessCalendar(const CalendarSpec& spec)
{
  try {
    m_zone = find_zone(spec.timezone);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("calendar: {}", e.what()), e.hint());
  }

  for (int day : spec.working_days) {
    if (day < 1 || day > 7) {
      throw UsageError(
        fmt::format("calendar: working day {} is not a weekday; use 1 (Monday) to 7 (Sunday)",
                    day));
    }
    m_days.push_back(day);
  }
  std::sort(m_days.begin(), m_days.end());
  m_days.erase(std::unique(m_days.begin(), m_days.end()), m_days.end());
  if (m_days.empty()) {
    throw UsageError("calendar: no working time (no working days)");
  }

  for (const auto& interval : spec.hours) {
    if (interval.start_minute < 0 || interval.end_minute > k_minutes_per_day
        || interval.start_minute >= interval.end_minute) {
      throw UsageError(fmt::format(
        "calendar: working hours {}-{} are not an interval within 00:00-24:00",
        interval.start_minute < 0 ? std::to_string(interval.start_minute)
                                  : format_minute(interval.start_minute),
        interval.end_minute < 0 ? std::to_string(interval.end_minute)
                                : format_minute(interval.end_minute)));
    }
    m_hours.push_back(interval);
  }
  if (m_hours.empty()) {
    throw UsageError("calendar: no working time (no working hours)");
  }
  std::sort(m_hours.begin(), m_hours.end(), [](const auto& a, const auto& b) {
    return a.start_minute < b.start_minute;
  });
  for (std::size_t i = 1; i < m_hours.size(); ++i) {
    if (m_hours[i].start_minute < m_hours[i - 1].end_minute) {
      throw UsageError(fmt::format("calendar: working hours {}-{} and {}-{} overlap",
                                   format_minute(m_hours[i - 1].start_minute),
                                   format_minute(m_hours[i - 1].end_minute),
                                   format_minute(m_hours[i].start_minute),
                                   format_minute(m_hours[i].end_minute)));
    }
  }

  for (const auto& holiday : spec.holidays) {
    // Date-only text parsed as UTC is midnight of that date, i.e. the date itself.
    const auto t = parse_timestamp(holiday, nullptr);
    if (!t || holiday.size() != 10) {
      throw UsageError(
        fmt::format("calendar: holiday '{}' is not a date; use YYYY-MM-DD", holiday));
    }
    m_holidays.push_back(date::floor<date::days>(*t));
  }
  std::sort(m_holidays.begin(), m_holidays.end());
  m_holidays.erase(std::unique(m_holidays.begin(), m_holidays.end()), m_holidays.end());
}

BusinessCalendar BusinessCalendar::always(const std::string& zone_name)
{
  BusinessCalendar calendar;
  calendar.m_zone = find_zone(zone_name);
  calendar.m_always = true;
  calendar.m_days = {1, 2, 3, 4, 5, 6, 7};
  calendar.m_hours = {WorkingInterval{0, k_minutes_per_day}};
  return calendar;
}

Timestamp BusinessCalendar::add(Timestamp start, seconds amount) const
{
  if (amount <= seconds{0}) {
    return start;
  }
  if (m_always) {
    return start + amount;
  }
  const Walker walker{m_zone, m_days, m_hours, m_holidays};
  const seconds week = walker.nominal_week();
  seconds remaining = amount;
  Timestamp result{};
  // The day before too: where midnight is repeated, its intervals may still lie ahead.
  for (auto day = local_day(m_zone, start) - date::days{1};; day += date::days{1}) {
    if (day > k_last_day) {
      throw UsageError(
        fmt::format("working time {} after {} is beyond the year 9999",
                    format_duration(amount), format_timestamp(start, m_zone)));
    }
    const Timestamp day_start = local_to_sys(m_zone, day);
    if (day_start >= start) {
      // Skip whole weeks, always leaving some time for the day-by-day walk to place.
      const auto weeks = walker.plain_weeks(day, day_start, (remaining.count() - 1) / week.count());
      if (weeks > 0) {
        remaining -= week * weeks;
        day += k_week * weeks;
        day -= date::days{1};
        continue;
      }
    }
    const bool found = walker.for_each_interval(day, [&](Timestamp begin, Timestamp end) {
      begin = std::max(begin, start);
      if (end <= begin) {
        return false;
      }
      if (remaining <= end - begin) {
        result = begin + remaining;
        return true;
      }
      remaining -= end - begin;
      return false;
    });
    if (found) {
      return result;
    }
  }
}

seconds BusinessCalendar::between(Timestamp from, Timestamp to) const
{
  if (to < from) {
    return -between(to, from);
  }
  if (m_always || from == to) {
    return to - from;
  }
  const Walker walker{m_zone, m_days, m_hours, m_holidays};
  const seconds week = walker.nominal_week();
  seconds total{0};
  for (auto day = local_day(m_zone, from) - date::days{1};; day += date::days{1}) {
    if (day > k_last_day) {
      throw UsageError(fmt::format("working time up to {} is beyond the year 9999",
                                   format_timestamp(to, m_zone)));
    }
    const Timestamp day_start = local_to_sys(m_zone, day);
    if (day_start >= to) {
      // Every interval of this day and the days after begins at or after `to`.
      return total;
    }
    if (day_start >= from) {
      const auto weeks = walker.plain_weeks(day, day_start, (to - day_start) / k_week);
      if (weeks > 0) {
        total += week * weeks;
        day += k_week * weeks;
        day -= date::days{1};
        continue;
      }
    }
    walker.for_each_interval(day, [&](Timestamp begin, Timestamp end) {
      begin = std::max(begin, from);
      end = std::min(end, to);
      if (begin < end) {
        total += end - begin;
      }
      return false;
    });
  }
}

bool BusinessCalendar::is_working(Timestamp t) const
{
  if (m_always) {
    return true;
  }
  const Walker walker{m_zone, m_days, m_hours, m_holidays};
  const auto today = local_day(m_zone, t);
  for (auto day = today - date::days{1}; day <= today + date::days{1}; day += date::days{1}) {
    const bool inside = walker.for_each_interval(
      day, [&](Timestamp begin, Timestamp end) { return begin <= t && t < end; });
    if (inside) {
      return true;
    }
  }
  return false;
}

} // namespace desk::sla
