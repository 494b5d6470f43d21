#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Reading CSV files as other tools export them (RFC 4180): fields separated by a delimiter,
// records by CRLF or LF, fields in double quotes may hold delimiters, line breaks and
// doubled quotes. Every malformed place is reported as `path:line:column`.
namespace desk::import {

// How a CSV file is read.
struct CsvOptions {
  char delimiter = ',';
};

// A whole CSV file: the header row and the data rows, each cell with its place in the file.
// Rows are checked to have exactly as many fields as the header.
class CsvTable {
public:
  // Parse `data` (the whole file; a leading UTF-8 BOM is skipped). `path` names the file in
  // errors. Throws ParseError (exit code 5) with the line and column of the first problem:
  // binary data, invalid UTF-8, a quote inside an unquoted field, text after a closing
  // quote, a quoted field that never closes (a truncated file), a row with the wrong number
  // of fields (a truncated last line says so), an empty file.
  static CsvTable parse(std::string data, std::string path, const CsvOptions& options = {});

  // The header's column names, as written.
  const std::vector<std::string>& header() const { return m_header; }

  // Number of columns (header fields).
  std::size_t columns() const { return m_header.size(); }

  // Number of data rows (without the header).
  std::size_t rows() const { return m_row_count; }

  // The text of one cell (quotes removed, doubled quotes undone, and the ' that guards a
  // formula-like text undone: text::csv_unguard).
  std::string_view cell(std::size_t row, std::size_t column) const;

  // Index of the first column named `name` (exact match), or npos.
  std::size_t find_column(std::string_view name) const;

  // Indexes of every column named `name` (exports repeat a name for multi-valued fields).
  std::vector<std::size_t> find_columns(std::string_view name) const;

  // 1-based line and column (in characters) where a cell starts.
  std::pair<int, int> position(std::size_t row, std::size_t column) const;

  // 1-based line where a data row starts.
  int line_of(std::size_t row) const { return position(row, 0).first; }

  // Throw ParseError at a cell.
  [[noreturn]] void fail(std::size_t row, std::size_t column, const std::string& message,
                         const std::string& hint = {}) const;

  // Throw ParseError at the header cell of `column` (npos: the start of the header).
  [[noreturn]] void fail_header(std::size_t column, const std::string& message, const std::string& hint = {}) const;

  // The name used in messages.
  const std::string& path() const { return m_path; }

private:
  // Where a cell's text lives: in the file text, or (for fields with doubled quotes) in the
  // arena of unescaped text.
  struct Cell {
    std::uint32_t offset = 0;
    std::uint32_t length = 0; // top bit set: the text is in m_arena at `offset`
  };

  std::pair<int, int> locate(std::size_t offset) const;

  std::string m_data;
  std::string m_path;
  std::string m_arena;
  std::vector<std::string> m_header;
  std::vector<Cell> m_cells;             // header cells first, then row by row
  std::vector<std::uint32_t> m_sources;  // file offset of each cell's first character
  std::vector<std::uint32_t> m_line_starts;
  std::size_t m_row_count = 0;
};

} // namespace desk::import
