#include <desk/mail/steps.hpp>

#include <desk/mail/message.hpp>
#include <desk/model/id.hpp>
#include <desk/notify/notify.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/process.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <system_error>

namespace desk::mail::steps {

namespace {

namespace fs = std::filesystem;

workflow::Context context_of(const storage::Repository& repo, const Call& call)
{
  return workflow::Context{repo.config(), call.actor, call.now};
}

// At most 200 bytes, cut at a character boundary, keeping the extension.
std::string short_name(std::string name)
{
  if (name.size() <= 200) {
    return name;
  }
  std::string ext;
  if (const auto dot = name.rfind('.'); dot != std::string::npos && name.size() - dot <= 16) {
    ext = name.substr(dot);
  }
  std::size_t cut = 200 - ext.size();
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return name.substr(0, cut) + ext;
}

// Write the files into the ticket's folder under safe, unused names; their paths are added
// to `paths` and their names to the ticket's attachments.
std::vector<std::string> store_files(const fs::path& ticket_path, const std::string& id,
                                     const std::vector<Attachment>& files, std::vector<fs::path>& paths)
{
  std::vector<std::string> names;
  if (files.empty()) {
    return names;
  }
  const fs::path dir = ticket_path.parent_path() / (id + ".files");
  std::error_code ec;
  for (const auto& f : files) {
    const std::string base = short_name(safe_file_name(f.name));
    std::string name = base;
    for (int n = 2; fs::exists(dir / name, ec) || std::find(names.begin(), names.end(), name) != names.end(); ++n) {
      name = fmt::format("{}-{}", n, base);
    }
    const fs::path target = dir / name;
    if (target.parent_path() != dir) {
      throw StorageError(fmt::format("refusing to write {} outside {}", target.string(), dir.string()));
    }
    if (!f.from.empty()) {
      storage::copy_file_atomic(f.from, target);
    } else {
      storage::write_file_atomic(target, f.bytes);
    }
    paths.push_back(target);
    names.push_back(name);
  }
  return names;
}

void add_attachment_names(Ticket& t, const std::vector<std::string>& names)
{
  if (names.empty()) {
    return;
  }
  std::vector<std::string> all = t.get_list("attachments");
  all.insert(all.end(), names.begin(), names.end());
  t.set("attachments", Value::list(all));
}

std::string message_summary(const Ticket& t) { return fmt::format("message from the requester ({})", t.status()); }

} // namespace

void start_sender_if_configured(const storage::Repository& repo)
{
  const Config& c = repo.config();
  if (!c.mail.send_after_command || c.mail.address.empty() || std::getenv("DESK_MAIL_SENDING")) {
    return;
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return;
  }
  const fs::path companion = self.filename() == "desk-mail" ? self : self.parent_path() / "desk-mail";
  spawn_detached({companion.string(), "-C", repo.root().string(), "send", "--quiet"});
}

StepResult change_ticket(const storage::Repository& repo, const Call& call, std::string_view id,
                         const std::function<std::string(Ticket&, std::vector<fs::path>&)>& change)
{
  StepResult result;
  {
    const auto lock = repo.lock();
    const storage::TicketRef ref = repo.tickets().resolve(id);
    Ticket t = repo.tickets().load(ref);
    std::vector<fs::path> paths{ref.path};
    result.summary = change(t, paths);
    if (result.summary.empty()) {
      result.changed = false;
      result.ticket = std::move(t);
      return result;
    }
    repo.tickets().save(t, ref.path);
    repo.record_change(paths, fmt::format("{}: {}", t.id(), result.summary), call.actor);
    result.ticket = std::move(t);
  }
  start_sender_if_configured(repo);
  return result;
}

StepResult open(const storage::Repository& repo, const Call& call, workflow::OpenRequest request,
                const std::string& email, const Value& extra, const std::vector<Attachment>& files,
                const std::vector<std::string>& related)
{
  const workflow::Context ctx = context_of(repo, call);
  Ticket ticket = workflow::open_ticket(ctx, request);
  if (!email.empty()) {
    ticket.set("email", email);
  }
  if (!related.empty()) {
    ticket.set("related", Value::list(related));
  }
  for (const auto& [k, v] : extra.entries) {
    ticket.events().front().extra.set(k, v);
  }
  StepResult result;
  {
    const auto lock = repo.lock();
    if (!request.dedup_key.empty()) {
      std::vector<storage::LoadProblem> problems;
      storage::Selection same_key;
      same_key.keep = [&request](const Ticket& t) { return t.get("dedup_key") == request.dedup_key; };
      same_key.events = false;
      for (auto& t : repo.tickets().load_all(problems, same_key)) {
        result.ticket = std::move(t);
        result.changed = false;
        result.summary = "already open with this dedup key";
        return result;
      }
    }
    const std::string prefix = repo.config().find_type(ticket.get("type"))->prefix;
    const storage::TicketRef ref = repo.tickets().create(ticket, [&] { return ids::make_ticket_id(prefix); });
    std::vector<fs::path> paths{ref.path};
    try {
      const auto names = store_files(ref.path, ref.id, files, paths);
      if (!names.empty()) {
        add_attachment_names(ticket, names);
        repo.tickets().save(ticket, ref.path);
      }
    } catch (...) {
      std::error_code ec;
      fs::remove_all(ref.path.parent_path() / (ref.id + ".files"), ec);
      fs::remove(ref.path, ec);
      throw;
    }
    result.summary = fmt::format("opened {} {}: {}", ticket.get("priority"), ticket.get("type"), ticket.get("title"));
    repo.record_change(paths, fmt::format("{}: open {} {}: {}", ref.id, ticket.get("priority"), ticket.get("type"),
                                          ticket.get("title")),
                       call.actor);
    result.ticket = ticket;
  }
  start_sender_if_configured(repo);
  return result;
}

StepResult message(const storage::Repository& repo, const Call& call, std::string_view id, const MessageRequest& m)
{
  bool closed = false;
  std::string old_id;
  std::string old_title;
  StepResult r = change_ticket(repo, call, id, [&](Ticket& t, std::vector<fs::path>& paths) {
    if (!m.message_id.empty() && notify::has_message_id(t, m.message_id)) {
      return std::string();
    }
    const auto status = workflow::parse_status(t.status());
    if (status && (*status == workflow::Status::closed || *status == workflow::Status::cancelled)) {
      closed = true;
      old_id = t.id();
      old_title = t.get("title");
      return std::string();
    }
    const workflow::Context ctx = context_of(repo, call);
    Event e;
    e.id = ids::make_event_id();
    e.at = workflow::now_text(ctx);
    e.by = m.from;
    e.action = "message";
    e.note = m.text;
    e.extra = m.event_extra.is_mapping() ? m.event_extra : Value::map();
    if (!m.message_id.empty()) {
      e.extra.set("message_id", Value::text(m.message_id));
    }
    if (!m.channel.empty()) {
      e.extra.set("channel", Value::text(m.channel));
    }
    if (!m.name.empty()) {
      e.extra.set("name", Value::text(m.name));
    }
    const auto names = store_files(paths.front(), t.id(), m.files, paths);
    if (!names.empty()) {
      e.extra.set("attachments", Value::list(names));
      add_attachment_names(t, names);
    }
    t.apply(std::move(e));
    t.set("updated", workflow::now_text(ctx));
    if (status == workflow::Status::pending && t.get("pending_reason") == "awaiting-user") {
      workflow::resume(t, ctx, "the requester answered");
      return std::string("message from the requester; resumed");
    }
    if (status == workflow::Status::resolved) {
      workflow::reopen(t, ctx, m.text.empty() ? std::string("the requester wrote back") : m.text);
      return std::string("message from the requester; reopened");
    }
    return message_summary(t);
  });
  if (!closed) {
    return r;
  }
  // A closed ticket: a new one, linked to the old.
  workflow::OpenRequest request;
  request.title = old_title;
  request.description = m.text;
  request.reporter = m.name.empty() ? m.from : m.name;
  request.channel = m.channel;
  Value extra = m.event_extra.is_mapping() ? m.event_extra : Value::map();
  if (!m.message_id.empty()) {
    extra.set("message_id", Value::text(m.message_id));
    request.dedup_key = "mail:" + m.message_id;
  }
  StepResult opened = open(repo, call, request, m.from, extra, m.files, {old_id});
  opened.summary = fmt::format("{} is closed: {}, linked to it", old_id, opened.summary);
  return opened;
}

StepResult confirm(const storage::Repository& repo, const Call& call, std::string_view id, std::optional<int> rating,
                   const std::string& note)
{
  return change_ticket(repo, call, id, [&](Ticket& t, std::vector<fs::path>&) {
    workflow::confirm(t, context_of(repo, call), rating.value_or(0), note);
    return rating ? fmt::format("confirmed by the requester (rating {})", *rating)
                  : std::string("confirmed by the requester");
  });
}

StepResult reopen(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& why)
{
  return change_ticket(repo, call, id, [&](Ticket& t, std::vector<fs::path>&) {
    workflow::reopen(t, context_of(repo, call), why);
    return std::string("reopened by the requester");
  });
}

StepResult log_work(const storage::Repository& repo, const Call& call, std::string_view id, const std::string& note)
{
  return change_ticket(repo, call, id, [&](Ticket& t, std::vector<fs::path>&) {
    workflow::log_work(t, context_of(repo, call), note, 0);
    return std::string("work log from mail");
  });
}

} // namespace desk::mail::steps
