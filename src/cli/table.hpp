#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

// Plain-text tables for the terminal, aligned by display width (CJK counts two columns).
namespace desk::cli {

// One column of a Table.
struct Column
{
  // Title shown in the header row.
  std::string header;
  // Align cells (and the header) to the right, e.g. for numbers.
  bool right_align = false;
  // Widest the column may get in columns; longer cells end in "…". 0 = unlimited.
  std::size_t max_width = 0;
};

// Rows of cells laid out in columns separated by two spaces; no line has trailing spaces.
class Table
{
public:
  // Adds colour (or other decoration) around a header cell that is already padded.
  using HeaderStyle = std::function<std::string(std::size_t col, const std::string& padded_text)>;
  // Adds colour around a body cell (row counts from 0 after the header) already padded.
  using CellStyle =
    std::function<std::string(std::size_t row, std::size_t col, const std::string& padded_text)>;

  // A table with these columns and no rows.
  explicit Table(std::vector<Column> columns);

  // Append a row; missing cells are empty, extra cells throw std::invalid_argument.
  // Newlines and tabs in cells are shown as spaces (text::one_line), control characters as
  // visible escapes (text::visible).
  void add_row(std::vector<std::string> cells);

  // Number of rows added so far (the header not counted).
  std::size_t row_count() const;

  // The table as lines ending in '\n', header first. With `total_width` > 0, columns
  // without a max_width shrink (widest first, never below 8 or their header) to fit.
  std::string render(std::size_t total_width = 0) const;

  // Optional decoration of header cells; none by default.
  HeaderStyle style_header;
  // Optional decoration of body cells; none by default.
  CellStyle style_cell;

private:
  // Width of each column for the given limit.
  std::vector<std::size_t> column_widths(std::size_t total_width) const;

  std::vector<Column> m_columns;
  std::vector<std::vector<std::string>> m_rows; // cells already one_line'd
};

} // namespace desk::cli
