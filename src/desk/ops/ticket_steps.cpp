#include <desk/ops/ticket_steps.hpp>

#include <desk/kb/kb_store.hpp>
#include <desk/kb/lifecycle.hpp>
#include <desk/model/id.hpp>
#include <desk/sla/ticket_sla.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace fs = std::filesystem;

namespace desk::ops {

namespace {

std::string local_minutes(const storage::Repository& repo, std::string_view iso)
{
  const auto t = parse_timestamp(iso, nullptr);
  return t ? format_local_minutes(*t, find_zone(repo.config().timezone)) : std::string(iso);
}

// "P3 incident INC-…: title (respond by …, resolve by …)".
std::string opened_summary(const storage::Repository& repo, const Ticket& t)
{
  std::string due;
  if (!t.get("respond_due").empty() && !t.get("resolve_due").empty()) {
    due = fmt::format(" (respond by {}, resolve by {})", local_minutes(repo, t.get("respond_due")),
                      local_minutes(repo, t.get("resolve_due")));
  }
  return fmt::format("{} {} {}: {}{}", t.get("priority"), t.get("type"), t.id(), t.get("title"), due);
}

// The open ticket carrying `key`, if any (read through the index).
std::optional<Ticket> open_with_dedup_key(const storage::Repository& repo, const std::string& key)
{
  std::vector<storage::LoadProblem> problems;
  storage::Selection same_key;
  same_key.keep = [&key](const Ticket& t) { return t.get("dedup_key") == key; };
  same_key.events = false;
  for (auto& t : repo.tickets().load_all(problems, same_key)) {
    const auto st = workflow::parse_status(t.status());
    if (st && !workflow::is_final(*st)) {
      return std::move(t);
    }
  }
  return std::nullopt;
}

std::string assigned_summary(const Ticket& t)
{
  std::string who = t.get("assignee").empty() ? "team " + t.get("team") : t.get("assignee");
  if (!t.get("assignee").empty() && !t.get("team").empty()) {
    who += " (" + t.get("team") + ")";
  }
  return "assigned to " + who;
}

} // namespace

std::map<std::string, int> open_load(const storage::Repository& repo, std::vector<std::string>& warnings)
{
  std::map<std::string, int> load;
  std::vector<storage::LoadProblem> problems;
  storage::Selection assigned_open;
  assigned_open.keep_brief = [](const TicketBrief& brief) { return workflow::is_unresolved_status(brief.status); };
  assigned_open.keep = [](const Ticket& t) { return !t.get("assignee").empty(); };
  assigned_open.events = false;
  for (const auto& t : repo.tickets().load_all(problems, assigned_open)) {
    ++load[t.get("assignee")];
  }
  for (const auto& p : problems) {
    warnings.push_back(fmt::format("skipped {}", p.message));
  }
  return load;
}

std::vector<kb::SearchHit> suggestions(const storage::Repository& repo, const Ticket& ticket,
                                       std::vector<std::string>& warnings)
{
  try {
    kb::SearchResult r = kb::suggest(repo.root(), ticket, 3);
    for (const auto& p : r.problems) {
      warnings.push_back(fmt::format("skipped {}", p.message));
    }
    return std::move(r.hits);
  } catch (const Error& e) {
    warnings.push_back(fmt::format("knowledge-base suggestions skipped: {}", e.what()));
    return {};
  }
}

OpenResult open(const storage::Repository& repo, const Call& call, workflow::OpenRequest request,
                const std::vector<Attachment>& files)
{
  check_attachments(files); // before anything is written
  for (const auto& f : files) {
    const std::string name = safe_file_name(f.name.empty() ? f.from.filename().string() : f.name);
    std::string unique = name.empty() ? std::string("attachment") : name;
    for (int n = 2; std::find(request.attachments.begin(), request.attachments.end(), unique) != request.attachments.end(); ++n) {
      const fs::path b(name.empty() ? std::string("attachment") : name);
      unique = fmt::format("{}-{}{}", b.stem().string(), n, b.extension().string());
    }
    request.attachments.push_back(unique);
  }
  OpenResult result;
  result.ticket = workflow::open_ticket(context(repo, call), request);
  {
    const auto lock = repo.lock();
    if (!request.dedup_key.empty()) {
      if (auto same = open_with_dedup_key(repo, request.dedup_key)) {
        result.ticket = std::move(*same);
        result.changed = false;
        result.summary = fmt::format("{} is already open with dedup key '{}'", result.ticket.id(), request.dedup_key);
        result.ref = repo.tickets().resolve(result.ticket.id());
        return result;
      }
    }
    const std::string prefix = repo.config().find_type(result.ticket.get("type"))->prefix;
    result.ref = repo.tickets().create(result.ticket, [&] { return ids::make_ticket_id(prefix); });
    Transaction tx;
    tx.created(result.ref.path);
    try {
      std::vector<Attachment> named = files;
      for (std::size_t i = 0; i < named.size(); ++i) {
        named[i].name = request.attachments[i];
      }
      store_attachments(result.ref, named, {}, tx);
    } catch (...) {
      tx.roll_back();
      throw;
    }
    commit(repo, call, tx,
           fmt::format("{}: open {} {}: {}", result.ref.id, result.ticket.get("priority"), result.ticket.get("type"),
                       result.ticket.get("title")), result.warnings);
  }
  result.summary = opened_summary(repo, result.ticket);
  for (auto& w : after_step(repo, result.ticket)) {
    result.warnings.push_back(std::move(w));
  }
  return result;
}

StepResult triage(const storage::Repository& repo, const Call& call, std::string_view id,
                  const workflow::TriageRequest& request)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::triage(t, context(repo, call), request);
    return fmt::format("triaged: {} {}, priority {}", t.get("type"), t.get("category"), t.get("priority"));
  });
}

