#pragma once

#include <desk/report/review.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

// The review as text: a document model shared by the terminal table, markdown and html,
// and the data formats (json, csv). Everything returns strings; nothing prints.
namespace desk::report {

// A table of text cells.
struct DocTable {
  std::string caption;              // shown above the table; may be empty
  std::vector<std::string> headers;
  std::vector<bool> right;          // per column: align right (numbers)
  std::vector<std::vector<std::string>> rows;
};

// One section of the review document.
struct DocSection {
  std::string id;                 // stable anchor ("sla")
  std::string title;              // "SLA compliance"
  std::vector<std::string> notes; // sentences shown before the tables
  std::vector<DocTable> tables;
};

// The review as sections of tables, in reading order (summary first).
std::vector<DocSection> document(const ReviewReport& report);

// The JSON document (shape in share/doc/report-measures.md, "JSON").
nlohmann::ordered_json to_json(const ReviewReport& report);

// to_json, indented, with a final newline.
std::string render_json(const ReviewReport& report);

// The long CSV: section,dimension,group,bucket,measure,value (share/doc/report-measures.md, "CSV").
std::string render_csv(const ReviewReport& report);

// A review document in Markdown.
std::string render_markdown(const ReviewReport& report);

// One self-contained HTML page with inline SVG charts (no scripts, no network).
std::string render_html(const ReviewReport& report);

// Presentation helpers shared by the renderers (and the CLI's terminal table).
namespace fmt_text {

// A duration as hours and minutes: "45m", "3h 05m", "123h"; "–" when absent.
std::string hours(const std::optional<std::chrono::seconds>& d);

// A share as a percentage with one decimal: "87.5%"; "–" for 0 of 0.
std::string percent(const Share& s);

// A mean rating with two decimals, "–" when nothing was rated.
std::string rating(const std::optional<double>& r);

// `t` as "YYYY-MM-DD HH:MM" in `zone_name`.
std::string local(Timestamp t, const std::string& zone_name);

// `t` as "YYYY-MM-DD" in `zone_name`.
std::string local_date(Timestamp t, const std::string& zone_name);

// The period for people: "2026-10-28 17:30 – 2026-11-27 17:30 (Asia/Shanghai)".
std::string period(const ReviewReport& report);

// The days the period covers, for titles: "2026-11-01 – 2026-11-30" for [11-01, 12-01).
std::string period_title(const ReviewReport& report);

} // namespace fmt_text

} // namespace desk::report
