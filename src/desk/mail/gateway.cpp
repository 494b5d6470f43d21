#include <desk/mail/gateway.hpp>

#include <desk/mail/compose.hpp>
#include <desk/mail/message.hpp>
#include <desk/mail/quote.hpp>
#include <desk/mail/robot.hpp>
#include <desk/ops/ticket_steps.hpp>
#include <desk/mail/templates.hpp>
#include <desk/model/id.hpp>
#include <desk/notify/notify.hpp>
#include <desk/notify/outbox.hpp>
#include <desk/util/process.hpp>
#include <desk/workflow/transitions.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace desk::mail {

namespace {

std::string gw_lower(std::string_view s) { return text::ascii_lower(s); }

// A stable id for a message that has none (so a second delivery is still recognised).
std::string synthetic_message_id(std::string_view raw)
{
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : raw) {
    h = (h ^ c) * 1099511628211ULL;
  }
  return fmt::format("{:016x}@no-message-id.desk.invalid", h);
}

// The ticket ids in `[...]` tags of a subject, first one first.
std::vector<std::string> subject_tags(std::string_view subject)
{
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = subject.find('[', pos)) != std::string_view::npos) {
    const std::size_t end = subject.find(']', pos + 1);
    if (end == std::string_view::npos) {
      break;
    }
    std::string id(text::trim(subject.substr(pos + 1, end - pos - 1)));
    for (auto& c : id) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (ids::is_ticket_id(id)) {
      out.push_back(id);
    }
    pos = end + 1;
  }
  return out;
}

// The one-click command after the tag: "confirm 4", "confirm", "reopen"; nullopt otherwise.
struct Command {
  bool confirm = false;
  std::optional<int> rating;
};
std::optional<Command> subject_command(std::string_view subject, const std::string& id)
{
  const std::string upper_tag = "[" + id + "]";
  std::string s(subject);
  std::string su = s;
  for (auto& c : su) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const std::size_t at = su.find(upper_tag);
  if (at == std::string::npos) {
    return std::nullopt;
  }
  const std::string rest = gw_lower(text::trim(std::string_view(s).substr(at + upper_tag.size())));
  if (rest == "reopen") {
    return Command{false, std::nullopt};
  }
  if (rest == "confirm") {
    return Command{true, std::nullopt};
  }
  if (rest.size() == 9 && rest.rfind("confirm ", 0) == 0 && rest[8] >= '1' && rest[8] <= '5') {
    return Command{true, rest[8] - '0'};
  }
  return std::nullopt;
}

// The requester's address of a ticket (the `email` field, else an address in `contact`).
std::string requester_of(const Ticket& t)
{
  for (const std::string* f : {&t.get("email"), &t.get("contact")}) {
    if (f->find('@') != std::string::npos && f->find_first_of(" <>,;") == std::string::npos) {
      return gw_lower(*f);
    }
  }
  return {};
}

std::optional<std::pair<storage::TicketRef, Ticket>> load_ticket(const storage::Repository& repo, const std::string& id)
{
  const auto ref = repo.tickets().find_exact(id);
  if (!ref) {
    return std::nullopt;
  }
  return std::make_pair(*ref, repo.tickets().load(*ref));
}

// The ticket this message answers, by a desk Message-ID it names that the ticket records.
std::optional<std::pair<storage::TicketRef, Ticket>> thread_ticket(const storage::Repository& repo, const ParsedMail& m)
{
  std::vector<std::string> ids;
  if (!m.in_reply_to.empty()) {
    ids.push_back(m.in_reply_to);
  }
  for (auto it = m.references.rbegin(); it != m.references.rend(); ++it) {
    ids.push_back(*it);
  }
  for (const auto& mid : ids) {
    const std::string tid = notify::ticket_of_message_id(mid);
    if (tid.empty()) {
      continue;
    }
    if (auto found = load_ticket(repo, tid); found && notify::has_message_id(found->second, mid)) {
      return found;
    }
  }
  return std::nullopt;
}

std::string text_with_notes(std::string text, const std::vector<std::string>& notes)
{
  for (const auto& n : notes) {
    text += (text.empty() ? "" : "\n\n") + std::string("[desk: ") + n + "]";
  }
  return text;
}

