#include <desk/storage/ticket_index.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using desk::Event;
using desk::Ticket;
using desk::Value;
using desk::storage::decode_ticket;
using desk::storage::encode_events;
using desk::storage::encode_fields;
using desk::storage::IndexStats;
using desk::storage::LoadProblem;
using desk::storage::Selection;
using desk::storage::TicketStore;
using desk::test::read_raw;
using desk::test::TempDir;
using desk::test::write_raw;

using desk::test::plant;

namespace {

Ticket rich_ticket(const std::string& id, const std::string& title, const std::string& status = "new",
                   const std::string& created = "2026-11-23T10:00:00+08:00")
{
  Ticket t;
  t.set("id", id);
  t.set("type", "incident");
  t.set("status", status);
  t.set("priority", "P3");
  t.set("title", title);
  t.set("created", created);
  t.set("affected", Value::list({"VPN", "财务系统"}));
  Event e;
  e.id = "E-AAAAAAAA";
  e.at = created;
  e.by = "王伟";
  e.action = "open";
  e.set.set("status", Value::text(status));
  e.note = "第一行\nsecond line: with # and 'quotes'\n";
  e.extra.set("source", Value::text("phone"));
  t.apply(e);
  return t;
}

// The tickets `selection` takes, read through the index whatever DESK_INDEX says.
std::vector<Ticket> load_indexed(const TicketStore& store, const fs::path& index_file, const Selection& selection,
                                 std::vector<LoadProblem>& problems, IndexStats* stats = nullptr)
{
  std::vector<Ticket> out;
  desk::storage::visit_indexed(
    store.source(), index_file, selection, problems,
    [&out](Ticket&& t, std::string_view) { out.push_back(std::move(t)); }, stats);
  return out;
}

// Read every ticket through the index.
std::vector<Ticket> read_all(const TicketStore& store, IndexStats& stats, std::vector<LoadProblem>* problems = nullptr)
{
  std::vector<LoadProblem> local;
  stats = IndexStats{};
  return load_indexed(store, store.index_file(), Selection{}, problems ? *problems : local, &stats);
}

std::vector<std::string> titles(const std::vector<Ticket>& ts)
{
  std::vector<std::string> out;
  for (const auto& t : ts) {
    out.push_back(t.get("title"));
  }
  return out;
}

} // namespace

TEST_SUITE_BEGIN("storage.ticket_index");

TEST_CASE("index: a ticket's binary form decodes to the same ticket")
{
  Ticket t = rich_ticket("INC-00000001", "VPN 无法连接 😀: \"x\" # y");
  t.set("x_custom", Value::text("kept"));
  Value nested = Value::map();
  nested.set("made_sla", Value::number(1));
  nested.set("list", Value::list({"a", "b"}));
  t.set("servicenow", nested);
  const Ticket back = decode_ticket(encode_fields(t), encode_events(t), true);
  CHECK(back == t);
  CHECK(TicketStore::serialize(back) == TicketStore::serialize(t));
  const Ticket fields_only = decode_ticket(encode_fields(t), {}, false);
  CHECK(fields_only.fields() == t.fields());
  CHECK(fields_only.events().empty());
}

TEST_CASE("index: reads through its source's parser and hands each ticket on with its path")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, rich_ticket("INC-00000001", "one"));
  plant(store, rich_ticket("INC-00000003", "three", "new", "2025-01-05T08:00:00+08:00"));
  std::mutex m; // the parser runs on several threads
  std::vector<std::string> parsed;
  desk::storage::TicketSource source{store.dir(), [&](std::string_view id, const fs::path& path, std::string_view text) {
                                       {
                                         const std::lock_guard lock(m);
                                         parsed.push_back(std::string(id) + " " + path.lexically_relative(store.dir()).generic_string());
                                       }
                                       Ticket t = TicketStore::deserialize(text, path.string());
                                       t.set("title", t.get("title") + " (parsed)");
                                       return t;
                                     }};
  std::vector<std::string> seen;
  std::vector<LoadProblem> problems;
  const auto sink = [&](Ticket&& t, std::string_view rel) { seen.push_back(std::string(rel) + " " + t.get("title")); };
  desk::storage::visit_indexed(source, store.index_file(), Selection{}, problems, sink);
  std::sort(parsed.begin(), parsed.end());
  CHECK(parsed == std::vector<std::string>{"INC-00000001 2026/11/INC-00000001.yaml", "INC-00000003 2025/01/INC-00000003.yaml"});
  CHECK(seen == std::vector<std::string>{"2025/01/INC-00000003.yaml three (parsed)", "2026/11/INC-00000001.yaml one (parsed)"});
  CHECK(problems.empty());

  // A parser that refuses a file: a problem at that file, the other ticket handed on.
  fs::remove(store.index_file());
  source.parse = [](std::string_view id, const fs::path& path, std::string_view text) {
    if (id == "INC-00000003") {
      throw desk::ParseError(path.string(), 2, 3, "refused");
    }
    return TicketStore::deserialize(text, path.string());
  };
  seen.clear();
  desk::storage::visit_indexed(source, store.index_file(), Selection{}, problems, sink);
  CHECK(seen == std::vector<std::string>{"2026/11/INC-00000001.yaml one"});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].path == store.dir() / "2025/01/INC-00000003.yaml");
  CHECK(problems[0].line == 2);
  CHECK(problems[0].reason == "refused");
}

