#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace std::string_literals;
using desk::ParseError;
using desk::Value;
using desk::storage::emit_scalar;
using desk::storage::emit_yaml;
using desk::storage::is_safe_plain;
using desk::storage::parse_yaml;
using desk::test::escaped;

namespace {

// Texts that break naive YAML writers.
const std::vector<std::string>& nasty_strings()
{
  static const std::vector<std::string> k_strings = {
    // Chinese, emoji, other scripts
    "打印机坏了", "VPN 连不上，报错：超时", "😀", "ok 👍🏽", "👨‍👩‍👧", "한국어 カタカナ", "\u3000全角空格",
    "e\u0301", "\u200B zero width",
    // YAML indicators inside and at the start
    "a: b", "a:b", "key:", ": x", ":", "a #b", "a # b", "#x", "#", "x #", "a#b",
    "http://example.com/a#frag", "'single'", "\"double\"", "it's", "mixed 'a' \"b\"", "'", "\"", "''",
    "- item", "-x", "-", "--", "--- doc", "---", "...", "... end", "? q", "?", "?x", "[x]", "{x}", "[", "}",
    "*alias", "&anchor", "!tag", "!", "%percent", "@at", "`tick", "|pipe", "|", ">fold", ">", "a,b", ",",
    "a\\b", "\\", "C:\\path\\file", "a\\nb", "<<", "=",
    // white space
    "", " ", "  ", "a ", " a", "  leading spaces", "trailing spaces  ", "\t", "tab\there", "\tlead tab",
    "trail tab\t", " \tspace tab", "a\u00A0", "nbsp\u00A0", "\u00A0lead", "\u00A0",
    // multi-line
    "line1\nline2", "line1  \nline2  ", "trailing spaces  \nx", "\n\nleading blank lines",
    "  \n  indented\nlines", "    four spaces\n  two", "\n  indented after newline", "a\n\tb",
    "\ttab first\nsecond", "multi\nline\twith tab", "a\n\n\nb", "emoji\n😀\n", "中文\n第二行\n",
    "last line spaces\n   ", "x\n \n", "x\n  \n\n", "  \n", " \n ", "a\n ", "a\n b", "- a\n- b", "a: b\nc: d",
    "# comment\ntext", "|\n>", "'\n'", "\"\n\"",
    // trailing newlines 0, 1, 3 and only newlines
    "no newline", "one\n", "three\n\n\n", "two\n\n", "\n", "\n\n", "\n\n\n",
    // control and special code points
    "a\r\nb", "\r", "mix\r\nwin\r\n", "cr only\r", "nul\0x"s, "\0"s, "\0\0"s, "esc\x1B[0m", "\x1B", "\x7F del",
    "\x01" "ctrl", "bell\a", "\b\f\v", "\u0085", "x\u0085y", "x\u2028y", "x\u2029y", "\u2028", "\uFEFFbom",
    "\uFEFF", "bom\uFEFF", "\uFFFE", "\uFFFD", "\U0001F600", "\u0080", "\u009F", "\uE000",
    "line\u0085\nnext", "a\n\u2028\n",
    // reserved words of YAML 1.1 / 1.2
    "yes", "Yes", "YES", "No", "no", "y", "Y", "n", "N", "true", "True", "FALSE", "on", "On", "off", "OFF",
    "null", "Null", "NULL", "~", ".inf", "-.inf", "+.Inf", ".nan", ".NaN",
    // numbers and dates
    "0", "123", "-1", "+1", ".5", "1.", "1e3", "1E-3", "0x1F", "0o17", "017", "1_000", "1:20", "190:20:30",
    "2026-01-01", "2026-01-01T10:00:00+08:00", "2026-01-01 10:00", "10:30", "1,000", "0.75",
    "P1", "INC-7K3F2A9Q",
  };
  return k_strings;
}

// The scalar `s` written under `key` in several positions of a document, read back.
std::vector<std::pair<std::string, Value>> round_trip_positions(const std::string& s)
{
  Value doc = Value::map();
  doc.set("top", Value::text(s));
  Value seq;
  seq.kind = Value::Kind::sequence;
  seq.items.push_back(Value::text(s));
  seq.items.push_back(Value::text("after"));
  doc.set("list", seq);
  Value event = Value::map();
  event.set("first", Value::text(s)); // on the `- ` line
  event.set("second", Value::text(s));
  Value set = Value::map();
  set.set("nested", Value::text(s));
  event.set("set", set);
  Value events;
  events.kind = Value::Kind::sequence;
  events.items.push_back(event);
  doc.set("events", events);
  doc.set("tail", Value::text("end"));
  Value key_doc = Value::map();
  key_doc.set(s, Value::text("v"));

  const std::string text = emit_yaml(doc);
  const Value back = parse_yaml(text, "test.yaml");
  std::vector<std::pair<std::string, Value>> out;
  auto get = [](const Value* v) { return v ? *v : Value(); };
  out.emplace_back("top", get(back.find("top")));
  const Value* list = back.find("list");
  out.emplace_back("list item", list && list->items.size() == 2 ? list->items[0] : Value());
  out.emplace_back("list after", list && list->items.size() == 2 ? list->items[1] : Value());
  const Value* evs = back.find("events");
  const Value* ev = evs && evs->items.size() == 1 ? &evs->items[0] : nullptr;
  out.emplace_back("event first", get(ev ? ev->find("first") : nullptr));
  out.emplace_back("event second", get(ev ? ev->find("second") : nullptr));
  const Value* nested_set = ev ? ev->find("set") : nullptr;
  out.emplace_back("event set", get(nested_set ? nested_set->find("nested") : nullptr));
  out.emplace_back("tail", get(back.find("tail")));
  if (!s.empty()) {
    const Value key_back = parse_yaml(emit_yaml(key_doc), "keys.yaml");
    out.emplace_back("as key", Value::text(key_back.entries.size() == 1 ? key_back.entries[0].first : "<lost>"));
  }
  return out;
}

// Empty when `s` survives every position; otherwise what went wrong.
std::string round_trip_problem(const std::string& s)
{
  try {
    for (const auto& [where, v] : round_trip_positions(s)) {
      const std::string expected = where == "list after" ? "after" : (where == "tail" ? "end" : s);
      if (!v.is_scalar() || v.scalar != expected) {
        return where + ": got " + (v.is_scalar() ? "'" + escaped(v.scalar) + "'" : "a non-scalar");
      }
    }
  } catch (const std::exception& e) {
    return std::string("threw: ") + e.what();
  }
  return {};
}

} // namespace

