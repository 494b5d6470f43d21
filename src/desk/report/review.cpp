#include <desk/report/review.hpp>

#include <desk/sla/calendar.hpp>
#include <desk/sla/clock.hpp>
#include <desk/sla/ticket_sla.hpp>
#include <desk/util/error.hpp>
#include <desk/util/names.hpp>
#include <desk/util/parallel.hpp>
#include <desk/util/time_zone.hpp>
#include <desk/workflow/transitions.hpp>

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <map>
#include <set>

namespace desk::report {

namespace {

using std::chrono::seconds;
using workflow::Status;

constexpr NameTable<Dimension, 7> k_dimension_names = {{
  {Dimension::team, "team"},
  {Dimension::category, "category"},
  {Dimension::priority, "priority"},
  {Dimension::assignee, "assignee"},
  {Dimension::channel, "channel"},
  {Dimension::type, "type"},
  {Dimension::department, "department"},
}};

// The dimensions of the volume breakdown, in the order the issue lists them.
constexpr std::array<Dimension, 7> k_volume_dimensions = {Dimension::type,     Dimension::category,
                                                          Dimension::channel,  Dimension::priority,
                                                          Dimension::team,     Dimension::assignee,
                                                          Dimension::department};

constexpr std::size_t k_dimension_count = k_dimension_names.size();
constexpr int k_max_buckets = 520;
constexpr std::size_t k_oldest_listed = 10;

std::size_t index_of(Dimension d)
{
  return static_cast<std::size_t>(d);
}

// A ticket whose times and statuses were checked once.
struct Source {
  const Ticket* ticket = nullptr;
  Timestamp created{};
  std::vector<Timestamp> at; // the time of each event, in file order
};

// Why a ticket cannot be reported on, or nullopt when it can.
std::optional<std::string> check_ticket(const Ticket& t, Source& out)
{
  const auto created = parse_timestamp(t.get("created"), nullptr);
  if (!created) {
    return fmt::format("'created' is not a time: '{}'", t.get("created"));
  }
  out.created = *created;
  if (!workflow::parse_status(t.status())) {
    return fmt::format("unknown status '{}'", t.status());
  }
  for (std::size_t i = 0; i < t.events().size(); ++i) {
    const Event& e = t.events()[i];
    const auto at = parse_timestamp(e.at, nullptr);
    if (!at) {
      return fmt::format("event {} ({}) has a bad time '{}'", i + 1, e.action, e.at);
    }
    if (const Value* s = e.set.find("status"); s && !workflow::parse_status(s->str())) {
      return fmt::format("event {} ({}) sets unknown status '{}'", i + 1, e.action, s->str());
    }
    out.at.push_back(*at);
  }
  return std::nullopt;
}

// The ticket as it stood just before `t`: only the events before `t`, and every field that
// events set replayed from those events (intake fields no event sets are kept as they are).
Ticket snapshot(const Source& s, Timestamp t)
{
  Ticket snap = Ticket::from_parts(s.ticket->fields(), {});
  const auto& events = s.ticket->events();
  for (const Event& e : events) {
    for (const auto& kv : e.set.entries) {
      snap.erase(kv.first);
    }
  }
  snap.events().reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (s.at[i] < t) {
      snap.apply(events[i]);
    }
  }
  return snap;
}

// One ticket's snapshots at the ends of the period and of each trend bucket. Ends with the
// same events before them have the same snapshot, made once: most tickets' histories end
// before most of the ends.
class Snapshots {
public:
  explicit Snapshots(const Source& s) : m_s(s), m_in_order(std::is_sorted(s.at.begin(), s.at.end())) {}

  // The snapshot just before `t`, valid until the next call.
  const Ticket& before(Timestamp t)
  {
    if (!m_in_order) { // the events before t are not a prefix: made each time
      m_made.assign(1, {0, snapshot(m_s, t)});
      return m_made.front().second;
    }
    const auto count = static_cast<std::size_t>(std::lower_bound(m_s.at.begin(), m_s.at.end(), t) - m_s.at.begin());
    for (const auto& [n, snap] : m_made) {
      if (n == count) {
        return snap;
      }
    }
    return m_made.emplace_back(count, snapshot(m_s, t)).second;
  }

private:
  const Source& m_s;
  bool m_in_order;
  std::deque<std::pair<std::size_t, Ticket>> m_made; // by the number of events before the end
};

// The status just before `t` (nullopt when no event before `t` set one).
std::optional<Status> status_before(const Source& s, Timestamp t)
{
  std::optional<Status> status;
  const auto& events = s.ticket->events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (s.at[i] < t) {
      if (const Value* v = events[i].set.find("status")) {
        status = workflow::parse_status(v->str());
      }
    }
  }
  return status;
}