StepResult assign(const storage::Repository& repo, const Call& call, std::string_view id,
                  const workflow::AssignRequest& request)
{
  std::vector<std::string> warnings;
  auto result = change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    const auto load = request.automatic ? open_load(repo, warnings) : std::map<std::string, int>{};
    workflow::assign(t, context(repo, call), request, load);
    return assigned_summary(t);
  });
  result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end());
  return result;
}

StepResult escalate(const storage::Repository& repo, const Call& call, std::string_view id,
                    const workflow::EscalateRequest& request)
{
  std::vector<std::string> warnings;
  auto result = change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    const auto load = open_load(repo, warnings);
    const std::string supervisor = workflow::escalate(t, context(repo, call), request, load);
    const Value* what = t.events().back().extra.find("escalation");
    std::string msg = "escalated to " + (what ? what->str() : std::string("?"));
    if (!t.get("assignee").empty()) {
      msg += ", assigned to " + t.get("assignee");
    }
    if (!supervisor.empty()) {
      msg += ", supervisor " + supervisor + " notified";
    }
    return msg;
  });
  result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end());
  return result;
}

StepResult start(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::start(t, context(repo, call), note);
    return "in progress (" + t.get("assignee") + ")";
  });
}

StepResult log_work(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note,
                    int minutes)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::log_work(t, context(repo, call), note, minutes);
    return minutes > 0 ? fmt::format("logged {} min", minutes) : std::string("logged");
  });
}

StepResult pending(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& reason,
                   const std::string& note)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::set_pending(t, context(repo, call), reason, note);
    const auto& pause = repo.config().pause_reasons;
    const bool paused = std::find(pause.begin(), pause.end(), reason) != pause.end();
    return fmt::format("pending ({}){}", reason, paused ? ", SLA clock paused" : "");
  });
}

StepResult resume(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::resume(t, context(repo, call), note);
    return "in progress again, resolve by " + local_minutes(repo, t.get("resolve_due"));
  });
}

StepResult resolve(const storage::Repository& repo, const Call& call, std::string_view id,
                   workflow::ResolveRequest request)
{
  const kb::KbStore store(repo.root());
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction& tx) {
    std::optional<kb::ArticleRef> article;
    if (!request.kb.empty()) {
      article = store.resolve(request.kb);
      store.load(*article); // a broken article is reported before the ticket changes
      request.kb = article->id;
    }
    const auto ctx = context(repo, call);
    workflow::resolve(t, ctx, request);
    if (article) {
      kb::Article a = store.load(*article);
      kb::record_reuse(a, ctx, t.id()); // its reuse count rises, the ticket is linked
      tx.will_replace(article->path);
      store.save(a, article->path);
    }
    return (request.kb.empty() ? std::string("resolved") : "resolved with " + request.kb) + ", verified by " +
           t.get("verified_by") + "; waiting for the user's confirmation";
  });
}

