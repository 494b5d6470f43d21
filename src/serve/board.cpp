#include "serve/pages.hpp"

#include <desk/ops/review.hpp>
#include <desk/report/render.hpp>
#include <desk/report/review.hpp>
#include <desk/sla/ticket_sla.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

namespace desk::serve {

namespace {

using Json = nlohmann::json;

bool require_staff(App& app, const Visitor& v, httplib::Response& res)
{
  if (v.staff) {
    return true;
  }
  if (v.email.empty() && app.repo()->config().serve.auth == PortalAuth::mail) {
    redirect(res, "/signin");
  } else {
    send_error_page(app, v, res, 403, app.renderer()->word(v.lang, "staff_only"));
  }
  return false;
}

// The worse of a ticket's two targets, for grouping: breached, at_risk, ok (or none).
std::string board_state(const sla::TicketSla& s)
{
  if (!s.applies) {
    return "none";
  }
  for (const auto state : {sla::TargetState::breached, sla::TargetState::at_risk}) {
    if (s.respond.state == state || s.resolve.state == state) {
      return std::string(sla::to_string(state));
    }
  }
  return "ok";
}

} // namespace

void add_board_routes(httplib::Server& server, App& app)
{
  server.Get("/board", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!require_staff(app, v, res)) {
      return;
    }
    const auto repo = app.repo();
    const Config& c = repo->config();
    const auto r = app.renderer();
    const Timestamp now = app.now();
    const auto* zone = find_zone(c.timezone);
    std::map<std::string, Json> groups;
    for (const char* g : {"breached", "at_risk", "ok", "none"}) {
      groups[g] = Json::array();
    }
    std::vector<storage::LoadProblem> problems;
    storage::Selection open_only;
    open_only.keep_brief = [](const TicketBrief& b) {
      const auto st = workflow::parse_status(b.status);
      return st && !workflow::is_final(*st);
    };
    repo->tickets().for_each(problems, open_only, [&](Ticket&& t, std::string_view) {
      const sla::TicketSla s = sla::evaluate(t, c, now);
      const auto& target = s.respond.done ? s.resolve : s.respond; // the next target due
      groups[board_state(s)].push_back({{"id", t.id()},
                                        {"priority", t.get("priority")},
                                        {"status", r->word(v.lang, "status." + t.status())},
                                        {"assignee", t.get("assignee")},
                                        {"team", t.get("team")},
                                        {"title", t.get("title")},
                                        {"due", s.applies ? format_local_minutes(target.due, zone) : std::string()}});
    });
    Json sections = Json::array();
    for (const char* g : {"breached", "at_risk", "ok", "none"}) {
      sections.push_back({{"state", g},
                          {"heading", r->word(v.lang, std::string("board.") + g)},
                          {"count", std::to_string(groups[g].size())},
                          {"tickets", groups[g]},
                          {"empty", groups[g].empty()}});
    }
    Json skipped = Json::array();
    for (const auto& p : problems) {
      skipped.push_back(p.message);
    }
    send_page(app, v, res, 200, "board",
              {{"title", r->word(v.lang, "board.title")}, {"sections", sections}, {"problems", skipped},
               {"has_problems", !skipped.empty()}});
  });

  // The review report (desk report --format html), last 30 days or ?since=&until=.
  server.Get("/board/report", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!require_staff(app, v, res)) {
      return;
    }
    const auto repo = app.repo();
    const auto* zone = find_zone(repo->config().timezone);
    report::ReportOptions options;
    options.now = app.now();
    options.until = req.has_param("until") ? parse_timestamp_or_throw(req.get_param_value("until"), zone, "until")
                                           : options.now;
    options.since = req.has_param("since") ? parse_timestamp_or_throw(req.get_param_value("since"), zone, "since")
                                           : options.until - std::chrono::days{30};
    const report::ReviewReport r = ops::review(*repo, options);
    // The report is one self-contained page with inline styles and SVG, and no scripts.
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
    res.set_header("Cache-Control", "no-store");
    res.set_content(report::render_html(r), "text/html; charset=utf-8");
  });
}

} // namespace desk::serve
