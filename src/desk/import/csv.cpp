#include <desk/import/csv.hpp>

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace desk::import {

namespace {

constexpr std::uint32_t k_arena_bit = 0x80000000U;

// Largest file the 32-bit cell offsets can address (and far more than any export).
constexpr std::size_t k_max_csv_size = 0x7FFFFFF0U;

} // namespace

std::pair<int, int> CsvTable::locate(std::size_t offset) const
{
  const auto it = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), static_cast<std::uint32_t>(offset));
  const std::size_t line_index = static_cast<std::size_t>(it - m_line_starts.begin()) - 1;
  const std::size_t start = m_line_starts[line_index];
  int column = 1;
  for (std::size_t i = start; i < offset && i < m_data.size(); ++i) {
    if ((static_cast<unsigned char>(m_data[i]) & 0xC0U) != 0x80U) {
      ++column;
    }
  }
  return {static_cast<int>(line_index) + 1, column};
}

CsvTable CsvTable::parse(std::string data, std::string path, const CsvOptions& options)
{
  CsvTable t;
  t.m_data = std::move(data);
  t.m_path = std::move(path);
  const std::string& d = t.m_data;
  const std::size_t size = d.size();
  if (size > k_max_csv_size) {
    throw ParseError(t.m_path, 0, 0, fmt::format("file is too large ({} bytes; at most 2 GiB)", size),
                     "split the export into smaller files and import each");
  }
  t.m_line_starts.push_back(0);
  for (const char* p = d.data(); (p = static_cast<const char*>(std::memchr(p, '\n', size - static_cast<std::size_t>(p - d.data())))) != nullptr; ++p) {
    t.m_line_starts.push_back(static_cast<std::uint32_t>(p - d.data() + 1));
  }
  auto fail_at = [&](std::size_t offset, const std::string& message, const std::string& hint = {}) {
    const auto [line, column] = t.locate(offset);
    throw ParseError(t.m_path, line, column, message, hint);
  };
  if (const auto nul = d.find('\0'); nul != std::string::npos) {
    fail_at(nul, "binary data (a NUL byte): this is not a CSV text file",
            "export the data as CSV (comma-separated text), or give the .zip as shipped");
  }
  if (const auto bad = text::first_invalid_utf8(d); bad != std::string::npos) {
    fail_at(bad, "invalid UTF-8: this is not a UTF-8 CSV text file",
            "convert it first, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8.csv`");
  }

  const char delim = options.delimiter;
  std::size_t pos = 0;
  if (d.starts_with("\xEF\xBB\xBF")) {
    pos = 3;
  }
  std::size_t columns = 0;
  bool have_header = false;
  // Rough capacity: one record per line.
  t.m_cells.reserve(t.m_line_starts.size() * 8);
  t.m_sources.reserve(t.m_line_starts.size() * 8);

  while (pos < size) {
    // Blank lines between records carry nothing; skip them.
    if (d[pos] == '\n') {
      ++pos;
      continue;
    }
    if (d[pos] == '\r' && (pos + 1 == size || d[pos + 1] == '\n')) {
      pos += pos + 1 == size ? 1 : 2;
      continue;
    }
    const std::size_t record_first_cell = t.m_cells.size();
    bool ended_with_newline = false;
    while (true) {
      const std::size_t field_start = pos;
      Cell cell;
      if (pos < size && d[pos] == '"') {
        ++pos;
        const std::size_t content_start = pos;
        std::size_t content_end = 0;
        bool doubled = false;
        while (true) {
          const void* q = pos < size ? std::memchr(d.data() + pos, '"', size - pos) : nullptr;
          if (!q) {
            fail_at(field_start, "a quoted field starting here is never closed: the file may be truncated",
                    "check that the file is complete (compare its size with the source), and that every "
                    "quote inside a field is doubled");
          }
          const std::size_t qpos = static_cast<std::size_t>(static_cast<const char*>(q) - d.data());
          if (qpos + 1 < size && d[qpos + 1] == '"') {
            doubled = true;
            pos = qpos + 2;
            continue;
          }
          content_end = qpos;
          pos = qpos + 1;
          break;
        }
        if (pos < size && d[pos] != delim && d[pos] != '\n' && d[pos] != '\r') {
          fail_at(pos, fmt::format("unexpected text after the closing quote of a quoted field"),
                  "a quote inside a quoted field must be doubled (\"\")");
        }
        if (doubled) {
          cell.offset = static_cast<std::uint32_t>(t.m_arena.size());
          std::size_t i = content_start;
          while (i < content_end) {
            t.m_arena += d[i];
            i += d[i] == '"' ? 2 : 1;
          }
          cell.length = static_cast<std::uint32_t>(t.m_arena.size() - cell.offset) | k_arena_bit;
        } else {
          cell.offset = static_cast<std::uint32_t>(content_start);
          cell.length = static_cast<std::uint32_t>(content_end - content_start);
        }
      } else {
        while (pos < size) {
          const char c = d[pos];
          if (c == delim || c == '\n' || c == '\r') {
            break;
          }
          if (c == '"') {
            fail_at(pos, "a quote inside an unquoted field",
                    "quote the whole field and double the quote inside it: \"5\"\" monitor\"");
          }
          ++pos;
        }
        cell.offset = static_cast<std::uint32_t>(field_start);
        cell.length = static_cast<std::uint32_t>(pos - field_start);
      }
      t.m_cells.push_back(cell);
      t.m_sources.push_back(static_cast<std::uint32_t>(field_start));
      if (pos >= size) {
        break;
      }
      if (d[pos] == delim) {
        ++pos;
        continue;
      }
      if (d[pos] == '\r') {
        ++pos;
      }
      if (pos < size && d[pos] == '\n') {
        ++pos;
      }
      ended_with_newline = true;
      break;
    }
    const std::size_t fields = t.m_cells.size() - record_first_cell;
    if (!have_header) {
      have_header = true;
      columns = fields;
      for (std::size_t i = 0; i < fields; ++i) {
        const Cell& c = t.m_cells[i];
        t.m_header.emplace_back((c.length & k_arena_bit) ? std::string_view(t.m_arena).substr(c.offset, c.length & ~k_arena_bit)
                                                         : std::string_view(d).substr(c.offset, c.length));
      }
      continue;
    }
    if (fields != columns) {
      if (fields < columns) {
        const Cell& last = t.m_cells.back();
        const std::size_t end =
          (last.length & k_arena_bit) ? t.m_sources.back() : static_cast<std::size_t>(last.offset) + last.length;
        if (!ended_with_newline) {
          fail_at(end,
                  fmt::format("the last line is incomplete: {} of {} fields; the file may be truncated", fields, columns),
                  "check that the file is complete (compare its size with the source)");
        }
        fail_at(end, fmt::format("this row has {} fields but the header has {}", fields, columns),
                "every row needs one value per header column (an empty value is written as nothing between two delimiters)");
      }
      fail_at(t.m_sources[record_first_cell + columns],
              fmt::format("this row has {} fields but the header has {} (this field is one too many)", fields, columns),
              "a value holding the delimiter must be quoted: \"a, b\"");
    }
    ++t.m_row_count;
  }
  if (!have_header) {
    throw ParseError(t.m_path, 1, 1, "the file is empty; a CSV file starts with a header row",
                     "export the data again, with the column names in the first row");
  }
  return t;
}