TEST_CASE("index: built once, then only changed files are parsed")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, rich_ticket("INC-00000001", "one"));
  plant(store, rich_ticket("INC-00000002", "two", "closed"));
  plant(store, rich_ticket("INC-00000003", "three", "new", "2025-01-05T08:00:00+08:00"));
  IndexStats s;
  auto all = read_all(store, s);
  CHECK(titles(all) == std::vector<std::string>{"three", "one", "two"});
  CHECK(s.rebuilt);
  CHECK(s.parsed == 3);
  CHECK(s.written);
  CHECK(fs::exists(store.index_file()));

  // Again: nothing parsed (the files were just written, so they are racy and compared by
  // content instead), same answer.
  auto again = read_all(store, s);
  CHECK(!s.rebuilt);
  CHECK(s.parsed == 0);
  CHECK(s.verified == 3);
  CHECK(again == all);
  CHECK(!s.written);

  // Selection: fields decide, events only when asked.
  std::vector<LoadProblem> problems;
  Selection open_only;
  open_only.keep = [](const Ticket& t) {
    CHECK(t.events().empty());
    return t.status() != "closed";
  };
  open_only.events = false;
  auto open = store.load_all(problems, open_only);
  CHECK(titles(open) == std::vector<std::string>{"three", "one"});
  CHECK(open[0].events().empty());
}

TEST_CASE("index: a status filter skips other tickets before decoding, and follows status edits")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, rich_ticket("INC-00000001", "one"));
  const fs::path closed = plant(store, rich_ticket("INC-00000002", "two", "closed"));
  plant(store, rich_ticket("INC-00000003", "three", "pending"));
  IndexStats s;
  read_all(store, s);
  std::vector<std::string> seen_by_keep;
  Selection open_only;
  open_only.keep_brief = [](const desk::TicketBrief& brief) { return brief.status != "closed"; };
  open_only.keep = [&](const Ticket& t) {
    seen_by_keep.push_back(t.get("title"));
    return true;
  };
  std::vector<LoadProblem> problems;
  CHECK(titles(load_indexed(store, store.index_file(), open_only, problems, &s)) ==
        std::vector<std::string>{"one", "three"});
  CHECK(seen_by_keep == std::vector<std::string>{"one", "three"}); // "two" was never decoded

  // The closed ticket reopened behind desk's back: its status in the index follows.
  std::string text = read_raw(closed);
  const auto at = text.find("status: closed");
  REQUIRE(at != std::string::npos);
  text.replace(at, 14, "status: reopened");
  write_raw(closed, text);
  seen_by_keep.clear();
  CHECK(titles(load_indexed(store, store.index_file(), open_only, problems, &s)) ==
        std::vector<std::string>{"one", "two", "three"});
  CHECK(s.parsed == 1);
  // And from the index written by that read, without parsing anything.
  seen_by_keep.clear();
  CHECK(titles(load_indexed(store, store.index_file(), open_only, problems, &s)) ==
        std::vector<std::string>{"one", "two", "three"});
  CHECK(s.parsed == 0);
  CHECK(problems.empty());
}

