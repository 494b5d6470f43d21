#pragma once

#include <cstdint>
#include <ctime>

// Nanosecond times for recognising a file by its stat times (the ticket index, the
// knowledge-base index).
namespace desk {

// A time from stat (st_mtim, st_ctim) or clock_gettime, in nanoseconds since the epoch.
inline std::int64_t timespec_ns(const timespec& t)
{
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// The wall clock (the clock file times are set from), in nanoseconds since the epoch.
inline std::int64_t wall_clock_ns()
{
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return timespec_ns(t);
}

// A file (or folder) changed this close to the moment its stamp was taken could change
// again without its times moving (coarse file-system clocks): such a stamp is "racy" (git's
// "racily clean" entries) and is not trusted on its own.
inline constexpr std::int64_t k_racy_window_ns = 2'000'000'000;

} // namespace desk