bool in_period(Timestamp t, Timestamp since, Timestamp until)
{
  return since <= t && t < until;
}

std::optional<Timestamp> field_time(const Ticket& t, std::string_view name)
{
  const std::string& s = t.get(name);
  return s.empty() ? std::nullopt : parse_timestamp(s, nullptr);
}

// Where an escalate event sent the ticket: 2, 3, or 0 for a vendor; -1 when unknown.
int escalation_target(const Event& e)
{
  if (const Value* v = e.set.find("vendor"); v && !v->str().empty()) {
    return 0;
  }
  if (const Value* v = e.set.find("tier")) {
    const int tier = std::atoi(v->str().c_str());
    if (tier == 2 || tier == 3) {
      return tier;
    }
  }
  const Value* text = e.extra.find("escalation");
  const std::string summary = text ? text->str() : std::string();
  if (summary.rfind("vendor", 0) == 0) {
    return 0;
  }
  if (summary.rfind("tier 2", 0) == 0) {
    return 2;
  }
  if (summary.rfind("tier 3", 0) == 0) {
    return 3;
  }
  return -1;
}

int rating_of(const Event& e)
{
  const Value* v = e.set.find("rating");
  const int r = v ? std::atoi(v->str().c_str()) : 0;
  return r >= 1 && r <= 5 ? r : 0;
}

long long minutes_of(const Event& e)
{
  const Value* v = e.extra.find("minutes");
  const long long m = v ? std::atoll(v->str().c_str()) : 0;
  return m > 0 ? m : 0;
}

std::string group_value(const Ticket& t, Dimension d)
{
  const std::string& v = t.get(to_string(d));
  return v.empty() ? std::string(k_none) : v;
}

// One ticket measured against one period.
struct Facts {
  bool relevant = false; // created before the end and touched by the period (or open in it)
  std::array<std::string, k_dimension_count> group;
  TicketLine line;
  Status status_end = Status::new_;
  bool opened = false;
  bool resolved = false;
  bool closed = false;
  bool cancelled = false;
  bool open_start = false;
  bool open_end = false;
  std::optional<seconds> respond_business;
  std::optional<seconds> respond_calendar;
  std::optional<seconds> resolve_business;
  std::optional<seconds> resolve_calendar;
  std::optional<bool> respond_met; // measured against the respond target
  std::optional<bool> resolve_met;
  // Of a resolved ticket:
  bool first_contact = false;
  bool first_level = false;
  bool escalated = false;
  bool tier2 = false;
  bool tier3 = false;
  bool vendor = false;
  bool reopened = false;
  bool kb = false;
  int reassignments = 0;
  Activity activity;
  Satisfaction satisfaction;
  std::vector<std::pair<std::string, long long>> log_by_actor;
  std::vector<std::pair<std::string, long long>> log_by_team;
  std::vector<Breach> breaches;
};

// The calendars the times are measured on.
struct Calendars {
  sla::BusinessCalendar business;
  sla::BusinessCalendar wall;
};

Calendars calendars_of(const Config& config)
{
  CalendarSpec spec = config.calendar;
  spec.timezone = config.timezone;
  return {sla::BusinessCalendar(spec), sla::BusinessCalendar::always(config.timezone)};
}

TicketLine line_of(const Ticket& snap, Timestamp created)
{
  return {snap.id(),           snap.get("title"), snap.get("priority"), snap.status(),
          snap.get("team"),    snap.get("assignee"), created};
}