TEST_CASE("index: each ticket's brief (status, created, updated) is kept, read before decoding, and follows edits")
{
  using namespace std::chrono;
  TempDir dir;
  const TicketStore store(dir.path());
  Ticket a = rich_ticket("INC-00000001", "one", "resolved", "2026-11-01T10:00:00+08:00");
  a.set("updated", "2026-11-02T00:30:00Z");
  const fs::path a_path = plant(store, a);
  plant(store, rich_ticket("INC-00000002", "two", "new", "2026-10-05T09:00:00+02:00")); // no `updated`

  struct Seen {
    std::string status;
    std::optional<desk::Timestamp> created, updated;
    bool operator==(const Seen&) const = default;
  };
  std::vector<Seen> seen;
  Selection briefs;
  briefs.keep_brief = [&](const desk::TicketBrief& b) {
    seen.push_back({std::string(b.status), b.created, b.updated});
    return false; // nothing decoded
  };
  briefs.keep = [](const Ticket&) {
    FAIL("keep was asked about a ticket its brief refused");
    return false;
  };
  const std::vector<Seen> expected{ // in path order: 2026/10 first
    {"new", desk::Timestamp{sys_days{2026y / October / 5}} + 7h, std::nullopt},
    {"resolved", desk::Timestamp{sys_days{2026y / November / 1}} + 2h, desk::Timestamp{sys_days{2026y / November / 2}} + 30min},
  };
  std::vector<LoadProblem> problems;
  IndexStats s;
  // Parsed now (no index yet), then from the index written by that read.
  CHECK(load_indexed(store, store.index_file(), briefs, problems, &s).empty());
  CHECK(s.parsed == 2);
  CHECK(seen == expected);
  seen.clear();
  CHECK(load_indexed(store, store.index_file(), briefs, problems, &s).empty());
  CHECK(s.parsed == 0);
  CHECK(seen == expected);

  // `updated` edited behind desk's back (same size): the brief follows.
  std::string text = read_raw(a_path);
  const auto at = text.find("2026-11-02T00:30:00Z");
  REQUIRE(at != std::string::npos);
  text.replace(at, 20, "2026-11-03T00:30:00Z");
  write_raw(a_path, text);
  seen.clear();
  CHECK(load_indexed(store, store.index_file(), briefs, problems, &s).empty());
  CHECK(s.parsed == 1);
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].updated == desk::Timestamp{sys_days{2026y / November / 3}} + 30min);
  CHECK(problems.empty());
}

TEST_CASE("index: an edit behind desk's back with the same size in the same second is seen")
{
  TempDir dir;
  const TicketStore store(dir.path());
  const fs::path path = plant(store, rich_ticket("INC-00000001", "abc"));
  IndexStats s;
  read_all(store, s);
  const struct stat before = [&] {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st;
  }();
  // Same length, written in place (same inode), immediately.
  std::string text = read_raw(path);
  const auto at = text.find("title: abc");
  REQUIRE(at != std::string::npos);
  text.replace(at, 10, "title: xyz");
  {
    std::ofstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(0);
    f << text;
  }
  struct stat after {};
  ::stat(path.c_str(), &after);
  CHECK(after.st_ino == before.st_ino);
  CHECK(after.st_size == before.st_size);
  auto all = read_all(store, s);
  REQUIRE(all.size() == 1);
  CHECK(all[0].get("title") == "xyz");
}

TEST_CASE("index: added, deleted and old unchanged files")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, rich_ticket("INC-00000001", "one"));
  const fs::path two = plant(store, rich_ticket("INC-00000002", "two"));
  IndexStats s;
  read_all(store, s);
  read_all(store, s);
  CHECK(s.parsed == 0);

  fs::remove(two);
  plant(store, rich_ticket("INC-00000009", "nine", "new", "2026-10-01T09:00:00+08:00"));
  auto all = read_all(store, s);
  CHECK(titles(all) == std::vector<std::string>{"nine", "one"});
  CHECK(s.removed == 1);
  CHECK(s.parsed == 1);
  CHECK(s.written);
  // A whole month folder appears (another clone's tickets after a pull).
  plant(store, rich_ticket("INC-0000000A", "ten", "new", "2024-02-01T09:00:00+08:00"));
  CHECK(titles(read_all(store, s)) == std::vector<std::string>{"ten", "nine", "one"});
}

