// The CSV reader of `desk import csv` and `import servicenow`: every cell of a table that
// parses can be read with its position.
#include "fuzz_support.hpp"

#include <desk/import/csv.hpp>
#include <desk/util/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  if (size == 0) {
    return 0;
  }
  // The first byte picks the delimiter (comma, semicolon, tab), as a mapping may.
  desk::import::CsvOptions options;
  options.delimiter = data[0] % 3 == 0 ? ',' : data[0] % 3 == 1 ? ';' : '\t';
  try {
    const auto table = desk::import::CsvTable::parse(std::string(desk::fuzz::as_text(data + 1, size - 1)), "fuzz.csv",
                                                     options);
    std::size_t total = 0;
    for (std::size_t r = 0; r < table.rows(); ++r) {
      for (std::size_t c = 0; c < table.columns(); ++c) {
        total += table.cell(r, c).size();
        const auto [line, column] = table.position(r, c);
        desk::fuzz::check(line >= 1 && column >= 1, "a cell has no position");
      }
    }
    desk::fuzz::check(total <= size, "cells hold more text than the file");
    if (table.columns() > 0) {
      table.find_column(table.header().front());
    }
  } catch (const desk::Error&) {
  }
  return 0;
}
