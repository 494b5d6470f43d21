#include <desk/report/render.hpp>

#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace desk::report {

namespace {

using json = nlohmann::ordered_json;

json seconds_json(const std::optional<std::chrono::seconds>& d)
{
  return d ? json(d->count()) : json(nullptr);
}

// A fraction rounded to 4 decimals, null when undefined.
json fraction_json(const std::optional<double>& v, int decimals = 4)
{
  if (!v) {
    return nullptr;
  }
  const double scale = std::pow(10.0, decimals);
  return std::round(*v * scale) / scale;
}

json share_json(int part, int whole)
{
  return fraction_json(Share{part, whole}.value());
}

json stats_json(const DurationStats& s)
{
  json j;
  j["count"] = s.count;
  j["mean"] = seconds_json(s.mean);
  j["median"] = seconds_json(s.median);
  j["p90"] = seconds_json(s.p90);
  return j;
}

json times_json(const TimeStats& t)
{
  json j;
  j["business"] = stats_json(t.business);
  j["calendar"] = stats_json(t.calendar);
  return j;
}

json volume_json(const Volume& v)
{
  json j;
  j["opened"] = v.opened;
  j["resolved"] = v.resolved;
  j["closed"] = v.closed;
  j["cancelled"] = v.cancelled;
  j["backlog_start"] = v.backlog_start;
  j["backlog_end"] = v.backlog_end;
  return j;
}

json target_json(const SlaTarget& t)
{
  json j;
  j["measured"] = t.measured;
  j["met"] = t.met;
  j["breached"] = t.measured - t.met;
  j["compliance"] = fraction_json(t.compliance().value());
  return j;
}

json measures_json(const Measures& m)
{
  json j;
  j["volume"] = volume_json(m.volume);
  j["respond"] = times_json(m.respond);
  j["resolve"] = times_json(m.resolve);
  j["sla"]["respond"] = target_json(m.sla.respond);
  j["sla"]["resolve"] = target_json(m.sla.resolve);
  const Resolution& q = m.resolution;
  json& r = j["resolution"];
  r["resolved"] = q.resolved;
  auto put = [&](const char* name, int part) {
    r[name] = part;
    r[std::string(name) + "_rate"] = share_json(part, q.resolved);
  };
  put("first_contact", q.first_contact);
  put("first_level", q.first_level);
  put("escalated", q.escalated);
  put("escalated_tier2", q.escalated_tier2);
  put("escalated_tier3", q.escalated_tier3);
  put("escalated_vendor", q.escalated_vendor);
  put("reopened", q.reopened);
  put("with_kb", q.with_kb);
  r["reassignments"] = q.reassignments;
  r["reassignments_per_ticket"] = share_json(q.reassignments, q.resolved);
  const Activity& a = m.activity;
  json& act = j["activity"];
  act["escalations"]["tier2"] = a.escalations_tier2;
  act["escalations"]["tier3"] = a.escalations_tier3;
  act["escalations"]["vendor"] = a.escalations_vendor;
  act["escalations"]["total"] = a.escalations_tier2 + a.escalations_tier3 + a.escalations_vendor;
  act["reopens"] = a.reopens;
  act["resolutions"] = a.resolutions;
  act["log_entries"] = a.log_entries;
  act["log_minutes"] = a.log_minutes;
  const Satisfaction& s = m.satisfaction;
  json& sat = j["satisfaction"];
  sat["confirmations"] = s.confirmations;
  sat["rated"] = s.rated;
  sat["average_rating"] = fraction_json(s.average(), 2);
  sat["satisfied"] = s.satisfied;
  sat["satisfied_rate"] = share_json(s.satisfied, s.rated);
  for (std::size_t i = 0; i < s.ratings.size(); ++i) {
    sat["ratings"][std::to_string(i + 1)] = s.ratings[i];
  }
  return j;
}

json group_json(const GroupRow& g)
{
  json j;
  j["group"] = g.name;
  const json measures = measures_json(g.measures);
  for (const auto& [k, v] : measures.items()) {
    j[k] = v;
  }
  return j;
}

json groups_json(const std::vector<GroupRow>& rows)
{
  json arr = json::array();
  for (const auto& g : rows) {
    arr.push_back(group_json(g));
  }
  return arr;
}

json line_json(const TicketLine& t, const std::string& zone)
{
  json j;
  j["id"] = t.id;
  j["title"] = t.title;
  j["priority"] = t.priority;
  j["status"] = t.status;
  j["team"] = t.team;
  j["assignee"] = t.assignee;
  j["created"] = format_timestamp(t.created, find_zone(zone));
  return j;
}

// CSV cell quoting (RFC 4180) with formulas guarded.
std::string cell(std::string_view s)
{
  return text::csv_cell(s);
}

std::string scalar_text(const json& v)
{
  if (v.is_null()) {
    return {};
  }
  if (v.is_string()) {
    return v.get<std::string>();
  }
  return v.dump();
}

// Writes the long CSV rows.
class CsvWriter {
public:
  CsvWriter() { m_out = "section,dimension,group,bucket,measure,value\r\n"; }

