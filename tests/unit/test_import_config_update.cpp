#include <desk/config/config.hpp>
#include <desk/import/config_update.hpp>
#include <desk/storage/config_file.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

TEST_SUITE("import.config_update") {

TEST_CASE("config lists grow by a small edit that keeps comments")
{
  const std::vector<desk::import::ConfigAddition> additions = {
    {"categories", {"network", "server"}, {"server", "Category 55", "a: b"}},
    {"pending_reasons", {"awaiting-user", "awaiting-vendor"}, {"awaiting-problem"}},
  };
  CHECK(desk::import::missing_count(additions) == 3);
  const std::string full = desk::storage::default_config_text("UTC");
  const desk::Config before = desk::storage::parse_config(full, "c.yaml");
  const std::string after = desk::import::add_to_config_lists(
    full, {{"categories", before.categories, {"Category 55", "a: b"}}, {"pending_reasons", before.pending_reasons, {"awaiting-problem"}}},
    "c.yaml");
  const desk::Config c = desk::storage::parse_config(after, "c.yaml");
  CHECK(c.categories.size() == before.categories.size() + 2);
  CHECK(c.categories.back() == "a: b");
  CHECK(c.pending_reasons.back() == "awaiting-problem");
  CHECK(after.find("# Where requests come from.") != std::string::npos);
  CHECK(after.find("  - Category 55\n") != std::string::npos);
  CHECK(after.find("pending_reasons: [awaiting-user, awaiting-vendor, awaiting-change, awaiting-problem]") !=
        std::string::npos);
  // Nothing missing: the text stays as it is.
  CHECK(desk::import::add_to_config_lists(full, {{"categories", before.categories, {"network"}}}, "c.yaml") == full);
}

} // TEST_SUITE
