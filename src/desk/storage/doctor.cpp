#include <desk/storage/doctor.hpp>

#include <desk/config/config.hpp>
#include <desk/model/id.hpp>
#include <desk/notify/outbox.hpp>
#include <desk/storage/config_file.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/git.hpp>
#include <desk/storage/merge.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>
#include <desk/model/status.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

namespace fs = std::filesystem;

namespace desk::storage {

std::string Problem::to_string() const
{
  std::string out = path;
  if (line > 0) {
    out += fmt::format(":{}", line);
    if (column > 0) {
      out += fmt::format(":{}", column);
    }
  }
  return out + ": " + message;
}

namespace {

Problem at(const std::string& path, const Value* where, std::string message)
{
  return {path, where ? where->line : 0, where ? where->column : 0, std::move(message)};
}

// The first scalar under `v` holding a NUL byte (YAML can carry one as "\0"; no text may).
const Value* find_nul(const Value& v)
{
  if (v.is_scalar() && v.scalar.find('\0') != std::string::npos) {
    return &v;
  }
  for (const auto& item : v.items) {
    if (const Value* found = find_nul(item)) {
      return found;
    }
  }
  for (const auto& [k, child] : v.entries) {
    if (k.find('\0') != std::string::npos) {
      return &child;
    }
    if (const Value* found = find_nul(child)) {
      return found;
    }
  }
  return nullptr;
}

// A merge conflict git holds in a ticket file, with both versions.
struct TicketConflict {
  fs::path path;
  std::string ours_text;
  std::string theirs_text;
  Value ours;
  Value theirs;
  bool different = false; // two tickets (different first events), both readable
};

std::vector<TicketConflict> ticket_conflicts(const fs::path& root)
{
  std::vector<TicketConflict> out;
  const auto top = git::toplevel(root);
  if (!top) {
    return out;
  }
  for (const auto& rel : git::unmerged_paths(*top)) {
    TicketConflict c;
    c.path = *top / rel;
    const fs::path in_root = fs::relative(c.path, root);
    if (in_root.empty() || *in_root.begin() != "tickets" || c.path.extension() != ".yaml") {
      continue;
    }
    const auto ours = git::staged_text(*top, 2, rel);
    const auto theirs = git::staged_text(*top, 3, rel);
    if (ours && theirs) {
      try {
        c.ours = parse_yaml(*ours, c.path.string() + " (ours)");
        c.theirs = parse_yaml(*theirs, c.path.string() + " (theirs)");
        const std::string a = first_event_id(c.ours);
        const std::string b = first_event_id(c.theirs);
        c.different = !a.empty() && !b.empty() && a != b;
        c.ours_text = *ours;
        c.theirs_text = *theirs;
      } catch (const Error&) {
        c.different = false; // reported as a plain conflict
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Give `t` (whose id `old_id` another ticket keeps) a new id with `prefix`, recording a
// `renumber` event; writes it to its new file and returns where.
TicketRef renumber(const TicketStore& store, Ticket& t, const std::string& old_id, const std::string& prefix,
                   const std::string& actor, const std::string& now_text, const std::string& note)
{
  Value extra = Value::map();
  extra.set("previous_id", Value::text(old_id));
  t.apply(new_event("renumber", now_text, actor, Value::map(), note, std::move(extra)));
  return store.create(t, [&] { return ids::make_ticket_id(prefix); });
}

} // namespace

std::vector<Problem> check_ticket(const Ticket& t, const Config& c, const std::string& path,
                                  const TicketCheck& options)
{
  std::vector<Problem> out;
  if (!ids::is_ticket_id(t.id())) {
    out.push_back(at(path, t.find("id"), fmt::format("'{}' is not a ticket id (PREFIX-TOKEN)", t.id())));
  } else if (!c.find_type_by_prefix(t.id().substr(0, t.id().find('-')))) {
    out.push_back(at(path, t.find("id"), fmt::format("id prefix of '{}' is not configured in 'types'", t.id())));
  }
  if (!parse_status(t.status())) {
    out.push_back(at(path, t.find("status"),
                     fmt::format("unknown status '{}'; statuses are: {}", t.status(),
                                 fmt::join(status_names(), ", "))));
  }
  auto check_one_of = [&](std::string_view field, const std::vector<std::string>& allowed) {
    const Value* v = t.find(field);
    if (v && !v->empty() && std::find(allowed.begin(), allowed.end(), v->str()) == allowed.end()) {
      out.push_back(at(path, v, fmt::format("unknown {} '{}'; the config allows: {}", field, v->str(),
                                            fmt::join(allowed, ", "))));
    }
  };
  check_one_of("type", c.type_names());
  check_one_of("priority", c.priorities);
  check_one_of("impact", c.impacts);
  check_one_of("urgency", c.urgencies);
  if (!options.any_category) {
    check_one_of("category", c.categories);
  }
  if (options.created_by) {
    if (const auto created = parse_timestamp(t.get("created"), nullptr); created && *created > *options.created_by) {
      out.push_back(at(path, t.find("created"), fmt::format("'created' {} is in the future", t.get("created"))));
    }
  }
  check_one_of("channel", c.channels);
  for (const auto& spec : ticket_fields()) {
    const Value* v = t.find(spec.name);
    if (!v) {
      continue;
    }
    if (spec.kind == FieldKind::timestamp && !parse_timestamp(v->str(), nullptr)) {
      out.push_back(at(path, v, fmt::format("'{}' is not a time: '{}'", spec.name, v->str())));
    }
    if (spec.kind == FieldKind::number && !v->str().empty() &&
        v->str().find_first_not_of("0123456789") != std::string::npos) {
      out.push_back(at(path, v, fmt::format("'{}' must be a whole number, not '{}'", spec.name, v->str())));
    }
  }
  for (const auto& e : t.events()) {
    if (!parse_timestamp(e.at, nullptr)) {
      out.push_back(at(path, nullptr, fmt::format("event {} has a bad time '{}'", e.id, e.at)));
    }
  }
  if (t.events().empty()) {
    out.push_back(at(path, nullptr, "the ticket has no events (at least its 'open' event)"));
  }
  for (const auto& [name, v] : t.fields().entries) {
    if (const Value* nul = find_nul(v)) {
      out.push_back(at(path, nul, fmt::format("'{}' holds a NUL byte; desk text never does", name)));
    }
  }
  for (const auto& e : t.events()) {
    if (e.note.find('\0') != std::string::npos || e.by.find('\0') != std::string::npos || find_nul(e.extra)) {
      out.push_back(at(path, nullptr, fmt::format("event {} holds a NUL byte; desk text never does", e.id)));
    }
  }
  return out;
}

DoctorReport check_repository(const fs::path& root)
{
  DoctorReport report;
  const fs::path config_path = root / ".desk" / "config.yaml";
  std::optional<Config> config;
  try {
    config = load_config(config_path);
    for (const auto& u : unknown_config_keys(read_text_file(config_path), config_path.string())) {
      report.problems.push_back(
        {config_path.string(), u.line, 0,
         u.nearest.empty() ? fmt::format("unknown key '{}'; desk ignores it", u.key)
                           : fmt::format("unknown key '{}' (desk ignores it); did you mean '{}'?", u.key, u.nearest)});
    }
  } catch (const ParseError& e) {
    report.problems.push_back({e.path(), e.line(), e.column(), e.message()});
  } catch (const Error& e) {
    report.problems.push_back({config_path.string(), 0, 0, e.what()});
  }

  // Mail notices that keep failing (desk mail send's retry memory).
  const notify::Outbox outbox = notify::load_outbox(notify::outbox_path(root));
  for (const auto& [key, failure] : outbox.failures) {
    if (failure.attempts >= notify::k_failing_after) {
      report.problems.push_back({notify::outbox_path(root).string(), 0, 0,
                                 fmt::format("mail: the notice {} keeps failing ({} attempts; last: {}); "
                                             "check mail.sendmail, then `desk mail status`",
                                             key, failure.attempts, failure.last_error)});
    }
  }

  const TicketStore store(root);
  std::error_code ec;
  // Stray entries: anything that is not tickets/YYYY/MM/<ID>.yaml.
  if (fs::is_directory(store.dir(), ec)) {
    for (auto it = fs::recursive_directory_iterator(store.dir(), ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (ec) {
        break;
      }
      const fs::path rel = fs::relative(it->path(), store.dir(), ec);
      const auto depth = std::distance(rel.begin(), rel.end());
      const std::string name = it->path().filename().string();
      if (name.find(".tmp.") != std::string::npos && name.front() == '.') {
        report.notes.push_back({it->path().string(), 0, 0,
                                "temporary file of an interrupted (or running) write; `desk doctor --fix` removes it"});
        continue;
      }
      if (it->is_symlink(ec) && fs::is_directory(it->path(), ec)) {
        report.problems.push_back({it->path().string(), 0, 0,
                                   fmt::format("a symbolic link to a folder ({}); desk never writes through it",
                                               fs::read_symlink(it->path(), ec).string())});
        continue;
      }
      const bool dir = it->is_directory(ec);
      const bool attachments = name.ends_with(".files") && depth == 3;
      if (dir && (depth <= 2 || attachments)) {
        if (attachments) {
          it.disable_recursion_pending(); // attachments are any files
        }
        continue;
      }
      if (dir && depth == 3 && name.ends_with(".yaml")) {
        it.disable_recursion_pending(); // reported below as a ticket that is a directory
        continue;
      }
      if (dir) {
        report.problems.push_back({it->path().string(), 0, 0, "unexpected folder; tickets live in tickets/YYYY/MM/"});
        it.disable_recursion_pending();
        continue;
      }
      if (depth != 3) {
        report.problems.push_back({it->path().string(), 0, 0,
                                   "file outside the tickets/YYYY/MM/ layout; move it away"});
      } else if (!name.ends_with(".yaml")) {
        report.problems.push_back({it->path().string(), 0, 0, "not a ticket file (tickets end in .yaml)"});
      }
    }
  }

  std::map<std::string, std::vector<std::string>> by_id;
  for (const auto& ref : store.scan()) {
    ++report.tickets_checked;
    by_id[ref.id].push_back(ref.path.string());
    const std::string path = ref.path.string();
    Ticket t;
    try {
      t = TicketStore::deserialize(read_text_file(ref.path), path);
    } catch (const ParseError& e) {
      report.problems.push_back({e.path(), e.line(), e.column(), e.message()});
      continue;
    } catch (const Error& e) {
      report.problems.push_back({path, 0, 0, e.what()});
      continue;
    }
    if (t.id() != ref.id) {
      report.problems.push_back(at(path, t.find("id"),
                                   fmt::format("the file is named {} but holds ticket '{}'", ref.id, t.id())));
    }
    const std::string& created = t.get("created");
    if (created.size() >= 7 && parse_timestamp(created, nullptr)) {
      const fs::path expected = store.path_for(ref.id, created);
      if (expected != ref.path) {
        report.problems.push_back(at(path, t.find("created"),
                                     fmt::format("the ticket was created {} but lies in {}; it belongs in {}",
                                                 created.substr(0, 7), fs::relative(ref.path.parent_path(), root).string(),
                                                 fs::relative(expected.parent_path(), root).string())));
      }
    }
    if (config) {
      for (auto& p : check_ticket(t, *config, path)) {
        report.problems.push_back(std::move(p));
      }
    }
  }
  for (const auto& [id, paths] : by_id) {
    if (paths.size() > 1) {
      report.problems.push_back({paths.front(), 0, 0,
                                 fmt::format("duplicate ticket id {}: also {}", id,
                                             fmt::join(std::vector<std::string>(paths.begin() + 1, paths.end()), ", "))});
    }
  }
  for (const fs::path& cache : {root / ".desk" / "cache", root / ".desk"}) {
    if (fs::is_symlink(cache, ec)) {
      report.problems.push_back({cache.string(), 0, 0,
                                 "a symbolic link; desk neither reads nor writes its cache through it (remove it)"});
    }
  }
  for (const auto& c : ticket_conflicts(root)) {
    if (c.different) {
      report.problems.push_back(
        {c.path.string(), 0, 0,
         fmt::format("two different tickets were merged into this path (first events {} and {}); the merge is "
                     "unfinished: `desk doctor --fix` keeps both, the younger under a new id",
                     first_event_id(c.ours), first_event_id(c.theirs))});
    } else {
      report.problems.push_back({c.path.string(), 0, 0,
                                 "unresolved git merge conflict; resolve it with git (and register desk's merge driver "
                                 "with `desk init --git-hooks` so ticket files merge by themselves)"});
    }
  }
  // With auto-commit on, every change desk makes is committed: a changed file is a command
  // stopped between its write and its commit (killed), or an edit by hand.
  if (config && config->git_autocommit) {
    for (const auto& p : git::uncommitted(root, {"tickets", "kb", ".desk/config.yaml"})) {
      report.problems.push_back({p.string(), 0, 0,
                                 "changed but not committed although git.autocommit is on (a command stopped "
                                 "before its commit, or an edit by hand); commit it with git, or restore it "
                                 "(git checkout -- FILE)"});
    }
  }
  return report;
}

std::vector<Renumbered> fix_merged_tickets(const fs::path& root, const std::string& actor, const std::string& now_text)
{
  const TicketStore store(root);
  std::vector<Renumbered> done;
  const auto top = git::toplevel(root);
  for (const auto& c : ticket_conflicts(root)) {
    if (!c.different || !top) {
      continue;
    }
    const bool ours_older = is_older(c.ours, c.theirs);
    const std::string& older = ours_older ? c.ours_text : c.theirs_text;
    Ticket younger = TicketStore::deserialize(ours_older ? c.theirs_text : c.ours_text, c.path.string());
    const std::string old_id = younger.id();
    write_file_atomic(c.path, older, root);
    const std::string prefix = old_id.substr(0, old_id.find('-'));
    const TicketRef created = renumber(store, younger, old_id, prefix, actor, now_text,
                                       fmt::format("id {} was also used by another ticket merged into {}; renumbered",
                                                   old_id, fs::relative(c.path, root).generic_string()));
    git::stage_paths(*top, {c.path, created.path});
    done.push_back({old_id, created.id, c.path, created.path});
  }
  return done;
}

std::size_t remove_leftover_temp_files(const fs::path& root)
{
  std::size_t removed = 0;
  std::error_code ec;
  const fs::path dir = root / "tickets";
  if (!fs::is_directory(dir, ec)) {
    return 0;
  }
  std::vector<fs::path> doomed;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      break;
    }
    const std::string name = it->path().filename().string();
    if (name.front() == '.' && name.find(".tmp.") != std::string::npos && it->is_regular_file(ec)) {
      doomed.push_back(it->path());
    }
  }
  for (const auto& p : doomed) {
    if (fs::remove(p, ec)) {
      ++removed;
    }
  }
  return removed;
}

std::vector<Renumbered> fix_duplicate_ids(const fs::path& root, const std::string& actor, const std::string& now_text)
{
  const TicketStore store(root);
  std::map<std::string, std::vector<std::pair<std::string, TicketRef>>> by_id; // id → (created, ref)
  for (const auto& ref : store.scan()) {
    try {
      const Ticket t = store.load(ref);
      by_id[ref.id].emplace_back(t.get("created"), ref);
    } catch (const Error&) {
      // Unreadable files are reported by check_repository; nothing to renumber.
    }
  }
  std::vector<Renumbered> done;
  for (auto& [id, copies] : by_id) {
    if (copies.size() < 2) {
      continue;
    }
    std::sort(copies.begin(), copies.end(), [](const auto& a, const auto& b) {
      const auto ta = parse_timestamp(a.first, nullptr);
      const auto tb = parse_timestamp(b.first, nullptr);
      if (ta && tb && *ta != *tb) {
        return *ta < *tb;
      }
      return a.second.path < b.second.path;
    });
    const std::string prefix = id.substr(0, id.find('-'));
    for (std::size_t i = 1; i < copies.size(); ++i) {
      const TicketRef& ref = copies[i].second;
      Ticket t = store.load(ref);
      const TicketRef created =
        renumber(store, t, id, prefix, actor, now_text, fmt::format("id {} was also used by an older ticket; renumbered", id));
      const fs::path old_files = TicketStore::attachments_dir(ref.path, id);
      std::error_code ec;
      if (fs::is_directory(old_files, ec)) {
        fs::rename(old_files, TicketStore::attachments_dir(created), ec);
      }
      fs::remove(ref.path, ec);
      done.push_back({id, created.id, ref.path, created.path});
    }
  }
  return done;
}

} // namespace desk::storage