std::string_view CsvTable::cell(std::size_t row, std::size_t column) const
{
  const Cell& c = m_cells[(row + 1) * m_header.size() + column];
  if (c.length & k_arena_bit) {
    return text::csv_unguard(std::string_view(m_arena).substr(c.offset, c.length & ~k_arena_bit));
  }
  return text::csv_unguard(std::string_view(m_data).substr(c.offset, c.length));
}

std::size_t CsvTable::find_column(std::string_view name) const
{
  for (std::size_t i = 0; i < m_header.size(); ++i) {
    if (m_header[i] == name) {
      return i;
    }
  }
  return std::string::npos;
}

std::vector<std::size_t> CsvTable::find_columns(std::string_view name) const
{
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < m_header.size(); ++i) {
    if (m_header[i] == name) {
      out.push_back(i);
    }
  }
  return out;
}

std::pair<int, int> CsvTable::position(std::size_t row, std::size_t column) const
{
  return locate(m_sources[(row + 1) * m_header.size() + column]);
}

void CsvTable::fail(std::size_t row, std::size_t column, const std::string& message, const std::string& hint) const
{
  const auto [line, col] = position(row, column);
  throw ParseError(m_path, line, col, message, hint);
}

void CsvTable::fail_header(std::size_t column, const std::string& message, const std::string& hint) const
{
  if (column == std::string::npos || column >= m_header.size()) {
    throw ParseError(m_path, 1, 1, message, hint);
  }
  const auto [line, col] = locate(m_sources[column]);
  throw ParseError(m_path, line, col, message, hint);
}

} // namespace desk::import
