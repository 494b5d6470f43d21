#include <desk/ops/step.hpp>

#include <desk/model/json.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/process.hpp>
#include <desk/util/text.hpp>
#include <desk/workflow/hooks.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::ops {

workflow::Context context(const storage::Repository& repo, const Call& call)
{
  return {repo.config(), call.actor, call.now};
}

std::string safe_file_name(std::string_view name)
{
  // The last part of a Windows or Unix path: mail clients send "C:\\Users\\a\\b.png".
  if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      continue;
    }
    out += c;
  }
  if (!text::is_valid_utf8(out)) {
    throw UsageError(fmt::format("the file name '{}' is not UTF-8 text", text::one_line(std::string(name))),
                     "rename the file (e.g. with convmv) and attach it again");
  }
  out = std::string(text::trim(out));
  while (!out.empty() && out.front() == '.') {
    out.erase(out.begin()); // no hidden files, no "..": the folder's listing shows them all
  }
  if (out.size() > 200) {
    std::size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    out.resize(cut);
  }
  return out;
}

void Transaction::will_replace(const fs::path& path)
{
  std::error_code ec;
  std::optional<std::string> before;
  if (fs::exists(fs::symlink_status(path, ec))) {
    before = storage::read_text_file(path);
  }
  m_saved.push_back({path, std::move(before)});
  if (std::find(m_paths.begin(), m_paths.end(), path) == m_paths.end()) {
    m_paths.push_back(path);
  }
}

void Transaction::created(const fs::path& path)
{
  m_saved.push_back({path, std::nullopt});
  std::error_code ec;
  if (!fs::is_directory(path, ec) && std::find(m_paths.begin(), m_paths.end(), path) == m_paths.end()) {
    m_paths.push_back(path);
  }
}

void Transaction::roll_back() noexcept
{
  for (auto it = m_saved.rbegin(); it != m_saved.rend(); ++it) {
    std::error_code ec;
    try {
      if (it->before) {
        storage::write_file_atomic(it->path, *it->before);
      } else {
        fs::remove_all(it->path, ec);
      }
    } catch (...) {
      // the disk refuses even the old content: nothing more can be done here
    }
  }
  m_saved.clear();
}

void commit(const storage::Repository& repo, const Call& call, Transaction& tx, const std::string& message,
            std::vector<std::string>& warnings)
{
  try {
    if (std::string warning = repo.record_change(tx.paths(), message, call.actor); !warning.empty()) {
      warnings.push_back(std::move(warning));
    }
  } catch (...) {
    tx.roll_back();
    throw;
  }
}

namespace {

// A ticket a step may change: read, and refused (ParseError at its file) when its status is
// none desk knows, since no rule would say what the step may do.
Ticket load_for_change(const storage::Repository& repo, const storage::TicketRef& ref)
{
  Ticket t = repo.tickets().load(ref);
  if (auto problem = workflow::unknown_status(t, ref.path.string())) {
    throw *problem;
  }
  return t;
}

} // namespace

StepResult change_ticket(const storage::Repository& repo, const Call& call, std::string_view id,
                         const TicketChange& change)
{
  StepResult result;
  {
    const auto lock = repo.lock();
    const storage::TicketRef ref = repo.tickets().resolve(id);
    result.ticket = load_for_change(repo, ref);
    Transaction tx;
    try {
      result.summary = change(result.ticket, tx);
      if (result.summary.empty()) {
        result.changed = false; // the change found nothing to do
        return result;
      }
      tx.will_replace(ref.path);
      repo.tickets().save(result.ticket, ref.path);
    } catch (...) {
      tx.roll_back();
      throw;
    }
    commit(repo, call, tx, fmt::format("{}: {}", result.ticket.id(), result.summary), result.warnings);
  }
  for (auto& w : after_step(repo, result.ticket)) {
    result.warnings.push_back(std::move(w));
  }
  return result;
}

BatchResult change_tickets(const storage::Repository& repo, const Call& call,
                           const std::function<std::vector<storage::TicketRef>()>& refs, bool skip_unreadable,
                           const BatchChange& change, const std::function<std::string(std::size_t)>& message)
{
  BatchResult result;
  std::vector<HookRun> runs;
  {
    const auto lock = repo.lock();
    Transaction tx;
    try {
      for (const auto& ref : refs()) {
        Ticket t;
        try {
          t = load_for_change(repo, ref);
        } catch (const Error& e) {
          if (!skip_unreadable) {
            throw;
          }
          result.warnings.push_back(fmt::format("skipped {}", e.what()));
          continue;
        }
        auto these = change(t, result.warnings);
        if (these.empty()) {
          continue;
        }
        tx.will_replace(ref.path);
        repo.tickets().save(t, ref.path);
        result.changed.push_back(std::move(t));
        std::move(these.begin(), these.end(), std::back_inserter(runs));
      }
    } catch (...) {
      tx.roll_back();
      throw;
    }
    commit(repo, call, tx, message(result.changed.size()), result.warnings);
  }
  // After the commit and outside the lock, so that a hook that runs desk sees the change.
  for (const auto& run : runs) {
    for (auto& w : after_step(repo, run.ticket, run.extra_hook)) {
      result.warnings.push_back(std::move(w));
    }
  }
  return result;
}