StepResult confirm(const storage::Repository& repo, const Call& call, std::string_view id, std::optional<int> rating,
                   const std::string& note)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::confirm(t, context(repo, call), rating, note);
    return rating ? fmt::format("confirmed by the user, rating {}", *rating) : std::string("confirmed by the user");
  });
}

StepResult reopen(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& why)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::reopen(t, context(repo, call), why);
    return fmt::format("reopened (reopen #{}); back to diagnosis", t.get("reopen_count"));
  });
}

StepResult close(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note,
                 bool capture_kb)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction& tx) {
    const auto ctx = context(repo, call);
    if (!capture_kb) {
      workflow::close(t, ctx, note);
      return std::string("closed");
    }
    Ticket probe = t;
    workflow::close(probe, ctx, note); // refused before the article is written
    kb::CaptureOptions options;
    options.note = "captured at closure";
    kb::Article article = kb::capture(t, ctx, options);
    const kb::ArticleRef ref = kb::KbStore(repo.root()).create(article, kb::make_article_id);
    tx.created(ref.path);
    kb::link_article(t, ctx, ref.id, fmt::format("captured as knowledge-base article {}", ref.id));
    workflow::close(t, ctx, note);
    return "closed; draft knowledge-base article " + ref.id + " captured";
  });
}

StepResult cancel(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& reason)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::cancel(t, context(repo, call), reason);
    return std::string("cancelled");
  });
}

StepResult edit(const storage::Repository& repo, const Call& call, std::string_view id,
                const workflow::EditRequest& request)
{
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction&) {
    workflow::edit(t, context(repo, call), request);
    std::vector<std::string> names;
    for (const auto& [k, v] : t.events().back().set.entries) {
      names.push_back(k);
    }
    return fmt::format("edited {}", fmt::join(names, ", "));
  });
}

CloseStaleResult close_stale(const storage::Repository& repo, const Call& call, const std::string& note)
{
  const auto ctx = context(repo, call);
  const std::string why =
    note.empty() ? fmt::format("closed unconfirmed after {} days", repo.config().close_after_days) : note;
  BatchResult done = change_tickets(
    repo, call, [&] { return repo.tickets().scan(); }, true,
    [&](Ticket& t, std::vector<std::string>& warnings) -> std::vector<HookRun> {
      if (!workflow::is_stale_resolved(t, ctx)) {
        return {};
      }
      try {
        workflow::close(t, ctx, why);
      } catch (const InvalidTransitionError& e) {
        warnings.push_back(fmt::format("{} ({})", e.what(), e.hint()));
        return {};
      }
      return {HookRun{t, {}}};
    },
    [](std::size_t n) { return fmt::format("close {} stale resolved ticket(s)", n); });
  return {std::move(done.changed), std::move(done.warnings)};
}

SlaNoticeResult announce_sla(const storage::Repository& repo, const Call& call, const std::vector<std::string>& ids)
{
  const auto ctx = context(repo, call);
  const auto refs = [&] {
    std::vector<storage::TicketRef> out;
    for (const auto& id : ids) {
      out.push_back(repo.tickets().resolve(id));
    }
    return out;
  };
  BatchResult done = change_tickets(
    repo, call, refs, false,
    [&](Ticket& t, std::vector<std::string>&) {
      std::vector<HookRun> runs;
      const sla::TicketSla state = sla::evaluate(t, repo.config(), call.now);
      for (const auto& [target, status] : {std::pair{std::string("respond"), &state.respond},
                                           std::pair{std::string("resolve"), &state.resolve}}) {
        const std::string kind = status->state == sla::TargetState::breached  ? "breach"
                                 : status->state == sla::TargetState::at_risk ? "warning"
                                                                              : "";
        if (kind.empty() || workflow::has_notice(t, kind, target)) {
          continue;
        }
        workflow::notice(t, ctx, kind, target);
        runs.push_back({t, kind == "breach" ? "sla-breach" : "sla-warning"});
      }
      return runs;
    },
    [](std::size_t n) { return fmt::format("sla: {} notice(s) sent", n); });
  return {std::move(done.changed), std::move(done.warnings)};
}

