#include <desk/report/render.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace desk::report {

namespace {

// Chart colours (colour-blind safe Tableau-like palette).
constexpr std::string_view k_blue = "#4c78a8";
constexpr std::string_view k_green = "#54a24b";
constexpr std::string_view k_orange = "#f58518";
constexpr std::string_view k_red = "#e45756";
constexpr std::string_view k_teal = "#72b7b2";
constexpr std::string_view k_yellow = "#eeca3b";
constexpr std::string_view k_grid = "#e3e6ea";

std::string esc(std::string_view s)
{
  return text::html_escape(s);
}

// Numbers in SVG coordinates: one decimal at most.
std::string n1(double v)
{
  std::string s = fmt::format("{:.1f}", v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) {
    s.resize(s.size() - 2);
  }
  return s;
}

// The top of a count axis with 4 steps: 4 × the smallest step of 1, 2 or 5 × 10^k that
// reaches `v`, so every tick is a whole number.
double axis_top(double v)
{
  const double wanted = std::max(1.0, v / 4.0);
  const double magnitude = std::pow(10.0, std::floor(std::log10(wanted)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * magnitude >= wanted) {
      return 4 * step * magnitude;
    }
  }
  return 40 * magnitude;
}

// Horizontal grid lines and labels for a value axis from 0 to `max` (4 steps).
std::string y_axis(double max, double left, double top, double width, double height)
{
  std::string out;
  for (int i = 0; i <= 4; ++i) {
    const double value = max * i / 4.0;
    const double y = top + height - height * i / 4.0;
    out += fmt::format(R"(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>)", n1(left), n1(y),
                       n1(left + width), n1(y), k_grid);
    const std::string label = n1(value);
    out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>)", n1(left - 6), n1(y + 4),
                       label);
  }
  return out;
}

std::string empty_note(double x, double y)
{
  return fmt::format(R"(<text class="empty" x="{}" y="{}" text-anchor="middle">No data in this period</text>)", n1(x),
                     n1(y));
}

std::string svg_open(std::string_view id, std::string_view title, int width, int height)
{
  return fmt::format(R"(<svg id="{}" class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" )"
                     R"(xmlns="http://www.w3.org/2000/svg"><title>{}</title>)",
                     id, width, height, esc(title), esc(title));
}

std::string legend_item(double x, double y, std::string_view colour, std::string_view label, bool line = false)
{
  std::string mark = line ? fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"/>)",
                                        n1(x), n1(y + 5), n1(x + 14), n1(y + 5), colour)
                          : fmt::format(R"(<rect x="{}" y="{}" width="12" height="10" rx="2" fill="{}"/>)", n1(x),
                                        n1(y), colour);
  return mark + fmt::format(R"(<text class="legend" x="{}" y="{}">{}</text>)", n1(x + 18), n1(y + 9), esc(label));
}