  void row(std::string_view section, std::string_view dimension, std::string_view group, std::string_view bucket,
           std::string_view measure, const std::string& value)
  {
    m_out += fmt::format("{},{},{},{},{},{}\r\n", cell(section), cell(dimension), cell(group), cell(bucket),
                         cell(measure), cell(value));
  }

  // Every leaf of a measures object: section = top key, measure = the nested keys joined by "_".
  void measures(const json& m, std::string_view dimension, std::string_view group, std::string_view bucket,
                const std::vector<std::string>& only_sections = {})
  {
    for (const auto& [section, body] : m.items()) {
      if (section == "group" || section == "bucket" || section == "start" || section == "end") {
        continue;
      }
      if (!only_sections.empty() &&
          std::find(only_sections.begin(), only_sections.end(), section) == only_sections.end()) {
        continue;
      }
      leaves(section, "", body, dimension, group, bucket);
    }
  }

  const std::string& text() const { return m_out; }

private:
  void leaves(const std::string& section, const std::string& prefix, const json& v, std::string_view dimension,
              std::string_view group, std::string_view bucket)
  {
    if (v.is_object()) {
      for (const auto& [k, child] : v.items()) {
        leaves(section, prefix.empty() ? k : prefix + "_" + k, child, dimension, group, bucket);
      }
      return;
    }
    row(section, dimension, group, bucket, prefix, scalar_text(v));
  }

  std::string m_out;
};

} // namespace

json to_json(const ReviewReport& r)
{
  const auto* zone = find_zone(r.timezone);
  json j;
  j["report"] = "desk service review";
  j["format_version"] = 1;
  json& p = j["period"];
  p["since"] = format_timestamp(r.options.since, zone);
  p["until"] = format_timestamp(r.options.until, zone);
  p["as_of"] = format_timestamp(r.as_of, zone);
  p["timezone"] = r.timezone;
  p["bucket"] = to_string(r.options.bucket);
  p["group_by"] = to_string(r.options.group_by);
  json& t = j["tickets"];
  t["read"] = r.tickets_read;
  t["left_out"] = r.left_out.size();
  t["left_out_files"] = json::array();
  for (const auto& l : r.left_out) {
    t["left_out_files"].push_back({{"source", l.source}, {"reason", l.reason}});
  }
  j["totals"] = measures_json(r.totals);
  j["groups"]["dimension"] = to_string(r.options.group_by);
  j["groups"]["rows"] = groups_json(r.groups);
  j["by_priority"] = groups_json(r.by_priority);
  j["by_team"] = groups_json(r.by_team);
  json& vb = j["volume_by"];
  for (const auto& [d, rows] : r.volume_by) {
    json arr = json::array();
    for (const auto& g : rows) {
      const json row = volume_json(g.measures.volume);
      json named;
      named["group"] = g.name;
      for (const auto& [k, v] : row.items()) {
        named[k] = v;
      }
      arr.push_back(std::move(named));
    }
    vb[std::string(to_string(d))] = std::move(arr);
  }
  j["backlog_ageing"] = json::array();
  for (const auto& b : r.backlog_ageing) {
    j["backlog_ageing"].push_back({{"bucket", b.label},
                                   {"min_days", b.min_days},
                                   {"max_days", b.max_days ? json(*b.max_days) : json(nullptr)},
                                   {"count", b.count}});
  }
  j["oldest_open"] = json::array();
  for (const auto& o : r.oldest_open) {
    json row = line_json(o.ticket, r.timezone);
    row["age_seconds"] = o.age.count();
    j["oldest_open"].push_back(std::move(row));
  }
  j["resolve_distribution"] = json::array();
  for (const auto& b : r.resolve_distribution) {
    j["resolve_distribution"].push_back({{"bucket", b.label},
                                         {"min_seconds", b.min.count()},
                                         {"max_seconds", b.max ? json(b.max->count()) : json(nullptr)},
                                         {"count", b.count}});
  }
  j["sla_breaches"] = json::array();
  for (const auto& b : r.breaches) {
    json row = line_json(b.ticket, r.timezone);
    row["target"] = b.target;
    row["due"] = format_timestamp(b.due, zone);
    row["done"] = b.done ? json(format_timestamp(*b.done, zone)) : json(nullptr);
    row["late_seconds"] = b.late.count();
    j["sla_breaches"].push_back(std::move(row));
  }
  auto workload = [](const std::vector<WorkloadRow>& rows) {
    json arr = json::array();
    for (const auto& w : rows) {
      arr.push_back({{"name", w.name}, {"open", w.open}, {"resolved", w.resolved}, {"log_minutes", w.log_minutes}});
    }
    return arr;
  };
  j["workload"]["assignees"] = workload(r.workload_assignees);
  j["workload"]["teams"] = workload(r.workload_teams);
  j["trend"] = json::array();
  for (const auto& pt : r.trend) {
    json row;
    row["bucket"] = pt.label;
    row["start"] = format_timestamp(pt.start, zone);
    row["end"] = format_timestamp(pt.end, zone);
    const json measures = measures_json(pt.measures);
    for (const auto& [k, v] : measures.items()) {
      row[k] = v;
    }
    j["trend"].push_back(std::move(row));
  }
  return j;
}

