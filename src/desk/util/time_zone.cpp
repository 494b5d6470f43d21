#include <desk/util/time_zone.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>

namespace desk {

namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr std::int64_t k_day = 86400;
constexpr sys_seconds k_min_time{seconds{std::numeric_limits<std::int64_t>::min() / 2}};
constexpr sys_seconds k_max_time{seconds{std::numeric_limits<std::int64_t>::max() / 2}};

// --- TZif ----------------------------------------------------------------------------

class Bytes {
public:
  explicit Bytes(std::string_view b) : m_b(b) {}
  bool has(std::size_t n) const { return n <= m_b.size() - m_pos; }
  std::size_t pos() const { return m_pos; }
  void skip(std::size_t n) { m_pos += n; }
  std::uint32_t u32()
  {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      v = (v << 8) | static_cast<unsigned char>(m_b[m_pos++]);
    }
    return v;
  }
  std::int64_t i64()
  {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
      v = (v << 8) | static_cast<unsigned char>(m_b[m_pos++]);
    }
    return static_cast<std::int64_t>(v);
  }
  std::uint8_t u8() { return static_cast<std::uint8_t>(m_b[m_pos++]); }
  std::string_view rest() const { return m_b.substr(m_pos); }

private:
  std::string_view m_b;
  std::size_t m_pos = 0;
};

struct Counts {
  std::uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

// A TZif header (44 bytes): magic, version, 15 unused bytes, six counts.
bool read_header(Bytes& in, char& version, Counts& c)
{
  if (!in.has(44) || in.rest().substr(0, 4) != "TZif") {
    return false;
  }
  in.skip(4);
  version = static_cast<char>(in.u8());
  in.skip(15);
  c.isut = in.u32();
  c.isstd = in.u32();
  c.leap = in.u32();
  c.time = in.u32();
  c.type = in.u32();
  c.chars = in.u32();
  return c.type >= 1 && c.type <= 256 && c.time <= 1'000'000 && c.leap <= 100'000 && c.chars <= 100'000 &&
         c.isut <= c.type && c.isstd <= c.type;
}

std::size_t data_size(const Counts& c, std::size_t time_size)
{
  return std::size_t{c.time} * time_size + c.time + std::size_t{c.type} * 6 + c.chars +
         std::size_t{c.leap} * (time_size + 4) + c.isstd + c.isut;
}

// --- POSIX TZ rules --------------------------------------------------------------------

class RuleText {
public:
  explicit RuleText(std::string_view s) : m_s(s) {}
  bool done() const { return m_i == m_s.size(); }
  char peek() const { return done() ? '\0' : m_s[m_i]; }
  bool eat(char c)
  {
    if (peek() == c) {
      ++m_i;
      return true;
    }
    return false;
  }
  // A zone abbreviation: three or more letters, or <...> of letters, digits, + and -.
  bool name()
  {
    if (eat('<')) {
      const std::size_t start = m_i;
      while (!done() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '+' || peek() == '-')) {
        ++m_i;
      }
      return m_i - start >= 3 && eat('>');
    }
    const std::size_t start = m_i;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) {
      ++m_i;
    }
    return m_i - start >= 3;
  }
  bool number(int& out, int max)
  {
    if (done() || !std::isdigit(static_cast<unsigned char>(peek()))) {
      return false;
    }
    out = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek()))) {
      out = out * 10 + (m_s[m_i++] - '0');
      if (out > max) {
        return false;
      }
    }
    return true;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool clock(std::int32_t& out, int max_hours)
  {
    int sign = 1;
    if (eat('-')) {
      sign = -1;
    } else {
      eat('+');
    }
    int h = 0;
    int m = 0;
    int s = 0;
    if (!number(h, max_hours)) {
      return false;
    }
    if (eat(':') && (!number(m, 59) || (eat(':') && !number(s, 59)))) {
      return false;
    }
    out = sign * (h * 3600 + m * 60 + s);
    return true;
  }
  bool date(TimeZone::Rule::Date& d)
  {
    using Kind = TimeZone::Rule::Date::Kind;
    if (eat('J')) {
      d.kind = Kind::julian;
      if (!number(d.day, 365) || d.day < 1) {
        return false;
      }
    } else if (eat('M')) {
      d.kind = Kind::month_week_day;
      if (!number(d.month, 12) || d.month < 1 || !eat('.') || !number(d.week, 5) || d.week < 1 || !eat('.') ||
          !number(d.weekday, 6)) {
        return false;
      }
    } else {
      d.kind = Kind::zero_based;
      if (!number(d.day, 365)) {
        return false;
      }
    }
    d.time = 7200;
    return !eat('/') || clock(d.time, 167);
  }

private:
  std::string_view m_s;
  std::size_t m_i = 0;
};