// Opened and resolved per bucket as bars, backlog at each bucket's end as a line.
std::string volume_trend_chart(const ReviewReport& r)
{
  constexpr int w = 560;
  constexpr int h = 280;
  const double left = 44;
  const double top = 34;
  const double width = w - left - 16;
  const double height = h - top - 40;
  std::string out = svg_open("chart-volume-trend", "Volume trend: opened, resolved and backlog", w, h);
  out += legend_item(left, 8, k_blue, "Opened");
  out += legend_item(left + 80, 8, k_green, "Resolved");
  out += legend_item(left + 172, 8, k_orange, "Backlog at end", true);
  const auto& pts = r.trend;
  double max = 0;
  for (const auto& p : pts) {
    const Volume& v = p.measures.volume;
    max = std::max({max, double(v.opened), double(v.resolved), double(v.backlog_end)});
  }
  const double top_value = axis_top(max);
  out += y_axis(top_value, left, top, width, height);
  if (pts.empty() || max == 0) {
    out += empty_note(left + width / 2, top + height / 2);
    return out + "</svg>";
  }
  const double slot = width / static_cast<double>(pts.size());
  const double bar = std::min(28.0, slot * 0.34);
  const std::size_t label_every = std::max<std::size_t>(1, (pts.size() + 11) / 12);
  auto y_of = [&](double v) { return top + height - height * v / top_value; };
  std::string line_points;
  std::string dots;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const Volume& v = pts[i].measures.volume;
    const double cx = left + slot * (static_cast<double>(i) + 0.5);
    const double yo = y_of(v.opened);
    const double yr = y_of(v.resolved);
    out += fmt::format(R"(<rect class="bar bar-opened" x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2">)"
                       R"(<title>{}: {} opened</title></rect>)",
                       n1(cx - bar - 1), n1(yo), n1(bar), n1(top + height - yo), k_blue, esc(pts[i].label), v.opened);
    out += fmt::format(R"(<rect class="bar bar-resolved" x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2">)"
                       R"(<title>{}: {} resolved</title></rect>)",
                       n1(cx + 1), n1(yr), n1(bar), n1(top + height - yr), k_green, esc(pts[i].label), v.resolved);
    const double yb = y_of(v.backlog_end);
    line_points += fmt::format("{}{},{}", line_points.empty() ? "" : " ", n1(cx), n1(yb));
    dots += fmt::format(R"(<circle class="point point-backlog" cx="{}" cy="{}" r="3.5" fill="{}">)"
                        R"(<title>{}: {} open at the end</title></circle>)",
                        n1(cx), n1(yb), k_orange, esc(pts[i].label), v.backlog_end);
    if (i % label_every == 0) {
      std::string label = pts[i].label;
      if (r.options.bucket == Bucket::week && label.size() == 10) {
        label = label.substr(5); // MM-DD
      }
      out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)", n1(cx),
                         n1(top + height + 16), esc(label));
    }
  }
  out += fmt::format(R"(<polyline class="line line-backlog" points="{}" fill="none" stroke="{}" stroke-width="2.5"/>)",
                     line_points, k_orange);
  out += dots;
  out += fmt::format(R"(<text class="axis-title" x="{}" y="{}" text-anchor="middle">{} starting</text>)",
                     n1(left + width / 2), n1(h - 4), r.options.bucket == Bucket::week ? "week" : "month");
  return out + "</svg>";
}

// Respond and resolve compliance per priority as horizontal bars on a 0-100% scale.
std::string sla_chart(const ReviewReport& r)
{
  std::vector<const GroupRow*> rows;
  for (const auto& g : r.by_priority) {
    if (g.measures.sla.respond.measured > 0 || g.measures.sla.resolve.measured > 0) {
      rows.push_back(&g);
    }
  }
  constexpr int w = 560;
  const double left = 70;
  const double top = 34;
  const double width = w - left - 110;
  const double row_height = 46;
  const double height = std::max(1.0, static_cast<double>(rows.size())) * row_height;
  const int h = static_cast<int>(top + height + 26);
  std::string out = svg_open("chart-sla-priority", "SLA compliance by priority", w, h);
  out += legend_item(left, 8, k_teal, "Respond target met");
  out += legend_item(left + 150, 8, k_blue, "Resolve target met");
  for (int i = 0; i <= 4; ++i) {
    const double x = left + width * i / 4.0;
    out += fmt::format(R"(<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>)", n1(x), n1(top - 4),
                       n1(x), n1(top + height), k_grid);
    out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="middle">{}%</text>)", n1(x),
                       n1(top + height + 16), i * 25);
  }
  if (rows.empty()) {
    out += empty_note(left + width / 2, top + height / 2 + 4);
    return out + "</svg>";
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const GroupRow& g = *rows[i];
    const double y = top + row_height * static_cast<double>(i);
    out += fmt::format(R"(<text class="label" x="{}" y="{}" text-anchor="end">{}</text>)", n1(left - 8),
                       n1(y + row_height / 2 + 4), esc(g.name));
    int k = 0;
    for (const auto& [target, name, colour] :
         {std::tuple{&g.measures.sla.respond, "respond", k_teal}, std::tuple{&g.measures.sla.resolve, "resolve", k_blue}}) {
      const double by = y + 5 + k * 18;
      ++k;
      const auto share = target->compliance().value();
      if (!share) {
        out += fmt::format(R"(<text class="value muted" x="{}" y="{}">{}: no tickets</text>)", n1(left + 4), n1(by + 12),
                           name);
        continue;
      }
      const double bw = std::max(1.5, width * *share);
      out += fmt::format(R"(<rect class="bar bar-{}" x="{}" y="{}" width="{}" height="15" rx="2" fill="{}">)"
                         R"(<title>{} {}: {} of {} met</title></rect>)",
                         name, n1(left), n1(by), n1(bw), colour, esc(g.name), name, target->met, target->measured);
      out += fmt::format(R"(<text class="value" x="{}" y="{}">{} ({}/{})</text>)", n1(left + bw + 6), n1(by + 12),
                         fmt_text::percent(target->compliance()), target->met, target->measured);
    }
  }
  return out + "</svg>";
}