namespace {

// mail.send: after-command: start `desk-mail send` detached once a change is committed.
void start_mail_sender(const storage::Repository& repo, std::vector<std::string>& warnings)
{
  const auto& mail = repo.config().mail;
  if (!mail.send_after_command || mail.address.empty() || std::getenv("DESK_MAIL_SENDING") != nullptr) {
    return; // off, sent by cron, or this is the sender itself recording what it sent
  }
  const std::string program = find_companion("desk-mail");
  if (program.empty()) {
    warnings.push_back("mail.send is after-command, but desk-mail is not installed: the notices wait for "
                       "`desk mail send`");
    return;
  }
  if (!spawn_detached({program, "-C", repo.root().string(), "send", "--quiet"})) {
    warnings.push_back("mail.send is after-command, but desk-mail could not be started: the notices wait for "
                       "the next `desk mail send`");
  }
}

} // namespace

std::vector<std::string> after_step(const storage::Repository& repo, const Ticket& ticket, std::string_view extra_hook)
{
  std::vector<std::string> warnings;
  if (ticket.events().empty()) {
    return warnings;
  }
  const Event& e = ticket.events().back();
  nlohmann::ordered_json payload;
  payload["hook"] = e.action;
  payload["ticket"] = ticket_to_json(ticket, false);
  payload["event"] = event_to_json(e);
  payload["repository"] = repo.root().string();
  start_mail_sender(repo, warnings);
  for (std::string_view hook : {std::string_view(e.action), extra_hook}) {
    if (hook.empty()) {
      continue;
    }
    payload["hook"] = hook;
    const auto r = workflow::run_hook(repo.root(), hook, payload, repo.config().hook_timeout);
    if (r.ran && !r.ok) {
      warnings.push_back(fmt::format("{} (the change to {} is saved)", r.message, ticket.id()));
    }
  }
  return warnings;
}

void check_attachments(const std::vector<Attachment>& files)
{
  for (const auto& f : files) {
    if (f.from.empty()) {
      if (f.bytes.size() > k_max_attachment_bytes) {
        throw UsageError(fmt::format("attachment {}: larger than {} MiB", f.name, k_max_attachment_bytes >> 20),
                         "send a smaller excerpt, or a link to the file");
      }
      continue;
    }
    storage::check_attachment(f.from); // a regular file, not too large, its name UTF-8
  }
}

std::vector<std::string> store_attachments(const storage::TicketRef& ref, const std::vector<Attachment>& files,
                                           const std::vector<std::string>& taken, Transaction& tx)
{
  std::vector<std::string> names;
  if (files.empty()) {
    return names;
  }
  check_attachments(files);
  const fs::path dir = storage::TicketStore::attachments_dir(ref);
  // The repository holding tickets/YYYY/MM/ID.yaml: no folder between it and `dir` may be a link.
  const fs::path root = ref.path.parent_path().parent_path().parent_path().parent_path();
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    ::close(storage::open_dir_beneath(root, dir, true));
    tx.created(dir);
  }
  for (const auto& f : files) {
    std::string base = safe_file_name(f.name.empty() ? f.from.filename().string() : f.name);
    if (base.empty()) {
      base = "attachment";
    }
    std::string name = base;
    const fs::path b(base);
    const std::string stem = b.stem().string();
    const std::string ext = b.extension().string();
    for (int n = 2; std::find(taken.begin(), taken.end(), name) != taken.end() ||
                    std::find(names.begin(), names.end(), name) != names.end() || fs::exists(dir / name, ec);
         ++n) {
      name = fmt::format("{}-{}{}", stem, n, ext);
    }
    const fs::path to = dir / name;
    tx.created(to);
    if (f.from.empty()) {
      storage::write_file_atomic(to, f.bytes, root);
    } else {
      storage::copy_file_atomic(f.from, to, root);
    }
    names.push_back(name);
  }
  return names;
}

} // namespace desk::ops
