#include <desk/storage/fast_yaml.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace std::string_literals;
using desk::Value;
using desk::storage::emit_yaml;
using desk::storage::parse_yaml;
using desk::storage::parse_yaml_fast;
using desk::test::escaped;

namespace {

// Deep equality including the plain flag.
std::string difference(const Value& a, const Value& b, const std::string& where = "$")
{
  if (a.kind != b.kind) {
    return where + ": kinds differ";
  }
  // Positions are not compared: they only word error messages, and every error (and every
  // ticket that fails its schema check) is read again with yaml-cpp.
  switch (a.kind) {
  case Value::Kind::null:
    return {};
  case Value::Kind::scalar:
    if (a.scalar != b.scalar) {
      return where + ": '" + escaped(a.scalar) + "' vs '" + escaped(b.scalar) + "'";
    }
    return a.plain == b.plain ? std::string() : where + ": plain flags differ";
  case Value::Kind::sequence:
    if (a.items.size() != b.items.size()) {
      return where + ": lengths differ";
    }
    for (std::size_t i = 0; i < a.items.size(); ++i) {
      if (auto d = difference(a.items[i], b.items[i], where + "[" + std::to_string(i) + "]"); !d.empty()) {
        return d;
      }
    }
    return {};
  case Value::Kind::mapping:
    if (a.entries.size() != b.entries.size()) {
      return where + ": sizes differ";
    }
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
      if (a.entries[i].first != b.entries[i].first) {
        return where + ": keys differ: " + a.entries[i].first + " vs " + b.entries[i].first;
      }
      if (auto d = difference(a.entries[i].second, b.entries[i].second, where + "." + a.entries[i].first);
          !d.empty()) {
        return d;
      }
    }
    return {};
  }
  return {};
}

int g_gave_up = 0;

// The readers agree on `text`: whatever the fast one builds is exactly what yaml-cpp
// builds, and it reads nothing yaml-cpp rejects. (Giving up is always safe: the caller
// then uses yaml-cpp; g_gave_up counts it.)
std::string disagreement(const std::string& text)
{
  const auto fast = parse_yaml_fast(text);
  try {
    const Value reference = parse_yaml(text, "t.yaml");
    if (!fast) {
      ++g_gave_up;
      return {};
    }
    return difference(reference, *fast);
  } catch (const desk::ParseError&) {
    return fast ? "read a document yaml-cpp rejects" : std::string();
  }
}

} // namespace

TEST_SUITE_BEGIN("storage.fast_yaml");

TEST_CASE("the fast reader builds what yaml-cpp builds, for hand-written YAML")
{
  const std::vector<std::string> docs = {
    "",
    "# only a comment\n",
    "a: 1\nb: two\nc: 'three'\nd: \"four\\tfive\\u00e9\"\ne:\nf: ~\ng: null\nh: 'null'\ni: ''\n",
    "title: VPN 无法连接：错误 809 😀\nnote: |\n  line one\n  line two\n\n  after a blank\nkeep: |+\n  x\n\nstrip: |-\n  y\n",
    "folded: >\n  a\n  b\n\n  c\nplain: multi\n  line plain\n  scalar\n",
    "list:\n  - a\n  - 'b'\n  -\n  - - nested\n    - seq\n  - k: v\n    k2: v2\nflow: [x, 'y', {p: q}]\nmap: {a: 1, b: [2, 3]}\n",
    "crlf: yes\r\nnext: no\r\n",
    "\xEF\xBB\xBF" "bom: first\n",
    "events:\n- id: E-1\n  at: '2026-11-27T17:30:00+08:00'\n  set:\n    status: new\n    rating: 4\n",
    "quoted key: 1\n'single': 2\n\"double\": 3\n",
    "tabs: \"a\\tb\"\nescapes: \"\\x41\\u4E2D\\U0001F600\\\\\\\"\\n\"\n",
    "indented:\n    deep:\n        deeper: x\n",
    "- just\n- a\n- list\n",
    "plain scalar document\n",
    "--- \nexplicit: start\n...\n",
    // Documents the fast reader gives up on (yaml-cpp decides).
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: 1\na: 2\n",
    "? [complex]\n: key\n",
    "~: null key\n",
    "a: 1\n---\nb: 2\n",
    "a: [unclosed\n",
    "a: 'unterminated\n",
    "a:\n- b\nc: d\n  e: f\n",
    "\tkey: tab indent\n",
    "\u0085", "a: b\u0085c\n", "a: b\u2028c\n", "a: b\u2029c\n", // line breaks only to libyaml
    "-\n|", "a:\n-\n|\n", "a:\n  -\n  >\n   x\n",     // a block scalar under its dash
    std::string("a\0b: c\n", 7), "a: \xFF\n",           // NUL, malformed UTF-8
  };
  for (const auto& doc : docs) {
    INFO("document: ", escaped(doc));
    CHECK(disagreement(doc) == "");
  }
}

