#include <desk/ops/step.hpp>
#include <desk/ops/ticket_steps.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
namespace ops = desk::ops;
namespace wf = desk::workflow;
using desk::Ticket;
using desk::storage::Repository;
using desk::test::git_in;
using desk::test::list_files;
using desk::test::load_ticket;
using desk::test::make_repository;
using desk::test::open_ticket_in;
using desk::test::read_raw;
using desk::test::step_call;
using desk::test::TempDir;
using desk::test::write_raw;

namespace {

desk::workflow::OpenRequest step_open_request(const std::string& title)
{
  desk::workflow::OpenRequest r;
  r.title = title;
  r.reporter = "王伟";
  return r;
}

// Every ticket of the repository, loaded from its file (fails the test on a broken one).
std::vector<Ticket> every_ticket(const Repository& repo)
{
  std::vector<Ticket> all;
  for (const auto& ref : repo.tickets().scan()) {
    all.push_back(repo.tickets().load(ref));
  }
  return all;
}

// How many events of `t` carry `note`.
std::size_t events_with_note(const Ticket& t, const std::string& note)
{
  return static_cast<std::size_t>(
    std::count_if(t.events().begin(), t.events().end(), [&](const desk::Event& e) { return e.note == note; }));
}

// Files a writer leaves behind when it stops half-way (temporary files of atomic writes).
std::vector<std::string> leftover_temp_files(const fs::path& root)
{
  std::vector<std::string> found;
  for (const auto& f : list_files(root)) {
    if (f.starts_with(".git/")) {
      continue;
    }
    if (f.find(".tmp") != std::string::npos) {
      found.push_back(f);
    }
  }
  return found;
}

// The ref file git locks when it moves the branch: holding it makes every commit fail.
fs::path branch_lock(const fs::path& root)
{
  return root / ".git" / "refs" / "heads" / "main.lock";
}

std::size_t commit_count(const fs::path& root)
{
  return std::stoul(git_in(root, {"rev-list", "--count", "HEAD"}));
}

// Runs `threads` workers, each doing `rounds` times: open a ticket, log work on one shared
// ticket and reply on the other. Returns the errors the workers met (none expected).
std::vector<std::string> run_workers(const Repository& repo, const std::vector<std::string>& shared, int threads,
                                     int rounds)
{
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      try {
        for (int i = 0; i < rounds; ++i) {
          const ops::Call call = step_call(fmt::format("worker{}", w));
          const std::string tag = fmt::format("{}-{}", w, i);
          ops::open(repo, call, step_open_request("opened by " + tag));
          ops::log_work(repo, call, shared[static_cast<std::size_t>(i) % 2], "log " + tag, 5);
          ops::ReplyRequest reply;
          reply.text = "reply " + tag;
          ops::reply(repo, call, shared[static_cast<std::size_t>(i + 1) % 2], reply);
        }
      } catch (const std::exception& e) {
        const std::lock_guard guard(errors_mutex);
        errors.push_back(fmt::format("worker {}: {}", w, e.what()));
      }
    });
  }
  for (auto& t : workers) {
    t.join();
  }
  return errors;
}

// What run_workers must have left: every ticket readable, ids unique, every opened title
// and every note exactly once.
void check_workers_left(const Repository& repo, const std::vector<std::string>& shared, int threads, int rounds)
{
  const auto all = every_ticket(repo);
  REQUIRE(all.size() == shared.size() + static_cast<std::size_t>(threads * rounds));
  std::set<std::string> ids;
  std::map<std::string, int> titles;
  for (const auto& t : all) {
    ids.insert(t.id());
    ++titles[t.get("title")];
  }
  CHECK(ids.size() == all.size());
  for (int w = 0; w < threads; ++w) {
    for (int i = 0; i < rounds; ++i) {
      const std::string tag = fmt::format("{}-{}", w, i);
      CHECK_MESSAGE(titles["opened by " + tag] == 1, tag);
      const Ticket logged = repo.tickets().load(repo.tickets().resolve(shared[static_cast<std::size_t>(i) % 2]));
      const Ticket replied = repo.tickets().load(repo.tickets().resolve(shared[static_cast<std::size_t>(i + 1) % 2]));
      CHECK_MESSAGE(events_with_note(logged, "log " + tag) == 1, tag);
      CHECK_MESSAGE(events_with_note(replied, "reply " + tag) == 1, tag);
    }
  }
  for (const auto& id : shared) {
    const Ticket t = repo.tickets().load(repo.tickets().resolve(id));
    // open, then one log and one reply per round of every worker
    CHECK(t.events().size() == 1 + static_cast<std::size_t>(threads * rounds));
    std::set<std::string> event_ids;
    for (const auto& e : t.events()) {
      event_ids.insert(e.id);
    }
    CHECK(event_ids.size() == t.events().size());
  }
  CHECK(leftover_temp_files(repo.root()).empty());
}

} // namespace