Facts measure(const Source& s, Snapshots& snapshots, const Config& config, const Calendars& cal, Timestamp since,
              Timestamp until)
{
  Facts f;
  const Ticket& ticket = *s.ticket;
  const auto& events = ticket.events();
  if (s.created >= until) {
    return f;
  }
  const Ticket& snap = snapshots.before(until);
  const auto status_end = workflow::parse_status(snap.status());
  f.status_end = status_end.value_or(Status::new_);
  for (const auto& [d, name] : k_dimension_names) {
    f.group[index_of(d)] = group_value(snap, d);
  }
  f.line = line_of(snap, s.created);
  f.opened = in_period(s.created, since, until);
  f.open_end = workflow::is_unresolved(f.status_end);
  if (s.created < since) {
    const auto before = status_before(s, since);
    f.open_start = before ? workflow::is_unresolved(*before) : workflow::is_unresolved(f.status_end);
  }

  // The last resolution before the end stands when the ticket is still resolved then.
  std::optional<std::size_t> final_resolve;
  bool touched = false;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (s.at[i] >= until) {
      continue;
    }
    const Event& e = events[i];
    if (e.action == "resolve") {
      final_resolve = i;
    }
    if (!in_period(s.at[i], since, until)) {
      continue;
    }
    touched = true;
    if (e.action == "close") {
      f.closed = true;
    } else if (e.action == "cancel") {
      f.cancelled = true;
    }
  }
  const bool resolved_state =
    f.status_end == Status::resolved || f.status_end == Status::confirmed || f.status_end == Status::closed;
  // A plain value (not an optional): GCC 12 warns about optionals it cannot follow.
  const Timestamp resolved_at = final_resolve ? s.at[*final_resolve] : Timestamp{};
  f.resolved = resolved_state && final_resolve && in_period(resolved_at, since, until);
  f.relevant = f.opened || f.open_start || touched;
  if (!f.relevant) {
    return f;
  }

  // Times: first response (never paused), resolution less the paused time.
  const auto responded = field_time(snap, "responded_at");
  if (responded && in_period(*responded, since, until)) {
    f.respond_business = std::max(seconds{0}, cal.business.between(s.created, *responded));
    f.respond_calendar = std::max(seconds{0}, *responded - s.created);
  }
  if (f.resolved) {
    const auto pauses = sla::pauses_of(snap, config);
    f.resolve_business = std::max(seconds{0}, sla::consumed(cal.business, s.created, resolved_at, pauses));
    f.resolve_calendar = std::max(seconds{0}, sla::consumed(cal.wall, s.created, resolved_at, pauses));
  }

  // SLA: targets done in the period, or fallen due in it and still not done.
  if (f.status_end != Status::cancelled) {
    const sla::TicketSla ev = sla::evaluate(snap, config, until);
    if (ev.applies) {
      auto breach = [&](const char* target, const sla::TargetStatus& t) {
        Breach b;
        b.ticket = f.line;
        b.target = target;
        b.due = t.due;
        b.done = t.done;
        b.late = (t.done ? *t.done : until) - t.due;
        f.breaches.push_back(std::move(b));
      };
      if (responded && in_period(*responded, since, until)) {
        f.respond_met = ev.respond.state == sla::TargetState::met;
      } else if (!responded && in_period(ev.respond.due, since, until)) {
        f.respond_met = false;
      }
      if (f.respond_met == false) {
        breach("respond", ev.respond);
      }
      if (f.resolved) {
        f.resolve_met = resolved_at <= ev.resolve.due;
        if (!*f.resolve_met) {
          sla::TargetStatus t = ev.resolve;
          t.done = resolved_at;
          breach("resolve", t);
        }
      } else if (f.open_end && in_period(ev.resolve.due, since, until)) {
        f.resolve_met = false;
        sla::TargetStatus t = ev.resolve;
        t.done.reset();
        breach("resolve", t);
      }
    }
  }

  // The path to the resolution, and the period's activity.
  bool above_tier1 = std::atoi(snap.get("tier").c_str()) > 1;
  std::string last_assignee;
  std::string team_now;
  bool team_in_events = false;
  for (const Event& e : events) {
    team_in_events = team_in_events || e.set.find("team");
  }
  if (!team_in_events) {
    team_now = ticket.get("team");
  }
  std::optional<Status> status_now;
  std::optional<Status> status_before_resolve;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (s.at[i] >= until) {
      continue;
    }
    const Event& e = events[i];
    if (final_resolve && i == *final_resolve) {
      status_before_resolve = status_now;
    }
    if (const Value* v = e.set.find("status")) {
      status_now = workflow::parse_status(v->str());
    }
    if (const Value* v = e.set.find("team")) {
      team_now = v->str();
    }
    if (const Value* v = e.set.find("tier"); v && std::atoi(v->str().c_str()) > 1) {
      above_tier1 = true;
    }
    if (const Value* v = e.set.find("assignee")) {
      const std::string& who = v->str();
      if ((e.action == "assign" || e.action == "escalate") && !last_assignee.empty() && !who.empty() &&
          who != last_assignee) {
        ++f.reassignments;
      }
      if (!who.empty()) {
        last_assignee = who;
      }
    }
    const int target = e.action == "escalate" ? escalation_target(e) : -1;
    if (e.action == "escalate") {
      f.escalated = true;
      f.tier2 = f.tier2 || target == 2;
      f.tier3 = f.tier3 || target == 3;
      f.vendor = f.vendor || target == 0;
    } else if (e.action == "reopen") {
      f.reopened = true;
    } else if (e.action == "resolve") {
      const Value* kb = e.set.find("kb");
      f.kb = f.kb || (kb && !kb->empty());
    }
    if (!in_period(s.at[i], since, until)) {
      continue;
    }
    if (e.action == "escalate") {
      f.activity.escalations_tier2 += target == 2 ? 1 : 0;
      f.activity.escalations_tier3 += target == 3 ? 1 : 0;
      f.activity.escalations_vendor += target == 0 ? 1 : 0;
    } else if (e.action == "reopen") {
      ++f.activity.reopens;
    } else if (e.action == "resolve") {
      ++f.activity.resolutions;
    } else if (e.action == "log") {
      const long long minutes = minutes_of(e);
      ++f.activity.log_entries;
      f.activity.log_minutes += minutes;
      f.log_by_actor.emplace_back(e.by.empty() ? std::string(k_none) : e.by, minutes);
      f.log_by_team.emplace_back(team_now.empty() ? std::string(k_none) : team_now, minutes);
    } else if (e.action == "confirm") {
      ++f.satisfaction.confirmations;
      if (const int r = rating_of(e)) {
        ++f.satisfaction.rated;
        f.satisfaction.rating_sum += r;
        f.satisfaction.satisfied += r >= 4 ? 1 : 0;
        ++f.satisfaction.ratings[static_cast<std::size_t>(r - 1)];
      }
    }
  }
  if (f.resolved) {
    f.first_level = !f.escalated && !f.reopened && !above_tier1;
    f.first_contact = f.first_level && status_before_resolve &&
                      (*status_before_resolve == Status::new_ || *status_before_resolve == Status::triaged);
  }
  return f;
}

