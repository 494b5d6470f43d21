#include "cli/table.hpp"

#include <desk/util/text.hpp>

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using desk::cli::Column;
using desk::cli::Table;

namespace {

std::vector<std::string> lines_of(const std::string& rendered)
{
  std::vector<std::string> lines = desk::text::split(rendered, '\n');
  REQUIRE(!lines.empty());
  CHECK(lines.back().empty()); // every line ends in '\n'
  lines.pop_back();
  return lines;
}

// Display column at which `needle` starts in `line`.
std::size_t column_of(const std::string& line, std::string_view needle)
{
  const std::size_t pos = line.find(needle);
  REQUIRE(pos != std::string::npos);
  return desk::text::display_width(std::string_view(line).substr(0, pos));
}

void check_no_trailing_spaces(const std::vector<std::string>& lines)
{
  for (const auto& line : lines) {
    CAPTURE(line);
    CHECK((line.empty() || line.back() != ' '));
  }
}

} // namespace

TEST_SUITE_BEGIN("cli.table");

TEST_CASE("Chinese and English cells align by display width")
{
  Table table({{"ID"}, {"标题"}, {"Status"}});
  table.add_row({"T-1", "打印机坏了", "open"});
  table.add_row({"T-22", "VPN down", "已关闭"});
  table.add_row({"T-333", "邮箱 quota 满了", "in_progress"});

  const std::string rendered = table.render();
  CHECK(rendered
        == "ID     标题             Status\n"
           "T-1    打印机坏了       open\n"
           "T-22   VPN down         已关闭\n"
           "T-333  邮箱 quota 满了  in_progress\n");

  const auto lines = lines_of(rendered);
  REQUIRE(lines.size() == 4);
  const std::vector<std::vector<std::string>> cells = {
    {"ID", "标题", "Status"},
    {"T-1", "打印机坏了", "open"},
    {"T-22", "VPN down", "已关闭"},
    {"T-333", "邮箱 quota 满了", "in_progress"},
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    CHECK(column_of(lines[i], cells[i][0]) == 0);
    CHECK(column_of(lines[i], cells[i][1]) == 7);
    CHECK(column_of(lines[i], cells[i][2]) == 24);
  }
  check_no_trailing_spaces(lines);
}

TEST_CASE("no trailing spaces, even with empty last cells")
{
  Table table({{"ID"}, {"Assignee"}, {"Note"}});
  table.add_row({"T-1", "王伟", ""});
  table.add_row({"T-2", "", ""});
  table.add_row({"", "", ""});
  table.add_row({"T-4"}); // missing cells are empty
  table.add_row({"T-5", "bob", "备注"});

  const auto lines = lines_of(table.render());
  REQUIRE(lines.size() == 6);
  check_no_trailing_spaces(lines);
  CHECK(lines[1] == "T-1  王伟");
  CHECK(lines[2] == "T-2");
  CHECK(lines[3] == "");
  CHECK(lines[4] == "T-4");
  CHECK(lines[5] == "T-5  bob       备注");
  CHECK(column_of(lines[0], "Note") == column_of(lines[5], "备注"));
}

TEST_CASE("max_width truncates cells with an ellipsis")
{
  Table table({{"ID"}, {"Title", false, 6}, {"State"}});
  table.add_row({"T-1", "打印机坏了", "open"});
  table.add_row({"T-2", "Printer on floor 3", "closed"});
  table.add_row({"T-3", "短", "new"});

  const auto lines = lines_of(table.render());
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "ID   Title   State");
  CHECK(lines[1] == "T-1  打印…   open"); // a wide char never straddles the limit
  CHECK(lines[2] == "T-2  Print…  closed");
  CHECK(lines[3] == "T-3  短      new");
  for (const auto& line : lines) {
    CAPTURE(line);
    CHECK(desk::text::display_width(line.substr(0, line.rfind("  ") + 2)) == 13);
  }
  check_no_trailing_spaces(lines);
}

TEST_CASE("the last column is truncated but not padded")
{
  Table table({{"ID"}, {"Summary", false, 8}});
  table.add_row({"T-1", "网络连接非常不稳定"});
  table.add_row({"T-2", "ok"});
  const auto lines = lines_of(table.render());
  CHECK(lines[0] == "ID   Summary");
  CHECK(lines[1] == "T-1  网络连…");
  CHECK(lines[2] == "T-2  ok");
}

TEST_CASE("newlines in cells are shown on one line")
{
  Table table({{"ID"}, {"Title"}});
  table.add_row({"T-1", "first line\nsecond\tline"});
  table.add_row({"T-2", "打印机\n坏了"});
  const std::string rendered = table.render();
  CHECK(rendered
        == "ID   Title\n"
           "T-1  first line second line\n"
           "T-2  打印机 坏了\n");
}

