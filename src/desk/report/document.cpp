#include <desk/report/render.hpp>

#include <desk/util/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace desk::report {

namespace fmt_text {

std::string hours(const std::optional<std::chrono::seconds>& d)
{
  if (!d) {
    return "–";
  }
  const long long total_minutes = (d->count() + 30) / 60;
  const long long h = total_minutes / 60;
  const long long m = total_minutes % 60;
  if (h == 0) {
    return fmt::format("{}m", m);
  }
  if (h >= 100) {
    return fmt::format("{}h", (total_minutes + 30) / 60);
  }
  return fmt::format("{}h {:02}m", h, m);
}

std::string percent(const Share& s)
{
  const auto v = s.value();
  return v ? fmt::format("{:.1f}%", *v * 100.0) : std::string("–");
}

std::string rating(const std::optional<double>& r)
{
  return r ? fmt::format("{:.2f}", *r) : std::string("–");
}

std::string local(Timestamp t, const std::string& zone_name)
{
  return format_local_minutes(t, find_zone(zone_name));
}

std::string local_date(Timestamp t, const std::string& zone_name)
{
  return format_local_minutes(t, find_zone(zone_name)).substr(0, 10);
}

std::string period(const ReviewReport& r)
{
  return fmt::format("{} – {} ({})", local(r.options.since, r.timezone), local(r.options.until, r.timezone),
                     r.timezone);
}

std::string period_title(const ReviewReport& r)
{
  // The end is exclusive: the last day covered is the one holding the period's last second.
  return fmt::format("{} – {}", local_date(r.options.since, r.timezone),
                     local_date(r.options.until - std::chrono::seconds{1}, r.timezone));
}

} // namespace fmt_text

namespace {

using fmt_text::hours;
using fmt_text::percent;

std::string num(long long n)
{
  return std::to_string(n);
}

DocTable volume_table(const std::string& caption, const std::string& first, const std::vector<GroupRow>& rows,
                      const Measures* total)
{
  DocTable t;
  t.caption = caption;
  t.headers = {first, "OPENED", "RESOLVED", "CLOSED", "CANCELLED", "BACKLOG START", "BACKLOG END"};
  t.right = {false, true, true, true, true, true, true};
  auto add = [&](const std::string& name, const Volume& v) {
    t.rows.push_back({name, num(v.opened), num(v.resolved), num(v.closed), num(v.cancelled), num(v.backlog_start),
                      num(v.backlog_end)});
  };
  for (const auto& row : rows) {
    add(row.name, row.measures.volume);
  }
  if (total) {
    add("All", total->volume);
  }
  return t;
}

DocTable times_table(const std::string& caption, const std::vector<GroupRow>& rows, const Measures& total,
                     bool respond)
{
  DocTable t;
  t.caption = caption;
  t.headers = {"PRIORITY", "TICKETS", "BUSINESS MEAN", "MEDIAN", "P90", "CALENDAR MEAN", "MEDIAN", "P90"};
  t.right = {false, true, true, true, true, true, true, true};
  auto add = [&](const std::string& name, const Measures& m) {
    const TimeStats& s = respond ? m.respond : m.resolve;
    t.rows.push_back({name, num(s.business.count), hours(s.business.mean), hours(s.business.median),
                      hours(s.business.p90), hours(s.calendar.mean), hours(s.calendar.median),
                      hours(s.calendar.p90)});
  };
  for (const auto& row : rows) {
    add(row.name, row.measures);
  }
  add("All", total);
  return t;
}

DocTable sla_table(const std::string& caption, const std::string& first, const std::vector<GroupRow>& rows,
                   const Measures& total)
{
  DocTable t;
  t.caption = caption;
  t.headers = {first, "RESPOND MET", "RESPOND", "RESOLVE MET", "RESOLVE"};
  t.right = {false, true, true, true, true};
  auto add = [&](const std::string& name, const SlaCompliance& s) {
    t.rows.push_back({name, fmt::format("{}/{}", s.respond.met, s.respond.measured), percent(s.respond.compliance()),
                      fmt::format("{}/{}", s.resolve.met, s.resolve.measured), percent(s.resolve.compliance())});
  };
  for (const auto& row : rows) {
    add(row.name, row.measures.sla);
  }
  add("All", total.sla);
  return t;
}

// Wall-clock lateness: "45m", "3h 05m", "2d 4h".
std::string late_text(std::chrono::seconds late)
{
  return format_duration(late);
}

} // namespace

