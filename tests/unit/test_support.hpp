#pragma once

#include <desk/config/config.hpp>
#include <desk/kb/article.hpp>
#include <desk/kb/kb_index.hpp>
#include <desk/model/ticket.hpp>
#include <desk/model/value.hpp>
#include <desk/ops/step.hpp>
#include <desk/report/review.hpp>
#include <desk/sla/calendar.hpp>
#include <desk/storage/repository.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/time.hpp>
#include <desk/workflow/operations.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Helpers shared by the unit tests (not a test file itself).
namespace desk::test {

// A fresh, uniquely named folder under the system temp dir for one test case. Removed
// when the test case has not failed so far; otherwise kept and named with MESSAGE so the
// files can be inspected.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(const std::filesystem::path& rel) const { return m_path / rel; }

private:
  std::filesystem::path m_path;
};

// True when an assertion of the running test case has failed (tracked by a listener).
bool current_test_failed();

// Sets an environment variable (removes it, for nullptr) for one scope and restores the
// old value after.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  std::string m_name;
  std::optional<std::string> m_old;
};

// Write `content` to `path` (creating parent folders), bypassing the library.
void write_raw(const std::filesystem::path& path, std::string_view content);

// Read a whole file, bypassing the library.
std::string read_raw(const std::filesystem::path& path);

// Every regular file below `dir`, relative, sorted.
std::vector<std::string> list_files(const std::filesystem::path& dir);

// `text` with the first occurrence of `from` (which must be there) replaced by `to`.
std::string replace(std::string text, const std::string& from, const std::string& to);

// Split text into lines (without the newline characters).
std::vector<std::string> split_lines(std::string_view text);

// A line diff: "- line" for each line only in `before`, "+ line" for each line only in
// `after` (removals listed before additions at the same place); empty when equal.
std::vector<std::string> line_diff(std::string_view before, std::string_view after);

// Write a ticket file directly where the store keeps it (as a clone or a hand edit would).
std::filesystem::path plant(const storage::TicketStore& store, const Ticket& t);

// An instant from local text ("2026-11-23T10:00") in the calendar's zone.
Timestamp local(const sla::BusinessCalendar& calendar, const char* text);

// The calendar's local time of `t` to the minute, for readable failures.
std::string show(const sla::BusinessCalendar& calendar, Timestamp t);

// A fresh ticket repository in `dir` (zone Asia/Shanghai, the default config). With `git`,
// `dir` is first made a git work tree, so auto-commit is on.
storage::Repository make_repository(const std::filesystem::path& dir, bool git = false);

// Run git in `dir` with a fixed identity; REQUIREs success and returns standard output.
std::string git_in(const std::filesystem::path& dir, const std::vector<std::string>& args);

// A printable form of a string: non-ASCII and control bytes as \xNN.
std::string escaped(std::string_view s);

// Times, zones and configs.

// Asia/Shanghai (UTC+8, no daylight saving time): the zone of the fixtures below and of
// make_repository.
const TimeZone* shanghai();

// An instant from Shanghai local text ("2026-11-23T10:00", "2026-11-02 09:00"); throws
// UsageError when the text is not a time.
Timestamp at(const char* local);

// The stored form of a Shanghai local time: stamp("2026-11-23T10:00") is
// "2026-11-23T10:00:00+08:00".
std::string stamp(const char* local);

// An instant from text that must be a time, read as UTC unless it carries an offset
// ("2026-12-02T10:00:00Z", "2026-11-23T10:00:00+08:00").
Timestamp utc(const char* text);

// The config `desk init` writes for Asia/Shanghai, parsed.
Config default_config();

// The default config in UTC with a mail address (it@example.com) and one team,
// service-desk: alice (alice@example.com) and bob, supervised by carol (carol@example.com).
Config mail_config();

// Library steps.

// Who calls a library step, and when: `actor` at the Shanghai local time `when` (by
// default Thursday 2026-12-03 10:00, a working day and hour).
ops::Call step_call(const std::string& actor = "alice", const char* when = "2026-12-03T10:00");

// Opens a ticket titled `title` in `repo` through ops::open, as step_call() (reporter 王伟,
// wang@example.com); returns its id.
std::string open_ticket_in(const storage::Repository& repo, const std::string& title = "VPN drops every hour");

// The ticket `id` (or an abbreviation of it) of `repo`, loaded from its file.
Ticket load_ticket(const storage::Repository& repo, const std::string& id);

// The actions of a ticket's events, in order.
std::vector<std::string> actions(const Ticket& t);

// Knowledge base fixtures.

// A config with just the zone (Asia/Shanghai) and the default categories.
Config kb_config();

// The context of a knowledge-base step by `actor` at 2026-11-27 17:30 (+08:00).
workflow::Context kb_context(const Config& c, const std::string& actor = "alice");

// An article made by kb::new_article as alice, given the id `id`; validated by bob (the
// default) or archived when `state` says so, else left a draft.
kb::Article make_article(const Config& c, const std::string& id, const std::string& title,
                         const std::string& symptoms, const std::string& solution, const std::string& category = "",
                         const std::vector<std::string>& tags = {}, kb::State state = kb::State::validated);

// Six articles: Chinese and English, printers, VPN, mail, ERP; KB-AAAA0006 is a draft.
std::vector<kb::Article> kb_corpus(const Config& c);

// The ids an index search for `query` finds, best first.
std::vector<std::string> ranked(const kb::KbIndex& index, const std::string& query,
                                const kb::SearchFilter& filter = {});

// Report fixtures: a hand-made history for report::build_report, in Asia/Shanghai.

// Fields and their values, in order.
using Fields = std::vector<std::pair<std::string, std::string>>;

// A hand-made ticket history. Each step is checked against the transition table and
// records what the workflow records (status, responded_at, resolved_at, ...), plus the
// fields and extra keys given, at the chosen Shanghai local time.
class Story {
public:
  Story(const char* id, const char* priority, const char* created, Fields fields = {});

  Story& step(const char* when, const char* action, const Fields& set = {}, const Fields& extra = {},
              const char* by = "alice");

  Ticket ticket() const { return m_ticket; }

private:
  Ticket m_ticket;
};

// Asia/Shanghai, Mon-Fri 09:00-18:00; P1 runs on the 24x7 clock; three tiers of teams.
Config report_config();

// The review period of most report tests: two weeks, Monday 2026-11-02 to Monday 2026-11-16.
report::ReportOptions two_weeks(const char* now = "2026-11-20 12:00");

// The ten tickets T1 to T10 the report tests measure (described in test_support.cpp).
std::vector<Ticket> story();

// Only the tickets of story() with these ids.
std::vector<Ticket> only(std::initializer_list<const char*> ids);

// The review of `tickets` under report_config().
report::ReviewReport review(const std::vector<Ticket>& tickets, report::ReportOptions o = two_weeks());

} // namespace desk::test