TEST_SUITE_BEGIN("storage.yaml_io");

TEST_CASE("nasty strings round-trip in every position")
{
  for (const auto& s : nasty_strings()) {
    INFO("string: '", escaped(s), "' emitted as: ", escaped(emit_scalar(Value::text(s), 0)));
    CHECK(round_trip_problem(s) == "");
  }
}

TEST_CASE("randomized round trip over 2000 strings from nasty pieces")
{
  static const std::vector<std::string> k_pieces = {
    "a", "Z", "1", "0", " ", "  ", "\t", "\n", "\n\n", "\r", ":", ": ", " #", "#", "'", "\"", "-", "- ", "?",
    "\\", "中", "文", "😀", "\0"s, "\x1B", "\u0085", "\u2028", "\u2029", "\uFEFF", "\u00A0", "yes", "No",
    "null", "~", "---", "...", "|", ">", "%", "@", "&", "*", "!", "[", "]", "{", "}", ",", "2026-01-01",
    "12", ".5", "+", "\x7F", "\u3000", "e\u0301",
  };
  std::mt19937 rng(20261123); // fixed seed: the same 2000 strings on every run
  std::uniform_int_distribution<std::size_t> length(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, k_pieces.size() - 1);
  std::vector<std::string> failures;
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    const std::size_t n = length(rng);
    for (std::size_t j = 0; j < n; ++j) {
      s += k_pieces[pick(rng)];
    }
    const std::string problem = round_trip_problem(s);
    if (!problem.empty()) {
      failures.push_back("'" + escaped(s) + "' -> " + problem);
    }
  }
  std::string first;
  for (std::size_t i = 0; i < failures.size() && i < 20; ++i) {
    first += failures[i] + "\n";
  }
  INFO(failures.size(), " of 2000 strings did not round-trip; first ones:\n", first);
  CHECK(failures.empty());
}

