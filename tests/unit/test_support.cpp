#include "test_support.hpp"

#include <desk/kb/lifecycle.hpp>
#include <desk/kb/search.hpp>
#include <desk/ops/ticket_steps.hpp>
#include <desk/storage/config_file.hpp>
#include <desk/util/process.hpp>
#include <desk/workflow/transitions.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace desk::test {

namespace {

bool g_failed = false;

// Watches the run: resets the failure flag when a test case starts, sets it on any failed
// assertion or exception, so TempDir knows whether to keep its folder.
struct FailureListener : public doctest::IReporter {
  explicit FailureListener(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override { g_failed = false; }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override { g_failed = true; }
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData& data) override
  {
    if (data.m_failed) {
      g_failed = true;
    }
  }
  void log_message(const doctest::MessageData& data) override
  {
    if (data.m_severity & doctest::assertType::is_warn) {
      return;
    }
    if (data.m_severity & (doctest::assertType::is_check | doctest::assertType::is_require)) {
      g_failed = true; // FAIL_CHECK / FAIL
    }
  }
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("desk_temp_dirs", 1, FailureListener);

} // namespace

bool current_test_failed()
{
  return g_failed;
}

ScopedEnv::ScopedEnv(const char* name, const char* value) : m_name(name)
{
  if (const char* old = std::getenv(name)) {
    m_old = old;
  }
  if (value) {
    ::setenv(name, value, 1);
  } else {
    ::unsetenv(name);
  }
}

ScopedEnv::~ScopedEnv()
{
  if (m_old) {
    ::setenv(m_name.c_str(), m_old->c_str(), 1);
  } else {
    ::unsetenv(m_name.c_str());
  }
}

TempDir::TempDir()
{
  static std::mt19937_64 rng{std::random_device{}()};
  const fs::path base = fs::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path candidate = base / fmt::format("desk-unit-{:016x}", rng());
    std::error_code ec;
    if (fs::create_directory(candidate, ec)) {
      m_path = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp dir under " + base.string());
}

TempDir::~TempDir()
{
  if (m_path.empty()) {
    return;
  }
  if (current_test_failed() || std::uncaught_exceptions() > 0) {
    if (std::uncaught_exceptions() > 0) {
      std::fprintf(stderr, "test failed; temp dir kept: %s\n", m_path.c_str());
    } else {
      MESSAGE("test failed; temp dir kept: " << m_path.string());
    }
    return;
  }
  std::error_code ec;
  // Make read-only leftovers removable.
  for (auto it = fs::recursive_directory_iterator(m_path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  }
  fs::remove_all(m_path, ec);
}

void write_raw(const fs::path& path, std::string_view content)
{
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

std::string read_raw(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> list_files(const fs::path& dir)
{
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file()) {
      out.push_back(fs::relative(it->path(), dir).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string replace(std::string text, const std::string& from, const std::string& to)
{
  const auto pos = text.find(from);
  REQUIRE_MESSAGE(pos != std::string::npos, "missing: " << from);
  text.replace(pos, from.size(), to);
  return text;
}

std::vector<std::string> split_lines(std::string_view text)
{
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      out.emplace_back(text.substr(pos));
      break;
    }
    out.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::vector<std::string> line_diff(std::string_view before, std::string_view after)
{
  const auto a = split_lines(before);
  const auto b = split_lines(after);
  // Longest common subsequence of lines, then walk it.
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<std::string> out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      ++i;
      ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push_back("- " + a[i++]);
    } else {
      out.push_back("+ " + b[j++]);
    }
  }
  return out;
}

std::string escaped(std::string_view s)
{
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02X}", static_cast<unsigned>(c));
    }
  }
  return out;
}

fs::path plant(const storage::TicketStore& store, const Ticket& t)
{
  const fs::path path = store.path_for(t.id(), t.get("created"));
  write_raw(path, storage::TicketStore::serialize(t));
  return path;
}

Timestamp local(const sla::BusinessCalendar& calendar, const char* text)
{
  return parse_timestamp_or_throw(text, calendar.zone(), "test");
}

std::string show(const sla::BusinessCalendar& calendar, Timestamp t)
{
  return format_local_minutes(t, calendar.zone());
}

storage::Repository make_repository(const fs::path& dir, bool git)
{
  if (git) {
    fs::create_directories(dir);
    git_in(dir, {"init", "-q", "-b", "main"});
  }
  storage::InitOptions options;
  options.timezone = "Asia/Shanghai";
  const auto made = storage::Repository::init(dir, options);
  REQUIRE(made.in_git == git);
  return storage::Repository::discover(made.root);
}

std::string git_in(const fs::path& dir, const std::vector<std::string>& args)
{
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = run_process(argv, {}, std::chrono::seconds(30), dir,
                                      {"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=t@example.com",
                                       "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=t@example.com",
                                       "GIT_CONFIG_NOSYSTEM=1"});
  INFO("git " << fmt::format("{}", fmt::join(args, " ")) << ": " << r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// Times, zones and configs.

const TimeZone* shanghai()
{
  return find_zone("Asia/Shanghai");
}

Timestamp at(const char* local)
{
  return parse_timestamp_or_throw(local, shanghai(), "test");
}

std::string stamp(const char* local)
{
  return format_timestamp(at(local), shanghai());
}

Timestamp utc(const char* text)
{
  return parse_timestamp_or_throw(text, nullptr, "test");
}

Config default_config()
{
  return storage::parse_config(storage::default_config_text("Asia/Shanghai"), "config.yaml");
}

Config mail_config()
{
  std::string text = storage::default_config_text("UTC");
  text += "\nmail:\n  address: it@example.com\n";
  text = text.replace(text.find("teams: {}"), 9,
                      "teams:\n  service-desk:\n    members: [{name: alice, email: alice@example.com}, bob]\n"
                      "    supervisor: {name: carol, email: carol@example.com}\n");
  return storage::parse_config(text, "config.yaml");
}

// Library steps.

ops::Call step_call(const std::string& actor, const char* when)
{
  return {actor, at(when)};
}

std::string open_ticket_in(const storage::Repository& repo, const std::string& title)
{
  workflow::OpenRequest r;
  r.title = title;
  r.reporter = "王伟";
  r.email = "wang@example.com";
  return ops::open(repo, step_call(), r).ticket.id();
}

Ticket load_ticket(const storage::Repository& repo, const std::string& id)
{
  return repo.tickets().load(repo.tickets().resolve(id));
}

std::vector<std::string> actions(const Ticket& t)
{
  std::vector<std::string> out;
  for (const auto& e : t.events()) {
    out.push_back(e.action);
  }
  return out;
}

// Knowledge base fixtures.

Config kb_config()
{
  Config c;
  c.timezone = "Asia/Shanghai";
  c.categories = {"network", "server", "database", "application", "end-user-device"};
  return c;
}

workflow::Context kb_context(const Config& c, const std::string& actor)
{
  return {c, actor, utc("2026-11-27T17:30:00+08:00")};
}

kb::Article make_article(const Config& c, const std::string& id, const std::string& title,
                         const std::string& symptoms, const std::string& solution, const std::string& category,
                         const std::vector<std::string>& tags, kb::State state)
{
  kb::ArticleDraft d;
  d.title = title;
  d.symptoms = symptoms;
  d.solution = solution;
  d.category = category;
  d.tags = tags;
  kb::Article a = kb::new_article(kb_context(c), d);
  a.set("id", id);
  if (state == kb::State::validated) {
    kb::validate(a, kb_context(c, "bob"), "");
  } else if (state == kb::State::archived) {
    kb::archive(a, kb_context(c), "");
  }
  return a;
}

std::vector<kb::Article> kb_corpus(const Config& c)
{
  return {
    make_article(c, "KB-AAAA0001", "打印机脱机无法打印", "打印时提示“打印机脱机”，队列里的文档一直等待。",
                 "1. 打开“服务”\n2. 重启 Print Spooler 服务\n3. 重新打印", "end-user-device", {"打印机"}),
    make_article(c, "KB-AAAA0002", "VPN 无法连接，错误 809", "在家连接公司 VPN 时提示错误 809。",
                 "在路由器上开启 IPsec 直通；或改用 SSL VPN。", "network", {"vpn"}),
    make_article(c, "KB-AAAA0003", "Outlook 无法发送邮件", "邮件一直停在发件箱里，没有错误提示。",
                 "检查 SMTP 认证设置，重建 Outlook 配置文件。", "application", {"outlook", "邮件"}),
    make_article(c, "KB-AAAA0004", "添加共享打印机报错 0x0000011b", "添加网络打印机时报错 0x0000011b。",
                 "安装最新的累积更新，或在打印服务器上调整 RPC 认证级别。", "end-user-device"),
    make_article(c, "KB-AAAA0005", "Printer offline after a Windows update",
                 "The printer shows as offline and documents stay in the queue.",
                 "Restart the Print Spooler service, then remove and re-add the printer.", "end-user-device",
                 {"printer"}),
    make_article(c, "KB-AAAA0006", "Password reset for the ERP system", "Users cannot log in to ERP after 90 days.",
                 "Reset the password in the self-service portal.", "application", {}, kb::State::draft),
  };
}

std::vector<std::string> ranked(const kb::KbIndex& index, const std::string& query, const kb::SearchFilter& filter)
{
  std::vector<std::string> out;
  for (const auto& hit : index.search(kb::query_terms(query), filter, 0)) {
    out.push_back(index.doc(hit.doc).id);
  }
  return out;
}

// Report fixtures.

namespace {

Value value_of(const std::string& key, const std::string& text)
{
  if (key == "tier" || key == "rating" || key == "minutes" || key == "reopen_count") {
    return Value::number(std::stoll(text));
  }
  return Value::text(text);
}

} // namespace

Story::Story(const char* id, const char* priority, const char* created, Fields fields)
{
  m_ticket.set("id", id);
  m_ticket.set("type", "incident");
  m_ticket.set("status", "new");
  m_ticket.set("title", std::string("ticket ") + id);
  m_ticket.set("channel", "phone");
  m_ticket.set("created", stamp(created));
  for (const auto& [k, v] : fields) {
    m_ticket.set(k, v);
  }
  Event e;
  e.id = "e0";
  e.at = stamp(created);
  e.by = "alice";
  e.action = "open";
  e.set = Value::map();
  e.set.set("status", Value::text("new"));
  e.set.set("priority", Value::text(priority));
  m_ticket.apply(std::move(e));
}

Story& Story::step(const char* when, const char* action, const Fields& set, const Fields& extra, const char* by)
{
  namespace wf = workflow;
  const auto from = *wf::parse_status(m_ticket.status());
  const auto act = *wf::parse_action(action);
  const auto to = wf::check_transition(m_ticket.id(), from, act);
  Event e;
  e.id = "e" + std::to_string(m_ticket.events().size());
  e.at = stamp(when);
  e.by = by;
  e.action = action;
  e.set = Value::map();
  if (to != from) {
    e.set.set("status", Value::text(std::string(wf::to_string(to))));
  }
  if (wf::find_transition(from, act)->counts_as_response && m_ticket.get("responded_at").empty()) {
    e.set.set("responded_at", Value::text(stamp(when)));
  }
  const std::string a = action;
  if (a == "resolve") {
    e.set.set("resolved_at", Value::text(stamp(when)));
  } else if (a == "reopen") {
    e.set.set("resolved_at", Value::text(""));
  } else if (a == "confirm") {
    e.set.set("confirmed_at", Value::text(stamp(when)));
  } else if (a == "close" || a == "cancel") {
    e.set.set("closed_at", Value::text(stamp(when)));
  }
  for (const auto& [k, v] : set) {
    e.set.set(k, value_of(k, v));
  }
  e.extra = Value::map();
  for (const auto& [k, v] : extra) {
    e.extra.set(k, value_of(k, v));
  }
  m_ticket.apply(std::move(e));
  return *this;
}

Config report_config()
{
  Config c;
  c.timezone = "Asia/Shanghai";
  c.types = {{"incident", "INC"}};
  c.categories = {"network", "database", "end-user-device"};
  c.channels = {"phone", "email"};
  c.priorities = {"P1", "P2", "P3", "P4"};
  c.sla_targets = {{"P1", {15min, 4h, false}}, {"P2", {30min, 8h, true}}, {"P3", {2h, 24h, true}},
                   {"P4", {8h, 40h, true}}};
  c.calendar.timezone = "Asia/Shanghai";
  c.pending_reasons = {"awaiting-user", "awaiting-vendor", "awaiting-change"};
  c.pause_reasons = {"awaiting-user", "awaiting-vendor"};
  c.teams = {{"service-desk", 1, {"alice", "carol", "dave", "lina"}, {}, ""},
             {"network", 2, {"bob"}, {}, ""},
             {"platform", 3, {"erin"}, {}, ""}};
  return c;
}

report::ReportOptions two_weeks(const char* now)
{
  report::ReportOptions o;
  o.since = at("2026-11-02 00:00");
  o.until = at("2026-11-16 00:00");
  o.now = at(now);
  return o;
}

// The story the report tests measure (period [Mon 11-02, Mon 11-16), Asia/Shanghai):
//  T1  P3 quick fix: triaged and resolved at once by the first line, confirmed 5, closed.
//  T2  P2 assigned at tier 1, escalated to tier 2, pending on the user 3h, resolved, rated 3.
//  T3  P4 resolved, rejected by the user (reopened), resolved again a day later.
//  T4  P3 opened before the period, escalated to a vendor, pending on it: still open.
//  T5  P3 cancelled half an hour after it was opened.
//  T6  P1 (24x7 clock) opened Friday night and never touched: both targets breached.
//  T7  opened after the period: not counted anywhere.
//  T8  P2 escalated to tier 2 then tier 3, resolved two days later with a KB article, rated 4.
//  T9  P4 resolved from triage in the period; reopened only after the period ended.
//  T10 P3 assigned at tier 1, worked (20 minutes logged) and resolved; confirmed without rating.
std::vector<Ticket> story()
{
  std::vector<Ticket> out;
  out.push_back(Story("T1", "P3", "2026-11-02 10:00", {{"department", "财务部"}})
                  .step("2026-11-02 10:10", "triage", {{"category", "end-user-device"}})
                  .step("2026-11-02 10:30", "resolve", {{"assignee", "lina"}, {"solution", "toner"}}, {}, "lina")
                  .step("2026-11-03 10:00", "confirm", {{"rating", "5"}}, {}, "user")
                  .step("2026-11-04 10:00", "close")
                  .ticket());
  out.push_back(Story("T2", "P2", "2026-11-03 09:00")
                  .step("2026-11-03 09:05", "triage", {{"category", "network"}})
                  .step("2026-11-03 09:10", "assign", {{"assignee", "alice"}, {"team", "service-desk"}, {"tier", "1"}})
                  .step("2026-11-03 09:20", "start")
                  .step("2026-11-03 10:00", "escalate", {{"assignee", "bob"}, {"team", "network"}, {"tier", "2"}},
                        {{"escalation", "tier 2 (network)"}})
                  .step("2026-11-03 11:00", "pending", {{"pending_reason", "awaiting-user"}}, {}, "bob")
                  .step("2026-11-03 14:00", "resume", {{"pending_reason", ""}}, {}, "bob")
                  .step("2026-11-03 14:30", "log", {}, {{"minutes", "45"}}, "bob")
                  .step("2026-11-03 16:00", "resolve", {{"solution", "cert"}}, {}, "bob")
                  .step("2026-11-04 09:00", "confirm", {{"rating", "3"}}, {}, "user")
                  .ticket());
  out.push_back(Story("T3", "P4", "2026-11-04 17:00")
                  .step("2026-11-04 17:30", "triage", {{"category", "database"}})
                  .step("2026-11-04 17:40", "assign", {{"assignee", "carol"}, {"team", "service-desk"}, {"tier", "1"}})
                  .step("2026-11-05 09:00", "start", {}, {}, "carol")
                  .step("2026-11-05 10:00", "resolve", {{"solution", "restart"}}, {}, "carol")
                  .step("2026-11-05 15:00", "reopen", {{"reopen_count", "1"}}, {}, "user")
                  .step("2026-11-05 15:30", "start", {}, {}, "carol")
                  .step("2026-11-06 11:00", "resolve", {{"solution", "patch"}}, {}, "carol")
                  .ticket());
  out.push_back(Story("T4", "P3", "2026-10-20 10:00")
                  .step("2026-10-20 10:10", "triage", {{"category", "database"}})
                  .step("2026-10-20 10:20", "assign", {{"assignee", "dave"}, {"team", "service-desk"}, {"tier", "1"}})
                  .step("2026-10-21 10:00", "escalate", {{"vendor", "oracle"}}, {{"escalation", "vendor oracle"}})
                  .step("2026-10-21 11:00", "pending", {{"pending_reason", "awaiting-vendor"}}, {}, "dave")
                  .ticket());
  out.push_back(Story("T5", "P3", "2026-11-09 09:00").step("2026-11-09 09:30", "cancel").ticket());
  out.push_back(Story("T6", "P1", "2026-11-13 20:00", {{"channel", "email"}}).ticket());
  out.push_back(Story("T7", "P3", "2026-11-17 09:00").step("2026-11-17 09:10", "triage", {{"category", "network"}}).ticket());
  out.push_back(Story("T8", "P2", "2026-11-09 09:00")
                  .step("2026-11-09 09:10", "triage", {{"category", "database"}})
                  .step("2026-11-09 09:12", "assign", {{"assignee", "alice"}, {"team", "service-desk"}, {"tier", "1"}})
                  .step("2026-11-09 09:30", "escalate", {{"assignee", "bob"}, {"team", "network"}, {"tier", "2"}},
                        {{"escalation", "tier 2 (network)"}})
                  .step("2026-11-10 09:00", "escalate", {{"assignee", "erin"}, {"team", "platform"}, {"tier", "3"}},
                        {{"escalation", "tier 3 (platform)"}}, "bob")
                  .step("2026-11-10 09:30", "start", {}, {}, "erin")
                  .step("2026-11-11 12:00", "resolve", {{"solution", "undo"}, {"kb", "KB-1"}}, {}, "erin")
                  .step("2026-11-12 10:00", "confirm", {{"rating", "4"}}, {}, "user")
                  .ticket());
  out.push_back(Story("T9", "P4", "2026-11-10 10:00")
                  .step("2026-11-10 10:05", "triage", {{"category", "network"}})
                  .step("2026-11-13 10:00", "resolve", {{"assignee", "lina"}, {"solution", "dns"}}, {}, "lina")
                  .step("2026-11-17 10:00", "reopen", {{"reopen_count", "1"}}, {}, "user")
                  .step("2026-11-17 10:30", "start", {}, {}, "lina")
                  .step("2026-11-18 10:00", "resolve", {{"solution", "dns again"}}, {}, "lina")
                  .ticket());
  out.push_back(Story("T10", "P3", "2026-11-11 09:00")
                  .step("2026-11-11 09:30", "triage", {{"category", "end-user-device"}})
                  .step("2026-11-11 09:35", "assign", {{"assignee", "alice"}, {"team", "service-desk"}, {"tier", "1"}})
                  .step("2026-11-11 09:40", "start")
                  .step("2026-11-11 10:00", "log", {}, {{"minutes", "20"}})
                  .step("2026-11-11 11:00", "resolve", {{"solution", "driver"}})
                  .step("2026-11-12 10:00", "confirm", {}, {}, "user")
                  .ticket());
  return out;
}

std::vector<Ticket> only(std::initializer_list<const char*> ids)
{
  std::vector<Ticket> out;
  for (const auto& t : story()) {
    for (const char* id : ids) {
      if (t.id() == id) {
        out.push_back(t);
      }
    }
  }
  return out;
}

report::ReviewReport review(const std::vector<Ticket>& tickets, report::ReportOptions o)
{
  return report::build_report(tickets, report_config(), o);
}

} // namespace desk::test
