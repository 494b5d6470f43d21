#include <desk/import/export.hpp>
#include <desk/model/json.hpp>
#include <desk/util/error.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

TEST_SUITE("import.export") {

TEST_CASE("JSON values map onto desk values and back")
{
  const auto j = nlohmann::ordered_json::parse(R"({"a": "x", "n": 3, "l": ["p", "q"], "m": {"k": "v"}, "b": true})");
  const desk::Value v = desk::import::json_to_value(j);
  CHECK(v.find("a")->str() == "x");
  CHECK(v.find("n")->plain);
  CHECK(v.find("l")->strings() == std::vector<std::string>{"p", "q"});
  CHECK(v.find("m")->find("k")->str() == "v");
  CHECK(desk::value_to_json(v).dump() == R"({"a":"x","n":3,"l":["p","q"],"m":{"k":"v"},"b":"true"})");
}

TEST_CASE("JSON import: deep nesting and numbers out of range are refused with a position")
{
  using desk::import::ExportDocument;
  const std::string deep = "[" + std::string(20000, '[') + std::string(20000, ']') + "]";
  try {
    ExportDocument doc(deep, "deep.json");
    FAIL_CHECK("no error");
  } catch (const desk::ParseError& e) {
    CHECK(e.line() == 1);
    CHECK(e.column() == desk::import::k_max_json_depth + 1);
    CHECK(e.message().find("levels deep") != std::string::npos);
  }
  try {
    ExportDocument doc("[\n {\"id\": \"INC-1\", \"tier\": 1e999}\n]\n", "big.json");
    FAIL_CHECK("no error");
  } catch (const desk::ParseError& e) {
    INFO(e.what());
    CHECK(e.line() == 2);
    CHECK(e.message().find("number overflow") != std::string::npos);
    CHECK(std::string(e.what()).find("json.exception") == std::string::npos);
  }
  nlohmann::ordered_json nested = 1;
  for (int i = 0; i < desk::import::k_max_json_depth + 2; ++i) {
    nested = nlohmann::ordered_json::array({nested});
  }
  CHECK_THROWS_AS(desk::import::json_to_value(nested), desk::ParseError);
}

} // TEST_SUITE