TEST_CASE("emit is deterministic and a fixed point of parse")
{
  Value doc = Value::map();
  doc.set("id", Value::text("INC-7K3F2A9Q"));
  doc.set("title", Value::text("VPN 连不上: 超时 #3"));
  doc.set("tier", Value::number(2));
  doc.set("affected", Value::list({"ERP", "邮件", "- dash"}));
  doc.set("description", Value::text("第一行\n  缩进\n\n最后一行\n"));
  doc.set("unknown", Value::map());
  doc.set("null_key", Value());
  Value ev = Value::map();
  ev.set("id", Value::text("E-1"));
  ev.set("note", Value::text("multi\nline note"));
  Value events;
  events.kind = Value::Kind::sequence;
  events.items.push_back(ev);
  doc.set("events", events);

  const std::string a = emit_yaml(doc);
  const Value copy = doc;
  CHECK(emit_yaml(copy) == a);
  CHECK(emit_yaml(doc) == a);
  const Value back = parse_yaml(a, "x.yaml");
  CHECK(back == doc);
  CHECK(emit_yaml(back) == a);
  CHECK(emit_yaml(parse_yaml(emit_yaml(back), "y.yaml")) == a);
}

TEST_CASE("canonical block style")
{
  Value doc = Value::map();
  doc.set("title", Value::text("hello"));
  doc.set("num", Value::number(3));
  doc.set("quoted", Value::text("yes"));
  doc.set("list", Value::list({"a", "b"}));
  doc.set("empty_list", Value::list({}));
  doc.set("empty_map", Value::map());
  doc.set("nothing", Value());
  doc.set("text", Value::text("line1\nline2\n"));
  doc.set("kept", Value::text("a\n\n"));
  doc.set("stripped", Value::text("a\nb"));
  doc.set("indented", Value::text(" a\nb\n"));
  CHECK(emit_yaml(doc) == "title: hello\n"
                          "num: 3\n"
                          "quoted: 'yes'\n"
                          "list:\n"
                          "  - a\n"
                          "  - b\n"
                          "empty_list: []\n"
                          "empty_map: {}\n"
                          "nothing:\n"
                          "text: |\n"
                          "  line1\n"
                          "  line2\n"
                          "kept: |+\n"
                          "  a\n"
                          "\n"
                          "stripped: |-\n"
                          "  a\n"
                          "  b\n"
                          "indented: |2\n"
                          "   a\n"
                          "  b\n");
}

TEST_CASE("emit_scalar chooses plain, single or double quotes")
{
  CHECK(emit_scalar(Value::text("hello"), 0) == "hello");
  CHECK(emit_scalar(Value::text("打印机坏了"), 0) == "打印机坏了");
  CHECK(emit_scalar(Value::text("it's"), 0) == "it's");
  CHECK(emit_scalar(Value::text("yes"), 0) == "'yes'");
  CHECK(emit_scalar(Value::text("'x'"), 0) == "'''x'''");
  CHECK(emit_scalar(Value::text(""), 0) == "''");
  CHECK(emit_scalar(Value::text("a\tb"), 0) == "\"a\\tb\"");
  CHECK(emit_scalar(Value::text("\0"s), 0) == "\"\\0\"");
  CHECK(emit_scalar(Value::text("\x1B"), 0) == "\"\\e\"");
  CHECK(emit_scalar(Value::text("\u2028"), 0) == "\"\\u2028\"");
  CHECK(emit_scalar(Value::text("\uFEFF"), 0) == "\"\\uFEFF\"");
  CHECK(emit_scalar(Value::number(12), 0) == "12");
  CHECK(emit_scalar(Value::text("12"), 0) == "'12'");
}

TEST_CASE("is_safe_plain decisions")
{
  for (const char* s : {"hello", "打印机", "a:b", "a#b", "INC-7K3F", "P1", "alice", "it's", "a b", "x-y",
                        "http://x/y", "a,b", "e\u0301", "😀", "a\u00A0b", "x?", "x!"}) {
    INFO(s);
    CHECK(is_safe_plain(s));
  }
  for (const std::string& s :
       {""s, " a"s, "a "s, "-a"s, "?a"s, ":a"s, "a:"s, "a: b"s, "a #b"s, "#a"s, "yes"s, "No"s, "null"s, "~"s,
        "true"s, "Off"s, "y"s, "<<"s, "="s, "1"s, "2026-01-01"s, "+1"s, ".5"s, "-1"s, ".inf"s, "a\tb"s, "a\nb"s,
        "a\rb"s, "---x"s, "...x"s, "\uFEFFa"s, "a\u2028b"s, "a\u0085b"s, "'a"s, "\"a"s, "[a"s, "{a"s, "]a"s,
        "}a"s, "!a"s, "&a"s, "*a"s, "|a"s, ">a"s, "%a"s, "@a"s, "`a"s, ",a"s, "a\0b"s, "\x1B"s, "\x7F"s,
        "\xFF"s}) {
    INFO(escaped(s));
    CHECK_FALSE(is_safe_plain(s));
  }
}