// The local day (days since 1970-01-01) a rule date falls on in `year`.
std::int64_t rule_day(const TimeZone::Rule::Date& d, int year)
{
  using Kind = TimeZone::Rule::Date::Kind;
  const date::year y{year};
  const date::sys_days jan1{y / date::January / 1};
  switch (d.kind) {
  case Kind::julian:
    return (jan1 + date::days{d.day - 1 + ((y.is_leap() && d.day >= 60) ? 1 : 0)}).time_since_epoch().count();
  case Kind::zero_based:
    return (jan1 + date::days{d.day}).time_since_epoch().count();
  case Kind::month_week_day:
    break;
  }
  const date::month m{static_cast<unsigned>(d.month)};
  const date::sys_days first{y / m / 1};
  const unsigned wd = date::weekday{first}.c_encoding();
  date::sys_days day = first + date::days{(static_cast<unsigned>(d.weekday) + 7 - wd) % 7 + 7 * (d.week - 1)};
  const date::sys_days last_day{y / m / date::last};
  while (day > last_day) {
    day -= date::days{7}; // week 5: the last such weekday of the month
  }
  return day.time_since_epoch().count();
}

struct Change {
  std::int64_t at;
  std::int32_t offset;
};

// The rule's changes of offset in the years first..last, in time order.
std::vector<Change> rule_changes(const TimeZone::Rule& r, int first, int last)
{
  std::vector<Change> out;
  for (int year = first; year <= last; ++year) {
    out.push_back({rule_day(r.start, year) * k_day + r.start.time - r.std_offset, r.dst_offset});
    out.push_back({rule_day(r.end, year) * k_day + r.end.time - r.dst_offset, r.std_offset});
  }
  std::stable_sort(out.begin(), out.end(), [](const Change& a, const Change& b) { return a.at < b.at; });
  return out;
}

} // namespace

std::optional<TimeZone::Rule> TimeZone::parse_rule(std::string_view text)
{
  RuleText in(text);
  Rule r;
  std::int32_t west = 0;
  if (!in.name() || !in.clock(west, 24)) {
    return std::nullopt;
  }
  r.std_offset = -west;
  if (in.done()) {
    return r;
  }
  if (!in.name()) {
    return std::nullopt;
  }
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (in.peek() != ',' && !in.done()) {
    if (!in.clock(west, 24)) {
      return std::nullopt;
    }
    r.dst_offset = -west;
  }
  if (in.done()) {
    // No rule given: the one POSIX implementations assume (the United States').
    r.start = {Rule::Date::Kind::month_week_day, 0, 3, 2, 0, 7200};
    r.end = {Rule::Date::Kind::month_week_day, 0, 11, 1, 0, 7200};
    return r;
  }
  if (!in.eat(',') || !in.date(r.start) || !in.eat(',') || !in.date(r.end) || !in.done()) {
    return std::nullopt;
  }
  return r;
}

std::unique_ptr<TimeZone> TimeZone::from_tzif(std::string name, std::string_view bytes)
{
  Bytes in(bytes);
  char version = 0;
  Counts c;
  if (!read_header(in, version, c)) {
    return nullptr;
  }
  std::size_t time_size = 4;
  if (version >= '2') {
    // Version 2 and later repeat the data with 64-bit times, then a footer rule.
    if (!in.has(data_size(c, 4))) {
      return nullptr;
    }
    in.skip(data_size(c, 4));
    if (!read_header(in, version, c)) {
      return nullptr;
    }
    time_size = 8;
  }
  if (!in.has(data_size(c, time_size))) {
    return nullptr;
  }
  std::vector<std::int64_t> times(c.time);
  for (auto& t : times) {
    t = time_size == 8 ? in.i64() : static_cast<std::int32_t>(in.u32());
  }
  std::vector<std::uint8_t> kinds(c.time);
  for (auto& k : kinds) {
    k = in.u8();
    if (k >= c.type) {
      return nullptr;
    }
  }
  std::vector<std::int32_t> offsets(c.type);
  std::vector<bool> dst(c.type);
  for (std::uint32_t i = 0; i < c.type; ++i) {
    offsets[i] = static_cast<std::int32_t>(in.u32());
    dst[i] = in.u8() != 0;
    in.skip(1); // abbreviation index
    if (offsets[i] < -89'999 || offsets[i] > 93'599) {
      return nullptr;
    }
  }
  in.skip(c.chars + std::size_t{c.leap} * (time_size + 4) + c.isstd + c.isut);

  auto zone = std::make_unique<TimeZone>();
  zone->m_name = std::move(name);
  // Before the first transition: the first standard-time type (as date/tz reads it; zic
  // makes it type 0, local mean time).
  const auto standard = std::find(dst.begin(), dst.end(), false);
  zone->m_initial = offsets[standard == dst.end() ? 0 : static_cast<std::size_t>(standard - dst.begin())];
  std::int32_t current = zone->m_initial;
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (i > 0 && times[i] <= times[i - 1]) {
      return nullptr;
    }
    const std::int32_t next = offsets[kinds[i]];
    if (next != current) { // a change of name or of dst only is not a change of offset
      zone->m_times.push_back(times[i]);
      zone->m_offsets.push_back(next);
      current = next;
    }
  }
  if (version >= '2') {
    const std::string_view footer = in.rest();
    if (footer.size() < 2 || footer.front() != '\n') {
      return nullptr;
    }
    const std::size_t end = footer.find('\n', 1);
    if (end == std::string_view::npos) {
      return nullptr;
    }
    const std::string_view rule = footer.substr(1, end - 1);
    if (!rule.empty()) {
      zone->m_rule = parse_rule(rule);
      if (!zone->m_rule) {
        return nullptr;
      }
    }
  }
  return zone;
}

