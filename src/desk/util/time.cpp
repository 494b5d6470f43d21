#include <desk/util/time.hpp>

#include <desk/util/error.hpp>
#include <desk/util/time_zone.hpp>

#include <date/date.h>
#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace desk {

namespace {

// Reads fixed-width numbers and single characters off the front of a string.
class Cursor {
public:
  explicit Cursor(std::string_view text) : m_text(text) {}

  // Exactly `count` ASCII digits, as a number.
  bool digits(std::size_t count, int& out)
  {
    if (m_pos + count > m_text.size()) {
      return false;
    }
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = m_text[m_pos + i];
      if (c < '0' || c > '9') {
        return false;
      }
      value = value * 10 + (c - '0');
    }
    m_pos += count;
    out = value;
    return true;
  }

  // Consumes `c` when it is next.
  bool eat(char c)
  {
    if (m_pos < m_text.size() && m_text[m_pos] == c) {
      ++m_pos;
      return true;
    }
    return false;
  }

  // The next character, or '\0' at the end.
  char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }

  bool at_end() const { return m_pos == m_text.size(); }

  bool is_digit() const { return peek() >= '0' && peek() <= '9'; }

  void skip() { ++m_pos; }

private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

// `+HH:MM`, `+HHMM`, `+HH`, `Z` (and `+HH:MM:SS`, which format_timestamp writes for
// historical offsets). The cursor is at the sign or `Z`.
std::optional<std::chrono::seconds> parse_offset(Cursor& in)
{
  if (in.eat('Z') || in.eat('z')) {
    return std::chrono::seconds{0};
  }
  int sign = 0;
  if (in.eat('+')) {
    sign = 1;
  } else if (in.eat('-')) {
    sign = -1;
  } else {
    return std::nullopt;
  }
  int hours = 0;
  int minutes = 0;
  int seconds = 0;
  if (!in.digits(2, hours)) {
    return std::nullopt;
  }
  if (in.eat(':')) {
    if (!in.digits(2, minutes)) {
      return std::nullopt;
    }
    if (in.eat(':') && !in.digits(2, seconds)) {
      return std::nullopt;
    }
  } else if (in.is_digit() && !in.digits(2, minutes)) {
    return std::nullopt;
  }
  if (hours > 23 || minutes > 59 || seconds > 59) {
    return std::nullopt;
  }
  return sign * (std::chrono::hours{hours} + std::chrono::minutes{minutes}
                 + std::chrono::seconds{seconds});
}

bool is_known_zone(std::string_view name)
{
  return load_time_zone(name) != nullptr;
}

std::string trim(std::string_view s)
{
  const auto* const space = " \t\r\n";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = s.find_last_not_of(space);
  return std::string(s.substr(first, last - first + 1));
}

// The zone name after ".../zoneinfo/" in a path, or empty.
std::string zone_from_path(std::string_view path)
{
  constexpr std::string_view marker = "zoneinfo/";
  const auto pos = path.rfind(marker);
  if (pos == std::string_view::npos) {
    return {};
  }
  std::string name(path.substr(pos + marker.size()));
  // Some systems point into the "posix/" or "right/" copies of the database.
  for (std::string_view prefix : {"posix/", "right/"}) {
    if (name.rfind(prefix, 0) == 0) {
      name.erase(0, prefix.size());
    }
  }
  return name;
}

// Offset and local time of `t` in `zone` (UTC when null).
std::pair<std::chrono::seconds, date::local_seconds> to_local(Timestamp t,
                                                               const TimeZone* zone)
{
  const std::chrono::seconds offset = zone ? zone->get_info(t).offset : std::chrono::seconds{0};
  return {offset, date::local_seconds{t.time_since_epoch() + offset}};
}

} // namespace

const TimeZone* find_zone(std::string_view name)
{
  if (const TimeZone* zone = load_time_zone(name)) {
    return zone;
  }
  throw UsageError(fmt::format("unknown time zone '{}'", name),
                   "use an IANA zone name such as 'Europe/Berlin', 'Asia/Shanghai' or 'UTC'");
}

std::string system_zone_name()
{
  if (const char* tz = std::getenv("TZ"); tz && *tz) {
    std::string_view name = tz;
    if (name.front() == ':') {
      name.remove_prefix(1);
    }
    if (is_known_zone(name)) {
      return std::string(name);
    }
    if (auto from_path = zone_from_path(name); is_known_zone(from_path)) {
      return from_path;
    }
  }
  if (std::ifstream in("/etc/timezone"); in) {
    std::string line;
    std::getline(in, line);
    if (auto name = trim(line); is_known_zone(name)) {
      return name;
    }
  }
  std::error_code ec;
  const auto target = std::filesystem::read_symlink("/etc/localtime", ec);
  if (!ec) {
    if (auto name = zone_from_path(target.string()); is_known_zone(name)) {
      return name;
    }
    const auto resolved = std::filesystem::canonical("/etc/localtime", ec);
    if (!ec) {
      if (auto name = zone_from_path(resolved.string()); is_known_zone(name)) {
        return name;
      }
    }
  }
  return "UTC";
}