std::vector<ops::Attachment> attachments_of(const ParsedMail& m, std::string_view raw, std::size_t limit,
                                            const std::string& message_id, std::vector<std::string>& notes)
{
  std::vector<ops::Attachment> files;
  for (const auto& a : m.attachments) {
    if (!a.over_limit) {
      files.push_back(ops::Attachment{a.name, {}, a.bytes});
    }
  }
  const std::string eml = "mail-" + synthetic_message_id(message_id).substr(0, 8) + ".eml";
  if (raw.size() <= limit) {
    files.push_back(ops::Attachment{eml, {}, std::string(raw)});
  } else {
    notes.push_back(fmt::format("the original message ({} bytes) is larger than the limit of {} bytes and was not kept",
                                raw.size(), limit));
  }
  return files;
}

// A mail recorded on a known ticket changing nothing else: a robot's or a list's, or the
// mail that carried a confirmation (so that a second delivery of it changes nothing).
ops::StepResult record_only(const storage::Repository& repo, const ops::Call& call, const std::string& id,
                            const ParsedMail& m, const std::string& text, const std::string& message_id,
                            const std::string& why, std::vector<ops::Attachment> files)
{
  ops::MessageRequest request;
  request.text = text.empty() && files.empty() ? std::string("(an empty message)") : text;
  request.name = m.from_name;
  request.message_id = message_id;
  request.channel = "email";
  request.files = std::move(files);
  request.record_only = true;
  request.extra = Value::map();
  request.extra.set("channel", Value::text("email"));
  if (!why.empty()) {
    request.extra.set("auto", Value::text(why));
  }
  if (!m.subject.empty()) {
    request.extra.set("subject", Value::text(m.subject));
  }
  return ops::message(repo, call, id, request);
}

} // namespace