DurationStats stats_of(std::vector<seconds> values)
{
  DurationStats out;
  out.count = static_cast<int>(values.size());
  if (values.empty()) {
    return out;
  }
  std::sort(values.begin(), values.end());
  long double sum = 0;
  for (const auto v : values) {
    sum += static_cast<long double>(v.count());
  }
  const std::size_t n = values.size();
  out.mean = seconds{std::llround(sum / static_cast<long double>(n))};
  if (n % 2 == 1) {
    out.median = values[n / 2];
  } else {
    // Mean of the two middle values, halves rounded up.
    const long long a = values[n / 2 - 1].count();
    const long long b = values[n / 2].count();
    out.median = seconds{a + (b - a + 1) / 2};
  }
  // Nearest rank: the smallest value with at least 90% of the values at or below it.
  const auto rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(n)));
  out.p90 = values[std::max<std::size_t>(rank, 1) - 1];
  return out;
}

// Sums the facts of many tickets into one slice's measures.
class Accumulator {
public:
  void add(const Facts& f)
  {
    Measures& m = m_measures;
    m.volume.opened += f.opened ? 1 : 0;
    m.volume.resolved += f.resolved ? 1 : 0;
    m.volume.closed += f.closed ? 1 : 0;
    m.volume.cancelled += f.cancelled ? 1 : 0;
    m.volume.backlog_start += f.open_start ? 1 : 0;
    m.volume.backlog_end += f.open_end ? 1 : 0;
    push(m_respond_business, f.respond_business);
    push(m_respond_calendar, f.respond_calendar);
    push(m_resolve_business, f.resolve_business);
    push(m_resolve_calendar, f.resolve_calendar);
    if (f.respond_met) {
      ++m.sla.respond.measured;
      m.sla.respond.met += *f.respond_met ? 1 : 0;
    }
    if (f.resolve_met) {
      ++m.sla.resolve.measured;
      m.sla.resolve.met += *f.resolve_met ? 1 : 0;
    }
    if (f.resolved) {
      Resolution& r = m.resolution;
      ++r.resolved;
      r.first_contact += f.first_contact ? 1 : 0;
      r.first_level += f.first_level ? 1 : 0;
      r.escalated += f.escalated ? 1 : 0;
      r.escalated_tier2 += f.tier2 ? 1 : 0;
      r.escalated_tier3 += f.tier3 ? 1 : 0;
      r.escalated_vendor += f.vendor ? 1 : 0;
      r.reopened += f.reopened ? 1 : 0;
      r.reassignments += f.reassignments;
      r.with_kb += f.kb ? 1 : 0;
    }
    Activity& a = m.activity;
    a.escalations_tier2 += f.activity.escalations_tier2;
    a.escalations_tier3 += f.activity.escalations_tier3;
    a.escalations_vendor += f.activity.escalations_vendor;
    a.reopens += f.activity.reopens;
    a.resolutions += f.activity.resolutions;
    a.log_minutes += f.activity.log_minutes;
    a.log_entries += f.activity.log_entries;
    Satisfaction& s = m.satisfaction;
    s.confirmations += f.satisfaction.confirmations;
    s.rated += f.satisfaction.rated;
    s.rating_sum += f.satisfaction.rating_sum;
    s.satisfied += f.satisfaction.satisfied;
    for (std::size_t i = 0; i < s.ratings.size(); ++i) {
      s.ratings[i] += f.satisfaction.ratings[i];
    }
  }

