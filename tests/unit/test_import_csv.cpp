#include <desk/import/csv.hpp>
#include <desk/util/error.hpp>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

using desk::ParseError;
using desk::import::CsvOptions;
using desk::import::CsvTable;

namespace {

// The location part of a ParseError ("path:line:column"), or "" when no error.
std::string error_at(const std::string& data, const CsvOptions& options = {})
{
  try {
    CsvTable::parse(data, "f.csv", options);
  } catch (const ParseError& e) {
    return fmt::format("{}:{}", e.line(), e.column());
  }
  return {};
}

std::string error_message(const std::string& data)
{
  try {
    CsvTable::parse(data, "f.csv");
  } catch (const ParseError& e) {
    return e.what();
  }
  return {};
}

} // namespace

TEST_SUITE("import.csv") {

TEST_CASE("plain, quoted, doubled quotes, embedded newlines and CRLF")
{
  const auto t = CsvTable::parse("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,\"\"\r\n", "f.csv");
  REQUIRE(t.columns() == 3);
  REQUIRE(t.rows() == 2);
  CHECK(t.header() == std::vector<std::string>{"a", "b", "c"});
  CHECK(t.cell(0, 0) == "1");
  CHECK(t.cell(0, 1) == "x, y");
  CHECK(t.cell(0, 2) == "say \"hi\"");
  CHECK(t.cell(1, 0) == "multi\nline");
  CHECK(t.cell(1, 1).empty());
  CHECK(t.cell(1, 2).empty());
  CHECK(t.line_of(1) == 3);
  CHECK(t.position(0, 2) == std::pair(2, 10));
}

TEST_CASE("BOM, blank lines, a last line without newline, other delimiters")
{
  const auto t = CsvTable::parse("\xEF\xBB\xBFid;name\n\n1;Zhang San 张三\n2;x", "f.csv", CsvOptions{';'});
  CHECK(t.header().front() == "id");
  REQUIRE(t.rows() == 2);
  CHECK(t.cell(0, 1) == "Zhang San 张三");
  CHECK(t.cell(1, 1) == "x");
  CHECK(t.find_column("name") == 1);
  CHECK(t.find_column("nope") == std::string::npos);
}

TEST_CASE("repeated header names")
{
  const auto t = CsvTable::parse("key,Component/s,Component/s\nA-1,db,net\n", "f.csv");
  CHECK(t.find_columns("Component/s") == std::vector<std::size_t>{1, 2});
}

TEST_CASE("malformed input is reported with line and column")
{
  CHECK(error_at("a,b\n1,2,3\n") == "2:5");                 // one field too many
  CHECK(error_at("a,b,c\n1,2\n") == "2:4");                 // too few
  CHECK(error_at("a,b,c\n1,2,3\n4,5") == "3:4");            // truncated last line
  CHECK(error_message("a,b,c\n1,2,3\n4,5").find("the last line is incomplete") != std::string::npos);
  CHECK(error_at("a,b\n1,\"open\n2,3\n") == "2:3");         // unterminated quote
  CHECK(error_message("a,b\n1,\"open\n").find("never closed") != std::string::npos);
  CHECK(error_at("a,b\n1,\"x\"y\n") == "2:6");              // text after a closing quote
  CHECK(error_at("a,b\n1,5\" disk\n") == "2:4");            // quote inside an unquoted field
  CHECK(error_at(std::string("a,b\n1,\0\n", 8)) == "2:3");  // binary
  CHECK(error_at("a,b\n1,\xff\n") == "2:3");                // not UTF-8
  CHECK(error_at("") == "1:1");                              // empty
  CHECK(error_at("名前,b\n値,1,2\n") == "2:5");              // columns count characters
}

} // TEST_SUITE
