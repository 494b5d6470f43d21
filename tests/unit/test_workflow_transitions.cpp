#include <desk/util/error.hpp>
#include <desk/workflow/transitions.hpp>

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace desk::workflow;

namespace {

const std::vector<Status> k_statuses = {
  Status::new_,     Status::triaged,  Status::assigned,  Status::in_progress, Status::pending, Status::escalated,
  Status::resolved, Status::reopened, Status::confirmed, Status::closed,      Status::cancelled,
};

const std::vector<Action> k_actions = {
  Action::open,    Action::triage,  Action::assign,  Action::escalate, Action::start,
  Action::log,     Action::pending, Action::resume,  Action::resolve,  Action::confirm,
  Action::reopen,  Action::close,   Action::cancel,  Action::notice,   Action::edit,
  Action::reply,   Action::message,
};

// The procedure of DESIGN.md, written out here independently of the library's
// table: (from, action) → status after it. A pair not listed must be refused.
const std::map<std::pair<Status, Action>, Status>& expected_table()
{
  using enum Status;
  static const std::map<std::pair<Status, Action>, Status> k_table = [] {
    std::map<std::pair<Status, Action>, Status> t;
    auto allow = [&](std::vector<Status> from, Action a, std::optional<Status> to) {
      for (Status s : from) {
        t[{s, a}] = to.value_or(s);
      }
    };
    // Stage 2: classify; reclassifying a ticket in work keeps its status.
    allow({new_, triaged, reopened}, Action::triage, triaged);
    allow({assigned, in_progress, pending, escalated}, Action::triage, std::nullopt);
    // Stage 3: assignment (also reassignment), escalation, work.
    allow({triaged, reopened, assigned, escalated, in_progress}, Action::assign, assigned);
    allow({assigned, in_progress, pending, escalated}, Action::escalate, escalated);
    allow({assigned, escalated, reopened}, Action::start, in_progress);
    allow({new_, triaged, assigned, in_progress, pending, escalated, reopened, resolved}, Action::log, std::nullopt);
    allow({assigned, in_progress, escalated}, Action::pending, pending);
    allow({pending}, Action::resume, in_progress);
    // Stage 4: resolution (quick fix from new/triaged), confirmation or rejection.
    // Every working status may resolve (a quick fix, a fixed escalation, a pending ticket the user reports fixed).
    allow({new_, triaged, assigned, in_progress, pending, escalated, reopened}, Action::resolve, resolved);
    allow({resolved}, Action::confirm, confirmed);
    allow({resolved}, Action::reopen, reopened);
    // Stage 5: closure; cancel from any open state.
    allow({confirmed, resolved}, Action::close, closed);
    allow({new_, triaged, assigned, in_progress, pending, escalated, reopened}, Action::cancel, cancelled);
    // SLA notices on tickets support still owes work on.
    allow({new_, triaged, assigned, in_progress, pending, escalated, reopened}, Action::notice, std::nullopt);
    // Correcting intake fields, on any ticket not yet closed or cancelled.
    allow({new_, triaged, assigned, in_progress, pending, escalated, resolved, reopened, confirmed}, Action::edit,
          std::nullopt);
    // Talking with the requester, on any ticket not yet closed or cancelled.
    allow({new_, triaged, assigned, in_progress, pending, escalated, resolved, reopened, confirmed}, Action::reply,
          std::nullopt);
    allow({new_, triaged, assigned, in_progress, pending, escalated, resolved, reopened, confirmed}, Action::message,
          std::nullopt);
    return t;
  }();
  return k_table;
}

} // namespace

TEST_SUITE_BEGIN("workflow.transitions");

TEST_CASE("every (status, action) pair: allowed exactly as the procedure says")
{
  int allowed = 0;
  int refused = 0;
  for (Status from : k_statuses) {
    for (Action action : k_actions) {
      const std::string pair = std::string(to_string(from)) + " + " + std::string(to_string(action));
      INFO(pair);
      const auto it = expected_table().find({from, action});
      if (it != expected_table().end()) {
        ++allowed;
        Status to{};
        CHECK_NOTHROW(to = check_transition("INC-TEST", from, action));
        CHECK(to_string(to) == to_string(it->second));
        CHECK(find_transition(from, action) != nullptr);
      } else {
        ++refused;
        CHECK(find_transition(from, action) == nullptr);
        try {
          check_transition("INC-TEST", from, action);
          FAIL_CHECK("allowed, but the procedure refuses it");
        } catch (const desk::InvalidTransitionError& e) {
          const std::string what = e.what();
          CHECK(what == "cannot " + std::string(to_string(action)) + " INC-TEST: it is " + std::string(to_string(from)));
          CHECK(e.code() == desk::ExitCode::invalid_state);
          // The hint lists exactly what is allowed from here.
          std::string allowed_list;
          for (Action a : k_actions) {
            if (expected_table().contains({from, a}) && a != Action::notice) { // notice is internal
              allowed_list += (allowed_list.empty() ? "" : ", ") + std::string(to_string(a));
            }
          }
          if (allowed_list.empty()) {
            CHECK(e.hint() == "nothing more can be done with it");
          } else {
            CHECK(e.hint() == "allowed from " + std::string(to_string(from)) + ": " + allowed_list);
          }
        }
      }
    }
  }
  CHECK(allowed == static_cast<int>(expected_table().size()));
  CHECK(allowed + refused == 11 * 17);
}