  Measures finish() const
  {
    Measures m = m_measures;
    m.respond = {stats_of(m_respond_business), stats_of(m_respond_calendar)};
    m.resolve = {stats_of(m_resolve_business), stats_of(m_resolve_calendar)};
    return m;
  }

private:
  static void push(std::vector<seconds>& to, const std::optional<seconds>& v)
  {
    if (v) {
      to.push_back(*v);
    }
  }

  Measures m_measures;
  std::vector<seconds> m_respond_business;
  std::vector<seconds> m_respond_calendar;
  std::vector<seconds> m_resolve_business;
  std::vector<seconds> m_resolve_calendar;
};

// Order of group names: the config's order where it has one, then by name; "(none)" last.
std::vector<std::string> ordered_names(const std::set<std::string>& names, const std::vector<std::string>& preferred)
{
  std::vector<std::string> out;
  for (const auto& p : preferred) {
    if (names.contains(p)) {
      out.push_back(p);
    }
  }
  for (const auto& n : names) {
    if (n != k_none && std::find(out.begin(), out.end(), n) == out.end()) {
      out.push_back(n);
    }
  }
  if (names.contains(std::string(k_none))) {
    out.emplace_back(k_none);
  }
  return out;
}

std::vector<std::string> preferred_order(const Config& config, Dimension d)
{
  std::vector<std::string> out;
  switch (d) {
  case Dimension::priority:
    return config.priorities;
  case Dimension::team:
    for (const auto& t : config.teams) {
      out.push_back(t.name);
    }
    return out;
  case Dimension::category:
    return config.categories;
  case Dimension::channel:
    return config.channels;
  case Dimension::type:
    return config.type_names();
  case Dimension::assignee:
  case Dimension::department:
    return out;
  }
  return out;
}

std::vector<GroupRow> group_rows(const std::vector<Facts>& facts, const Config& config, Dimension d)
{
  std::map<std::string, Accumulator> acc;
  std::set<std::string> names;
  for (const auto& f : facts) {
    if (f.relevant) {
      const std::string& name = f.group[index_of(d)];
      acc[name].add(f);
      names.insert(name);
    }
  }
  std::vector<GroupRow> out;
  for (const auto& name : ordered_names(names, preferred_order(config, d))) {
    out.push_back({name, acc[name].finish()});
  }
  return out;
}