TEST_CASE("the fast reader leaves folding to yaml-cpp, and still reads literal blocks and one-line scalars")
{
  // yaml-cpp folds these otherwise than libyaml: 'x⏎⏎⏎' is "x\n" to it and "x\n\n" to
  // libyaml and the YAML spec; lines of spaces in a `>` block differ too (fuzz finds).
  for (const std::string doc : {"a: 'x\n\n\n'\n", "a: \"x\n\n\n\"\n", "a: 'x\n y'\n", "a: plain\n  continued\n",
                                "s:\n >\n s:\n ", "a:\n- >\n st>\n\ns:\n >\n s:\n ", "a: >\n  one\n  two\n"}) {
    INFO("document: ", escaped(doc));
    CHECK_FALSE(parse_yaml_fast(doc).has_value());
    const Value read = desk::storage::read_document(doc, "t.yaml", [](Value&& v) { return std::move(v); });
    CHECK(difference(parse_yaml(doc, "t.yaml"), read) == "");
  }
  for (const std::string doc : {"note: |\n  line one\n\n  line three\n", "title: 'it''s one line'\n",
                                "title: \"VPN 断线 \\n 两行\"\n", "keep: |+\n  x\n\n"}) {
    INFO("document: ", escaped(doc));
    const auto fast = parse_yaml_fast(doc);
    REQUIRE(fast.has_value());
    CHECK(difference(parse_yaml(doc, "t.yaml"), *fast) == "");
  }
}

TEST_CASE("the fast reader reads an empty view without data as no document")
{
  const auto none = parse_yaml_fast(std::string_view{});
  REQUIRE(none);
  CHECK(none->kind == Value::Kind::null);
}

TEST_CASE("the fast reader agrees with yaml-cpp on everything desk writes")
{
  static const std::vector<std::string> k_pieces = {
    "a", "Z", "1", "0", " ", "  ", "\t", "\n", "\n\n", "\r", ":", ": ", " #", "#", "'", "\"", "-", "- ", "?",
    "\\", "中", "文", "😀", "\x1B", "\u0085", "\u2028", "\u2029", "\u00A0", "yes", "No",
    "null", "~", "---", "...", "|", ">", "%", "@", "&", "*", "!", "[", "]", "{", "}", ",", "2026-01-01",
    "12", ".5", "+", "\x7F", "\u3000", "e\u0301",
  };
  std::mt19937 rng(20261127);
  std::uniform_int_distribution<std::size_t> length(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, k_pieces.size() - 1);
  std::vector<std::string> failures;
  g_gave_up = 0;
  for (int i = 0; i < 1000; ++i) {
    Value doc = Value::map();
    Value list = Value::list({});
    for (int k = 0; k < 3; ++k) {
      std::string s;
      const std::size_t n = length(rng);
      for (std::size_t j = 0; j < n; ++j) {
        s += k_pieces[pick(rng)];
      }
      doc.set("f" + std::to_string(k), Value::text(s));
      list.items.push_back(Value::text(s));
    }
    doc.set("n", Value::number(i));
    doc.set("list", list);
    Value nested = Value::map();
    nested.set("in", doc.entries.front().second);
    doc.set("nested", nested);
    const std::string text = emit_yaml(doc);
    if (auto d = disagreement(text); !d.empty()) {
      failures.push_back(escaped(text) + " -> " + d);
    }
  }
  INFO(failures.size(), " documents disagree; first: ", failures.empty() ? "" : failures.front());
  CHECK(failures.empty());
  // Giving up costs speed only, and must stay rare on what desk writes.
  CHECK(g_gave_up < 50);
}

TEST_CASE("the fast reader agrees with yaml-cpp on every fixture in the source tree")
{
  namespace fs = std::filesystem;
  const fs::path source = fs::path(__FILE__).parent_path().parent_path().parent_path();
  std::size_t files = 0;
  for (const char* dir : {"examples", "tests", "share"}) {
    std::error_code ec;
    if (!fs::is_directory(source / dir, ec)) {
      continue;
    }
    for (const auto& entry : fs::recursive_directory_iterator(source / dir, ec)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) {
        continue;
      }
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      INFO("file: ", entry.path().string());
      CHECK(disagreement(ss.str()) == "");
      ++files;
    }
  }
  CHECK(files >= 8);
}

TEST_SUITE_END();