TEST_SUITE("ops.step")
{
  TEST_CASE("steps called from several threads at once on one repository each happen exactly once")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::vector<std::string> shared = {ops::open(repo, step_call(), step_open_request("shared one")).ticket.id(),
                                             ops::open(repo, step_call(), step_open_request("shared two")).ticket.id()};
    const auto errors = run_workers(repo, shared, 4, 25);
    CHECK_MESSAGE(errors.empty(), fmt::format("{}", fmt::join(errors, "; ")));
    check_workers_left(repo, shared, 4, 25);
  }

  TEST_CASE("steps from several threads with auto-commit: every change is in its own commit")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo", true);
    REQUIRE(repo.config().git_autocommit);
    const std::vector<std::string> shared = {ops::open(repo, step_call(), step_open_request("shared one")).ticket.id(),
                                             ops::open(repo, step_call(), step_open_request("shared two")).ticket.id()};
    const std::size_t before = commit_count(repo.root());
    const auto errors = run_workers(repo, shared, 4, 5);
    CHECK_MESSAGE(errors.empty(), fmt::format("{}", fmt::join(errors, "; ")));
    check_workers_left(repo, shared, 4, 5);
    CHECK(commit_count(repo.root()) == before + 4 * 5 * 3);
    // Every ticket file is committed as it is on disk (.desk/ was never added: only it shows).
    CHECK(git_in(repo.root(), {"status", "--porcelain", "--", "tickets"}).empty());
  }

  TEST_CASE("steps with grouped commits: each is saved at once and one commit holds them all")
  {
    TempDir dir;
    const Repository plain = make_repository(dir / "repo", true);
    const std::vector<std::string> shared = {ops::open(plain, step_call(), step_open_request("shared one")).ticket.id(),
                                             ops::open(plain, step_call(), step_open_request("shared two")).ticket.id()};
    const std::size_t before = commit_count(plain.root());
    const Repository grouped = plain.with_commit_group();
    const auto errors = run_workers(grouped, shared, 4, 5);
    CHECK_MESSAGE(errors.empty(), fmt::format("{}", fmt::join(errors, "; ")));
    check_workers_left(grouped, shared, 4, 5); // on disk before any commit
    CHECK(commit_count(plain.root()) == before);
    CHECK_FALSE(git_in(plain.root(), {"status", "--porcelain", "--", "tickets"}).empty());
    CHECK(grouped.commit_group().empty());
    CHECK(commit_count(plain.root()) == before + 1);
    CHECK(git_in(plain.root(), {"status", "--porcelain", "--", "tickets"}).empty());
    const std::string message = git_in(plain.root(), {"log", "-1", "--format=%B"});
    CHECK(message.starts_with(fmt::format("{} changes: ", 4 * 5 * 3)));
    CHECK(grouped.commit_group().empty()); // nothing left: no empty commit
    CHECK(commit_count(plain.root()) == before + 1);
    CHECK(plain.commit_group().empty()); // a repository without a group has nothing to commit
  }

  TEST_CASE("a grouped commit that fails keeps its changes for the next try")
  {
    TempDir dir;
    const Repository plain = make_repository(dir / "repo", true);
    ops::open(plain, step_call(), step_open_request("committed at once"));
    const Repository grouped = plain.with_commit_group();
    const auto only = ops::open(grouped, step_call("carol"), step_open_request("one change"));
    CHECK(grouped.commit_group().empty());
    CHECK(git_in(plain.root(), {"log", "-1", "--format=%an%n%s"}) ==
          fmt::format("carol\n{}", git_in(plain.root(), {"log", "-1", "--format=%s", "--", only.ref.path.string()})));
    const auto first = ops::open(grouped, step_call("alice"), step_open_request("printer jams"));
    const auto second = ops::open(grouped, step_call("bob"), step_open_request("VPN drops"));
    const std::size_t before = commit_count(plain.root());
    write_raw(branch_lock(plain.root()), "");
    CHECK_THROWS_AS(grouped.commit_group(), desk::Error);
    CHECK(commit_count(plain.root()) == before);
    CHECK(fs::exists(first.ref.path));
    fs::remove(branch_lock(plain.root()));
    const auto third = ops::open(grouped, step_call("alice"), step_open_request("打印机卡纸"));
    CHECK(grouped.commit_group().empty());
    CHECK(commit_count(plain.root()) == before + 1);
    CHECK(git_in(plain.root(), {"status", "--porcelain", "--", "tickets"}).empty());
    const std::string message = git_in(plain.root(), {"log", "-1", "--format=%B"});
    CHECK(message.find(first.ticket.id()) != std::string::npos);
    CHECK(message.find(second.ticket.id()) != std::string::npos);
    CHECK(message.find(third.ticket.id()) != std::string::npos);
    CHECK(message.find(first.ticket.id()) < message.find(third.ticket.id())); // kept in order
    CHECK(git_in(plain.root(), {"log", "-1", "--format=%an"}) == "desk\n"); // more than one actor
  }

  TEST_CASE("a change that throws writes nothing, not even the files it wrote through the transaction")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const auto opened = ops::open(repo, step_call(), step_open_request("printer jams"));
    const std::string before = read_raw(opened.ref.path);
    const fs::path extra = repo.root() / "tickets" / "side-file.txt";
    CHECK_THROWS_AS(ops::change_ticket(repo, step_call(), opened.ticket.id(),
                                       [&](Ticket& t, ops::Transaction& tx) -> std::string {
                                         t.set("title", "changed in memory");
                                         tx.created(extra);
                                         write_raw(extra, "half-done");
                                         throw desk::UsageError("refused half-way");
                                       }),
                    desk::UsageError);
    CHECK(read_raw(opened.ref.path) == before);
    CHECK_FALSE(fs::exists(extra));
    // A change refused by the workflow (reply without text) leaves the file as it was, too.
    CHECK_THROWS_AS(ops::reply(repo, step_call(), opened.ticket.id(), ops::ReplyRequest{}), desk::UsageError);
    CHECK(read_raw(opened.ref.path) == before);
    CHECK(leftover_temp_files(repo.root()).empty());
  }

  TEST_CASE("a change that finds nothing to do saves nothing")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const auto opened = ops::open(repo, step_call(), step_open_request("printer jams"));
    const std::string before = read_raw(opened.ref.path);
    const auto r = ops::change_ticket(repo, step_call(), opened.ticket.id(),
                                      [](Ticket&, ops::Transaction&) { return std::string(); });
    CHECK_FALSE(r.changed);
    CHECK(read_raw(opened.ref.path) == before);
  }

  TEST_CASE("a commit that fails leaves the ticket file byte for byte as it was; a retry records the event once")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo", true);
    const auto opened = ops::open(repo, step_call(), step_open_request("VPN drops"));
    const std::string id = opened.ticket.id();
    const std::string before = read_raw(opened.ref.path);
    const std::size_t commits = commit_count(repo.root());

    write_raw(branch_lock(repo.root()), ""); // another git process is moving the branch
    CHECK_THROWS_AS(ops::log_work(repo, step_call(), id, "checked the tunnel", 10), desk::Error);
    CHECK(read_raw(opened.ref.path) == before);
    CHECK(commit_count(repo.root()) == commits);

    ops::ReplyRequest reply;
    reply.text = "we are looking at it";
    reply.files.push_back({"trace.txt", {}, "traceroute output"});
    CHECK_THROWS_AS(ops::reply(repo, step_call(), id, reply), desk::Error);
    CHECK(read_raw(opened.ref.path) == before);
    CHECK_FALSE(fs::exists(desk::storage::TicketStore::attachments_dir(opened.ref)));
    CHECK(leftover_temp_files(repo.root()).empty());

    fs::remove(branch_lock(repo.root()));
    ops::log_work(repo, step_call(), id, "checked the tunnel", 10);
    ops::reply(repo, step_call(), id, reply);
    const Ticket after = repo.tickets().load(opened.ref);
    CHECK(events_with_note(after, "checked the tunnel") == 1);
    CHECK(events_with_note(after, "we are looking at it") == 1);
    CHECK(after.get_list("attachments") == std::vector<std::string>{"trace.txt"});
    CHECK(commit_count(repo.root()) == commits + 2);
    CHECK(git_in(repo.root(), {"status", "--porcelain", "--", "tickets"}).empty());
  }

  TEST_CASE("an open whose commit fails leaves no ticket file and no attachments folder")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo", true);
    const auto first = ops::open(repo, step_call(), step_open_request("first"));
    const std::size_t commits = commit_count(repo.root());
    const auto files_before = list_files(repo.root() / "tickets");

    write_raw(branch_lock(repo.root()), "");
    auto request = step_open_request("laptop screen flickers");
    CHECK_THROWS_AS(ops::open(repo, step_call(), request, {{"screen.jpg", {}, "jpeg bytes"}}), desk::Error);
    CHECK(list_files(repo.root() / "tickets") == files_before);
    CHECK(every_ticket(repo).size() == 1);
    for (const auto& entry : fs::recursive_directory_iterator(repo.root() / "tickets")) {
      CHECK_MESSAGE(entry.path().extension() != ".files", entry.path().string());
    }

    fs::remove(branch_lock(repo.root()));
    const auto opened = ops::open(repo, step_call(), request, {{"screen.jpg", {}, "jpeg bytes"}});
    CHECK(every_ticket(repo).size() == 2);
    CHECK(read_raw(desk::storage::TicketStore::attachments_dir(opened.ref) / "screen.jpg") == "jpeg bytes");
    CHECK(commit_count(repo.root()) == commits + 1);
    CHECK(git_in(repo.root(), {"status", "--porcelain", "--", "tickets"}).empty());
    CHECK(first.ticket.id() != opened.ticket.id());
  }

  TEST_CASE("an attachment that cannot be stored leaves nothing behind")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const auto files_before = list_files(repo.root());
    auto request = step_open_request("with a missing file");
    ops::Attachment missing;
    missing.from = dir / "no-such-file.png";
    CHECK_THROWS_AS(ops::open(repo, step_call(), request, {missing}), desk::NotFoundError);
    ops::Attachment folder;
    folder.from = dir.path();
    CHECK_THROWS_AS(ops::open(repo, step_call(), request, {folder}), desk::UsageError);
    CHECK(list_files(repo.root()) == files_before);
  }

  TEST_CASE("safe_file_name keeps the last path part without control characters or leading dots")
  {
    CHECK(ops::safe_file_name("../../etc/passwd") == "passwd");
    CHECK(ops::safe_file_name("C:\\Users\\wang\\截图.png") == "截图.png");
    CHECK(ops::safe_file_name("re\x1b]0;owned\x07port.txt") == "re]0;ownedport.txt");
    CHECK(ops::safe_file_name("line\r\nbreak.log") == "linebreak.log");
    CHECK(ops::safe_file_name("..") == "");
    CHECK(ops::safe_file_name(".hidden") == "hidden");
    CHECK(ops::safe_file_name("dir/") == "");
    const std::string long_cjk = [] {
      std::string s;
      for (int i = 0; i < 100; ++i) {
        s += "报"; // 3 bytes each: 200 is not a character boundary
      }
      return s;
    }();
    const std::string cut = ops::safe_file_name(long_cjk);
    CHECK(cut.size() == 198);
    CHECK(desk::text::is_valid_utf8(cut));
    CHECK_THROWS_AS(ops::safe_file_name("bad\xff.txt"), desk::UsageError);
  }

  TEST_CASE("a step over several tickets saves all or none, and skips an unreadable file only when told")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::string a = open_ticket_in(repo, "first");
    const std::string b = open_ticket_in(repo, "second");
    const auto refs = [&] { return repo.tickets().scan(); };
    const std::string before_a = read_raw(repo.tickets().resolve(a).path);
    const std::string before_b = read_raw(repo.tickets().resolve(b).path);
    const auto log_each = [&](Ticket& t, std::vector<std::string>&) {
      wf::log_work(t, ops::context(repo, step_call()), "checked", 0);
      return std::vector<ops::HookRun>{{t, {}}};
    };
    const auto message = [](std::size_t n) { return std::to_string(n) + " logged"; };

    // The second change fails after the first ticket was saved: both files stay as they were.
    int calls = 0;
    CHECK_THROWS_AS(ops::change_tickets(
                      repo, step_call(), refs, false,
                      [&](Ticket& t, std::vector<std::string>& w) {
                        if (++calls == 2) {
                          throw desk::UsageError("refused");
                        }
                        return log_each(t, w);
                      },
                      message),
                    desk::UsageError);
    CHECK(calls == 2);
    CHECK(read_raw(repo.tickets().resolve(a).path) == before_a);
    CHECK(read_raw(repo.tickets().resolve(b).path) == before_b);

    // A change that returns nothing leaves its ticket's file untouched.
    const auto none = ops::change_tickets(
      repo, step_call(), refs, false, [](Ticket&, std::vector<std::string>&) { return std::vector<ops::HookRun>{}; },
      message);
    CHECK(none.changed.empty());
    CHECK(read_raw(repo.tickets().resolve(a).path) == before_a);

    // A damaged file: an error that ends the step, or a warning and the others changed.
    desk::test::write_raw(repo.tickets().dir() / "2026" / "12" / "INC-BROKEN01.yaml", "id: [\n");
    CHECK_THROWS_AS(ops::change_tickets(repo, step_call(), refs, false, log_each, message), desk::ParseError);
    CHECK(read_raw(repo.tickets().resolve(a).path) == before_a);
    const auto skipped = ops::change_tickets(repo, step_call(), refs, true, log_each, message);
    CHECK(skipped.changed.size() == 2);
    REQUIRE(skipped.warnings.size() == 1);
    CHECK(skipped.warnings[0].find("skipped") == 0);
    CHECK(skipped.warnings[0].find("INC-BROKEN01.yaml") != std::string::npos);
    CHECK(load_ticket(repo, a).events().back().action == "log");
    CHECK(load_ticket(repo, b).events().back().action == "log");
  }
}
