#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace fs = std::filesystem;
using desk::Event;
using desk::Ticket;
using desk::Value;
using desk::storage::LoadProblem;
using desk::storage::TicketRef;
using desk::storage::TicketStore;
using desk::test::list_files;
using desk::test::read_raw;
using desk::test::TempDir;
using desk::test::write_raw;

using desk::test::plant;

namespace {

// A minimal valid ticket created at `created`.
Ticket make_ticket(const std::string& id, const std::string& created = "2026-11-23T10:00:00+08:00",
                   const std::string& title = "打印机坏了")
{
  Ticket t;
  t.set("id", id);
  t.set("type", "incident");
  t.set("status", "new");
  t.set("title", title);
  t.set("created", created);
  Event e;
  e.id = "E-AAAAAAAA";
  e.at = created;
  e.by = "alice";
  e.action = "open";
  e.set.set("status", Value::text("new"));
  t.apply(e);
  return t;
}

std::vector<std::string> ids_of(const std::vector<TicketRef>& refs)
{
  std::vector<std::string> out;
  for (const auto& r : refs) {
    out.push_back(r.id);
  }
  return out;
}

} // namespace

TEST_SUITE_BEGIN("storage.ticket_store");

TEST_CASE("path_for places a ticket by its creation month")
{
  const TicketStore store("/repo");
  CHECK(store.dir() == fs::path("/repo/tickets"));
  CHECK(store.path_for("INC-7K3F2A9Q", "2026-11-23T10:00:00+08:00") ==
        fs::path("/repo/tickets/2026/11/INC-7K3F2A9Q.yaml"));
  CHECK(store.path_for("REQ-AAAA", "2027-01-01T00:30:00+08:00") == fs::path("/repo/tickets/2027/01/REQ-AAAA.yaml"));
  CHECK_THROWS_AS(store.path_for("INC-X", ""), desk::UsageError);
  CHECK_THROWS_AS(store.path_for("INC-X", "yesterday"), desk::UsageError);
}

TEST_CASE("scan finds tickets/YYYY/MM/<ID>.yaml only, sorted by path")
{
  TempDir dir;
  const TicketStore store(dir.path());
  CHECK(store.scan().empty()); // no tickets/ yet
  plant(store, make_ticket("INC-BBBB", "2026-12-01T10:00:00+08:00"));
  plant(store, make_ticket("INC-AAAA", "2026-11-02T10:00:00+08:00"));
  plant(store, make_ticket("REQ-CCCC", "2025-01-02T10:00:00+08:00"));
  write_raw(dir / "tickets/2026/11/.INC-AAAA.yaml.tmp.x1y2z3", "partial");
  write_raw(dir / "tickets/2026/11/notes.txt", "not a ticket");
  write_raw(dir / "tickets/2026/11/.yaml", "hidden");
  write_raw(dir / "tickets/README.yaml", "top level");
  write_raw(dir / "tickets/2026/README.yaml", "year level");
  fs::create_directories(dir / "tickets/2026/11/INC-AAAA.files");
  write_raw(dir / "tickets/2026/11/INC-AAAA.files/screenshot.yaml", "attachment");
  const auto refs = store.scan();
  CHECK(ids_of(refs) == std::vector<std::string>{"REQ-CCCC", "INC-AAAA", "INC-BBBB"});
  REQUIRE(refs.size() == 3);
  CHECK(refs[1].path == dir / "tickets/2026/11/INC-AAAA.yaml");
}

TEST_CASE("scan also walks year and month folders whose names start with a dot")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, make_ticket("INC-AAAA", "2026-11-02T10:00:00+08:00"));
  write_raw(dir / "tickets/.old/11/INC-BBBB.yaml", "id: INC-BBBB");
  write_raw(dir / "tickets/2026/.tmp/INC-CCCC.yaml", "id: INC-CCCC");
  const auto refs = store.scan();
  CHECK(ids_of(refs) == std::vector<std::string>{"INC-BBBB", "INC-CCCC", "INC-AAAA"});
  REQUIRE(refs.size() == 3);
  CHECK(refs[0].path == dir / "tickets/.old/11/INC-BBBB.yaml");
}

