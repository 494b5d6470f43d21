#pragma once

#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A time zone read from one TZif file of the system's tz database (RFC 8536), with the
// POSIX TZ rule of its footer for the years after its last transition.
//
// Why not date::locate_zone: the first lookup through Howard Hinnant's date/tz lists and
// stats every file of /usr/share/zoneinfo (~600 files, ~3 ms) in every desk process, even
// a zone built by hand does (its lazy load asks for the whole database). Reading the one
// file a repository names costs a few hundred microseconds. The unit tests check this class
// against date/tz for every zone of the database.
namespace desk {

class TimeZone {
public:
  // The offset in force from `begin` (inclusive) to `end` (exclusive).
  struct Info {
    std::chrono::sys_seconds begin;
    std::chrono::sys_seconds end;
    std::chrono::seconds offset;
  };

  // A zone from the bytes of a TZif file; nullptr when they are not one (or its footer
  // rule does not parse).
  static std::unique_ptr<TimeZone> from_tzif(std::string name, std::string_view bytes);

  const std::string& name() const { return m_name; }

  // The offset in force at `t` and the period it holds for.
  Info get_info(std::chrono::sys_seconds t) const;

  date::local_seconds to_local(std::chrono::sys_seconds t) const
  {
    return date::local_seconds{t.time_since_epoch() + get_info(t).offset};
  }

  // The instant of a local time: when the local time happens twice (clocks set back), the
  // earlier instant; when it never happens (clocks set forward), the instant the gap ends.
  // (What date/tz's to_sys(local, choose::earliest) gives.)
  std::chrono::sys_seconds to_sys(date::local_seconds local) const;

  // A POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"), offsets east of UTC in seconds.
  struct Rule {
    struct Date {
      enum class Kind : std::uint8_t { julian, zero_based, month_week_day } kind = Kind::month_week_day;
      int day = 0;   // Jn: 1..365 (29 February never counted); n: 0..365
      int month = 0; // Mm.w.d
      int week = 0;
      int weekday = 0;
      std::int32_t time = 7200; // local time of day, seconds (-167h..167h)
    };
    std::int32_t std_offset = 0;
    bool has_dst = false;
    std::int32_t dst_offset = 0;
    Date start; // into daylight time, in standard local time
    Date end;   // back to standard time, in daylight local time
  };
  // Parse a POSIX TZ string; nullopt when it is not one.
  static std::optional<Rule> parse_rule(std::string_view text);

private:
  std::string m_name;
  std::vector<std::int64_t> m_times;   // transition instants, UTC seconds, ascending
  std::vector<std::int32_t> m_offsets; // the offset from m_times[i] on
  std::int32_t m_initial = 0;          // the offset before the first transition
  std::optional<Rule> m_rule;          // after the last transition
};

// The zone named `name` ("Asia/Shanghai", "UTC", "Etc/GMT+8") from the system's zoneinfo
// folder, loaded once per process; nullptr when there is no such zone.
const TimeZone* load_time_zone(std::string_view name);

} // namespace desk
