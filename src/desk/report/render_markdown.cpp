#include <desk/report/render.hpp>

#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace desk::report {

namespace {

// A cell safe inside a Markdown table row (and on a terminal: text::visible).
std::string md_cell(std::string_view s)
{
  std::string out;
  for (char c : text::visible(text::one_line(s))) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

// A pipe table, padded by display width so the source reads as a table too.
std::string md_table(const DocTable& t)
{
  const std::size_t n = t.headers.size();
  std::vector<std::size_t> width(n, 3);
  std::vector<std::vector<std::string>> cells;
  cells.reserve(t.rows.size());
  for (std::size_t c = 0; c < n; ++c) {
    width[c] = std::max(width[c], text::display_width(md_cell(t.headers[c])));
  }
  for (const auto& row : t.rows) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < n; ++c) {
      line.push_back(md_cell(c < row.size() ? row[c] : std::string()));
      width[c] = std::max(width[c], text::display_width(line.back()));
    }
    cells.push_back(std::move(line));
  }
  auto right = [&](std::size_t c) { return c < t.right.size() && t.right[c]; };
  std::string out = "|";
  for (std::size_t c = 0; c < n; ++c) {
    out += " " + text::pad_to_width(md_cell(t.headers[c]), width[c], right(c)) + " |";
  }
  out += "\n|";
  for (std::size_t c = 0; c < n; ++c) {
    out += right(c) ? " " + std::string(width[c] - 1, '-') + ": |" : " " + std::string(width[c], '-') + " |";
  }
  out += "\n";
  for (const auto& line : cells) {
    out += "|";
    for (std::size_t c = 0; c < n; ++c) {
      out += " " + text::pad_to_width(line[c], width[c], right(c)) + " |";
    }
    out += "\n";
  }
  return out;
}

} // namespace

std::string render_markdown(const ReviewReport& r)
{
  std::string out = fmt::format("# Service review {}\n\n", fmt_text::period_title(r));
  for (const DocSection& s : document(r)) {
    out += fmt::format("## {}\n\n", s.title);
    for (const auto& note : s.notes) {
      out += md_cell(note) + "\n\n";
    }
    for (const auto& t : s.tables) {
      if (!t.caption.empty()) {
        out += fmt::format("**{}**\n\n", md_cell(t.caption));
      }
      if (t.rows.empty()) {
        out += "_None._\n\n";
        continue;
      }
      out += md_table(t) + "\n";
    }
  }
  out += "## Definitions\n\n```text\n";
  out += measure_definitions();
  out += "\n```\n";
  return out;
}

} // namespace desk::report
