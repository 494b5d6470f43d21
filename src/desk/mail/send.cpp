#include <desk/mail/gateway.hpp>

#include <desk/mail/compose.hpp>
#include <desk/mail/templates.hpp>
#include <desk/model/id.hpp>
#include <desk/ops/step.hpp>
#include <desk/portal/links.hpp>
#include <desk/util/error.hpp>
#include <desk/notify/notify.hpp>
#include <desk/notify/outbox.hpp>
#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace desk::mail {

namespace {

// "mailto:desk@x?subject=%5BINC-1%5D%20confirm%204" (RFC 6068).
std::string mailto(const std::string& address, const std::string& subject)
{
  std::string out = "mailto:" + address + "?subject=";
  for (unsigned char c : subject) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string local_time(const std::string& iso, const Config& c)
{
  const TimeZone* zone = find_zone(c.timezone);
  const auto t = parse_timestamp(iso, zone);
  if (!t) {
    return iso;
  }
  return fmt::format("{} ({})", format_local_minutes(*t, zone), c.timezone);
}

// Signed portal links (serve.url) for the requester's notices: view the request, and on a
// resolve notice confirm it or say it is not fixed. Bound to the ticket and the address.
struct PortalLinks {
  std::string secret; // empty: no links
  Timestamp now{};
};

void add_portal_links(TemplateData& d, const Ticket& t, const Config& c, const std::string& kind,
                      const std::string& requester, const PortalLinks& links)
{
  if (links.secret.empty() || c.serve.url.empty() || requester.empty()) {
    return;
  }
  const Timestamp expires = links.now + portal::k_ticket_link_lifetime;
  auto url = [&](const char* action) {
    return portal::ticket_url(c.serve.url, links.secret, {action, t.id(), requester, expires});
  };
  d.values["view_url"] = url("view");
  if (kind == "resolve") {
    d.values["confirm_url"] = url("confirm");
    d.values["reopen_url"] = url("reopen");
  }
}

TemplateData data_for(const Ticket& t, const Event& e, const Config& c, const std::string& kind)
{
  TemplateData d;
  auto& v = d.values;
  for (const char* f : {"id", "title", "status", "priority", "reporter", "assignee", "team", "email", "solution",
                        "description", "category", "department"}) {
    v[f] = t.get(f);
  }
  for (const char* f : {"respond_due", "resolve_due", "eta"}) {
    if (!t.get(f).empty()) {
      v[f] = local_time(t.get(f), c);
    }
  }
  if (const Value* eta = e.extra.find("eta"); eta && !eta->str().empty()) {
    v["eta"] = local_time(eta->str(), c);
  }
  if (!t.get("responded_at").empty()) {
    v.erase("respond_due"); // already responded: only the resolve time matters
  }
  v["text"] = e.note;
  if (const Value* r = e.extra.find("text"); r && !r->str().empty()) {
    v["text"] = r->str();
  }
  v["by"] = e.by;
  v["desk_name"] = c.mail.name;
  v["desk_address"] = c.mail.address;
  if (const Value* esc = e.extra.find("escalation")) {
    v["escalation"] = esc->str();
  }
  if (const Value* sla = e.extra.find("sla")) {
    const std::string s = sla->str();
    v["sla_target"] = s.substr(s.find(' ') == std::string::npos ? 0 : s.find(' ') + 1);
  }
  if (kind == "resolve") {
    for (int rating = 5; rating >= 1; --rating) {
      d.lists["confirm"].push_back(
        {{"rating", std::to_string(rating)},
         {"mailto", mailto(c.mail.address, fmt::format("[{}] confirm {}", t.id(), rating))}});
    }
    v["reopen_mailto"] = mailto(c.mail.address, fmt::format("[{}] reopen", t.id()));
  }
  return d;
}

std::string sendmail_text(const std::vector<std::string>& argv)
{
  return fmt::format("{}", fmt::join(argv, " "));
}

// The thread of the ticket: the ids desk sent and received, the last as In-Reply-To.
void thread(const Ticket& t, OutgoingMail& out)
{
  std::vector<std::string> ids = notify::thread_ids(t);
  if (ids.empty()) {
    return;
  }
  out.in_reply_to = ids.back();
  // The first (the conversation's start) and the last nine, as RFC 5322 suggests trimming.
  std::vector<std::string> refs;
  refs.push_back(ids.front());
  const std::size_t from = ids.size() > 10 ? ids.size() - 9 : 1;
  for (std::size_t i = from; i < ids.size(); ++i) {
    refs.push_back(ids[i]);
  }
  out.references = std::move(refs);
}

SendReport send_due_grouped(const storage::Repository& repo, Timestamp now, std::size_t limit)
{
  const Config& c = repo.config();
  SendReport report;
  if (c.mail.address.empty()) {
    report.off = true;
    return report;
  }
  const auto outbox_file = notify::outbox_path(repo.root());
  notify::Outbox outbox = notify::load_outbox(outbox_file);
  const Timestamp since = now - c.mail.notify_within;
  storage::Selection selection;
  selection.keep_brief = [since](const TicketBrief& b) { return !b.updated || *b.updated >= since; };
  std::vector<storage::LoadProblem> problems;
  std::vector<Ticket> tickets = repo.tickets().load_all(problems, selection);
  const std::filesystem::path own_templates = repo.desk_dir() / "templates";
  PortalLinks links{{}, now};
  if (!c.serve.url.empty()) {
    try {
      links.secret = portal::load_or_create_secret(repo.desk_dir());
    } catch (const Error& e) {
      report.lines.push_back(fmt::format("warning: notices go out without portal links: {}", e.what()));
    }
  }
  std::size_t handled = 0;
  for (const Ticket& t : tickets) {
    for (const notify::DueNotice& due : notify::due_notices(t, c, now)) {
      if (limit != 0 && handled >= limit) {
        break;
      }
      const std::string key = notify::Outbox::key(t.id(), due.event_id, std::string(notify::to_string(due.audience)));
      if (!outbox.may_try(key, now)) {
        ++report.deferred;
        continue;
      }
      ++handled;
      const bool acknowledgement = due.kind == "open" && due.audience == notify::Audience::requester;
      std::vector<std::string> to;
      for (const auto& r : due.to) {
        to.push_back(r.address);
      }
      notify::NotifiedRecord record{due.event_id, due.audience, due.kind, to, {}, {}};
      if (acknowledgement && !outbox.may_auto_reply(due.to.front().address, c.mail.auto_replies_per_hour, now)) {
        record.skipped = fmt::format("rate limit: more than {} automatic answers to {} within an hour",
                                     c.mail.auto_replies_per_hour, due.to.front().address);
      }
      const std::string language = due.audience == notify::Audience::requester ? notify::language_for(t, c) : c.mail.language;
      OutgoingMail out;
      if (record.skipped.empty()) {
        TemplateData data = data_for(t, *due.event, c, due.kind);
        if (due.audience == notify::Audience::requester) {
          add_portal_links(data, t, c, due.kind, due.to.front().address, links);
        }
        RenderedNotice rendered = render_notice(due.kind, language, data, own_templates);
        out.from = {c.mail.name, c.mail.address};
        out.reply_to = {c.mail.name, c.mail.address};
        for (const auto& r : due.to) {
          out.to.push_back({r.name, r.address});
        }
        out.subject = rendered.subject;
        if (out.subject.find("[" + t.id() + "]") == std::string::npos) {
          out.subject = fmt::format("[{}] {}", t.id(), out.subject);
        }
        out.text = rendered.text;
        out.html = rendered.html;
        out.message_id = notify::make_message_id(t.id(), due.event_id, c.mail.address);
        thread(t, out);
        out.auto_submitted = acknowledgement ? "auto-replied" : "auto-generated";
        out.x_loop = c.mail.address;
        out.date = now;
        if (const std::string why = deliver(c.mail.sendmail, out); !why.empty()) {
          outbox.fail(key, why, now);
          ++report.failed;
          report.lines.push_back(fmt::format("{} {} to {}: failed ({})", t.id(), due.kind, fmt::join(to, ", "), why));
          continue;
        }
        record.message_id = out.message_id;
      }
      const ops::Call call{"desk-mail", now};
      ops::change_ticket(repo, call, t.id(), [&](Ticket& ticket, ops::Transaction&) {
        if (notify::is_answered(ticket, due.event_id, due.audience)) {
          return std::string();
        }
        workflow::notified(ticket, ops::context(repo, call), notify::notified_extra(record));
        return record.skipped.empty() ? fmt::format("notified {} ({})", fmt::join(to, ", "), due.kind)
                                      : fmt::format("not notified ({})", record.skipped);
      });
      outbox.failures.erase(key);
      if (record.skipped.empty()) {
        ++report.sent;
        report.lines.push_back(fmt::format("{} {} to {}: sent", t.id(), due.kind, fmt::join(to, ", ")));
      } else {
        ++report.skipped;
        report.lines.push_back(fmt::format("{} {} to {}: not sent ({})", t.id(), due.kind, fmt::join(to, ", "), record.skipped));
      }
    }
  }
  notify::save_outbox(outbox_file, outbox);
  return report;
}

} // namespace

SendReport send_due(const storage::Repository& repo, Timestamp now, std::size_t limit)
{
  // Each notice is recorded on its ticket as soon as it is sent (a process killed mid-run
  // sends nothing twice), and all of them are committed together at the end.
  const storage::Repository grouped = repo.with_commit_group();
  SendReport report;
  try {
    report = send_due_grouped(grouped, now, limit);
  } catch (...) {
    try {
      grouped.commit_group();
    } catch (...) { // NOLINT(bugprone-empty-catch): the first error is the one to report
    }
    throw;
  }
  if (std::string warning = grouped.commit_group(); !warning.empty()) {
    report.lines.push_back("warning: " + warning);
  }
  return report;
}

MailStatus mail_status(const storage::Repository& repo, Timestamp now)
{
  const Config& c = repo.config();
  MailStatus s;
  s.off = c.mail.address.empty();
  s.address = c.mail.address;
  s.sendmail = sendmail_text(c.mail.sendmail);
  s.after_command = c.mail.send_after_command;
  const notify::Outbox outbox = notify::load_outbox(notify::outbox_path(repo.root()));
  if (s.off) {
    return s;
  }
  const Timestamp since = now - c.mail.notify_within;
  storage::Selection selection;
  selection.keep_brief = [since](const TicketBrief& b) { return !b.updated || *b.updated >= since; };
  std::vector<storage::LoadProblem> problems;
  for (const Ticket& t : repo.tickets().load_all(problems, selection)) {
    for (const auto& due : notify::due_notices(t, c, now)) {
      PendingNotice p{t.id(), due.event_id, std::string(notify::to_string(due.audience)), due.kind, 0, {}, {}};
      const auto it = outbox.failures.find(notify::Outbox::key(t.id(), due.event_id, p.audience));
      if (it != outbox.failures.end()) {
        p.attempts = it->second.attempts;
        p.last_error = it->second.last_error;
        p.next_at = it->second.next_at;
      }
      if (p.attempts >= notify::k_failing_after) {
        s.failing.push_back(p);
      }
      s.due.push_back(std::move(p));
    }
  }
  return s;
}

} // namespace desk::mail
