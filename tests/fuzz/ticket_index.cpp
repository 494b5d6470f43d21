// The ticket index reader (.desk/cache/tickets.idx). The first input byte picks what the
// rest is:
//   0: a whole index file of a repository holding one ticket;
//   1: that repository's real index with the rest XORed over it (flipped bits);
//   2: one ticket's record as the index stores it (two bytes of length, the fields, the
//      events) for decode_ticket.
// The index is derived data: whatever its bytes, reading through it gives the ticket its
// file holds (a damaged index is rebuilt, never believed).
#include "fuzz_support.hpp"

#include <desk/storage/ticket_index.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_ticket = R"(id: INC-FUZZ0001
title: 打印机无法连接 printer offline
status: in_progress
priority: P2
type: incident
reporter: 王伟
team: desktop
assignee: li.na
created: '2026-11-20T09:00:00+08:00'
updated: '2026-11-20T10:00:00+08:00'
events:
  - id: E-AAAAAAAA
    at: '2026-11-20T09:00:00+08:00'
    by: 王伟
    action: open
    set:
      status: new
  - id: E-BBBBBBBB
    at: '2026-11-20T10:00:00+08:00'
    by: li.na
    action: assign
    set:
      status: assigned
      assignee: li.na
    note: |-
      多行
      note
)";

fs::path g_root;
std::string g_index; // the real index of g_root
desk::Ticket g_ticket;

void write_bytes(const fs::path& path, std::string_view bytes)
{
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
  char templ[] = "/tmp/desk-fuzz-index.XXXXXX";
  g_root = ::mkdtemp(templ);
  fs::create_directories(g_root / ".desk" / "cache");
  fs::create_directories(g_root / "tickets" / "2026" / "11");
  write_bytes(g_root / "tickets" / "2026" / "11" / "INC-FUZZ0001.yaml", k_ticket);
  g_ticket = desk::storage::TicketStore::deserialize(k_ticket, "INC-FUZZ0001.yaml");
  // Older than the racy window, so the index trusts the file's stamp.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  const desk::storage::TicketStore store(g_root);
  store.rebuild_index();
  g_index = read_bytes(store.index_file());
  if (const char* seeds = std::getenv("DESK_FUZZ_MAKE_SEEDS")) {
    // Seed inputs for tests/fuzz/corpus/ticket_index: the real index, and its record.
    write_bytes(fs::path(seeds) / "index", std::string(1, '\0') + g_index);
    write_bytes(fs::path(seeds) / "flip", std::string(1, '\1') + std::string(g_index.size() / 2, '\0') + "\x01");
    const std::string fields = desk::storage::encode_fields(g_ticket);
    const std::string events = desk::storage::encode_events(g_ticket);
    std::string record(1, '\2');
    record += static_cast<char>(fields.size() & 0xFF);
    record += static_cast<char>((fields.size() >> 8) & 0xFF);
    write_bytes(fs::path(seeds) / "record", record + fields + events);
  }
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(g_root, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  if (size == 0) {
    return 0;
  }
  const std::string_view rest = desk::fuzz::as_text(data + 1, size - 1);
  if (data[0] % 3 == 2) {
    if (rest.size() < 2) {
      return 0;
    }
    const std::size_t split = std::min<std::size_t>(
      rest.size() - 2, static_cast<unsigned char>(rest[0]) | (static_cast<std::size_t>(static_cast<unsigned char>(rest[1])) << 8));
    try {
      desk::storage::decode_ticket(rest.substr(2, split), rest.substr(2 + split), true);
    } catch (...) {
      // A record reaches decode_ticket only after its checksum matched; the readers take
      // any exception from it as a corrupt index, rebuilt from the files.
    }
    return 0;
  }
  std::string index;
  if (data[0] % 3 == 0) {
    index = std::string(rest);
  } else {
    index = g_index;
    for (std::size_t i = 0; i < rest.size() && i < index.size(); ++i) {
      index[i] = static_cast<char>(index[i] ^ rest[i]);
    }
  }
  const desk::storage::TicketStore store(g_root);
  write_bytes(store.index_file(), index);
  std::vector<desk::storage::LoadProblem> problems;
  std::vector<desk::Ticket> tickets;
  desk::storage::visit_indexed(store.source(), store.index_file(), desk::storage::Selection{}, problems,
                               [&](desk::Ticket&& t, std::string_view) { tickets.push_back(std::move(t)); });
  desk::fuzz::check(problems.empty(), "a damaged index makes a good ticket file unreadable");
  desk::fuzz::check(tickets.size() == 1 && tickets.front() == g_ticket, "a damaged index changes what a ticket reads as");
  return 0;
}