// Vertical bars with a count on top of each, one colour per bar.
std::string bar_chart(std::string_view id, std::string_view title, std::string_view axis,
                      const std::vector<std::pair<std::string, int>>& bars, const std::vector<std::string_view>& colours,
                      std::string_view bar_class)
{
  constexpr int w = 560;
  constexpr int h = 260;
  const double left = 44;
  const double top = 20;
  const double width = w - left - 16;
  const double height = h - top - 44;
  std::string out = svg_open(id, title, w, h);
  int max = 0;
  for (const auto& [label, count] : bars) {
    max = std::max(max, count);
  }
  const double top_value = axis_top(max);
  out += y_axis(top_value, left, top, width, height);
  const double slot = width / static_cast<double>(std::max<std::size_t>(1, bars.size()));
  const double bar = std::min(56.0, slot * 0.6);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& [label, count] = bars[i];
    const double cx = left + slot * (static_cast<double>(i) + 0.5);
    const double bh = height * count / top_value;
    const std::string_view colour = colours[std::min(i, colours.size() - 1)];
    out += fmt::format(R"(<rect class="bar {}" x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}">)"
                       R"(<title>{}: {}</title></rect>)",
                       bar_class, n1(cx - bar / 2), n1(top + height - bh), n1(bar), n1(bh), colour, esc(label), count);
    if (count > 0) {
      out += fmt::format(R"(<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>)", n1(cx),
                         n1(top + height - bh - 5), count);
    }
    out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)", n1(cx),
                       n1(top + height + 16), esc(label));
  }
  if (max == 0) {
    out += empty_note(left + width / 2, top + height / 2);
  }
  out += fmt::format(R"(<text class="axis-title" x="{}" y="{}" text-anchor="middle">{}</text>)", n1(left + width / 2),
                     n1(h - 6), esc(axis));
  return out + "</svg>";
}

std::string resolve_chart(const ReviewReport& r)
{
  std::vector<std::pair<std::string, int>> bars;
  for (const auto& b : r.resolve_distribution) {
    bars.emplace_back(b.label, b.count);
  }
  return bar_chart("chart-resolve-distribution", "Time to resolve (business hours), tickets resolved in the period",
                   "business time to resolve", bars, {k_blue}, "bar-duration");
}

std::string ageing_chart(const ReviewReport& r)
{
  std::vector<std::pair<std::string, int>> bars;
  for (const auto& b : r.backlog_ageing) {
    bars.emplace_back(b.label, b.count);
  }
  return bar_chart("chart-backlog-ageing", "Backlog ageing: open tickets by age", "age of open tickets (calendar days)",
                   bars, {k_green, k_teal, k_yellow, k_orange, k_red}, "bar-ageing");
}

std::string card(std::string_view id, std::string_view label, std::string_view value, std::string_view detail)
{
  return fmt::format(R"(<div class="card" id="kpi-{}"><div class="kpi-label">{}</div><div class="kpi-value">{}</div>)"
                     R"(<div class="kpi-detail">{}</div></div>)",
                     id, esc(label), esc(value), esc(detail));
}

