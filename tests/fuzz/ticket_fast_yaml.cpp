// The bulk ticket reader on libyaml (parse_yaml_fast, the index's rebuild): whatever it
// accepts, yaml-cpp (parse_yaml, the reference) reads as the same Value.
#include "fuzz_support.hpp"

#include <desk/storage/fast_yaml.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text = desk::fuzz::as_text(data, size); // any bytes: the fast reader leaves
                                                                   // what yaml-cpp might read otherwise
  const auto fast = desk::storage::parse_yaml_fast(text);
  if (!fast) {
    return 0;
  }
  try {
    const desk::Value reference = desk::storage::parse_yaml(text, "fuzz.yaml");
    desk::fuzz::check(reference == *fast, "libyaml and yaml-cpp read the same text differently");
  } catch (const desk::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    desk::fuzz::check(false, "libyaml accepts a text yaml-cpp refuses");
  }
  return 0;
}