TEST_CASE("resolve: exact id, abbreviations, case and I/L/O")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, make_ticket("INC-7K3F2A9Q"));
  plant(store, make_ticket("INC-7K3G0000"));
  plant(store, make_ticket("REQ-1Z2Y3X4W"));
  CHECK(store.resolve("INC-7K3F2A9Q").id == "INC-7K3F2A9Q");
  CHECK(store.resolve("INC-7K3F2A9Q").path == dir / "tickets/2026/11/INC-7K3F2A9Q.yaml");
  CHECK(store.resolve("inc-7k3f2a9q").id == "INC-7K3F2A9Q");
  CHECK(store.resolve("INC-7K3F").id == "INC-7K3F2A9Q"); // prefix of the whole id
  CHECK(store.resolve("7K3F").id == "INC-7K3F2A9Q");     // prefix of the token
  CHECK(store.resolve("7k3g").id == "INC-7K3G0000");
  CHECK(store.resolve("7K3GOOOO").id == "INC-7K3G0000"); // O read as 0
  CHECK(store.resolve("1z2y").id == "REQ-1Z2Y3X4W");
  CHECK(store.resolve("Iz2y").id == "REQ-1Z2Y3X4W"); // I read as 1
  CHECK(store.resolve("REQ").id == "REQ-1Z2Y3X4W");
}

TEST_CASE("resolve: the type prefix alone is a unique abbreviation when one ticket has it")
{
  // "Any unique abbreviation of an id works". "REQ" works; "INC" and "CON" should too,
  // but I and O in them are read as 1 and 0 when no dash is typed.
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, make_ticket("INC-7K3F2A9Q"));
  plant(store, make_ticket("CON-1Z2Y3X4W"));
  std::string got;
  try {
    got = store.resolve("INC").id;
  } catch (const desk::Error& e) {
    got = std::string("threw: ") + e.what();
  }
  CHECK(got == "INC-7K3F2A9Q");
  try {
    got = store.resolve("con").id;
  } catch (const desk::Error& e) {
    got = std::string("threw: ") + e.what();
  }
  CHECK(got == "CON-1Z2Y3X4W");
}

TEST_CASE("resolve: ambiguous input lists the candidates")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, make_ticket("INC-7K3F2A9Q"));
  plant(store, make_ticket("INC-7K3G0000"));
  plant(store, make_ticket("REQ-7K3H1111"));
  try {
    store.resolve("7k3");
    FAIL_CHECK("no error");
  } catch (const desk::NotFoundError& e) {
    const std::string what = e.what();
    CHECK(what.find("ambiguous") != std::string::npos);
    CHECK(what.find("INC-7K3F2A9Q") != std::string::npos);
    CHECK(what.find("INC-7K3G0000") != std::string::npos);
    CHECK(what.find("REQ-7K3H1111") != std::string::npos);
  }
  CHECK_THROWS_AS(store.resolve("INC-7K3"), desk::NotFoundError);
}

TEST_CASE("resolve: the same id in two files is reported, not guessed")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, make_ticket("INC-7K3F2A9Q", "2026-11-23T10:00:00+08:00"));
  plant(store, make_ticket("INC-7K3F2A9Q", "2026-12-23T10:00:00+08:00"));
  try {
    store.resolve("7K3F");
    FAIL_CHECK("no error");
  } catch (const desk::NotFoundError& e) {
    CHECK(std::string(e.what()).find("used by 2 files") != std::string::npos);
  }
}

TEST_CASE("resolve: unknown and path-like input")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, make_ticket("INC-7K3F2A9Q"));
  CHECK_THROWS_AS(store.resolve("INC-ZZZZ"), desk::NotFoundError);
  CHECK_THROWS_AS(store.resolve("ZZZZ"), desk::NotFoundError);
  for (const char* bad : {"../x", "/etc/passwd", "..", "tickets/2026/11/INC-7K3F2A9Q", "INC-7K3F2A9Q.yaml", "a\\b",
                          "", "INC 7K3F"}) {
    INFO(bad);
    CHECK_THROWS_AS(store.resolve(bad), desk::UsageError);
  }
}

