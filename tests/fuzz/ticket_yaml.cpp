// The ticket reader through yaml-cpp (TicketStore::deserialize, what `show` and every
// command that changes a ticket use); a ticket that reads is written and read back the
// same (desk never writes a file it cannot read).
#include "fuzz_support.hpp"

#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using desk::storage::TicketStore;
  const std::string_view text = desk::fuzz::as_text(data, size);
  if (!desk::fuzz::readable_text(text)) {
    return 0; // read_text_file refuses it before any YAML is parsed
  }
  desk::Ticket ticket;
  try {
    ticket = TicketStore::deserialize(text, "tickets/2026/11/INC-FUZZ0001.yaml");
  } catch (const desk::Error&) {
    return 0;
  }
  const std::string written = TicketStore::serialize(ticket);
  desk::Ticket again;
  try {
    again = TicketStore::deserialize(written, "written.yaml");
  } catch (const desk::Error& e) {
    std::fprintf(stderr, "%s\n--- written:\n%s\n---\n", e.what(), written.c_str());
    desk::fuzz::check(false, "a ticket desk wrote does not read back");
  }
  desk::fuzz::check(TicketStore::serialize(again) == written, "a written ticket reads back to other bytes");
  return 0;
}
