#include <desk/model/value.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using desk::Value;

TEST_SUITE_BEGIN("model.value");

TEST_CASE("constructors give the right kind and text")
{
  const Value null;
  CHECK(null.is_null());
  CHECK(null.empty());
  CHECK(null.str().empty());

  const Value t = Value::text("打印机坏了");
  CHECK(t.is_scalar());
  CHECK_FALSE(t.plain);
  CHECK(t.str() == "打印机坏了");
  CHECK_FALSE(t.empty());
  CHECK(Value::text("").empty());

  const Value n = Value::number(-42);
  CHECK(n.is_scalar());
  CHECK(n.plain);
  CHECK(n.str() == "-42");

  const Value l = Value::list({"a", "b", "中"});
  CHECK(l.is_sequence());
  CHECK(l.items.size() == 3);
  CHECK(l.strings() == std::vector<std::string>{"a", "b", "中"});
  CHECK(Value::list({}).empty());

  const Value m = Value::map();
  CHECK(m.is_mapping());
  CHECK(m.empty());
}

TEST_CASE("strings(): a scalar is a one-item list, non-scalars are skipped")
{
  CHECK(Value::text("x").strings() == std::vector<std::string>{"x"});
  CHECK(Value::text("").strings().empty());
  CHECK(Value().strings().empty());
  Value seq = Value::list({"a"});
  seq.items.push_back(Value::map());
  seq.items.push_back(Value::text("b"));
  CHECK(seq.strings() == std::vector<std::string>{"a", "b"});
  CHECK(Value::map().strings().empty());
}

TEST_CASE("str() of non-scalars is empty")
{
  CHECK(Value::list({"a"}).str().empty());
  CHECK(Value::map().str().empty());
}

TEST_CASE("set keeps the position of an existing key and appends new ones")
{
  Value m = Value::map();
  m.set("b", Value::text("1"));
  m.set("a", Value::text("2"));
  m.set("c", Value::text("3"));
  m.set("a", Value::text("22"));
  REQUIRE(m.entries.size() == 3);
  CHECK(m.entries[0].first == "b");
  CHECK(m.entries[1].first == "a");
  CHECK(m.entries[1].second.str() == "22");
  CHECK(m.entries[2].first == "c");
}

TEST_CASE("set on a non-mapping turns it into a mapping")
{
  Value v = Value::text("x");
  v.set("k", Value::text("v"));
  CHECK(v.is_mapping());
  REQUIRE(v.find("k") != nullptr);
  CHECK(v.find("k")->str() == "v");
  CHECK(v.entries.size() == 1);
}

TEST_CASE("find and erase")
{
  Value m = Value::map();
  m.set("x", Value::number(1));
  CHECK(m.find("x") != nullptr);
  CHECK(m.find("y") == nullptr);
  CHECK(Value::text("x").find("x") == nullptr);
  *m.find("x") = Value::text("2"); // (not `scalar = "2"`: GCC 12 -Wrestrict false positive)
  CHECK(m.find("x")->str() == "2");
  CHECK(m.erase("x"));
  CHECK_FALSE(m.erase("x"));
  CHECK(m.find("x") == nullptr);
  CHECK(m.empty());
}

TEST_CASE("equality compares content, not position or plain flag")
{
  Value a = Value::text("1");
  Value b = Value::number(1);
  b.line = 7;
  b.column = 3;
  CHECK(a == b); // same text; plain and position are presentation only
  CHECK_FALSE(Value::text("1") == Value::text("2"));
  CHECK_FALSE(Value() == Value::text(""));
  CHECK(Value() == Value());

  Value m1 = Value::map();
  m1.set("a", Value::text("1"));
  m1.set("b", Value::text("2"));
  Value m2 = Value::map();
  m2.set("b", Value::text("2"));
  m2.set("a", Value::text("1"));
  CHECK_FALSE(m1 == m2); // mappings are ordered
  m2 = m1;
  CHECK(m1 == m2);

  CHECK(Value::list({"a", "b"}) == Value::list({"a", "b"}));
  CHECK_FALSE(Value::list({"a", "b"}) == Value::list({"b", "a"}));
  CHECK_FALSE(Value::list({}) == Value::map());
}

TEST_SUITE_END();