std::string html_table(const DocTable& t)
{
  std::string out;
  if (!t.caption.empty()) {
    out += fmt::format("<h3>{}</h3>\n", esc(t.caption));
  }
  if (t.rows.empty()) {
    return out + "<p class=\"muted\">None.</p>\n";
  }
  auto cls = [&](std::size_t c) { return c < t.right.size() && t.right[c] ? " class=\"num\"" : ""; };
  out += "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (std::size_t c = 0; c < t.headers.size(); ++c) {
    out += fmt::format("<th{}>{}</th>", cls(c), esc(t.headers[c]));
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    const bool total = !row.empty() && row[0] == "All";
    out += total ? "<tr class=\"total\">" : "<tr>";
    for (std::size_t c = 0; c < t.headers.size(); ++c) {
      out += fmt::format("<td{}>{}</td>", cls(c), esc(c < row.size() ? row[c] : std::string()));
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

constexpr std::string_view k_style = R"(
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f5f6f8; --card:#ffffff; --accent:#4c78a8; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
    "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
  font-size:14px; line-height:1.5; }
header { background:linear-gradient(120deg,#1e3a5f,#4c78a8); color:#fff; padding:28px 0 24px; }
.wrap { max-width:1180px; margin:0 auto; padding:0 24px; }
header h1 { margin:0 0 4px; font-size:26px; font-weight:650; letter-spacing:.2px; }
header .sub { opacity:.9; }
.warning { background:#fff7e6; border:1px solid #f5c16c; border-radius:8px; padding:10px 14px; margin:18px 0 0; }
.warning ul { margin:6px 0 0 18px; padding:0; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(160px,1fr)); gap:14px; margin:22px 0; }
.card { background:var(--card); border-radius:10px; padding:14px 16px; box-shadow:0 1px 3px rgba(0,0,0,.08); }
.kpi-label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.6px; }
.kpi-value { font-size:28px; font-weight:650; margin:2px 0; font-variant-numeric:tabular-nums; }
.kpi-detail { color:var(--muted); font-size:12px; }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(460px,1fr)); gap:16px; }
.panel { background:var(--card); border-radius:10px; padding:14px 16px 8px; box-shadow:0 1px 3px rgba(0,0,0,.08); }
.panel h2 { font-size:15px; margin:0 0 6px; }
svg.chart { width:100%; height:auto; display:block; }
svg.chart text { font-family:inherit; fill:#374151; }
svg.chart .tick { font-size:11px; fill:#6b7280; }
svg.chart .legend, svg.chart .label { font-size:12px; }
svg.chart .value { font-size:11px; font-weight:600; }
svg.chart .muted, svg.chart .empty { fill:#9ca3af; font-style:italic; }
svg.chart .axis-title { font-size:11px; fill:#6b7280; }
section.report { background:var(--card); border-radius:10px; padding:6px 20px 14px; margin:18px 0;
  box-shadow:0 1px 3px rgba(0,0,0,.08); }
section.report h2 { font-size:18px; margin:14px 0 6px; }
section.report h3 { font-size:13px; margin:16px 0 6px; color:#374151; text-transform:uppercase; letter-spacing:.4px; }
p.note { color:var(--muted); margin:4px 0; }
.table-wrap { overflow-x:auto; }
table { border-collapse:collapse; width:auto; min-width:50%; font-size:13px; font-variant-numeric:tabular-nums; }
th { text-align:left; font-weight:600; color:#4b5563; font-size:11px; letter-spacing:.4px; border-bottom:2px solid var(--line);
  padding:6px 8px; white-space:nowrap; }
td { padding:5px 14px 5px 8px; border-bottom:1px solid var(--line); }
tbody tr:nth-child(even) { background:#fafbfc; }
tr.total td { font-weight:650; border-top:2px solid var(--line); }
.num { text-align:right; white-space:nowrap; }
.muted { color:var(--muted); }
details { margin:18px 0 30px; background:var(--card); border-radius:10px; padding:12px 20px;
  box-shadow:0 1px 3px rgba(0,0,0,.08); }
details pre { white-space:pre-wrap; font-size:12px; }
footer { color:var(--muted); font-size:12px; padding:0 0 30px; }
@media print { body { background:#fff; } .card, .panel, section.report, details { box-shadow:none; border:1px solid var(--line); }
  header { background:#1e3a5f; -webkit-print-color-adjust:exact; print-color-adjust:exact; } }
)";

} // namespace

std::string render_html(const ReviewReport& r)
{
  const Measures& m = r.totals;
  const std::string& zone = r.timezone;
  const std::string title = "Service review " + fmt_text::period_title(r);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", esc(title), k_style);
  out += fmt::format("<header><div class=\"wrap\"><h1>{}</h1><div class=\"sub\">{} · backlog as of {} · {} tickets "
                     "read · trend by {} · grouped by {}</div></div></header>\n",
                     esc(title), esc(fmt_text::period(r)), esc(fmt_text::local(r.as_of, zone)), r.tickets_read,
                     to_string(r.options.bucket), to_string(r.options.group_by));
  out += "<main class=\"wrap\">\n";
  if (!r.left_out.empty()) {
    out += fmt::format("<div class=\"warning\" id=\"left-out\"><strong>{} ticket file{} left out</strong> "
                       "(not counted anywhere in this report):<ul>",
                       r.left_out.size(), r.left_out.size() == 1 ? " was" : "s were");
    for (const auto& l : r.left_out) {
      out += fmt::format("<li><code>{}</code>: {}</li>", esc(l.source), esc(l.reason));
    }
    out += "</ul></div>\n";
  }

  const Resolution& q = m.resolution;
  out += "<div class=\"cards\">";
  out += card("opened", "Opened", std::to_string(m.volume.opened),
              fmt::format("{} closed, {} cancelled", m.volume.closed, m.volume.cancelled));
  out += card("resolved", "Resolved", std::to_string(m.volume.resolved),
              fmt::format("median {} (business)", fmt_text::hours(m.resolve.business.median)));
  out += card("backlog", "Backlog", std::to_string(m.volume.backlog_end),
              fmt::format("{} at the start", m.volume.backlog_start));
  out += card("sla", "SLA resolve met", fmt_text::percent(m.sla.resolve.compliance()),
              fmt::format("respond met {}", fmt_text::percent(m.sla.respond.compliance())));
  out += card("fcr", "First contact", fmt_text::percent({q.first_contact, q.resolved}),
              fmt::format("resolved at once · first level {}", fmt_text::percent({q.first_level, q.resolved})));
  out += card("rating", "Satisfaction", fmt_text::rating(m.satisfaction.average()),
              fmt::format("{} rated, {} satisfied", m.satisfaction.rated,
                          fmt_text::percent({m.satisfaction.satisfied, m.satisfaction.rated})));
  out += "</div>\n";

  out += "<div class=\"charts\">\n";
  out += "<div class=\"panel\"><h2>Volume trend</h2>" + volume_trend_chart(r) + "</div>\n";
  out += "<div class=\"panel\"><h2>SLA compliance by priority</h2>" + sla_chart(r) + "</div>\n";
  out += "<div class=\"panel\"><h2>Time to resolve</h2>" + resolve_chart(r) + "</div>\n";
  out += "<div class=\"panel\"><h2>Backlog ageing</h2>" + ageing_chart(r) + "</div>\n";
  out += "</div>\n";

  for (const DocSection& s : document(r)) {
    out += fmt::format("<section class=\"report\" id=\"section-{}\">\n<h2>{}</h2>\n", s.id, esc(s.title));
    for (const auto& note : s.notes) {
      if (s.id == "summary" && note.rfind("Left out ", 0) == 0) {
        continue; // shown in the warning box
      }
      out += fmt::format("<p class=\"note\">{}</p>\n", esc(note));
    }
    for (const auto& t : s.tables) {
      out += html_table(t);
    }
    out += "</section>\n";
  }
  out += fmt::format("<details id=\"definitions\"><summary>How the measures are defined</summary><pre>{}</pre>"
                     "</details>\n",
                     esc(measure_definitions()));
  out += "</main>\n";
  out += fmt::format("<footer class=\"wrap\">Generated by desk report from the ticket events before {}.</footer>\n",
                     esc(fmt_text::local(r.options.until, zone)));
  out += "</body>\n</html>\n";
  return out;
}

} // namespace desk::report