Measures total_of(const std::vector<Facts>& facts)
{
  Accumulator acc;
  for (const auto& f : facts) {
    if (f.relevant) {
      acc.add(f);
    }
  }
  return acc.finish();
}

Timestamp local_midnight(const TimeZone* zone, date::local_days day)
{
  return zone->to_sys(date::local_seconds{day.time_since_epoch()});
}

// The trend buckets: calendar weeks (Monday to Sunday) or months in the repository's
// zone, clipped to the period.
std::vector<TrendPoint> buckets_of(const ReportOptions& o, const TimeZone* zone)
{
  std::vector<TrendPoint> out;
  const auto first_day = date::floor<date::days>(zone->to_local(o.since));
  date::local_days day = first_day;
  if (o.bucket == Bucket::week) {
    const unsigned iso = date::weekday{day}.iso_encoding();
    day -= date::days{iso - 1};
  } else {
    const date::year_month_day ymd{day};
    day = date::local_days{ymd.year() / ymd.month() / 1};
  }
  while (true) {
    date::local_days next;
    std::string label;
    if (o.bucket == Bucket::week) {
      next = day + date::days{7};
      label = date::format("%F", day);
    } else {
      const date::year_month_day ymd{day};
      next = date::local_days{(ymd.year() / ymd.month() + date::months{1}) / 1};
      label = date::format("%Y-%m", day);
    }
    const Timestamp start = std::max(local_midnight(zone, day), o.since);
    const Timestamp end = std::min(local_midnight(zone, next), o.until);
    if (start >= o.until) {
      break;
    }
    if (start < end) {
      if (static_cast<int>(out.size()) >= k_max_buckets) {
        throw UsageError(fmt::format("the period holds more than {} {}s; use --by month or a shorter period",
                                     k_max_buckets, to_string(o.bucket)));
      }
      TrendPoint p;
      p.label = label;
      p.start = start;
      p.end = end;
      out.push_back(std::move(p));
    }
    day = next;
  }
  return out;
}

std::vector<WorkloadRow> workload_rows(const std::map<std::string, WorkloadRow>& rows,
                                       const std::vector<std::string>& preferred)
{
  std::set<std::string> names;
  for (const auto& [name, row] : rows) {
    names.insert(name);
  }
  std::vector<WorkloadRow> out;
  for (const auto& name : ordered_names(names, preferred)) {
    out.push_back(rows.at(name));
  }
  return out;
}

} // namespace

std::optional<double> Share::value() const
{
  if (whole <= 0) {
    return std::nullopt;
  }
  return static_cast<double>(part) / static_cast<double>(whole);
}

std::optional<double> Satisfaction::average() const
{
  if (rated <= 0) {
    return std::nullopt;
  }
  return static_cast<double>(rating_sum) / static_cast<double>(rated);
}

bool outside_period(const TicketBrief& brief, const ReportOptions& options)
{
  const auto& created = brief.created;
  if (!created) {
    return false; // let the report name the problem
  }
  if (*created >= options.until) {
    return true;
  }
  const auto status = workflow::parse_status(brief.status);
  const auto& updated = brief.updated;
  return status && workflow::is_final(*status) && updated && *updated < options.since && *created < options.since;
}

// The builder's state is made of this file's own (internal) types, so it lives in the
// anonymous namespace, behind the named base the header declares.
struct ReportBuilder::State {
  virtual ~State() = default;
};

namespace {

struct BuilderState final : ReportBuilder::State {
  Config config; // a copy: the builder may outlive the caller's
  ReportOptions options;
  Calendars cal;
  std::vector<TrendPoint> trend;
  std::vector<Accumulator> trend_acc; // one per trend bucket
  std::vector<Facts> facts;           // of the relevant tickets, for the period
  std::vector<LeftOut> bad;           // tickets whose times or statuses cannot be read
  int checked = 0;
  std::vector<Ticket> batch;
  std::vector<std::string> batch_sources;

  BuilderState(const Config& c, const ReportOptions& o)
    : config(c), options(o), cal(calendars_of(config))
  {
  }

