// The config reader (.desk/config.yaml: taxonomy, matrix, SLA calendar, teams, hooks).
#include "fuzz_support.hpp"

#include <desk/storage/config_file.hpp>
#include <desk/util/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  try {
    desk::storage::parse_config(desk::fuzz::as_text(data, size), ".desk/config.yaml");
  } catch (const desk::Error&) {
  }
  return 0;
}