TimeZone::Info TimeZone::get_info(sys_seconds t) const
{
  const std::int64_t ts = t.time_since_epoch().count();
  const auto after = std::upper_bound(m_times.begin(), m_times.end(), ts);
  if (after == m_times.begin() && (!m_times.empty() || !m_rule)) {
    return {k_min_time, m_times.empty() ? k_max_time : sys_seconds{seconds{m_times.front()}}, seconds{m_initial}};
  }
  if (after != m_times.end()) {
    const auto i = static_cast<std::size_t>(after - m_times.begin()) - 1;
    return {sys_seconds{seconds{m_times[i]}}, sys_seconds{seconds{*after}}, seconds{m_offsets[i]}};
  }
  // After the last transition: the footer's rule, if any.
  const sys_seconds floor = m_times.empty() ? k_min_time : sys_seconds{seconds{m_times.back()}};
  const std::int32_t last = m_offsets.empty() ? m_initial : m_offsets.back();
  if (!m_rule) {
    return {floor, k_max_time, seconds{last}};
  }
  if (!m_rule->has_dst) {
    return {floor, k_max_time, seconds{m_rule->std_offset}};
  }
  const int year = static_cast<int>(
    date::year_month_day{date::floor<date::days>(date::sys_seconds{seconds{ts + m_rule->std_offset}})}.year());
  const std::vector<Change> changes = rule_changes(*m_rule, year - 2, year + 2);
  // The last change at or before t decides; the period ends at the next change of offset.
  std::int32_t offset = last;
  std::int64_t begin = floor.time_since_epoch().count();
  std::size_t next = 0;
  for (; next < changes.size() && changes[next].at <= ts; ++next) {
    if (changes[next].at >= begin && changes[next].offset != offset) {
      offset = changes[next].offset;
      begin = changes[next].at;
    }
  }
  while (next < changes.size() && changes[next].offset == offset) {
    ++next;
  }
  const sys_seconds end = next < changes.size() ? sys_seconds{seconds{changes[next].at}} : k_max_time;
  return {std::max(floor, sys_seconds{seconds{begin}}), end, seconds{offset}};
}

sys_seconds TimeZone::to_sys(date::local_seconds local) const
{
  // The offsets in force two days either side cover every transition near `local`.
  const std::int64_t l = local.time_since_epoch().count();
  const seconds before = get_info(sys_seconds{seconds{l - 2 * k_day}}).offset;
  const seconds after = get_info(sys_seconds{seconds{l + 2 * k_day}}).offset;
  std::optional<sys_seconds> best;
  for (const seconds o : {before, after}) {
    const sys_seconds t{local.time_since_epoch() - o};
    if (get_info(t).offset == o && (!best || t < *best)) {
      best = t;
    }
  }
  if (best) {
    return *best;
  }
  // Skipped by clocks set forward: the instant the gap ends (when the earlier offset's
  // period is over).
  return get_info(sys_seconds{local.time_since_epoch() - std::max(before, after)}).end;
}

const TimeZone* load_time_zone(std::string_view name)
{
  // Names of files inside the zoneinfo folder only: no empty, "." or ".." parts, no other
  // characters; not the posix/ and right/ copies or "Factory" (as date/tz).
  if (name.empty() || name.size() > 128 || name.starts_with("posix") || name.starts_with("right/") ||
      name == "Factory") {
    return nullptr;
  }
  std::size_t part = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      const std::string_view p = name.substr(part, i - part);
      if (p.empty() || p == "." || p == "..") {
        return nullptr;
      }
      part = i + 1;
    } else if (!std::isalnum(static_cast<unsigned char>(name[i])) && name[i] != '_' && name[i] != '-' &&
               name[i] != '+') {
      return nullptr;
    }
  }
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<TimeZone>, std::less<>> zones;
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto it = zones.find(name); it != zones.end()) {
    return it->second.get();
  }
  const std::string path = std::string("/usr/share/zoneinfo/").append(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) > (1u << 20) || ec) {
    return nullptr; // a folder ("Asia"), or no such file
  }
  std::string bytes;
  try {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return nullptr;
  }
  auto zone = TimeZone::from_tzif(std::string(name), bytes);
  if (!zone) {
    return nullptr;
  }
  return zones.emplace(std::string(name), std::move(zone)).first->second.get();
}

} // namespace desk