  // Check and measure the batch, keep the figures, let the tickets go.
  void flush()
  {
    std::vector<Source> sources;
    sources.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Source src;
      src.ticket = &batch[i];
      if (auto why = check_ticket(batch[i], src)) {
        bad.push_back({batch_sources[i].empty() ? batch[i].id() : batch_sources[i], *why});
        continue;
      }
      sources.push_back(std::move(src));
    }
    checked += static_cast<int>(sources.size());
    // Per ticket: its facts for the period, then for each bucket.
    const std::size_t per = 1 + trend.size();
    std::vector<Facts> out(sources.size() * per);
    parallel_for(sources.size(), thread_count(0, sources.size(), 256, 8), [&](std::size_t i) {
      Snapshots snapshots(sources[i]);
      out[i * per] = measure(sources[i], snapshots, config, cal, options.since, options.until);
      for (std::size_t b = 0; b < trend.size(); ++b) {
        out[i * per + 1 + b] = measure(sources[i], snapshots, config, cal, trend[b].start, trend[b].end);
      }
    }, 16);
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (out[i * per].relevant) {
        facts.push_back(std::move(out[i * per]));
      }
      for (std::size_t b = 0; b < trend.size(); ++b) {
        if (out[i * per + 1 + b].relevant) {
          trend_acc[b].add(out[i * per + 1 + b]);
        }
      }
    }
    batch.clear();
    batch_sources.clear();
  }
};

BuilderState& state(const std::unique_ptr<ReportBuilder::State>& m)
{
  return static_cast<BuilderState&>(*m);
}

} // namespace

ReportBuilder::ReportBuilder(const Config& config, const ReportOptions& options)
{
  const auto* zone = find_zone(config.timezone);
  if (options.since >= options.until) {
    throw UsageError(fmt::format("the period is empty: --since {} is not before --until {}",
                                 format_local_minutes(options.since, zone),
                                 format_local_minutes(options.until, zone)),
                     "give a period whose start comes before its end");
  }
  auto st = std::make_unique<BuilderState>(config, options);
  st->trend = buckets_of(options, zone);
  st->trend_acc.resize(st->trend.size());
  m = std::move(st);
}

ReportBuilder::~ReportBuilder() = default;

void ReportBuilder::add(Ticket ticket, std::string source)
{
  BuilderState& st = state(m);
  st.batch.push_back(std::move(ticket));
  st.batch_sources.push_back(std::move(source));
  if (st.batch.size() >= 1024) {
    st.flush();
  }
}

