#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Instants and their textual form. Every stored time is ISO 8601 with an explicit offset.
namespace desk {

class TimeZone; // util/time_zone.hpp

// An instant, UTC, to the second.
using Timestamp = std::chrono::sys_seconds;

// Look up an IANA zone ("Asia/Shanghai", "UTC") in the system's tz database (loaded once
// per process); throws UsageError naming the zone when unknown.
const TimeZone* find_zone(std::string_view name);

// The system's zone name (from /etc/timezone, /etc/localtime or TZ), "UTC" when unknown.
std::string system_zone_name();

// Parse ISO 8601: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` (a space may replace the T),
// optionally followed by `Z`, `+HH:MM`, `+HHMM` or `+HH`. Times without an offset are
// local to `zone`. Fractional seconds are accepted and dropped. Returns nullopt when the
// text is not such a time.
std::optional<Timestamp> parse_timestamp(std::string_view text, const TimeZone* zone);

// The instant of a calendar date and time of day: `offset` from UTC when given, else local
// to `zone` (in a DST gap the instant the gap ends; when ambiguous, the earlier instant),
// else read as UTC. nullopt when the fields are not a real date and time of day.
std::optional<Timestamp> make_timestamp(int year, int month, int day, int hour, int minute, int second,
                                        std::optional<std::chrono::seconds> offset, const TimeZone* zone);

// Like parse_timestamp but throws UsageError: "<what>: '<text>' is not a time; use
// YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]".
Timestamp parse_timestamp_or_throw(std::string_view text, const TimeZone* zone,
                                   std::string_view what);

// Format as `YYYY-MM-DDTHH:MM:SS+HH:MM` in `zone` (`Z` is never used; UTC is +00:00).
std::string format_timestamp(Timestamp t, const TimeZone* zone);

// Format for people: `YYYY-MM-DD HH:MM` in `zone`.
std::string format_local_minutes(Timestamp t, const TimeZone* zone);

// A duration for people: "45m", "3h 05m", "2d 4h", negative as "-1h 10m".
std::string format_duration(std::chrono::seconds d);

// Parse a duration like "90m", "4h", "1h30m", "2d", "45" (minutes); nullopt when invalid.
std::optional<std::chrono::minutes> parse_duration(std::string_view text);

// "Now": DESK_NOW when set (ISO 8601; a value without an offset is local time of `zone`,
// the repository's, like every other time a user gives; UTC without a zone), else the
// system clock. Throws UsageError when DESK_NOW is set but not a time.
Timestamp now(const TimeZone* zone = nullptr);

} // namespace desk
