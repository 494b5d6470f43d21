#include <desk/sla/clock.hpp>

#include <algorithm>

namespace desk::sla {

using std::chrono::seconds;

Timestamp due_time(const BusinessCalendar& calendar, Timestamp start, seconds target,
                   const std::vector<Pause>& pauses, Timestamp now)
{
  Timestamp due = calendar.add(start, target);
  for (const auto& pause : pauses) {
    // Sorted by begin: once a pause begins at or after the due instant, so do the rest.
    if (pause.begin >= due) {
      break;
    }
    const Timestamp begin = std::max(pause.begin, start);
    const Timestamp end = pause.end.value_or(now);
    if (end <= begin) {
      continue;
    }
    // The working time lost to the pause is added after the current due instant. When the
    // pause outlasts that instant the result still lies after the pause's end, because some
    // working time ran before the pause.
    due = calendar.add(due, calendar.between(begin, end));
  }
  return due;
}

seconds paused(const BusinessCalendar& calendar, Timestamp start, Timestamp at,
               const std::vector<Pause>& pauses)
{
  seconds total{0};
  for (const auto& pause : pauses) {
    const Timestamp begin = std::max(pause.begin, start);
    const Timestamp end = std::min(pause.end.value_or(at), at);
    if (begin < end) {
      total += calendar.between(begin, end);
    }
  }
  return total;
}

seconds consumed(const BusinessCalendar& calendar, Timestamp start, Timestamp at,
                 const std::vector<Pause>& pauses)
{
  if (at <= start) {
    return seconds{0};
  }
  return calendar.between(start, at) - paused(calendar, start, at, pauses);
}

} // namespace desk::sla