TEST_CASE("index: a damaged or foreign index file is rebuilt silently")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, rich_ticket("INC-00000001", "one"));
  plant(store, rich_ticket("INC-00000002", "二"));
  IndexStats s;
  const auto good = read_all(store, s);
  const std::string bytes = read_raw(store.index_file());
  // The index with the byte at `at` changed.
  const auto flipped = [&bytes](std::size_t at) {
    REQUIRE(at < bytes.size());
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x55);
    return bad;
  };

  SUBCASE("garbage")
  {
    write_raw(store.index_file(), "not an index at all");
  }
  SUBCASE("truncated")
  {
    write_raw(store.index_file(), bytes.substr(0, bytes.size() / 2));
  }
  SUBCASE("a flipped byte in a ticket's data")
  {
    write_raw(store.index_file(), flipped(bytes.find("one")));
  }
  SUBCASE("a flipped byte in a ticket's events")
  {
    write_raw(store.index_file(), flipped(bytes.find("second line")));
  }
  SUBCASE("a flipped byte in the entry table")
  {
    // The table starts where the header says (its fifth field, after magic, version,
    // reserved and the entry count); byte 100 is among the records since the table moved
    // after them.
    std::uint64_t entries_offset = 0;
    REQUIRE(bytes.size() >= 32);
    std::memcpy(&entries_offset, bytes.data() + 24, sizeof entries_offset);
    write_raw(store.index_file(), flipped(entries_offset + 10));
  }
  SUBCASE("empty")
  {
    write_raw(store.index_file(), "");
  }
  SUBCASE("a directory")
  {
    fs::remove(store.index_file());
    fs::create_directories(store.index_file());
  }
  std::vector<LoadProblem> problems;
  const auto all = read_all(store, s, &problems);
  CHECK(all == good);
  CHECK(problems.empty());
}

TEST_CASE("index: a bad ticket file is reported every time, and parsed again only when it changes")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, rich_ticket("INC-00000001", "one"));
  const fs::path bad = store.path_for("INC-00000002", "2026-11-23T10:00:00+08:00");
  write_raw(bad, "id: INC-00000002\ntitle: [unclosed\n");
  IndexStats s;
  std::vector<LoadProblem> problems;
  CHECK(read_all(store, s, &problems).size() == 1);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].path == bad);
  CHECK(problems[0].message.find(bad.string() + ":") == 0);
  // The position is kept apart from the message, which prints it.
  const LoadProblem first = problems[0];
  CHECK(first.line > 0); // where yaml-cpp gave up on the unclosed [
  CHECK(first.column > 0);
  CHECK(!first.reason.empty());
  CHECK(first.message == fmt::format("{}:{}:{}: {}", bad.string(), first.line, first.column, first.reason));
  problems.clear();
  // Again, now from the index: the same problem, position included.
  CHECK(read_all(store, s, &problems).size() == 1);
  REQUIRE(problems.size() == 1);
  CHECK(s.parsed == 0);
  CHECK(problems[0].message == first.message);
  CHECK(problems[0].line == first.line);
  CHECK(problems[0].column == first.column);
  CHECK(problems[0].reason == first.reason);
  // Without the index (DESK_INDEX=off, every file parsed): the same.
  problems.clear();
  ::setenv("DESK_INDEX", "off", 1);
  store.load_all(problems, Selection{});
  ::unsetenv("DESK_INDEX");
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message == first.message);
  CHECK(problems[0].line == first.line);
  CHECK(problems[0].reason == first.reason);
  // Fixed by hand: it comes back.
  write_raw(bad, TicketStore::serialize(rich_ticket("INC-00000002", "two")));
  problems.clear();
  CHECK(read_all(store, s, &problems).size() == 2);
  CHECK(problems.empty());
}

TEST_CASE("index: rebuild parses every file; an unwritable cache folder only costs speed")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, rich_ticket("INC-00000001", "one"));
  IndexStats s = store.rebuild_index();
  CHECK(s.parsed == 1);
  CHECK(s.written);
  // The cache path is taken by a file: nothing can be written there, reads still work.
  fs::remove_all(dir.path() / ".desk");
  write_raw(dir.path() / ".desk", "in the way");
  auto all = read_all(store, s);
  CHECK(all.size() == 1);
  CHECK(!s.written);
}

