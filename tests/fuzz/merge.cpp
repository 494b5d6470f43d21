// The merge driver's three-way merge of ticket texts (base, ours, theirs: the input cut at
// its first two NUL bytes). A merge that succeeds reads back as a ticket and gives the
// same bytes whichever side is "ours" (merge.hpp promises both).
#include "fuzz_support.hpp"

#include <desk/storage/merge.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto parts = desk::fuzz::split_parts(desk::fuzz::as_text(data, size), 3);
  const std::string path = "tickets/2026/11/INC-FUZZ0001.yaml";
  std::string merged;
  try {
    merged = desk::storage::merge_documents(parts[0], parts[1], parts[2], path);
  } catch (const desk::Error&) {
    return 0;
  }
  try {
    desk::storage::TicketStore::deserialize(merged, path);
  } catch (const desk::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    desk::fuzz::check(false, "a merge result does not read as a ticket");
  }
  std::string swapped;
  try {
    swapped = desk::storage::merge_documents(parts[0], parts[2], parts[1], path);
  } catch (const desk::Error&) {
    desk::fuzz::check(false, "a merge fails with the sides swapped");
  }
  desk::fuzz::check(swapped == merged, "a merge depends on which side is ours");
  return 0;
}
