#pragma once

#include <desk/sla/calendar.hpp>

#include <chrono>
#include <optional>
#include <vector>

// The SLA clock: working time from a start, less the time the ticket was paused.
namespace desk::sla {

// A pause of the clock (pending on the user or a vendor); no end while still paused.
struct Pause {
  Timestamp begin;
  std::optional<Timestamp> end;
};

// The due instant: `target` of working time after `start`, pushed out by the working time
// inside each pause that begins before the (moving) due instant. An open pause is taken
// to last until `now`. `pauses` must be sorted by begin and disjoint.
Timestamp due_time(const BusinessCalendar& calendar, Timestamp start, std::chrono::seconds target,
                   const std::vector<Pause>& pauses, Timestamp now);

// Working time consumed between `start` and `at`, not counting working time inside pauses
// (an open pause lasts until `at`).
std::chrono::seconds consumed(const BusinessCalendar& calendar, Timestamp start, Timestamp at,
                              const std::vector<Pause>& pauses);

// Working time inside the pauses, clipped to [start, at].
std::chrono::seconds paused(const BusinessCalendar& calendar, Timestamp start, Timestamp at,
                            const std::vector<Pause>& pauses);

} // namespace desk::sla
