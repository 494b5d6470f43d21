#include "cli/table.hpp"

#include <desk/util/text.hpp>

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace desk::cli {

namespace {

constexpr std::string_view k_separator = "  ";
constexpr std::size_t k_min_shrunk_width = 8;

// `s` without trailing ASCII spaces.
std::string_view strip_trailing_spaces(std::string_view s)
{
  while (!s.empty() && s.back() == ' ') {
    s.remove_suffix(1);
  }
  return s;
}

} // namespace

Table::Table(std::vector<Column> columns) : m_columns(std::move(columns))
{
  for (Column& column : m_columns) {
    column.header = text::visible(text::one_line(column.header));
  }
}

void Table::add_row(std::vector<std::string> cells)
{
  if (cells.size() > m_columns.size()) {
    throw std::invalid_argument("table row has more cells than the table has columns");
  }
  cells.resize(m_columns.size());
  for (std::string& cell : cells) {
    cell = text::visible(text::one_line(cell));
  }
  m_rows.push_back(std::move(cells));
}

std::size_t Table::row_count() const
{
  return m_rows.size();
}

std::vector<std::size_t> Table::column_widths(std::size_t total_width) const
{
  const std::size_t count = m_columns.size();
  std::vector<std::size_t> natural(count);
  std::vector<std::size_t> floor(count);
  for (std::size_t c = 0; c < count; ++c) {
    const Column& column = m_columns[c];
    const std::size_t header_width = text::display_width(column.header);
    std::size_t width = header_width;
    for (const auto& row : m_rows) {
      width = std::max(width, text::display_width(row[c]));
    }
    if (column.max_width > 0) {
      width = std::min(width, column.max_width);
    }
    natural[c] = width;
    floor[c] = std::min(width, std::max(k_min_shrunk_width, header_width));
  }
  if (total_width == 0 || count == 0) {
    return natural;
  }

  // Shrinkable columns are capped at a common level; the widest ones give way first.
  const auto widths_at = [&](std::size_t level) {
    std::vector<std::size_t> widths = natural;
    for (std::size_t c = 0; c < count; ++c) {
      if (m_columns[c].max_width == 0) {
        widths[c] = std::max(floor[c], std::min(natural[c], level));
      }
    }
    return widths;
  };
  const auto total_of = [&](const std::vector<std::size_t>& widths) {
    std::size_t total = k_separator.size() * (count - 1);
    for (std::size_t w : widths) {
      total += w;
    }
    return total;
  };

  std::size_t high = *std::max_element(natural.begin(), natural.end());
  if (total_of(natural) <= total_width) {
    return natural;
  }
  if (total_of(widths_at(0)) > total_width) {
    return widths_at(0); // cannot fit: every shrinkable column at its floor
  }
  // Largest level that fits: total_of(widths_at(level)) is non-decreasing in level.
  std::size_t low = 0;
  while (low < high) {
    const std::size_t mid = low + (high - low + 1) / 2;
    if (total_of(widths_at(mid)) <= total_width) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  std::vector<std::size_t> widths = widths_at(low);
  // Hand the columns left over to the leftmost columns held at the level.
  std::size_t slack = total_width - total_of(widths);
  for (std::size_t c = 0; c < count && slack > 0; ++c) {
    if (m_columns[c].max_width == 0 && widths[c] == low && natural[c] > low) {
      ++widths[c];
      --slack;
    }
  }
  return widths;
}

std::string Table::render(std::size_t total_width) const
{
  const std::size_t count = m_columns.size();
  if (count == 0) {
    return {};
  }
  const std::vector<std::size_t> widths = column_widths(total_width);

  std::string out;
  // `row` is npos for the header.
  const auto render_line = [&](const auto& cell_text, std::size_t row) {
    std::vector<std::string> pieces(count);
    std::size_t last_visible = count; // none
    for (std::size_t c = 0; c < count; ++c) {
      const bool right = m_columns[c].right_align;
      pieces[c] = text::pad_to_width(cell_text(c), widths[c], right);
      if (!strip_trailing_spaces(pieces[c]).empty()) {
        last_visible = c;
      }
    }
    if (last_visible < count) {
      // The last shown cell is not padded, so no line ends in spaces.
      pieces[last_visible].resize(strip_trailing_spaces(pieces[last_visible]).size());
      for (std::size_t c = 0; c <= last_visible; ++c) {
        if (c > 0) {
          out += k_separator;
        }
        if (row == std::string::npos) {
          out += style_header ? style_header(c, pieces[c]) : pieces[c];
        } else {
          out += style_cell ? style_cell(row, c, pieces[c]) : pieces[c];
        }
      }
    }
    out += '\n';
  };

  render_line([&](std::size_t c) -> const std::string& { return m_columns[c].header; },
              std::string::npos);
  for (std::size_t r = 0; r < m_rows.size(); ++r) {
    render_line([&](std::size_t c) -> const std::string& { return m_rows[r][c]; }, r);
  }
  return out;
}

} // namespace desk::cli