std::string render_json(const ReviewReport& r)
{
  return to_json(r).dump(2) + "\n";
}

std::string render_csv(const ReviewReport& r)
{
  const json j = to_json(r);
  CsvWriter w;
  for (const auto& [k, v] : j["period"].items()) {
    w.row("period", "all", "", "", k, scalar_text(v));
  }
  w.row("tickets", "all", "", "", "read", scalar_text(j["tickets"]["read"]));
  w.row("tickets", "all", "", "", "left_out", scalar_text(j["tickets"]["left_out"]));
  for (const auto& l : j["tickets"]["left_out_files"]) {
    w.row("left_out", "file", scalar_text(l["source"]), "", "reason", scalar_text(l["reason"]));
  }
  w.measures(j["totals"], "all", "", "");
  const std::string group_by(to_string(r.options.group_by));
  for (const auto& g : j["groups"]["rows"]) {
    w.measures(g, group_by, scalar_text(g["group"]), "");
  }
  // Priority and team carry every measure; the other dimensions their volume.
  if (group_by != "priority") {
    for (const auto& g : j["by_priority"]) {
      w.measures(g, "priority", scalar_text(g["group"]), "");
    }
  }
  if (group_by != "team") {
    for (const auto& g : j["by_team"]) {
      w.measures(g, "team", scalar_text(g["group"]), "");
    }
  }
  for (const auto& [dimension, rows] : j["volume_by"].items()) {
    if (dimension == group_by || dimension == "priority" || dimension == "team") {
      continue;
    }
    for (const auto& g : rows) {
      for (const auto& [k, v] : g.items()) {
        if (k != "group") {
          w.row("volume", dimension, scalar_text(g["group"]), "", k, scalar_text(v));
        }
      }
    }
  }
  for (const auto& b : j["backlog_ageing"]) {
    w.row("backlog_ageing", "all", scalar_text(b["bucket"]), "", "count", scalar_text(b["count"]));
  }
  for (const auto& b : j["resolve_distribution"]) {
    w.row("resolve_distribution", "all", scalar_text(b["bucket"]), "", "count", scalar_text(b["count"]));
  }
  for (const auto& o : j["oldest_open"]) {
    w.row("oldest_open", "ticket", scalar_text(o["id"]), "", "age_seconds", scalar_text(o["age_seconds"]));
  }
  for (const auto& b : j["sla_breaches"]) {
    w.row("sla_breach", "ticket", scalar_text(b["id"]), "", scalar_text(b["target"]) + "_late_seconds",
          scalar_text(b["late_seconds"]));
  }
  for (const auto& [kind, dimension] : {std::pair{"assignees", "assignee"}, std::pair{"teams", "team"}}) {
    for (const auto& row : j["workload"][kind]) {
      for (const char* m : {"open", "resolved", "log_minutes"}) {
        w.row("workload", dimension, scalar_text(row["name"]), "", m, scalar_text(row[m]));
      }
    }
  }
  for (const auto& pt : j["trend"]) {
    w.measures(pt, "all", "", scalar_text(pt["bucket"]));
  }
  return w.text();
}

} // namespace desk::report
