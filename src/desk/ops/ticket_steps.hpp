#pragma once

#include <desk/kb/search.hpp>
#include <desk/ops/step.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Every step of the support procedure on a ticket, as one call (see step.hpp).
namespace desk::ops {

// Stage 1: a new ticket, its attachments and its commit. While a ticket with the request's
// dedup key is open, nothing is written and that ticket comes back (changed = false).
struct OpenResult : StepResult {
  storage::TicketRef ref;
};
OpenResult open(const storage::Repository& repo, const Call& call, workflow::OpenRequest request,
                const std::vector<Attachment>& files = {});

// Stage 2.
StepResult triage(const storage::Repository& repo, const Call& call, std::string_view id,
                  const workflow::TriageRequest& request);
// Assignment; --auto counts every assignee's open tickets.
StepResult assign(const storage::Repository& repo, const Call& call, std::string_view id,
                  const workflow::AssignRequest& request);
// Escalation to a tier or a vendor.
StepResult escalate(const storage::Repository& repo, const Call& call, std::string_view id,
                    const workflow::EscalateRequest& request);
StepResult start(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note);
StepResult log_work(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note,
                    int minutes);
StepResult pending(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& reason,
                   const std::string& note);
StepResult resume(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note);
// Resolution; with request.kb the article's reuse is recorded in the same commit.
StepResult resolve(const storage::Repository& repo, const Call& call, std::string_view id,
                   workflow::ResolveRequest request);
// The user confirms, with a rating or none.
StepResult confirm(const storage::Repository& repo, const Call& call, std::string_view id, std::optional<int> rating,
                   const std::string& note);
// The user rejects the fix: back to diagnosis.
StepResult reopen(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& why);
// Closure; `capture_kb` also writes a draft article from the ticket (same commit).
StepResult close(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note,
                 bool capture_kb = false);
StepResult cancel(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& reason);
StepResult edit(const storage::Repository& repo, const Call& call, std::string_view id,
                const workflow::EditRequest& request);

// Every resolved ticket unconfirmed for close_after_days, closed in one commit.
struct CloseStaleResult {
  std::vector<Ticket> closed;
  std::vector<std::string> warnings;
};
CloseStaleResult close_stale(const storage::Repository& repo, const Call& call, const std::string& note);

// SLA warnings and breaches of the tickets `ids` not announced yet: recorded (one notice
// per ticket and target), committed together, then — after the commit and outside the
// lock — the notice and sla-warning / sla-breach hooks of each notice run.
struct SlaNoticeResult {
  std::vector<Ticket> noticed; // each ticket as saved
  std::vector<std::string> warnings;
};
SlaNoticeResult announce_sla(const storage::Repository& repo, const Call& call, const std::vector<std::string>& ids);

// To the requester (public): the text, the expected time, attachments.
struct ReplyRequest {
  std::string text;
  std::string eta; // ISO 8601, or local time of the repository
  std::vector<Attachment> files;
};
StepResult reply(const storage::Repository& repo, const Call& call, std::string_view id, const ReplyRequest& request);

// From the requester (the call's actor is their address). On a ticket pending awaiting-user
// it resumes it; on a resolved one it is a rejection and reopens it; on a closed or
// cancelled one it opens a new ticket linked to the old one (`related`), which comes back.
// A message_id already recorded on the ticket, or on the ticket it opened for a closed one,
// changes nothing (changed = false).
struct MessageRequest {
  std::string text;
  std::string name;       // the sender's display name (for a new linked ticket's reporter)
  std::string message_id; // the mail's Message-ID, or empty
  std::string channel;    // for a new linked ticket: email, portal
  std::vector<Attachment> files;
  Value extra = Value::map(); // recorded on the message event
  bool record_only = false;   // only record it (a robot's or a list's mail, or the mail that
                              // carried a confirmation): no resume, reopen or new ticket
};
StepResult message(const storage::Repository& repo, const Call& call, std::string_view id,
                   const MessageRequest& request);

// True when an event of `ticket` records `message_id`.
bool has_message_id(const Ticket& ticket, std::string_view message_id);

// Matching knowledge-base articles for a ticket (at open and triage); problems become warnings.
std::vector<kb::SearchHit> suggestions(const storage::Repository& repo, const Ticket& ticket,
                                       std::vector<std::string>& warnings);

// Open tickets per assignee (the fewest-open rule of automatic assignment).
std::map<std::string, int> open_load(const storage::Repository& repo, std::vector<std::string>& warnings);

} // namespace desk::ops
