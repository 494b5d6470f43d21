#include <desk/ops/ticket_steps.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace ops = desk::ops;
namespace wf = desk::workflow;
using desk::Ticket;
using desk::storage::Repository;
using desk::test::list_files;
using desk::test::load_ticket;
using desk::test::make_repository;
using desk::test::open_ticket_in;
using desk::test::read_raw;
using desk::test::step_call;
using desk::test::TempDir;

namespace {

// Drive a fresh ticket to `status` through the operations; returns its id.
std::string steps_bring_to(const Repository& repo, const std::string& status)
{
  const std::string id = open_ticket_in(repo, "to " + status);
  const auto call = step_call();
  wf::TriageRequest triage;
  triage.category = "network";
  ops::triage(repo, call, id, triage);
  if (status == "resolved" || status == "reopened" || status == "closed") {
    wf::ResolveRequest fix;
    fix.solution = "restarted the VPN gateway";
    fix.verified_by = "bob";
    ops::resolve(repo, call, id, fix);
    if (status == "reopened") {
      ops::reopen(repo, call, id, "still drops");
    } else if (status == "closed") {
      ops::confirm(repo, call, id, 5, "");
      ops::close(repo, call, id, "");
    }
    return id;
  }
  wf::AssignRequest assign;
  assign.user = "bob";
  ops::assign(repo, call, id, assign);
  if (status == "escalated") {
    wf::EscalateRequest up;
    up.tier = 2;
    up.reason = "needs the network team";
    ops::escalate(repo, call, id, up);
  } else if (status == "in_progress" || status == "pending") {
    ops::start(repo, call, id, "");
    if (status == "pending") {
      ops::pending(repo, call, id, "awaiting-user", "asked for a screenshot");
    }
  }
  REQUIRE(load_ticket(repo, id).status() == status);
  return id;
}

ops::MessageRequest steps_message(const std::string& text, const std::string& message_id)
{
  ops::MessageRequest m;
  m.text = text;
  m.message_id = message_id;
  m.channel = "email";
  return m;
}

std::size_t count_action(const Ticket& t, const std::string& action)
{
  return static_cast<std::size_t>(std::count_if(t.events().begin(), t.events().end(),
                                                [&](const desk::Event& e) { return e.action == action; }));
}

} // namespace