std::vector<DocSection> document(const ReviewReport& r)
{
  std::vector<DocSection> out;
  const Measures& m = r.totals;
  const std::string& zone = r.timezone;
  const std::string group_name(to_string(r.options.group_by));

  {
    DocSection s{"summary", "Summary", {}, {}};
    s.notes.push_back(fmt::format("Period: {}; backlog and ageing as of {}.", fmt_text::period(r),
                                  fmt_text::local(r.as_of, zone)));
    s.notes.push_back(fmt::format("Tickets read: {}; left out: {}.", r.tickets_read, r.left_out.size()));
    for (const auto& l : r.left_out) {
      s.notes.push_back(fmt::format("Left out {}: {}", l.source, l.reason));
    }
    DocTable t;
    t.headers = {"MEASURE", "VALUE"};
    t.right = {false, true};
    const Resolution& q = m.resolution;
    t.rows = {
      {"Opened", num(m.volume.opened)},
      {"Resolved", num(m.volume.resolved)},
      {"Closed", num(m.volume.closed)},
      {"Cancelled", num(m.volume.cancelled)},
      {"Backlog (start → end)", fmt::format("{} → {}", m.volume.backlog_start, m.volume.backlog_end)},
      {"Median time to respond (business)", hours(m.respond.business.median)},
      {"Median time to resolve (business)", hours(m.resolve.business.median)},
      {"SLA respond met", percent(m.sla.respond.compliance())},
      {"SLA resolve met", percent(m.sla.resolve.compliance())},
      {"First-contact resolution", percent({q.first_contact, q.resolved})},
      {"First-level resolution", percent({q.first_level, q.resolved})},
      {"Escalated", percent({q.escalated, q.resolved})},
      {"Reopened", percent({q.reopened, q.resolved})},
      {"Resolved with a KB article", percent({q.with_kb, q.resolved})},
      {"Average rating", fmt_text::rating(m.satisfaction.average())},
      {"Satisfied (4-5)", percent({m.satisfaction.satisfied, m.satisfaction.rated})},
      {"Work logged", hours(std::chrono::minutes{m.activity.log_minutes})},
    };
    s.tables.push_back(std::move(t));
    out.push_back(std::move(s));
  }

  {
    DocSection s{"trend", fmt::format("Trend by {}", to_string(r.options.bucket)), {}, {}};
    DocTable t;
    t.headers = {to_string(r.options.bucket) == std::string_view("week") ? "WEEK OF" : "MONTH",
                 "OPENED", "RESOLVED", "BACKLOG", "RESOLVE MEDIAN", "SLA RESPOND", "SLA RESOLVE", "FCR",
                 "ESCALATIONS", "REOPENS", "RATING"};
    t.right = {false, true, true, true, true, true, true, true, true, true, true};
    for (const auto& p : r.trend) {
      const Measures& pm = p.measures;
      const Activity& a = pm.activity;
      t.rows.push_back({p.label, num(pm.volume.opened), num(pm.volume.resolved), num(pm.volume.backlog_end),
                        hours(pm.resolve.business.median), percent(pm.sla.respond.compliance()),
                        percent(pm.sla.resolve.compliance()),
                        percent({pm.resolution.first_contact, pm.resolution.resolved}),
                        num(a.escalations_tier2 + a.escalations_tier3 + a.escalations_vendor), num(a.reopens),
                        fmt_text::rating(pm.satisfaction.average())});
    }
    s.tables.push_back(std::move(t));
    out.push_back(std::move(s));
  }

  {
    DocSection s{"volume", "Volume", {}, {}};
    s.notes.push_back("Each ticket counts in the group of its value at the end of the period.");
    for (const auto& [d, rows] : r.volume_by) {
      std::string header(to_string(d));
      std::transform(header.begin(), header.end(), header.begin(),
                     [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
      s.tables.push_back(volume_table("By " + std::string(to_string(d)), header, rows, &m));
    }
    out.push_back(std::move(s));
  }

  {
    DocSection s{"times", "Time to respond and resolve", {}, {}};
    s.notes.push_back("Business = working time of the configured calendar; calendar = wall-clock time. "
                      "Resolve times exclude paused time.");
    s.tables.push_back(times_table("Time to respond, by priority", r.by_priority, m, true));
    s.tables.push_back(times_table("Time to resolve, by priority", r.by_priority, m, false));
    DocTable d;
    d.caption = "Time to resolve (business), distribution";
    d.headers = {"BUSINESS TIME", "TICKETS"};
    d.right = {false, true};
    for (const auto& b : r.resolve_distribution) {
      d.rows.push_back({b.label, num(b.count)});
    }
    s.tables.push_back(std::move(d));
    out.push_back(std::move(s));
  }

  {
    DocSection s{"sla", "SLA compliance", {}, {}};
    s.notes.push_back("Targets met on each priority's SLA clock: done in the period, or fallen due in it "
                      "and not done (a breach).");
    s.tables.push_back(sla_table("By priority", "PRIORITY", r.by_priority, m));
    s.tables.push_back(sla_table("By team", "TEAM", r.by_team, m));
    DocTable b;
    b.caption = fmt::format("Breached targets ({})", r.breaches.size());
    b.headers = {"ID", "PRI", "TARGET", "DUE", "DONE", "LATE", "TEAM", "ASSIGNEE", "TITLE"};
    b.right = {false, false, false, false, false, true, false, false, false};
    for (const auto& x : r.breaches) {
      b.rows.push_back({x.ticket.id, x.ticket.priority, x.target, fmt_text::local(x.due, zone),
                        x.done ? fmt_text::local(*x.done, zone) : std::string("not yet"), late_text(x.late),
                        x.ticket.team, x.ticket.assignee, x.ticket.title});
    }
    s.tables.push_back(std::move(b));
    out.push_back(std::move(s));
  }

  {
    DocSection s{"resolution", "Resolution quality", {}, {}};
    const Resolution& q = m.resolution;
    s.notes.push_back(fmt::format("Shares of the {} tickets resolved in the period.", q.resolved));
    DocTable t;
    t.headers = {"MEASURE", "TICKETS", "SHARE"};
    t.right = {false, true, true};
    auto add = [&](const char* name, int part) {
      t.rows.push_back({name, num(part), percent({part, q.resolved})});
    };
    add("First-contact resolution (FCR)", q.first_contact);
    add("First-level resolution (FLR)", q.first_level);
    add("Escalated", q.escalated);
    add("Escalated to tier 2", q.escalated_tier2);
    add("Escalated to tier 3", q.escalated_tier3);
    add("Escalated to a vendor", q.escalated_vendor);
    add("Reopened", q.reopened);
    add("Resolved with a KB article", q.with_kb);
    t.rows.push_back({"Reassignments (per ticket)", num(q.reassignments),
                      q.resolved ? fmt::format("{:.2f}", static_cast<double>(q.reassignments) / q.resolved)
                                 : std::string("–")});
    s.tables.push_back(std::move(t));
    DocTable a;
    a.caption = "Activity in the period";
    a.headers = {"EVENTS", "COUNT"};
    a.right = {false, true};
    const Activity& act = m.activity;
    a.rows = {{"Escalations to tier 2", num(act.escalations_tier2)},
              {"Escalations to tier 3", num(act.escalations_tier3)},
              {"Escalations to a vendor", num(act.escalations_vendor)},
              {"Resolutions", num(act.resolutions)},
              {"Reopens (rejected resolutions)", num(act.reopens)},
              {"Work-log entries", num(act.log_entries)},
              {"Work-log minutes", num(act.log_minutes)}};
    s.tables.push_back(std::move(a));
    out.push_back(std::move(s));
  }

  {
    DocSection s{"backlog", "Backlog", {}, {}};
    s.notes.push_back(fmt::format("{} ticket{} open at {}.", m.volume.backlog_end,
                                  m.volume.backlog_end == 1 ? "" : "s", fmt_text::local(r.as_of, zone)));
    DocTable a;
    a.caption = "Ageing of open tickets";
    a.headers = {"AGE", "TICKETS"};
    a.right = {false, true};
    for (const auto& b : r.backlog_ageing) {
      a.rows.push_back({b.label, num(b.count)});
    }
    s.tables.push_back(std::move(a));
    DocTable o;
    o.caption = "Oldest open tickets";
    o.headers = {"ID", "PRI", "STATUS", "AGE", "TEAM", "ASSIGNEE", "TITLE"};
    o.right = {false, false, false, true, false, false, false};
    for (const auto& x : r.oldest_open) {
      const long long days = x.age.count() / 86400;
      o.rows.push_back({x.ticket.id, x.ticket.priority, x.ticket.status,
                        days > 0 ? fmt::format("{}d {}h", days, (x.age.count() % 86400) / 3600) : hours(x.age),
                        x.ticket.team, x.ticket.assignee, x.ticket.title});
    }
    s.tables.push_back(std::move(o));
    out.push_back(std::move(s));
  }

  {
    DocSection s{"workload", "Workload", {}, {}};
    auto table = [&](const char* caption, const char* first, const std::vector<WorkloadRow>& rows) {
      DocTable t;
      t.caption = caption;
      t.headers = {first, "OPEN", "RESOLVED", "LOGGED"};
      t.right = {false, true, true, true};
      for (const auto& w : rows) {
        t.rows.push_back({w.name, num(w.open), num(w.resolved), hours(std::chrono::minutes{w.log_minutes})});
      }
      return t;
    };
    s.tables.push_back(table("By assignee (logged: by the author of the entries)", "ASSIGNEE", r.workload_assignees));
    s.tables.push_back(table("By team (logged: while the team held the ticket)", "TEAM", r.workload_teams));
    out.push_back(std::move(s));
  }

  {
    DocSection s{"satisfaction", "Satisfaction", {}, {}};
    const Satisfaction& sat = m.satisfaction;
    s.notes.push_back(fmt::format("{} confirmation{}, {} with a rating; average {}; satisfied (4-5): {}.",
                                  sat.confirmations, sat.confirmations == 1 ? "" : "s", sat.rated, fmt_text::rating(sat.average()),
                                  percent({sat.satisfied, sat.rated})));
    DocTable t;
    t.headers = {"RATING", "CONFIRMATIONS"};
    t.right = {false, true};
    for (int i = 5; i >= 1; --i) {
      t.rows.push_back({std::to_string(i), num(sat.ratings[static_cast<std::size_t>(i - 1)])});
    }
    s.tables.push_back(std::move(t));
    out.push_back(std::move(s));
  }

  {
    DocSection s{"groups", fmt::format("By {}", group_name), {}, {}};
    DocTable t;
    std::string header = group_name;
    std::transform(header.begin(), header.end(), header.begin(),
                   [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
    t.headers = {header, "OPENED", "RESOLVED", "BACKLOG", "RESPOND MEDIAN", "RESOLVE MEDIAN", "SLA RESPOND",
                 "SLA RESOLVE", "FCR", "ESCALATED", "REOPENED", "RATING", "LOGGED"};
    t.right = {false, true, true, true, true, true, true, true, true, true, true, true, true};
    auto add = [&](const std::string& name, const Measures& g) {
      const Resolution& q = g.resolution;
      t.rows.push_back({name, num(g.volume.opened), num(g.volume.resolved), num(g.volume.backlog_end),
                        hours(g.respond.business.median), hours(g.resolve.business.median),
                        percent(g.sla.respond.compliance()), percent(g.sla.resolve.compliance()),
                        percent({q.first_contact, q.resolved}), percent({q.escalated, q.resolved}),
                        percent({q.reopened, q.resolved}), fmt_text::rating(g.satisfaction.average()),
                        hours(std::chrono::minutes{g.activity.log_minutes})});
    };
    for (const auto& row : r.groups) {
      add(row.name, row.measures);
    }
    add("All", m);
    s.tables.push_back(std::move(t));
    out.push_back(std::move(s));
  }
  return out;
}

} // namespace desk::report