TEST_CASE("the plain flag is kept for hand-written plain scalars")
{
  const std::string text = "num: 5\n"
                           "s: '5'\n"
                           "t: yes\n"
                           "d: 2026-01-01T10:00:00+08:00\n"
                           "q: \"x\"\n"
                           "w: hello world\n";
  const Value doc = parse_yaml(text, "hand.yaml");
  CHECK(doc.find("num")->plain);
  CHECK_FALSE(doc.find("s")->plain);
  CHECK(doc.find("t")->plain);
  CHECK(doc.find("d")->plain);
  CHECK_FALSE(doc.find("q")->plain);
  CHECK(doc.find("w")->plain);
  CHECK(doc.find("t")->str() == "yes");
  // A hand edit survives a load and save byte for byte (quoting style aside: "x" → x).
  CHECK(emit_yaml(doc) == "num: 5\n"
                          "s: '5'\n"
                          "t: yes\n"
                          "d: 2026-01-01T10:00:00+08:00\n"
                          "q: x\n"
                          "w: hello world\n");
}

TEST_CASE("values carry 1-based line and column")
{
  const Value doc = parse_yaml("a: 1\nb:\n  - x\n  - y\nc:\n  d: e\n", "pos.yaml");
  CHECK(doc.find("a")->line == 1);
  CHECK(doc.find("a")->column == 4);
  const Value* b = doc.find("b");
  REQUIRE(b->items.size() == 2);
  CHECK(b->items[1].line == 4);
  CHECK(b->items[1].column == 5);
  CHECK(doc.find("c")->find("d")->line == 6);
}

TEST_CASE("parse errors carry path, line and column")
{
  struct Case {
    std::string text;
    int line;
  };
  const std::vector<Case> cases = {
    {"title: ok\nbad: a: b\n", 2},
    {"a: 1\n b: 2\nc: [1, 2\n", 2},
    {"a: 1\nb: 2\nc: [1, 2\n", 4},
    {"a: 1\n\tb: 2\n", 2},
    {"a: 1\nb: 'x\n  y: 'z'\n", 3},
    {"a: \"bad \\q escape\"\n", 1},
  };
  for (const auto& c : cases) {
    INFO(escaped(c.text));
    try {
      parse_yaml(c.text, "tickets/2026/11/INC-X.yaml");
      FAIL_CHECK("no error");
    } catch (const ParseError& e) {
      CHECK(e.path() == "tickets/2026/11/INC-X.yaml");
      CHECK(e.line() == c.line);
      CHECK(e.column() > 0);
      CHECK(std::string(e.what()).starts_with("tickets/2026/11/INC-X.yaml:" + std::to_string(c.line) + ":"));
    }
  }
}

TEST_CASE("a sequence followed by a mapping is rejected at the line where it breaks")
{
  try {
    parse_yaml("- a\nb: c\n", "mixed.yaml");
    FAIL_CHECK("no error");
  } catch (const ParseError& e) {
    CHECK(e.line() == 2);
  }
}

TEST_CASE("duplicate keys are rejected at the second key")
{
  try {
    parse_yaml("a: 1\nb: 2\na: 3\n", "dup.yaml");
    FAIL_CHECK("no error");
  } catch (const ParseError& e) {
    CHECK(e.line() == 3);
    CHECK(e.column() == 1);
    CHECK(std::string(e.what()).find("duplicate key 'a'") != std::string::npos);
  }
  try {
    parse_yaml("events:\n  - id: E-1\n    at: x\n    id: E-2\n", "dup.yaml");
    FAIL_CHECK("no error");
  } catch (const ParseError& e) {
    CHECK(e.line() == 4);
    CHECK(e.column() == 5);
  }
}

