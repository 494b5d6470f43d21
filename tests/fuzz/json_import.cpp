// `desk import json`: a `desk export` document, split into tickets and each built and
// checked like a ticket file.
#include "fuzz_support.hpp"

#include <desk/import/export.hpp>
#include <desk/util/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  try {
    const desk::import::ExportDocument doc(std::string(desk::fuzz::as_text(data, size)), "fuzz.json");
    for (std::size_t i = 0; i < doc.size(); ++i) {
      try {
        doc.build(i);
      } catch (const desk::Error&) {
      }
    }
  } catch (const desk::Error&) {
  }
  return 0;
}