TEST_CASE("the procedure's named refusals")
{
  using enum Status;
  CHECK_THROWS_AS(check_transition("X", in_progress, Action::confirm), desk::InvalidTransitionError); // confirm unresolved
  CHECK_THROWS_AS(check_transition("X", assigned, Action::close), desk::InvalidTransitionError);      // close unconfirmed
  CHECK_THROWS_AS(check_transition("X", closed, Action::escalate), desk::InvalidTransitionError);     // escalate closed
  CHECK_THROWS_AS(check_transition("X", cancelled, Action::reopen), desk::InvalidTransitionError);
  CHECK_THROWS_AS(check_transition("X", closed, Action::cancel), desk::InvalidTransitionError);
  CHECK_THROWS_AS(check_transition("X", closed, Action::resolve), desk::InvalidTransitionError);
}

TEST_CASE("allowed_actions follows the table order without duplicates")
{
  using enum Status;
  CHECK(allowed_actions(closed).empty());
  CHECK(allowed_actions(cancelled).empty());
  CHECK(allowed_actions(confirmed) == std::vector<Action>{Action::close, Action::edit, Action::reply, Action::message});
  CHECK(allowed_actions(resolved) ==
        std::vector<Action>{Action::log, Action::confirm, Action::reopen, Action::close, Action::edit,
                            Action::reply, Action::message});
  CHECK(allowed_actions(pending) == std::vector<Action>{Action::triage, Action::escalate, Action::log, Action::resume,
                                                        Action::resolve, Action::cancel, Action::notice, Action::edit,
                                                        Action::reply, Action::message});
  for (Status s : k_statuses) {
    const auto actions = allowed_actions(s);
    for (std::size_t i = 0; i < actions.size(); ++i) {
      for (std::size_t j = i + 1; j < actions.size(); ++j) {
        CHECK(actions[i] != actions[j]);
      }
    }
  }
}

TEST_CASE("open has no source status and leads to new")
{
  using enum Status;
  const Transition& t = transition_for(Action::open);
  CHECK(t.from.empty());
  REQUIRE(t.to.has_value());
  CHECK(*t.to == new_);
  for (Status s : k_statuses) {
    CHECK(find_transition(s, Action::open) == nullptr);
  }
}

TEST_CASE("which steps count as the first response")
{
  for (Action a : {Action::triage, Action::assign, Action::escalate, Action::start, Action::log, Action::pending,
                   Action::resume, Action::resolve}) {
    INFO(to_string(a));
    CHECK(transition_for(a).counts_as_response);
  }
  for (Action a : {Action::open, Action::confirm, Action::reopen, Action::close, Action::cancel, Action::notice,
                   Action::edit}) {
    INFO(to_string(a));
    CHECK_FALSE(transition_for(a).counts_as_response);
  }
}

TEST_CASE("status and action names round-trip")
{
  const std::vector<std::string> names = {"new",      "triaged",  "assigned",  "in_progress", "pending",  "escalated",
                                          "resolved", "reopened", "confirmed", "closed",      "cancelled"};
  CHECK(status_names() == names);
  for (std::size_t i = 0; i < k_statuses.size(); ++i) {
    CHECK(to_string(k_statuses[i]) == names[i]);
    REQUIRE(parse_status(names[i]).has_value());
    CHECK(*parse_status(names[i]) == k_statuses[i]);
  }
  const std::vector<std::string> actions = {"open",    "triage",  "assign",  "escalate", "start",  "log",    "pending", "resume",
                                            "resolve", "confirm", "reopen",  "close",    "cancel", "notice", "edit",
                                            "reply",   "message"};
  for (std::size_t i = 0; i < k_actions.size(); ++i) {
    CHECK(to_string(k_actions[i]) == actions[i]);
    REQUIRE(parse_action(actions[i]).has_value());
    CHECK(*parse_action(actions[i]) == k_actions[i]);
  }
  for (const char* bad : {"", "New", "in-progress", "inprogress", "done", "open "}) {
    CHECK_FALSE(parse_status(bad).has_value());
  }
  for (const char* bad : {"", "Open", "reject", "comment", "close "}) {
    CHECK_FALSE(parse_action(bad).has_value());
  }
}

TEST_SUITE_END();
