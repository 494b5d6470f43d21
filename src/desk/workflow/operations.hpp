#pragma once

#include <desk/config/config.hpp>
#include <desk/model/ticket.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>
#include <desk/workflow/transitions.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

// Every step of the support procedure as a change to one ticket: checks the transition
// table and the config, records one event with actor and time, keeps the current fields
// and the stored SLA due times in step. No I/O here.
namespace desk::workflow {

// Who acts, when, under which rules.
struct Context {
  const Config& config;
  std::string actor;
  Timestamp now;
};

// The time of `ctx` as written in files (ISO 8601 in the configured zone).
std::string now_text(const Context& ctx);

// Refuse a blank required text: UsageError "{what} is required", hint "give it with {option}".
void require_text(std::string_view value, std::string_view option, std::string_view what);

// Refuse a text with a line break: UsageError "{what} must be a single line".
void require_single_line(std::string_view value, std::string_view what);

// Stage 1 intake.
struct OpenRequest {
  std::string type; // empty: config default
  std::string title;
  std::string description;
  std::string reporter;
  std::string department;
  std::string contact;
  std::string channel; // empty: config default
  std::vector<std::string> affected;
  std::string impact;  // empty: config default
  std::string urgency; // empty: config default
  std::string occurred_at; // ISO 8601 text as given; validated
  std::string steps;
  std::string error;
  std::vector<std::string> attachments; // file names as stored beside the ticket
  std::string dedup_key;
  std::string external_id;
  std::string email;                 // the requester's address (mail and portal find their tickets by it)
  std::vector<std::string> related;  // tickets this one follows on from
  Value event_extra = Value::map();  // merged into the open event (e.g. the mail's message_id)
};

// A new ticket (without id; the store assigns it) with its `open` event.
Ticket open_ticket(const Context& ctx, const OpenRequest& request);

// Stage 2 classification.
struct TriageRequest {
  std::string category;
  std::string type;
  std::string impact;
  std::string urgency;
  std::string priority; // an override of the matrix; needs `reason`
  std::string reason;
  std::string note;
};
void triage(Ticket& ticket, const Context& ctx, const TriageRequest& request);

// Assignment: to a user, a team, or by the rules.
struct AssignRequest {
  std::string user;
  std::string team;
  bool automatic = false;
  std::string lead_team;
  std::vector<std::string> collaborators;
  std::string note;
};
// `open_load` counts open tickets per assignee (for --auto's fewest-open rule).
void assign(Ticket& ticket, const Context& ctx, const AssignRequest& request,
            const std::map<std::string, int>& open_load);

// Functional escalation to a tier or a vendor; `notify` also records the hierarchical
// escalation to the team's supervisor.
struct EscalateRequest {
  int tier = 0;       // 2 or 3; 0 when escalating to a vendor
  std::string vendor;
  std::string reason;
  std::string user;
  std::string team;
  bool notify = false;
};
// Returns the supervisor notified (empty when none).
std::string escalate(Ticket& ticket, const Context& ctx, const EscalateRequest& request,
                     const std::map<std::string, int>& open_load);

// Work begins (the first response when nothing else responded yet).
void start(Ticket& ticket, const Context& ctx, const std::string& note);

// A work-log entry.
void log_work(Ticket& ticket, const Context& ctx, const std::string& note, int minutes);

// Waiting on someone; pauses the SLA clock when the config says so.
void set_pending(Ticket& ticket, const Context& ctx, const std::string& reason, const std::string& note);

// Back to work after pending.
void resume(Ticket& ticket, const Context& ctx, const std::string& note);

// Resolution with internal verification (stage 4).
struct ResolveRequest {
  std::string solution;
  std::string cause;
  std::string verified_by;
  std::string verification;
  std::string kb; // knowledge-base article that solved it
  std::string note;
};
void resolve(Ticket& ticket, const Context& ctx, const ResolveRequest& request);

// The range of a satisfaction rating.
constexpr int k_rating_min = 1;
constexpr int k_rating_max = 5;

// The user confirms (with a rating from k_rating_min to k_rating_max, or none) or rejects
// (reopens the ticket).
void confirm(Ticket& ticket, const Context& ctx, std::optional<int> rating, const std::string& note);
void reopen(Ticket& ticket, const Context& ctx, const std::string& why);

// Closure: a confirmed ticket, or a resolved one older than close_after_days. Refuses an
// incomplete record and says what is missing.
void close(Ticket& ticket, const Context& ctx, const std::string& note);

// True when `close` would accept the resolved ticket as stale at ctx.now.
bool is_stale_resolved(const Ticket& ticket, const Context& ctx);

// Correct intake fields: only the fields given (non-empty optionals) change; `affected`
// replaces the list. Refuses a change that changes nothing.
struct EditRequest {
  std::optional<std::string> title, description, reporter, department, contact, email, channel, steps, error;
  std::optional<std::vector<std::string>> affected;
  std::string note;
};
void edit(Ticket& ticket, const Context& ctx, const EditRequest& request);

// Cancel (duplicate, withdrawn).
void cancel(Ticket& ticket, const Context& ctx, const std::string& reason);

// Support writes to the requester (public): the text, the expected time (`eta`, ISO 8601
// or local time; stored as the ticket's `eta`) and the names of files stored beside it.
void reply(Ticket& ticket, const Context& ctx, const std::string& text, const std::string& eta,
           const std::vector<std::string>& attachments);

// The requester writes (actor: their address): the text, the files stored beside the
// ticket and `extra` (e.g. message_id) recorded on the event. Changes no status by itself.
void message(Ticket& ticket, const Context& ctx, const std::string& text, const std::vector<std::string>& attachments,
             Value extra);

// True for actions the requester may see (replies, their own messages, status changes);
// false for internal work (log entries, notices, classification and routing).
bool is_public(std::string_view action);

// Record that an SLA warning or breach ("warning" / "breach") of `target` ("respond" /
// "resolve") was announced, so it is announced once.
void notice(Ticket& ticket, const Context& ctx, const std::string& kind, const std::string& target);

// Record that a mail notice was sent, or deliberately not sent (`extra`: what, to whom, its
// Message-ID; see notify::notified_extra). Allowed in every status; `updated` stays.
void notified(Ticket& ticket, const Context& ctx, Value extra);

// True when that notice was already recorded.
bool has_notice(const Ticket& ticket, const std::string& kind, const std::string& target);

// The ticket's status; throws UsageError when it is none desk knows (a ticket read from a
// file is checked first with unknown_status, which names the file).
Status status_of(const Ticket& ticket);

// When the ticket's status is none desk knows, the problem as a ParseError at its `status`
// in the file at `path`; nullopt otherwise. A step refuses such a ticket with it (exit 5:
// it would not know which rules apply); list and show print the ticket with it as a warning.
std::optional<ParseError> unknown_status(const Ticket& ticket, const std::string& path);

// What an event of `action` made at `at` sets besides its own fields (`set`, which holds
// the new status when it changes): an empty pending_reason when the ticket leaves pending,
// and responded_at on the first action that counts as the response. Every step records
// through it, and so does an import rebuilding another tool's history.
void add_implied_fields(const Ticket& ticket, Action action, const std::string& at, Value& set);

} // namespace desk::workflow