TEST_CASE("create is exclusive: an existing file at the drawn id forces a redraw")
{
  TempDir dir;
  const TicketStore store(dir.path());
  Ticket squatter = make_ticket("INC-AAAA0001", "2026-11-01T10:00:00+08:00", "the older ticket");
  const fs::path taken = plant(store, squatter);
  const std::string before = read_raw(taken);

  Ticket t = make_ticket("INC-PLACEHOLDER", "2026-11-23T10:00:00+08:00", "new one");
  int draws = 0;
  const TicketRef ref = store.create(t, [&] {
    ++draws;
    return draws == 1 ? std::string("INC-AAAA0001") : std::string("INC-AAAA0002");
  });
  CHECK(draws == 2);
  CHECK(ref.id == "INC-AAAA0002");
  CHECK(t.id() == "INC-AAAA0002");
  CHECK(ref.path == dir / "tickets/2026/11/INC-AAAA0002.yaml");
  CHECK(read_raw(taken) == before); // never overwritten
  CHECK(store.load(ref) == t);
  CHECK(list_files(dir.path()) ==
        std::vector<std::string>{"tickets/2026/11/INC-AAAA0001.yaml", "tickets/2026/11/INC-AAAA0002.yaml"});
}

TEST_CASE("create gives up after 16 clashes")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, make_ticket("INC-AAAA0001"));
  Ticket t = make_ticket("INC-X");
  int draws = 0;
  CHECK_THROWS_AS(store.create(t, [&] {
    ++draws;
    return std::string("INC-AAAA0001");
  }),
                  desk::StorageError);
  CHECK(draws == 16);
  CHECK(list_files(dir.path()) == std::vector<std::string>{"tickets/2026/11/INC-AAAA0001.yaml"});
}

TEST_CASE("save is atomic, leaves no temp files, and an unchanged ticket gives the same bytes")
{
  TempDir dir;
  const TicketStore store(dir.path());
  Ticket t = make_ticket("INC-AAAA0001");
  const TicketRef ref = store.create(t, [] { return std::string("INC-AAAA0001"); });
  const std::string first = read_raw(ref.path);
  const Ticket loaded = store.load(ref);
  store.save(loaded, ref.path);
  CHECK(read_raw(ref.path) == first);
  Ticket changed = loaded;
  changed.set("title", "新标题");
  store.save(changed, ref.path);
  CHECK(store.load(ref).get("title") == "新标题");
  CHECK(list_files(dir.path()) == std::vector<std::string>{"tickets/2026/11/INC-AAAA0001.yaml"});
}

TEST_CASE("load refuses a file whose id does not match its name")
{
  TempDir dir;
  const TicketStore store(dir.path());
  const fs::path path = dir / "tickets/2026/11/INC-BBBB.yaml";
  write_raw(path, TicketStore::serialize(make_ticket("INC-AAAA")));
  try {
    store.load({"INC-BBBB", path});
    FAIL_CHECK("no error");
  } catch (const desk::ParseError& e) {
    CHECK(e.line() == 1);
    CHECK(std::string(e.what()).find("named INC-BBBB") != std::string::npos);
  }
}

TEST_CASE("load_all collects problems without throwing")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, make_ticket("INC-AAAA0001"));
  plant(store, make_ticket("INC-AAAA0002"));
  write_raw(dir / "tickets/2026/11/INC-BAD00001.yaml", "id: INC-BAD00001\nbad: a: b\n");
  write_raw(dir / "tickets/2026/11/INC-BAD00002.yaml", "");
  write_raw(dir / "tickets/2026/11/INC-BAD00003.yaml", std::string("id: \0\n", 7));
  write_raw(dir / "tickets/2026/11/INC-BAD00004.yaml", "id: INC-BAD00004\n");
  write_raw(dir / "tickets/2026/11/INC-BAD00005.yaml", TicketStore::serialize(make_ticket("INC-OTHER")));
  fs::create_directories(dir / "tickets/2026/11/INC-BAD00006.yaml");
  std::vector<LoadProblem> problems;
  std::vector<Ticket> tickets;
  CHECK_NOTHROW(tickets = store.load_all(problems));
  REQUIRE(tickets.size() == 2);
  CHECK(tickets[0].id() == "INC-AAAA0001");
  CHECK(tickets[1].id() == "INC-AAAA0002");
  REQUIRE(problems.size() == 6);
  CHECK(problems[0].path == dir / "tickets/2026/11/INC-BAD00001.yaml");
  CHECK(problems[0].message.starts_with((dir / "tickets/2026/11/INC-BAD00001.yaml").string() + ":2:"));
  CHECK(problems[1].message.find("empty") != std::string::npos);
  CHECK(problems[2].message.find("NUL") != std::string::npos);
  CHECK(problems[3].message.find("has no") != std::string::npos);
  CHECK(problems[4].message.find("holds ticket 'INC-OTHER'") != std::string::npos);
  CHECK(problems[5].message.find("directory") != std::string::npos);
}

TEST_SUITE_END();