StepResult reply(const storage::Repository& repo, const Call& call, std::string_view id, const ReplyRequest& request)
{
  check_attachments(request.files);
  return change_ticket(repo, call, id, [&](Ticket& t, Transaction& tx) {
    Ticket probe = t;
    workflow::reply(probe, context(repo, call), request.text, request.eta, {}); // refused before files are written
    const auto ref = repo.tickets().resolve(t.id());
    const auto names = store_attachments(ref, request.files, t.get_list("attachments"), tx);
    workflow::reply(t, context(repo, call), request.text, request.eta, names);
    std::string summary = "replied to " + (t.get("email").empty() ? std::string("the requester") : t.get("email"));
    if (!request.eta.empty()) {
      summary += ", expected " + local_minutes(repo, t.get("eta"));
    }
    if (!names.empty()) {
      summary += fmt::format(" ({} attachment(s))", names.size());
    }
    return summary;
  });
}

bool has_message_id(const Ticket& ticket, std::string_view message_id)
{
  if (message_id.empty()) {
    return false;
  }
  return std::any_of(ticket.events().begin(), ticket.events().end(), [&](const Event& e) {
    const Value* v = e.extra.find("message_id");
    return v && v->str() == message_id;
  });
}

namespace {

// The ticket opened earlier as the follow-up of `old_id` for the message `message_id`, if any.
std::optional<Ticket> follow_up_of(const storage::Repository& repo, const std::string& old_id,
                                   std::string_view message_id)
{
  if (message_id.empty()) {
    return std::nullopt;
  }
  for (const auto& ref : repo.tickets().scan()) {
    Ticket t;
    try {
      t = repo.tickets().load(ref);
    } catch (const Error&) {
      continue; // a broken file is not the follow-up; doctor reports it
    }
    const auto ids = t.get_list("related");
    if (std::find(ids.begin(), ids.end(), old_id) != ids.end() && has_message_id(t, message_id)) {
      return t;
    }
  }
  return std::nullopt;
}

} // namespace

StepResult message(const storage::Repository& repo, const Call& call, std::string_view id,
                   const MessageRequest& request)
{
  check_attachments(request.files);
  Value extra = request.extra.is_mapping() ? request.extra : Value::map();
  if (!request.message_id.empty()) {
    extra.set("message_id", Value::text(request.message_id));
  }
  const auto ref = repo.tickets().resolve(id);
  // A closed or cancelled ticket stays closed: the message opens a new one linked to it.
  {
    const Ticket old = repo.tickets().load(ref);
    const auto st = workflow::parse_status(old.status());
    if (!request.record_only && st && workflow::is_final(*st) && !has_message_id(old, request.message_id)) {
      if (auto seen = follow_up_of(repo, old.id(), request.message_id)) {
        StepResult same; // delivered before: it opened `seen` then
        same.summary = fmt::format("{} was opened for this message already", seen->id());
        same.ticket = std::move(*seen);
        same.changed = false;
        return same;
      }
      workflow::OpenRequest r;
      r.title = old.get("title");
      r.description = request.text;
      r.reporter = request.name.empty() ? old.get("reporter") : request.name;
      r.email = call.actor;
      r.department = old.get("department");
      r.channel = request.channel.empty() ? old.get("channel") : request.channel;
      r.type = old.get("type");
      r.related = {old.id()};
      r.event_extra = extra;
      OpenResult opened = open(repo, call, r, request.files);
      opened.summary = fmt::format("{} is {}: opened {} for the new message", old.id(), old.status(),
                                   opened.summary);
      return opened;
    }
  }
  return change_ticket(repo, call, ref.id, [&](Ticket& t, Transaction& tx) {
    if (has_message_id(t, request.message_id)) {
      return std::string(); // delivered before: nothing to write
    }
    const auto ctx = context(repo, call);
    Ticket probe = t;
    workflow::message(probe, ctx, request.text, {}, extra); // refused before files are written
    const auto names = store_attachments(ref, request.files, t.get_list("attachments"), tx);
    workflow::message(t, ctx, request.text, names, extra);
    std::string summary = "message from " + call.actor;
    if (request.record_only) {
      return summary + " (recorded only)";
    }
    if (t.status() == "pending" && t.get("pending_reason") == "awaiting-user") {
      workflow::resume(t, ctx, "the requester answered");
      summary += "; in progress again";
    } else if (t.status() == "resolved") {
      workflow::reopen(t, ctx, request.text.empty() ? std::string("the requester wrote again") : request.text);
      summary += fmt::format("; not fixed: reopened (reopen #{})", t.get("reopen_count"));
    }
    return summary;
  });
}

} // namespace desk::ops
