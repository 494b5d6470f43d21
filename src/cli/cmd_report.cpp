#include "cli/commands.hpp"

#include "cli/table.hpp"

#include <desk/ops/review.hpp>
#include <desk/report/render.hpp>
#include <desk/report/review.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

namespace desk::cli {

namespace {

struct ReportArgs {
  std::string since;
  std::string until;
  std::string by = "week";
  std::string group_by = "team";
  std::string format = "table";
  std::string output;
};

const std::vector<std::string>& format_names()
{
  static const std::vector<std::string> k_formats = {"table", "json", "csv", "markdown", "html"};
  return k_formats;
}

// The review for a terminal: each section's title, notes and aligned tables.
std::string render_terminal(const report::ReviewReport& r, bool color)
{
  std::string out = paint(color, "1",
                          "Service review " + report::fmt_text::period_title(r));
  out += "\n";
  for (const report::DocSection& s : report::document(r)) {
    out += "\n" + paint(color, "1;4", text::visible(s.title)) + "\n";
    for (const auto& note : s.notes) {
      out += text::visible(note, true) + "\n";
    }
    for (const auto& t : s.tables) {
      if (!t.caption.empty()) {
        out += "\n" + paint(color, "1", text::visible(t.caption)) + "\n";
      } else {
        out += "\n";
      }
      if (t.rows.empty()) {
        out += "(none)\n";
        continue;
      }
      std::vector<Column> columns;
      for (std::size_t c = 0; c < t.headers.size(); ++c) {
        Column col{t.headers[c], c < t.right.size() && t.right[c], 0};
        if (t.headers[c] == "TITLE") {
          col.max_width = 40;
        }
        columns.push_back(col);
      }
      Table table(columns);
      for (const auto& row : t.rows) {
        table.add_row(row);
      }
      if (color) {
        table.style_header = [](std::size_t, const std::string& txt) { return paint(true, "2", txt); };
      }
      out += table.render();
    }
  }
  out += "\nDefinitions of the measures: desk report --help\n";
  return out;
}

} // namespace

void register_report(CLI::App& app, Globals& g)
{
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
    "report", "Service review: volumes, response/resolve times, SLA, FCR, escalations, backlog, satisfaction");
  cmd->add_option("--since", a->since, "Start of the period (inclusive); default: 30 days before --until")
    ->type_name("DATE");
  cmd->add_option("--until", a->until, "End of the period (exclusive); default: now (DESK_NOW)")->type_name("DATE");
  cmd->add_option("--by", a->by, "Trend bucket: week or month")->type_name("week|month")->capture_default_str();
  cmd->add_option("--group-by", a->group_by, "Grouped tables by: team, category, priority, assignee or channel")
    ->type_name("DIMENSION")
    ->capture_default_str();
  cmd->add_option("--format", a->format, "Output: table, json, csv, markdown or html")
    ->type_name("FORMAT")
    ->capture_default_str();
  cmd->add_option("-o,--output", a->output, k_output_help)
    ->type_name("FILE");
  cmd->footer(fmt::format("DATE is YYYY-MM-DD (midnight in the repository's time zone) or ISO 8601.\n"
                          "Formats: table (terminal), json and csv (documented shapes, share/doc/report-measures.md),\n"
                          "markdown (a review document), html (one self-contained page with SVG charts).\n\n{}",
                          report::measure_definitions()));
  cmd->callback([a, &g] {
    check_choice("--by", a->by, {"week", "month"});
    check_choice("--group-by", a->group_by, report::group_by_names());
    check_choice("--format", a->format, format_names());
    const Invocation s = open_invocation(g);
    const auto* zone = s.zone();
    report::ReportOptions options;
    options.now = s.now;
    options.bucket = *report::parse_bucket(a->by);
    options.group_by = *report::parse_dimension(a->group_by);
    options.until = a->until.empty() ? s.now : parse_timestamp_or_throw(a->until, zone, "--until");
    options.since = a->since.empty() ? options.until - std::chrono::days{30}
                                     : parse_timestamp_or_throw(a->since, zone, "--since");
    const report::ReviewReport r = ops::review(s.repo, options);
    for (const auto& l : r.left_out) {
      warn(fmt::format("left out {}: {} (not counted in the report)", l.source, l.reason));
    }

    std::string text;
    if (a->format == "json") {
      text = report::render_json(r);
    } else if (a->format == "csv") {
      text = report::render_csv(r);
    } else if (a->format == "markdown") {
      text = report::render_markdown(r);
    } else if (a->format == "html") {
      text = report::render_html(r);
    } else {
      text = render_terminal(r, a->output.empty() && use_color(g));
    }
    if (a->output.empty()) {
      out(text);
    } else {
      storage::write_output_file(a->output, text);
    }
  });
}

} // namespace desk::cli
