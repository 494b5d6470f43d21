#pragma once

#include <desk/util/time.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

// The mail sender's local memory (.desk/cache/mail-outbox.json, never committed, safe to
// delete): notices whose sending failed, when to try each again, and the automatic
// answers recently sent to each address (the rate limit against robots). What was sent is
// never kept here: that is the `notified` event on the ticket.
namespace desk::notify {

// A notice that could not be sent.
struct Failure {
  int attempts = 0;
  std::string last_error;
  Timestamp last_at{};
  Timestamp next_at{}; // not tried again before this
};

// After this many failed attempts a notice is shown as failing (status, doctor).
inline constexpr int k_failing_after = 3;

// The state file's content.
struct Outbox {
  std::map<std::string, Failure> failures;                   // key: "<ticket>/<event>/<audience>"
  std::map<std::string, std::vector<Timestamp>> auto_replies; // address → times sent (last hour)

  // The key of one notice.
  static std::string key(const std::string& ticket, const std::string& event, const std::string& audience);
  // Record a failure at `now`: the next try waits 1, 2, 4 … minutes, at most 6 hours.
  void fail(const std::string& key, const std::string& error, Timestamp now);
  // True when the notice may be tried at `now`.
  bool may_try(const std::string& key, Timestamp now) const;
  // True when another automatic answer to `address` stays within `per_hour` at `now`;
  // forgets entries older than an hour.
  bool may_auto_reply(const std::string& address, int per_hour, Timestamp now);
};

// The state file of a repository.
std::filesystem::path outbox_path(const std::filesystem::path& root);

// Read it; an absent, unreadable or damaged file is an empty outbox (it is derived data).
Outbox load_outbox(const std::filesystem::path& path);

// Write it atomically.
void save_outbox(const std::filesystem::path& path, const Outbox& outbox);

} // namespace desk::notify