TEST_CASE("index: racy entries are compared by content until they are old, then trusted")
{
  TempDir dir;
  const TicketStore store(dir.path());
  constexpr int k_count = 100;
  const auto id_of = [](int i) { return fmt::format("INC-{:08}", i); };
  for (int i = 1; i <= k_count; ++i) {
    plant(store, rich_ticket(id_of(i), fmt::format("ticket {}", i)));
  }
  IndexStats s;
  read_all(store, s);
  CHECK(s.written);
  read_all(store, s);
  CHECK(s.verified == k_count); // just written: compared by content
  CHECK(!s.written);
  // Older than the racy window: verified once more, then the write settles them (every
  // file is racy, as after a fresh clone).
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  read_all(store, s);
  CHECK(s.verified == k_count);
  CHECK(s.written);
  read_all(store, s);
  CHECK(s.verified == 0);
  CHECK(s.parsed == 0);
  CHECK(!s.written);

  // One file changed (as by a pull): parsed and written, racy while it is new.
  plant(store, rich_ticket(id_of(7), "seven, changed"));
  read_all(store, s);
  CHECK(s.parsed == 1);
  CHECK(s.written);
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  // Old enough now, but one file in a hundred is cheaper to compare on each read than
  // writing the table again to settle it: compared, not written.
  for (int k = 0; k < 2; ++k) {
    const auto all = read_all(store, s);
    CHECK(s.verified == 1);
    CHECK(s.parsed == 0);
    CHECK(!s.written);
    REQUIRE(all.size() == k_count);
    CHECK(all[6].get("title") == "seven, changed");
  }
  // A write for another reason settles it too.
  plant(store, rich_ticket(id_of(8), "eight, changed"));
  read_all(store, s);
  CHECK(s.parsed == 1);
  CHECK(s.verified == 1);
  CHECK(s.written);
  read_all(store, s);
  CHECK(s.verified == 1); // the new one only
  CHECK(!s.written);
}