TEST_CASE("right-aligned columns")
{
  Table table({{"Queue"}, {"Open", true}, {"Breached", true}});
  table.add_row({"网络", "12", "3"});
  table.add_row({"hardware", "7", "10"});
  const auto lines = lines_of(table.render());
  CHECK(lines[0] == "Queue     Open  Breached");
  CHECK(lines[1] == "网络        12         3");
  CHECK(lines[2] == "hardware     7        10");
  check_no_trailing_spaces(lines);
}

TEST_CASE("total_width shrinks the widest unlimited columns")
{
  Table table({{"ID"}, {"Summary"}, {"Assignee", false, 10}, {"Details"}});
  table.add_row({"T-1",
                 "打印机坏了，三楼的那台一直卡纸，需要尽快处理",
                 "王伟",
                 "see attached photo of the paper jam"});
  table.add_row({"T-2", "VPN", "alice", "short"});

  const std::string natural = table.render();
  CHECK(desk::text::display_width(lines_of(natural)[1]) > 60);

  for (std::size_t total : {80u, 60u, 45u, 40u}) {
    CAPTURE(total);
    const auto lines = lines_of(table.render(total));
    REQUIRE(lines.size() == 3);
    for (const auto& line : lines) {
      CAPTURE(line);
      CHECK(desk::text::display_width(line) <= total);
    }
    check_no_trailing_spaces(lines);
    // Every column still starts at the same display column on every line.
    CHECK(column_of(lines[1], "T-1") == 0);
    CHECK(column_of(lines[0], "Summary") == column_of(lines[2], "VPN"));
    CHECK(column_of(lines[0], "Assignee") == column_of(lines[1], "王伟"));
    CHECK(column_of(lines[0], "Assignee") == column_of(lines[2], "alice"));
    CHECK(column_of(lines[0], "Details") == column_of(lines[2], "short"));
  }

  // The full width is used: the widest line is exactly the limit.
  const auto fitted = lines_of(table.render(60));
  CHECK(desk::text::display_width(fitted[1]) == 60);
  // The narrow columns keep their natural width.
  CHECK(column_of(fitted[0], "Summary") == 5);
}

TEST_CASE("shrinking stops at 8 columns or the header width")
{
  Table table({{"ID"}, {"Description"}, {"Notes"}});
  table.add_row({"T-1", "a very long description of the problem", "more notes here"});
  const auto lines = lines_of(table.render(10));
  REQUIRE(lines.size() == 2);
  // Description keeps its header width (11), Notes keeps 8.
  CHECK(lines[0] == "ID   Description  Notes");
  CHECK(lines[1] == "T-1  a very lon…  more no…");
}

TEST_CASE("style hooks wrap padded text")
{
  Table table({{"ID"}, {"标题"}, {"State"}});
  table.add_row({"T-1", "打印机", "open"});
  table.add_row({"T-22", "VPN", "new"});
  table.style_header = [](std::size_t, const std::string& padded) {
    return "\x1B[1m" + padded + "\x1B[0m";
  };
  table.style_cell = [](std::size_t row, std::size_t col, const std::string& padded) {
    return "<" + std::to_string(row) + "," + std::to_string(col) + ":" + padded + ">";
  };
  CHECK(table.render()
        == "\x1B[1mID  \x1B[0m  \x1B[1m标题  \x1B[0m  \x1B[1mState\x1B[0m\n"
           "<0,0:T-1 >  <0,1:打印机>  <0,2:open>\n"
           "<1,0:T-22>  <1,1:VPN   >  <1,2:new>\n");
}

TEST_CASE("row bookkeeping")
{
  Table table({{"A"}, {"B"}});
  CHECK(table.row_count() == 0);
  CHECK(table.render() == "A  B\n");
  table.add_row({"1", "2"});
  CHECK(table.row_count() == 1);
  CHECK_THROWS_AS(table.add_row({"1", "2", "3"}), std::invalid_argument);
  CHECK(Table(std::vector<Column>{}).render().empty());
}

TEST_CASE("cells with terminal controls are shown escaped and stay aligned")
{
  Table table({{"TITLE"}, {"REPORTER"}});
  table.add_row({"打印机\x1b]0;owned\x07", "bob\b\b\b"});
  table.add_row({"普通", "\u202eevil"});
  const std::string rendered = table.render();
  CHECK(rendered.find('\x1b') == std::string::npos);
  CHECK(rendered.find('\b') == std::string::npos);
  CHECK(rendered.find("\u202e") == std::string::npos);
  const auto lines = lines_of(rendered);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1].starts_with("打印机\\e]0;owned\\x07  bob\\x08\\x08\\x08"));
  // The second column starts at one display column on every line (CJK counts two).
  CHECK(column_of(lines[0], "REPORTER") == column_of(lines[1], "bob"));
  CHECK(column_of(lines[0], "REPORTER") == column_of(lines[2], "\\u202eevil"));
}

TEST_SUITE_END();
