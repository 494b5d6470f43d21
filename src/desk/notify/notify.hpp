#pragma once

#include <desk/config/config.hpp>
#include <desk/model/ticket.hpp>
#include <desk/util/time.hpp>

#include <optional>
#include <string>
#include <vector>

// What is due to be told, and to whom. An event that warrants a notice (the config's
// `mail.notify` table) is due until a `notified` event on the same ticket answers it; the
// `notified` event is committed and merged like any other, so a notice goes out once
// however many clones run `desk mail send`. No mail code here: the gateway composes and
// sends, this says what and to whom.
namespace desk::notify {

// Who a notice is written for: the requester sees public text, staff see the work.
enum class Audience { requester, staff };

// "requester" / "staff", as written in `notified` events.
std::string_view to_string(Audience a);

// One person a notice goes to.
struct Recipient {
  std::string address; // lower-case mail address
  std::string name;    // display name; may be empty
  std::string role;    // requester, assignee, supervisor, team, or "address" for a literal one
};

// One notice that is due.
struct DueNotice {
  std::string event_id;   // the event it answers
  std::string kind;       // the template: open, reply, pending, resolve, reopen, close, assign,
                          // escalate, message, sla-warning, sla-breach, delay
  Audience audience = Audience::requester;
  std::vector<Recipient> to;
  const Event* event = nullptr; // into the ticket given to due_notices
};

// The kind of notice `event` warrants, before recipients ("" when none): `notice` events
// become sla-warning / sla-breach; pending only when the reason is awaiting-user; mail
// from robots and events desk itself recorded from mail it must not answer never notify.
std::string notice_kind(const Event& event);

// Every notice due on `ticket` at `now` (events older than mail.notify_within are never
// due). Requester notices need the ticket's `email`; staff notices the configured emails.
std::vector<DueNotice> due_notices(const Ticket& ticket, const Config& config, Timestamp now);

// The `notified` event's extra fields for a notice sent (or given up: `skipped` says why).
struct NotifiedRecord {
  std::string answers;     // event id
  Audience audience = Audience::requester;
  std::string kind;
  std::vector<std::string> to;
  std::string message_id;  // without angle brackets
  std::string skipped;     // non-empty: not sent, and why (rate limit, robot)
};
Value notified_extra(const NotifiedRecord& record);

// True when a `notified` event on `ticket` answers (event_id, audience).
bool is_answered(const Ticket& ticket, const std::string& event_id, Audience audience);

// A Message-ID desk makes for a notice: names the ticket so a reply finds it without a scan,
// carries a random token so nobody can forge one of another ticket by guessing.
// "<ID>.<event id>.<random>@<domain of mail.address>" (without angle brackets).
std::string make_message_id(const std::string& ticket_id, const std::string& event_id, const std::string& address);
// The same for a mail of no ticket (a portal sign-in link): "<prefix>.<random>@<domain>".
std::string make_message_id(std::string_view prefix, const std::string& address);

// The ticket id a desk Message-ID names ("" when `message_id` is not shaped like one).
std::string ticket_of_message_id(std::string_view message_id);

// Every Message-ID recorded on the ticket (sent in `notified` events, received on `open`
// and `message` events), oldest first.
std::vector<std::string> thread_ids(const Ticket& ticket);

// True when `message_id` is recorded on the ticket.
bool has_message_id(const Ticket& ticket, std::string_view message_id);

// The requester's language for mail: the ticket's `language` field when set, "zh" when the
// title or description holds Chinese text, else mail.language.
std::string language_for(const Ticket& ticket, const Config& config);

} // namespace desk::notify