ReceiveResult receive_mail(const storage::Repository& repo, std::string_view raw, Timestamp now)
{
  const Config& config = repo.config();
  if (raw.size() > k_max_message_bytes) {
    throw RefusedMail(fmt::format("the message is {} bytes; desk takes at most {}", raw.size(), k_max_message_bytes));
  }
  if (text::trim(raw).empty()) {
    throw RefusedMail("the message is empty");
  }
  const ParsedMail m = parse_mail(raw, config.mail.max_attachment_bytes);
  ReceiveResult result;
  const std::string own = gw_lower(config.mail.address);
  const std::string x_loop = gw_lower(text::trim(m.header("X-Loop")));
  if (!own.empty() && (x_loop == own || m.from_address == own)) {
    result.outcome = ReceiveResult::Outcome::dropped;
    result.summary = "dropped: the message is desk's own (From or X-Loop is " + own + ")";
    return result;
  }
  if (m.from_address.empty()) {
    throw RefusedMail("the message has no sender address (From)",
                      "desk answers the sender; a message without one cannot be recorded");
  }
  const std::string message_id = m.message_id.empty() ? synthetic_message_id(raw) : m.message_id;
  const SenderVerdict verdict = classify_sender(m);
  const bool automatic = verdict.kind != SenderKind::person;
  std::vector<std::string> notes = m.notes;
  if (automatic) {
    result.notes.push_back("not answered: " + verdict.reason);
  }
  ops::Call call{m.from_address, now};

  // 1. The thread: a desk Message-ID the ticket records; 2. the subject tag from a known sender.
  auto found = thread_ticket(repo, m);
  bool by_tag = false;
  if (!found) {
    for (const auto& tag : subject_tags(m.subject)) {
      auto candidate = load_ticket(repo, tag);
      if (!candidate) {
        continue;
      }
      const bool requester = requester_of(candidate->second) == m.from_address;
      const bool member = !config.user_with_email(m.from_address).empty();
      if (requester || member) {
        found = std::move(candidate);
        by_tag = true;
      } else {
        result.notes.push_back(fmt::format("the subject names {}, but {} is not its requester: opened as a new ticket",
                                           tag, m.from_address));
      }
      break;
    }
  }
  (void)by_tag;
  const std::string text = cut_quoted_history(m.text);

  if (found) {
    auto& [ref, ticket] = *found;
    result.ticket_id = ticket.id();
    if (notify::has_message_id(ticket, message_id)) {
      result.outcome = ReceiveResult::Outcome::duplicate;
      result.summary = fmt::format("{}: already recorded (Message-ID {})", ticket.id(), message_id);
      return result;
    }
    std::vector<ops::Attachment> files =
      attachments_of(m, raw, config.mail.max_attachment_bytes, message_id, notes);
    const std::string recorded = text_with_notes(text, notes);
    if (automatic) {
      const auto status = workflow::parse_status(ticket.status());
      if (status && workflow::is_final(*status)) {
        result.outcome = ReceiveResult::Outcome::dropped;
        result.summary = fmt::format("dropped: {} for {}, which is {}", verdict.reason, ticket.id(), ticket.status());
        return result;
      }
      auto r = record_only(repo, call, ticket.id(), m, recorded, message_id, verdict.reason, std::move(files));
      result.outcome = ReceiveResult::Outcome::noted;
      result.summary = fmt::format("{}: {}", ticket.id(), r.summary);
      return result;
    }
    const std::string member = config.user_with_email(m.from_address);
    const bool requester = requester_of(ticket) == m.from_address;
    // The one-click answers of the resolve mail, from the requester only.
    if (requester && ticket.status() == "resolved") {
      if (const auto cmd = subject_command(m.subject, ticket.id())) {
        ops::StepResult r = cmd->confirm ? ops::confirm(repo, call, ticket.id(), cmd->rating, text)
                                         : ops::reopen(repo, call, ticket.id(), text.empty() ? "reopened by mail" : text);
        result.outcome = cmd->confirm ? ReceiveResult::Outcome::confirmed : ReceiveResult::Outcome::reopened;
        result.summary = fmt::format("{}: {}", ticket.id(), r.summary);
        // The mail itself, so a second delivery changes nothing.
        record_only(repo, call, ticket.id(), m, recorded, message_id, "", {});
        return result;
      }
    }
    if (!member.empty() && !requester) {
      ops::Call staff{member, now};
      auto r = ops::log_work(repo, staff, ticket.id(), recorded, 0);
      result.outcome = ReceiveResult::Outcome::added;
      result.summary = fmt::format("{}: {}", ticket.id(), r.summary);
      return result;
    }
    ops::MessageRequest request;
    request.name = m.from_name;
    request.text = recorded;
    request.files = std::move(files);
    request.message_id = message_id;
    request.channel = "email";
    request.extra = Value::map();
    if (!m.subject.empty()) {
      request.extra.set("subject", Value::text(m.subject));
    }
    ops::StepResult r = ops::message(repo, call, ticket.id(), request);
    if (!r.changed) {
      result.outcome = ReceiveResult::Outcome::duplicate;
      result.summary = fmt::format("{}: already recorded (Message-ID {})", ticket.id(), message_id);
      return result;
    }
    result.outcome = r.ticket.id() != ticket.id() ? ReceiveResult::Outcome::opened : ReceiveResult::Outcome::added;
    result.ticket_id = r.ticket.id();
    result.summary = fmt::format("{}: {}", r.ticket.id(), r.summary);
    return result;
  }

  // A new conversation.
  workflow::OpenRequest request;
  request.title = m.subject.empty() ? std::string("(no subject)") : m.subject;
  request.description = text_with_notes(std::string(text::trim(m.text)), notes);
  request.reporter = m.from_name.empty() ? m.from_address : m.from_name;
  request.channel = std::find(config.channels.begin(), config.channels.end(), "email") != config.channels.end()
                      ? "email"
                      : std::string();
  request.dedup_key = "mail:" + message_id;
  for (const auto& route : config.mail.routes) {
    if (std::find(m.recipients.begin(), m.recipients.end(), route.address) != m.recipients.end()) {
      request.type = route.type;
      request.impact = route.impact;
      request.urgency = route.urgency;
      break;
    }
  }
  Value extra = Value::map();
  extra.set("message_id", Value::text(message_id));
  if (automatic) {
    extra.set("auto", Value::text(verdict.reason));
  }
  std::vector<ops::Attachment> files = attachments_of(m, raw, config.mail.max_attachment_bytes, message_id, notes);
  request.description = text_with_notes(std::string(text::trim(m.text)), notes);
  request.email = m.from_address;
  request.event_extra = extra;
  ops::StepResult r = ops::open(repo, call, std::move(request), files);
  result.ticket_id = r.ticket.id();
  if (!r.changed) {
    result.outcome = ReceiveResult::Outcome::duplicate;
    result.summary = fmt::format("{}: already recorded (Message-ID {})", r.ticket.id(), message_id);
    return result;
  }
  result.outcome = ReceiveResult::Outcome::opened;
  result.summary = fmt::format("{}: {}", r.ticket.id(), r.summary);
  return result;
}

} // namespace desk::mail