namespace {

ino_t inode_of(const fs::path& p)
{
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

// Every ticket read straight from the files, for comparison with the index.
std::vector<Ticket> read_files(const TicketStore& store)
{
  std::vector<Ticket> out;
  for (const auto& ref : store.scan()) {
    out.push_back(store.load(ref));
  }
  return out;
}

} // namespace

TEST_CASE("index: an update is appended in place; a file mostly dead records is written anew")
{
  TempDir dir;
  const TicketStore store(dir.path());
  plant(store, rich_ticket("INC-00000001", "one"));
  const fs::path two = plant(store, rich_ticket("INC-00000002", "two"));
  plant(store, rich_ticket("INC-00000003", "three"));
  IndexStats s;
  read_all(store, s);
  CHECK(s.written);
  CHECK(!s.appended); // a new index is written whole
  const ino_t first = inode_of(store.index_file());
  const auto size_before = fs::file_size(store.index_file());

  Ticket changed = store.load(store.resolve("INC-00000002"));
  changed.set("title", "二号");
  store.save(changed, two);
  auto all = read_all(store, s);
  CHECK(s.parsed == 1);
  CHECK(s.written);
  CHECK(s.appended);
  CHECK(inode_of(store.index_file()) == first);
  CHECK(fs::file_size(store.index_file()) > size_before);
  CHECK(titles(all) == std::vector<std::string>{"one", "二号", "three"});
  CHECK(all == read_files(store));
  // Read back from the appended records, not parsed again.
  all = read_all(store, s);
  CHECK(s.parsed == 0);
  CHECK(all == read_files(store));

  // A large ticket changed again and again: its old copies stay in the file until they
  // outweigh half of it, then the index is written anew without them.
  Ticket big = rich_ticket("INC-0000000B", "big");
  big.set("description", Value::text(std::string(3 << 20, 'a')));
  const fs::path big_path = plant(store, big);
  read_all(store, s);
  CHECK(s.appended);
  bool rewritten = false;
  for (char c = 'b'; c < 'h' && !rewritten; ++c) {
    big.set("description", Value::text(std::string(3 << 20, c)));
    store.save(big, big_path);
    all = read_all(store, s);
    CHECK(s.parsed == 1);
    CHECK(s.written);
    CHECK(all == read_files(store));
    rewritten = !s.appended;
  }
  CHECK(rewritten);
  CHECK(inode_of(store.index_file()) != first);
  CHECK(fs::file_size(store.index_file()) < (4u << 20));
  CHECK(read_all(store, s) == read_files(store));
  CHECK(s.parsed == 0);
}

TEST_CASE("index: an empty repository, and one whose every ticket is deleted, have an empty table")
{
  TempDir dir;
  const TicketStore store(dir.path());
  fs::create_directories(dir.path() / "tickets" / "2026" / "11");
  IndexStats s;
  CHECK(read_all(store, s).empty());
  CHECK(s.written);
  CHECK(read_all(store, s).empty()); // an index of no entries, read back (an empty mapping)
  CHECK(!s.rebuilt);
  CHECK(!s.written);
  const fs::path one = plant(store, rich_ticket("INC-00000001", "one"));
  CHECK(read_all(store, s).size() == 1);
  fs::remove(one);
  CHECK(read_all(store, s).empty());
  CHECK(s.removed == 1);
  CHECK(read_all(store, s).empty());
  CHECK(!s.rebuilt);
}

TEST_CASE("index: a table of several megabytes, written in pieces, checks out when read, appended or rewritten")
{
  // The table is handed to the file a megabyte at a time and its check computed piece by
  // piece; a read computes it over the whole table at once. 12,000 files make a table of
  // about 1.6 MB: a check that differed would rebuild the index on every read.
  TempDir dir;
  const TicketStore store(dir.path());
  Ticket t = rich_ticket("INC-00000000", "x");
  t.events().clear();
  for (int i = 0; i < 12000; ++i) {
    const std::string id = fmt::format("INC-{:08X}", i + 1);
    t.set("id", id);
    t.set("title", fmt::format("ticket {}", i));
    write_raw(store.path_for(id, t.get("created")), TicketStore::serialize(t));
  }
  IndexStats s;
  CHECK(read_all(store, s).size() == 12000);
  CHECK(s.parsed == 12000);
  CHECK(s.written);
  CHECK(fs::file_size(store.index_file()) > (1u << 20) + 12000 * 104);
  read_all(store, s);
  CHECK(s.parsed == 0);
  CHECK(!s.rebuilt);
  // An appended table.
  const fs::path one = store.path_for("INC-00000007", t.get("created"));
  std::string text = read_raw(one);
  text.replace(text.find("ticket 6"), 8, "ticket 0");
  write_raw(one, text);
  read_all(store, s);
  CHECK(s.parsed == 1);
  CHECK(s.appended);
  const auto all = read_all(store, s);
  CHECK(s.parsed == 0);
  CHECK(!s.rebuilt);
  CHECK(all[6].get("title") == "ticket 0");
  // A rewritten one (reindex).
  store.rebuild_index();
  CHECK(read_all(store, s) == all);
  CHECK(s.parsed == 0);
  CHECK(!s.rebuilt);
}

TEST_CASE("index: while another process updates the index, a read answers from the files and leaves it alone")
{
  TempDir dir;
  const TicketStore store(dir.path());
  const fs::path one = plant(store, rich_ticket("INC-00000001", "one"));
  IndexStats s;
  read_all(store, s);
  const int fd = ::open(store.index_file().c_str(), O_RDWR);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  Ticket t = store.load(store.resolve("INC-00000001"));
  t.set("title", "uno");
  store.save(t, one);
  auto all = read_all(store, s);
  CHECK(titles(all) == std::vector<std::string>{"uno"});
  CHECK(s.parsed == 1);
  CHECK(!s.written);
  ::close(fd); // the other process is done
  all = read_all(store, s);
  CHECK(titles(all) == std::vector<std::string>{"uno"});
  CHECK(s.written);
  CHECK(s.appended);
}

TEST_CASE("index: bytes after the table (an update cut short) are passed over")
{
  TempDir dir;
  const TicketStore store(dir.path());
  const fs::path one = plant(store, rich_ticket("INC-00000001", "one"));
  plant(store, rich_ticket("INC-00000002", "two"));
  IndexStats s;
  const auto good = read_all(store, s);
  {
    std::ofstream f(store.index_file(), std::ios::binary | std::ios::app);
    f << std::string(1000, '\x7f');
  }
  CHECK(read_all(store, s) == good);
  CHECK(!s.rebuilt);
  Ticket t = store.load(store.resolve("INC-00000001"));
  t.set("title", "uno");
  store.save(t, one);
  CHECK(titles(read_all(store, s)) == std::vector<std::string>{"uno", "two"});
  CHECK(s.appended);
  CHECK(read_all(store, s) == read_files(store));
  CHECK(!s.rebuilt);
}

TEST_SUITE_END();
