#pragma once

#include <desk/storage/repository.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

// The mail gateway's two steps over the library operations: a received message becomes an
// open, a message, a confirmation or a reopening of a ticket; due notices are composed,
// handed to sendmail and recorded as `notified` events. Nothing here takes a lock or
// writes a ticket itself: every change goes through desk::ops.
namespace desk::mail {

// Largest message `receive` reads.
inline constexpr std::size_t k_max_message_bytes = 64 * 1024 * 1024;

// A message desk will not record (the MTA bounces it: EX_DATAERR).
class RefusedMail : public Error {
public:
  using Error::Error;
  ExitCode code() const override { return ExitCode::bad_data; }
};

// What one received message did.
struct ReceiveResult {
  enum class Outcome { opened, added, confirmed, reopened, duplicate, dropped, noted };
  Outcome outcome = Outcome::added;
  std::string ticket_id;           // "" when dropped
  std::string summary;             // one line for the log
  std::vector<std::string> notes;  // what could not be read as sent, forged tags, robots
};

// Record one message (RFC 5322 bytes). Throws RefusedMail for a message desk refuses
// (no sender, too large), BusyError / StorageError when a retry may succeed.
ReceiveResult receive_mail(const storage::Repository& repo, std::string_view raw, Timestamp now);

// What one run of `desk mail send` did.
struct SendReport {
  std::size_t sent = 0;
  std::size_t failed = 0;   // sendmail refused; retried later with backoff
  std::size_t deferred = 0; // waiting for their next try
  std::size_t skipped = 0;  // recorded without sending (rate limit)
  std::vector<std::string> lines; // one per notice, for the log
  bool off = false;               // mail.address is not set
};

// Send every due notice once (see desk::notify). `limit` 0 = all.
SendReport send_due(const storage::Repository& repo, Timestamp now, std::size_t limit = 0);

// One notice that keeps failing, or is waiting to be tried again.
struct PendingNotice {
  std::string ticket_id;
  std::string event_id;
  std::string audience;
  std::string kind;
  int attempts = 0;
  std::string last_error;
  Timestamp next_at{};
};

// What `desk mail status` shows.
struct MailStatus {
  bool off = false;              // mail.address is not set
  std::string address;
  std::string sendmail;          // the command line
  bool after_command = false;
  std::vector<PendingNotice> due;     // due now or later
  std::vector<PendingNotice> failing; // failed k_failing_after times or more
};
MailStatus mail_status(const storage::Repository& repo, Timestamp now);

} // namespace desk::mail