TEST_SUITE("ops.ticket_steps")
{
  TEST_CASE("a message on a ticket pending for the user resumes it")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::string id = steps_bring_to(repo, "pending");
    const auto r = ops::message(repo, step_call("wang@example.com"), id, steps_message("截图在附件里", "<m1@example.com>"));
    CHECK(r.changed);
    const Ticket t = load_ticket(repo, id);
    CHECK(t.status() == "in_progress");
    CHECK(count_action(t, "message") == 1);
    CHECK(t.events().back().action == "resume");
  }

  TEST_CASE("a message on a resolved ticket reopens it")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::string id = steps_bring_to(repo, "resolved");
    ops::message(repo, step_call("wang@example.com"), id, steps_message("still broken", "<m2@example.com>"));
    const Ticket t = load_ticket(repo, id);
    CHECK(t.status() == "reopened");
    CHECK(t.get("reopen_count") == "1");
  }

  TEST_CASE("a message on a closed ticket opens a new linked one, once per message id")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::string old_id = steps_bring_to(repo, "closed");
    const std::string old_file = read_raw(repo.tickets().resolve(old_id).path);
    const auto request = steps_message("it is back again", "<m3@example.com>");
    const auto r = ops::message(repo, step_call("li@example.com"), old_id, request);
    CHECK(r.changed);
    CHECK(r.ticket.id() != old_id);
    const Ticket fresh = load_ticket(repo, r.ticket.id());
    CHECK(fresh.status() == "new");
    CHECK(fresh.get_list("related") == std::vector<std::string>{old_id});
    CHECK(fresh.get("email") == "li@example.com");
    CHECK(fresh.get("description") == "it is back again");
    CHECK(read_raw(repo.tickets().resolve(old_id).path) == old_file); // the closed ticket stays closed

    // The same mail delivered again changes nothing.
    const auto files = list_files(repo.root() / "tickets");
    const auto again = ops::message(repo, step_call("li@example.com"), old_id, request);
    CHECK_FALSE(again.changed);
    CHECK(again.ticket.id() == r.ticket.id());
    CHECK(list_files(repo.root() / "tickets") == files);
  }

  TEST_CASE("the same message id twice is recorded once")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::string id = steps_bring_to(repo, "in_progress");
    const auto request = steps_message("any news?", "<m4@example.com>");
    CHECK(ops::message(repo, step_call("wang@example.com"), id, request).changed);
    const std::string file = read_raw(repo.tickets().resolve(id).path);
    const auto again = ops::message(repo, step_call("wang@example.com"), id, request);
    CHECK_FALSE(again.changed);
    CHECK(read_raw(repo.tickets().resolve(id).path) == file);
    CHECK(count_action(load_ticket(repo, id), "message") == 1);
  }

  TEST_CASE("attachment names of a message are made safe and stay inside the ticket's folder")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::string id = steps_bring_to(repo, "in_progress");
    auto request = steps_message("logs attached", "<m5@example.com>");
    request.files.push_back({"../../etc/passwd", {}, "root:x:0:0"});
    request.files.push_back({"report\x1b[2J\r\n.txt", {}, "report"});
    request.files.push_back({"..", {}, "dots"});
    ops::message(repo, step_call("wang@example.com"), id, request);
    const auto ref = repo.tickets().resolve(id);
    const fs::path folder = desk::storage::TicketStore::attachments_dir(ref);
    CHECK(list_files(folder) == std::vector<std::string>{"attachment", "passwd", "report[2J.txt"});
    CHECK(read_raw(folder / "passwd") == "root:x:0:0");
    CHECK(load_ticket(repo, id).get_list("attachments") ==
          std::vector<std::string>{"passwd", "report[2J.txt", "attachment"});
    // Nothing was written outside the folder.
    CHECK_FALSE(fs::exists(dir / "etc"));
    CHECK_FALSE(fs::exists(repo.root() / "etc"));
    for (const auto& f : list_files(repo.root() / "tickets")) {
      CHECK_MESSAGE((f.ends_with(".yaml") || f.find(".files/") != std::string::npos), f);
    }
  }

  TEST_CASE("a reply records the expected time and its attachments, and refuses a time in the past")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::string id = steps_bring_to(repo, "in_progress");
    ops::ReplyRequest reply;
    reply.text = "我们明天下午修好";
    reply.eta = "2026-12-04 17:00";
    reply.files.push_back({"plan.txt", {}, "step 1"});
    const auto r = ops::reply(repo, step_call(), id, reply);
    CHECK(r.summary.find("wang@example.com") != std::string::npos);
    const Ticket t = load_ticket(repo, id);
    CHECK(t.get("eta") == "2026-12-04T17:00:00+08:00");
    CHECK(t.events().back().action == "reply");
    CHECK(t.events().back().note == "我们明天下午修好");
    CHECK(t.get_list("attachments") == std::vector<std::string>{"plan.txt"});
    CHECK(read_raw(desk::storage::TicketStore::attachments_dir(repo.tickets().resolve(id)) / "plan.txt") == "step 1");

    const std::string file = read_raw(repo.tickets().resolve(id).path);
    ops::ReplyRequest late;
    late.text = "fixed yesterday";
    late.eta = "2026-12-02 17:00";
    late.files.push_back({"late.txt", {}, "x"});
    CHECK_THROWS_AS(ops::reply(repo, step_call(), id, late), desk::UsageError);
    CHECK(read_raw(repo.tickets().resolve(id).path) == file);
    CHECK_FALSE(fs::exists(desk::storage::TicketStore::attachments_dir(repo.tickets().resolve(id)) / "late.txt"));
  }

  TEST_CASE("a reply on a closed ticket is refused")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    const std::string id = steps_bring_to(repo, "closed");
    ops::ReplyRequest reply;
    reply.text = "hello";
    CHECK_THROWS_AS(ops::reply(repo, step_call(), id, reply), desk::InvalidTransitionError);
  }

  TEST_CASE("resolve is allowed from every working status")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    for (const char* status : {"assigned", "in_progress", "pending", "escalated", "reopened"}) {
      CAPTURE(status);
      const std::string id = steps_bring_to(repo, status);
      wf::ResolveRequest fix;
      fix.solution = "replaced the cable";
      fix.verified_by = "bob";
      const auto r = ops::resolve(repo, step_call("bob"), id, fix);
      CHECK(r.changed);
      const Ticket t = load_ticket(repo, id);
      CHECK(t.status() == "resolved");
      CHECK(t.get("solution") == "replaced the cable");
      CHECK(t.events().back().action == "resolve");
    }
  }

  TEST_CASE("SLA notices are recorded once per ticket and target")
  {
    TempDir dir;
    const Repository repo = make_repository(dir / "repo");
    wf::OpenRequest r;
    r.title = "the whole ERP is down";
    r.impact = "core-business";
    r.urgency = "critical"; // P1: respond in 15 minutes, around the clock
    const std::string id = ops::open(repo, step_call(), r).ticket.id();
    const std::string quiet = open_ticket_in(repo, "a P4 that is fine");

    const auto first = ops::announce_sla(repo, step_call("alice", "2026-12-03T10:20"), {id, quiet});
    REQUIRE(first.noticed.size() == 1);
    CHECK(first.noticed[0].id() == id);
    const Ticket t = load_ticket(repo, id);
    REQUIRE(count_action(t, "notice") == 1);
    const desk::Value* sla = t.events().back().extra.find("sla");
    REQUIRE(sla != nullptr);
    CHECK(sla->str() == "breach respond");
    CHECK(count_action(load_ticket(repo, quiet), "notice") == 0);

    const std::string file = read_raw(repo.tickets().resolve(id).path);
    const auto second = ops::announce_sla(repo, step_call("alice", "2026-12-03T10:25"), {id, quiet});
    CHECK(second.noticed.empty());
    CHECK(read_raw(repo.tickets().resolve(id).path) == file);
  }
}
