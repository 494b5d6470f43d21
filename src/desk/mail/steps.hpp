#pragma once

#include <desk/model/ticket.hpp>
#include <desk/storage/repository.hpp>
#include <desk/util/time.hpp>
#include <desk/workflow/operations.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The ticket steps the mail gateway takes, each one transaction (lock, load, change, save,
// commit, then the after-command sender). Shaped like the library operations (desk::ops)
// so the gateway moves onto them unchanged.
namespace desk::mail::steps {

// Who acts, when.
struct Call {
  std::string actor;
  Timestamp now;
};

// A file stored beside the ticket (the name is made safe here).
struct Attachment {
  std::string name;
  std::filesystem::path from;
  std::string bytes;
};

// What a step did.
struct StepResult {
  Ticket ticket;
  std::string summary;
  bool changed = true;
};

// A new ticket with its `open` event; `email` and `extra` (merged into the event) as given.
// A dedup key of an open ticket changes nothing (that ticket is returned).
StepResult open(const storage::Repository& repo, const Call& call, workflow::OpenRequest request,
                const std::string& email, const Value& extra, const std::vector<Attachment>& files,
                const std::vector<std::string>& related = {});

// The requester's mail: a `message` event; resumes a ticket pending awaiting-user, reopens
// a resolved one, opens a new linked ticket for a closed or cancelled one.
struct MessageRequest {
  std::string from;
  std::string name;
  std::string text;
  std::vector<Attachment> files;
  std::string message_id;
  std::string channel;
  Value event_extra = Value::map();
};
StepResult message(const storage::Repository& repo, const Call& call, std::string_view id, const MessageRequest& m);

// Confirmation (rating 1..5, or none) and rejection by the requester.
StepResult confirm(const storage::Repository& repo, const Call& call, std::string_view id, std::optional<int> rating,
                   const std::string& note);
StepResult reopen(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& why);

// A work-log entry (a team member's mail).
StepResult log_work(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note);

// The generic transaction: `change` returns the summary ("" = nothing to write).
StepResult change_ticket(const storage::Repository& repo, const Call& call, std::string_view id,
                         const std::function<std::string(Ticket&, std::vector<std::filesystem::path>&)>& change);

// After a committed step: start `desk mail send` detached when mail.send is after-command
// (never from within a sender, which sets DESK_MAIL_SENDING).
void start_sender_if_configured(const storage::Repository& repo);

} // namespace desk::mail::steps
