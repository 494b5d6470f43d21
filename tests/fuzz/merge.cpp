// The merge driver's three-way merge of ticket texts (base, ours, theirs: the input cut at
// its first two NUL bytes). A merge of two ticket files that succeeds reads back as a
// ticket, and gives the same bytes whichever side is "ours" (merge.hpp promises both).
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
  // The promises below are about one ticket: both sides readable ticket files that share
  // their id and first (open) event. (Two different tickets under one path are another
  // case: the merge must then keep both, which is not this target's property.)
  std::vector<desk::Ticket> sides;
  for (const auto side : {parts[1], parts[2]}) {
    if (!desk::fuzz::readable_text(side)) {
      return 0;
    }
    try {
      sides.push_back(desk::storage::TicketStore::deserialize(side, path));
    } catch (const desk::Error&) {
      return 0;
    }
  }
  if (sides[0].id() != sides[1].id() || sides[0].events().empty() || sides[1].events().empty() ||
      !(sides[0].events()[0] == sides[1].events()[0])) {
    return 0;
  }
  try {
    desk::storage::TicketStore::deserialize(merged, path);
  } catch (const desk::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    desk::fuzz::check(false, "a merge result does not read as a ticket");
  }
  // Symmetry: corpus/merge/side_dependent_* are the cases once merged by side (a field
  // both sides changed whose latest setter is their shared open event; an `updated` that
  // does not parse).
  std::string swapped;
  try {
    swapped = desk::storage::merge_documents(parts[0], parts[2], parts[1], path);
  } catch (const desk::Error&) {
    desk::fuzz::check(false, "a merge fails with the sides swapped");
  }
  desk::fuzz::check(swapped == merged, "a merge depends on which side is ours");
  return 0;
}