ReviewReport ReportBuilder::finish(std::vector<LeftOut> unreadable, int also_read)
{
  BuilderState& st = state(m);
  st.flush();
  const Config& config = st.config;
  const std::vector<Facts>& facts = st.facts;
  ReviewReport r;
  r.options = st.options;
  r.timezone = config.timezone;
  r.as_of = std::min(st.options.until, st.options.now);
  r.left_out = std::move(unreadable);
  r.left_out.insert(r.left_out.end(), st.bad.begin(), st.bad.end());
  r.trend = st.trend;
  r.tickets_read = st.checked + also_read;

  r.totals = total_of(facts);
  r.groups = group_rows(facts, config, st.options.group_by);
  r.by_priority = group_rows(facts, config, Dimension::priority);
  r.by_team = group_rows(facts, config, Dimension::team);
  for (Dimension d : k_volume_dimensions) {
    r.volume_by.emplace_back(d, group_rows(facts, config, d));
  }
  // Backlog ageing and the oldest open tickets, at as_of.
  r.backlog_ageing = {{"0-1d", 0, 1, 0}, {"1-3d", 1, 3, 0}, {"3-7d", 3, 7, 0}, {"7-30d", 7, 30, 0},
                      {">30d", 30, std::nullopt, 0}};
  for (const auto& f : facts) {
    if (!f.relevant || !f.open_end) {
      continue;
    }
    const seconds age = std::max(seconds{0}, r.as_of - f.line.created);
    for (auto& b : r.backlog_ageing) {
      if (age >= std::chrono::days{b.min_days} && (!b.max_days || age < std::chrono::days{*b.max_days})) {
        ++b.count;
        break;
      }
    }
    r.oldest_open.push_back({f.line, age});
  }
  std::sort(r.oldest_open.begin(), r.oldest_open.end(), [](const OpenTicket& a, const OpenTicket& b) {
    return a.ticket.created != b.ticket.created ? a.ticket.created < b.ticket.created : a.ticket.id < b.ticket.id;
  });
  if (r.oldest_open.size() > k_oldest_listed) {
    r.oldest_open.resize(k_oldest_listed);
  }

  // Distribution of business time to resolve.
  using std::chrono::hours;
  r.resolve_distribution = {{"<1h", hours{0}, hours{1}, 0},   {"1-4h", hours{1}, hours{4}, 0},
                            {"4-8h", hours{4}, hours{8}, 0},  {"8-24h", hours{8}, hours{24}, 0},
                            {"24-72h", hours{24}, hours{72}, 0}, {">72h", hours{72}, std::nullopt, 0}};
  for (const auto& f : facts) {
    if (!f.relevant || !f.resolve_business) {
      continue;
    }
    for (auto& b : r.resolve_distribution) {
      if (*f.resolve_business >= b.min && (!b.max || *f.resolve_business < *b.max)) {
        ++b.count;
        break;
      }
    }
  }

  for (const auto& f : facts) {
    if (f.relevant) {
      r.breaches.insert(r.breaches.end(), f.breaches.begin(), f.breaches.end());
    }
  }
  std::sort(r.breaches.begin(), r.breaches.end(), [](const Breach& a, const Breach& b) {
    if (a.due != b.due) {
      return a.due < b.due;
    }
    return a.ticket.id != b.ticket.id ? a.ticket.id < b.ticket.id : a.target < b.target;
  });

  // Workload per person and per team.
  std::map<std::string, WorkloadRow> people;
  std::map<std::string, WorkloadRow> teams;
  auto row = [](std::map<std::string, WorkloadRow>& rows, const std::string& name) -> WorkloadRow& {
    WorkloadRow& w = rows[name];
    w.name = name;
    return w;
  };
  for (const auto& f : facts) {
    if (!f.relevant) {
      continue;
    }
    const std::string& who = f.group[index_of(Dimension::assignee)];
    const std::string& team = f.group[index_of(Dimension::team)];
    if (f.open_end || f.resolved) {
      row(people, who).open += f.open_end ? 1 : 0;
      row(people, who).resolved += f.resolved ? 1 : 0;
      row(teams, team).open += f.open_end ? 1 : 0;
      row(teams, team).resolved += f.resolved ? 1 : 0;
    }
    for (const auto& [name, minutes] : f.log_by_actor) {
      row(people, name).log_minutes += minutes;
    }
    for (const auto& [name, minutes] : f.log_by_team) {
      row(teams, name).log_minutes += minutes;
    }
  }
  r.workload_assignees = workload_rows(people, {});
  r.workload_teams = workload_rows(teams, preferred_order(config, Dimension::team));

  for (std::size_t b = 0; b < r.trend.size(); ++b) {
    r.trend[b].measures = st.trend_acc[b].finish();
  }
  return r;
}

ReviewReport build_report(const std::vector<Ticket>& tickets, const Config& config, const ReportOptions& options,
                          std::vector<LeftOut> unreadable, const std::vector<std::string>& sources, int also_read)
{
  ReportBuilder builder(config, options);
  for (std::size_t i = 0; i < tickets.size(); ++i) {
    builder.add(tickets[i], i < sources.size() ? sources[i] : std::string());
  }
  return builder.finish(std::move(unreadable), also_read);
}

std::string_view to_string(Dimension d)
{
  return name_of(k_dimension_names, d);
}

std::string_view to_string(Bucket b)
{
  return b == Bucket::week ? "week" : "month";
}

std::optional<Dimension> parse_dimension(std::string_view s)
{
  return value_named(k_dimension_names, s);
}

std::optional<Bucket> parse_bucket(std::string_view s)
{
  if (s == "week") {
    return Bucket::week;
  }
  if (s == "month") {
    return Bucket::month;
  }
  return std::nullopt;
}

std::vector<std::string> group_by_names()
{
  return {"team", "category", "priority", "assignee", "channel"};
}

} // namespace desk::report