std::optional<Timestamp> parse_timestamp(std::string_view text, const TimeZone* zone)
{
  Cursor in(text);
  int year = 0;
  int month = 0;
  int day = 0;
  if (!in.digits(4, year) || !in.eat('-') || !in.digits(2, month) || !in.eat('-')
      || !in.digits(2, day)) {
    return std::nullopt;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::optional<std::chrono::seconds> offset;
  if (!in.at_end()) {
    if (!(in.eat('T') || in.eat('t') || in.eat(' '))) {
      return std::nullopt;
    }
    if (!in.digits(2, hour) || !in.eat(':') || !in.digits(2, minute)) {
      return std::nullopt;
    }
    if (in.eat(':')) {
      if (!in.digits(2, second)) {
        return std::nullopt;
      }
      if (in.eat('.')) {
        if (!in.is_digit()) {
          return std::nullopt;
        }
        while (in.is_digit()) {
          in.skip();
        }
      }
    }
    if (!in.at_end()) {
      offset = parse_offset(in);
      if (!offset || !in.at_end()) {
        return std::nullopt;
      }
    }
  }
  return make_timestamp(year, month, day, hour, minute, second, offset, zone);
}

std::optional<Timestamp> make_timestamp(int year, int month, int day, int hour, int minute, int second,
                                        std::optional<std::chrono::seconds> offset, const TimeZone* zone)
{
  if (month < 1 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  const date::local_seconds local = date::local_days{ymd} + std::chrono::hours{hour}
                                    + std::chrono::minutes{minute} + std::chrono::seconds{second};
  if (offset) {
    return Timestamp{local.time_since_epoch() - *offset};
  }
  if (!zone) {
    return Timestamp{local.time_since_epoch()};
  }
  // In a DST gap this is the instant the gap ends; when ambiguous, the earlier instant.
  return zone->to_sys(local);
}

Timestamp parse_timestamp_or_throw(std::string_view text, const TimeZone* zone,
                                   std::string_view what)
{
  if (auto t = parse_timestamp(text, zone)) {
    return *t;
  }
  throw UsageError(fmt::format("{}: '{}' is not a time; use YYYY-MM-DD or "
                               "YYYY-MM-DDTHH:MM[:SS][+HH:MM]",
                               what, text));
}

std::string format_timestamp(Timestamp t, const TimeZone* zone)
{
  const auto [offset, local] = to_local(t, zone);
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> tod{local - day};

  const auto magnitude = offset < std::chrono::seconds{0} ? -offset : offset;
  const auto off_h = magnitude.count() / 3600;
  const auto off_m = magnitude.count() % 3600 / 60;
  const auto off_s = magnitude.count() % 60;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
                                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                static_cast<unsigned>(ymd.day()), tod.hours().count(),
                                tod.minutes().count(), tod.seconds().count(),
                                offset < std::chrono::seconds{0} ? '-' : '+', off_h, off_m);
  if (off_s != 0) {
    // Only local mean time before 1900 has such offsets; keep the instant exact.
    out += fmt::format(":{:02}", off_s);
  }
  return out;
}

std::string format_local_minutes(Timestamp t, const TimeZone* zone)
{
  const auto local = to_local(t, zone).second;
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> tod{local - day};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     tod.hours().count(), tod.minutes().count());
}

std::string format_duration(std::chrono::seconds d)
{
  const bool negative = d < std::chrono::seconds{0};
  // Whole minutes, truncated toward zero; unsigned so that seconds::min() negates safely.
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(d.count())
                                           : static_cast<std::uint64_t>(d.count());
  const std::uint64_t minutes = magnitude / 60;
  const char* const sign = negative && minutes > 0 ? "-" : "";
  if (minutes >= 24 * 60) {
    return fmt::format("{}{}d {}h", sign, minutes / (24 * 60), minutes % (24 * 60) / 60);
  }
  if (minutes >= 60) {
    return fmt::format("{}{}h {:02}m", sign, minutes / 60, minutes % 60);
  }
  return fmt::format("{}{}m", sign, minutes);
}

std::optional<std::chrono::minutes> parse_duration(std::string_view text)
{
  // Large enough for any SLA (about 1900 years), small enough never to overflow.
  constexpr std::int64_t max_number = 999'999'999;
  if (text.empty()) {
    return std::nullopt;
  }
  std::size_t pos = 0;
  const auto read_number = [&](std::int64_t& out) {
    const std::size_t begin = pos;
    out = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      out = out * 10 + (text[pos] - '0');
      ++pos;
      if (out > max_number) {
        return false;
      }
    }
    return pos > begin;
  };

  std::int64_t number = 0;
  if (!read_number(number)) {
    return std::nullopt;
  }
  if (pos == text.size()) {
    return std::chrono::minutes{number};
  }

  // Components in the order d, h, m, each at most once; spaces may separate them.
  constexpr std::string_view units = "dhm";
  constexpr std::int64_t unit_minutes[] = {24 * 60, 60, 1};
  std::size_t next_unit = 0;
  std::int64_t total = 0;
  while (true) {
    if (pos == text.size()) {
      return std::nullopt;
    }
    const char unit = static_cast<char>(text[pos] | 0x20); // ASCII lower case
    const auto index = units.find(unit, next_unit);
    if (index == std::string_view::npos) {
      return std::nullopt;
    }
    ++pos;
    total += number * unit_minutes[index];
    next_unit = index + 1;
    if (pos == text.size()) {
      break;
    }
    while (pos < text.size() && text[pos] == ' ') {
      ++pos;
    }
    if (!read_number(number)) {
      return std::nullopt;
    }
  }
  return std::chrono::minutes{total};
}

Timestamp now(const TimeZone* zone)
{
  if (const char* value = std::getenv("DESK_NOW"); value && *value) {
    return parse_timestamp_or_throw(value, zone, "DESK_NOW");
  }
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

} // namespace desk
