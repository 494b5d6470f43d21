#include "cli/commands.hpp"
#include "mail/commands.hpp"

#include <desk/mail/gateway.hpp>
#include <desk/notify/outbox.hpp>
#include <desk/storage/repository.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace desk::mail_cli {

namespace {

// One `desk mail send` at a time per repository (cron and after-command may overlap).
class SendLock {
public:
  explicit SendLock(const std::filesystem::path& file)
  {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    m_fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    m_held = m_fd >= 0 && ::flock(m_fd, LOCK_EX | LOCK_NB) == 0;
  }
  ~SendLock()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  SendLock(const SendLock&) = delete;
  SendLock& operator=(const SendLock&) = delete;
  bool held() const { return m_held; }

private:
  int m_fd = -1;
  bool m_held = false;
};

} // namespace

void add_send_command(CLI::App& app, const cli::Globals& global)
{
  auto* cmd = app.add_subcommand("send", "Send every notice that is due and record each as a `notified` event "
                                         "(for cron, a systemd timer, or mail.send: after-command)");
  static std::size_t limit = 0;
  static bool quiet = false;
  cmd->add_option("--limit", limit, "Send at most N notices in this run (0: all)");
  cmd->add_flag("-q,--quiet", quiet, "Print nothing when nothing failed");
  cmd->footer("Exit codes: 0 every due notice was sent (or nothing was due), 1 some could not be sent "
              "(retried later with backoff; see `desk mail status`), 3 no repository, 5 a bad config or template.");
  cmd->callback([&global] {
    const cli::Invocation inv = cli::open_invocation(global);
    const storage::Repository& repo = inv.repo;
    // Steps recorded while sending must not start another sender.
    ::setenv("DESK_MAIL_SENDING", "1", 1);
    SendLock lock(repo.desk_dir() / "cache" / "mail-send.lock");
    if (!lock.held()) {
      if (!quiet) {
        fmt::print("another `desk mail send` is running; it sends what is due\n");
      }
      return;
    }
    mail::SendReport total;
    // What a pass records can make more notices due (a run started mid-way misses none).
    for (int pass = 0; pass < 3; ++pass) {
      const cli::Invocation fresh_inv = cli::open_invocation(global);
      const storage::Repository& fresh = fresh_inv.repo;
      const mail::SendReport r = mail::send_due(fresh, fresh_inv.now, limit);
      total.off = r.off;
      total.sent += r.sent;
      total.failed += r.failed;
      total.skipped += r.skipped;
      total.deferred = r.deferred;
      total.lines.insert(total.lines.end(), r.lines.begin(), r.lines.end());
      if (r.off || r.sent + r.skipped == 0 || limit != 0) {
        break;
      }
    }
    if (total.off) {
      if (!quiet) {
        fmt::print("mail is off: set mail.address in .desk/config.yaml to send notices\n");
      }
      return;
    }
    if (!quiet || total.failed > 0) {
      for (const auto& l : total.lines) {
        fmt::print("{}\n", l);
      }
      fmt::print("sent {}, failed {}, not sent (rate limit) {}, waiting to retry {}\n", total.sent, total.failed,
                 total.skipped, total.deferred);
    }
    if (total.failed > 0) {
      cli::command_exit_code() = 1;
    }
  });
}

void add_status_command(CLI::App& app, const cli::Globals& global)
{
  auto* cmd = app.add_subcommand("status", "Show the mail setup, the notices due, and those that keep failing");
  cmd->footer("Exit codes: 0 nothing is failing, 1 some notices keep failing (shown), 3 no repository.");
  cmd->callback([&global] {
    const cli::Invocation inv = cli::open_invocation(global);
    const storage::Repository& repo = inv.repo;
    const mail::MailStatus s = mail::mail_status(repo, inv.now);
    if (s.off) {
      fmt::print("mail is off: mail.address is not set in .desk/config.yaml (nothing is sent)\n");
      return;
    }
    fmt::print("address:  {}\nsendmail: {}\nsending:  {}\n", s.address, s.sendmail,
               s.after_command ? "after every command (mail.send: after-command)" : "by cron or a timer (desk mail send)");
    fmt::print("due:      {}\n", s.due.size());
    for (const auto& d : s.due) {
      if (d.attempts > 0) {
        fmt::print("  {} {} ({}) to the {}: {} failed attempt{}, last: {}; next try {}\n", d.ticket_id, d.kind,
                   d.event_id, d.audience, d.attempts, d.attempts == 1 ? "" : "s", d.last_error,
                   format_timestamp(d.next_at, nullptr));
      } else {
        fmt::print("  {} {} ({}) to the {}\n", d.ticket_id, d.kind, d.event_id, d.audience);
      }
    }
    fmt::print("failing:  {}\n", s.failing.size());
    if (!s.failing.empty()) {
      cli::command_exit_code() = 1;
    }
  });
}

} // namespace desk::mail_cli