TEST_CASE("multiple documents are rejected")
{
  try {
    parse_yaml("a: 1\n---\nb: 2\n", "multi.yaml");
    FAIL_CHECK("no error");
  } catch (const ParseError& e) {
    CHECK(e.line() == 3);
    CHECK(std::string(e.what()).find("more than one YAML document") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_yaml("---\na: 1\n---\nb: 2\n", "multi.yaml"), ParseError);
  // A single explicit document is fine.
  CHECK(parse_yaml("---\na: 1\n", "one.yaml").find("a")->str() == "1");
}

TEST_CASE("aliases are rejected (yaml_io.hpp promises it)")
{
  CHECK_THROWS_AS(parse_yaml("a: &x 1\nb: *x\n", "alias.yaml"), ParseError);
}

TEST_CASE("an alias is refused as an alias wherever its anchor is (before, after, nowhere, around it)")
{
  for (const std::string doc : {"a: &x 1\nb: *x\n", "b: *x\na: &x 1\n", "b: *nowhere\n", "a: &x [*x]\n"}) {
    INFO("document: ", doc);
    try {
      parse_yaml(doc, "alias.yaml");
      FAIL("accepted");
    } catch (const ParseError& e) {
      CHECK(e.message() == "YAML aliases (*name) are not allowed");
      CHECK(e.hint() == "write the value out in full");
      CHECK(e.line() >= 1);
    }
  }
}

TEST_CASE("empty input is a null document")
{
  CHECK(parse_yaml("", "e.yaml").is_null());
  CHECK(parse_yaml("# only a comment\n", "e.yaml").is_null());
  CHECK(parse_yaml("\n\n", "e.yaml").is_null());
}

TEST_CASE("non-scalar mapping keys are rejected")
{
  CHECK_THROWS_AS(parse_yaml("? [a, b]\n: c\n", "k.yaml"), ParseError);
}

TEST_CASE("nesting deeper than k_max_yaml_depth is refused with its place, however deep")
{
  using desk::storage::k_max_yaml_depth;
  std::string ok = "a: " + std::string(k_max_yaml_depth - 1, '[') + std::string(k_max_yaml_depth - 1, ']') + "\n";
  CHECK_NOTHROW(parse_yaml(ok, "ok.yaml"));
  for (const int depth : {k_max_yaml_depth + 2, 600, 20000}) {
    const auto n = static_cast<std::size_t>(depth);
    const std::string flow = "a: " + std::string(n, '[') + std::string(n, ']') + "\n";
    CHECK_THROWS_WITH_AS(parse_yaml(flow, "deep.yaml"), doctest::Contains("levels deep"), ParseError);
    std::string block;
    for (int i = 0; i < std::min(depth, 2000); ++i) {
      block += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
    }
    CHECK_THROWS_WITH_AS(parse_yaml(block, "deep.yaml"), doctest::Contains("levels deep"), ParseError);
  }
}

TEST_CASE("git conflict markers are named as such, at their line")
{
  const std::string text = "id: INC-1\n<<<<<<< HEAD\ntitle: ours\n=======\ntitle: theirs\n>>>>>>> b/main\n";
  try {
    parse_yaml(text, "t.yaml");
    FAIL_CHECK("no error");
  } catch (const ParseError& e) {
    CHECK(e.line() == 2);
    CHECK(e.message().find("git conflict markers") != std::string::npos);
    CHECK(e.hint().find("merge driver") != std::string::npos);
  }
  // The same characters inside a text are text.
  CHECK(parse_yaml("title: '<<<<<<< HEAD'\n", "t.yaml").find("title")->str() == "<<<<<<< HEAD");
}

TEST_CASE("a key longer than YAML's implicit key limit is written explicitly and reads back")
{
  const std::vector<std::string> keys = {std::string(1500, 'k'), "key: with \"quotes\"\n" + std::string(1200, 'x'),
                                         std::string(400, 'a') + "长" + std::string(900, 'b')};
  for (const std::string& key : keys) {
    Value doc = Value::map();
    doc.set("id", Value::text("INC-1"));
    doc.set(key, Value::text("value"));
    Value nested = Value::map();
    nested.set(key, Value::list({"a", "b"}));
    doc.set("nested", nested);
    const std::string text = emit_yaml(doc);
    CHECK(text.find("? ") != std::string::npos);
    const Value back = parse_yaml(text, "long-key.yaml");
    CHECK(back == doc);
    CHECK(emit_yaml(back) == text);
  }
}

TEST_CASE("text yaml-cpp would load without end is a parse error")
{
  for (const char* text : {",+", " ,", "!.,\x04", ",v", "a: 1\n,", "- x\n,\n", "!*,", "!!*.,"}) {
    CAPTURE(text);
    CHECK_THROWS_AS(parse_yaml(text, "stray.yaml"), ParseError);
  }
  CHECK(parse_yaml("title: a, b, c\n", "commas.yaml").find("title")->str() == "a, b, c");
  CHECK_THROWS_WITH_AS(parse_yaml("a: 1\n---\nb: 2\n", "two.yaml"), doctest::Contains("more than one YAML document"),
                       ParseError);
}

TEST_SUITE_END();
