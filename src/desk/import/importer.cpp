#include <desk/import/importer.hpp>

#include <desk/storage/bulk_writer.hpp>
#include <desk/storage/doctor.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/parallel.hpp>
#include <desk/util/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace fs = std::filesystem;

namespace desk::import {

namespace {

constexpr std::string_view k_alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// The value of a top-level `external_id:` line, read without parsing the whole file;
// nullopt when the line is absent, "" with `complex` set when only a YAML parse can tell.
std::optional<std::string> external_id_line(std::string_view text, bool& complex)
{
  complex = false;
  constexpr std::string_view k_key = "external_id:";
  std::size_t pos = text.starts_with(k_key) ? 0 : text.find("\nexternal_id:");
  if (pos == std::string_view::npos) {
    return std::nullopt;
  }
  pos += text[pos] == '\n' ? 1 + k_key.size() : k_key.size();
  const std::size_t eol = std::min(text.find('\n', pos), text.size());
  std::string_view value = text.substr(pos, eol - pos);
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    complex = true;
    return std::string();
  }
  if (value.front() == '\'') {
    std::string out;
    for (std::size_t i = 1; i < value.size(); ++i) {
      if (value[i] == '\'') {
        if (i + 1 < value.size() && value[i + 1] == '\'') {
          out += '\'';
          ++i;
          continue;
        }
        if (i + 1 != value.size()) {
          complex = true;
        }
        return out;
      }
      out += value[i];
    }
    complex = true;
    return std::string();
  }
  static constexpr std::string_view k_special = "\"|>&*!%@`{[";
  if (k_special.find(value.front()) != std::string_view::npos || value.find(" #") != std::string_view::npos) {
    complex = true;
    return std::string();
  }
  return std::string(value);
}

std::string later_time(const std::string& a, const std::string& b)
{
  const auto ta = parse_timestamp(a, nullptr);
  const auto tb = parse_timestamp(b, nullptr);
  if (!ta) {
    return b;
  }
  if (!tb) {
    return a;
  }
  return *tb > *ta ? b : a;
}

} // namespace

std::string stable_token(std::string_view key, std::size_t n)
{
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  std::string out;
  out.reserve(n);
  std::uint64_t round = 0;
  while (out.size() < n) {
    // splitmix64 finaliser: every key bit reaches every output bit.
    std::uint64_t x = h + 0x9E3779B97F4A7C15ULL * (round + 1);
    x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
    x ^= x >> 31U;
    for (int i = 0; i < 12 && out.size() < n; ++i) {
      out += k_alphabet[x & 31U];
      x >>= 5U;
    }
    ++round;
  }
  return out;
}

bool is_imported_event(const Event& event, std::string_view source)
{
  const Value* v = event.extra.find(k_source_key);
  if (!v || !v->is_scalar()) {
    return false;
  }
  const std::string& s = v->scalar;
  return s == source || (s.size() > source.size() && s.starts_with(source) && s[source.size()] == '/');
}

std::vector<std::pair<std::string, ExistingTicket>> scan_external_ids(const storage::TicketStore& store)
{
  const auto refs = store.scan();
  std::vector<std::optional<std::string>> found(refs.size());
  parallel_for(refs.size(), thread_count(0, refs.size()), [&](std::size_t i) {
    std::string text;
    try {
      text = storage::read_text_file(refs[i].path);
    } catch (const Error&) {
      return; // unreadable files are `desk doctor`'s business
    }
    bool complex = false;
    auto id = external_id_line(text, complex);
    if (complex) {
      try {
        const Ticket t = storage::TicketStore::deserialize(text, refs[i].path.string());
        id = t.get("external_id").empty() ? std::nullopt : std::optional<std::string>(t.get("external_id"));
      } catch (const Error&) {
        id.reset();
      }
    }
    found[i] = std::move(id);
  });
  std::vector<std::pair<std::string, ExistingTicket>> out;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    if (found[i] && !found[i]->empty()) {
      out.emplace_back(std::move(*found[i]), ExistingTicket{refs[i].id, refs[i].path});
    }
  }
  return out;
}

Ticket merge_imported(const Ticket& existing, Ticket imported, const ImportSpec& spec)
{
  for (const auto& [key, value] : existing.fields().entries) {
    if (!spec.managed_fields.contains(key) && !imported.find(key)) {
      imported.set(key, value);
    }
  }
  std::set<std::string> ids;
  for (const auto& e : imported.events()) {
    ids.insert(e.id);
  }
  std::string updated = imported.get("updated");
  for (const auto& e : existing.events()) {
    if (is_imported_event(e, spec.source) || ids.contains(e.id)) {
      continue;
    }
    imported.apply(e);
    updated = later_time(updated, e.at);
  }
  if (!updated.empty()) {
    imported.set("updated", updated);
  }
  return imported;
}

ImportPlan plan_import(const storage::Repository& repo, const ImportSpec& spec, const std::vector<ImportKey>& keys,
                       const BuildTicket& build)
{
  const storage::TicketStore& store = repo.tickets();
  std::unordered_map<std::string, ExistingTicket> existing;
  std::set<std::string> used_ids;
  if (spec.keyed_by_id) {
    for (auto& ref : store.scan()) {
      used_ids.insert(ref.id);
      existing.try_emplace(ref.id, ExistingTicket{ref.id, ref.path});
    }
  } else {
    for (const auto& ref : store.scan()) {
      used_ids.insert(ref.id);
    }
    for (auto& [key, ticket] : scan_external_ids(store)) {
      existing.try_emplace(key, std::move(ticket));
    }
  }

  ImportPlan plan;
  plan.files.resize(keys.size());
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string& key = keys[i].key;
    if (!seen.insert(key).second) {
      throw UsageError(fmt::format("'{}' appears twice in the input", key));
    }
    PlannedFile& f = plan.files[i];
    if (const auto it = existing.find(key); it != existing.end()) {
      f.id = it->second.id;
      f.path = it->second.path;
      continue;
    }
    if (spec.keyed_by_id) {
      f.id = key;
      continue;
    }
    // A new ticket: an id derived from the source and the external id, so a re-run or a
    // second clone importing the same export names it the same; a clash draws again.
    for (int salt = 0;; ++salt) {
      const std::string seed = salt == 0 ? fmt::format("{}\n{}", spec.source, key)
                                         : fmt::format("{}\n{}\n{}", spec.source, key, salt);
      std::string id = fmt::format("{}-{}", keys[i].prefix, stable_token(seed, 8));
      if (used_ids.insert(id).second) {
        f.id = std::move(id);
        break;
      }
    }
  }

  std::atomic<std::size_t> kept_local{0};
  parallel_for(keys.size(), thread_count(spec.threads, keys.size()), [&](std::size_t i) {
    PlannedFile& f = plan.files[i];
    Ticket t = build(i, f.id);
    if (spec.config) {
      // What doctor checks of every ticket file, checked before anything is written.
      const std::string label = fmt::format("{} ticket {}", spec.source, keys[i].key);
      const auto problems = storage::check_ticket(t, *spec.config, label, {.any_category = true, .created_by = spec.now});
      if (!problems.empty()) {
        throw ParseError(label, 0, 0,
                         problems.front().message +
                           (problems.size() > 1 ? fmt::format(" (and {} more problem(s))", problems.size() - 1) : ""),
                         "fix that ticket in the input; nothing was imported");
      }
    }
    f.events = t.events().size();
    std::string text = storage::TicketStore::serialize(t);
    storage::check_file_size(fmt::format("{} ticket {}", spec.source, keys[i].key), text.size());
    if (f.path.empty()) {
      f.path = store.path_for(f.id, t.get("created"));
      f.action = ImportAction::create;
      f.text = std::move(text);
      return;
    }
    std::string current;
    try {
      current = storage::read_text_file(f.path);
    } catch (const Error&) {
      // A damaged or vanished file: the import writes it again.
      f.action = ImportAction::update;
      f.text = std::move(text);
      return;
    }
    if (current == text) {
      f.action = ImportAction::unchanged;
      return;
    }
    if (!spec.keyed_by_id) {
      try {
        const Ticket old = storage::TicketStore::deserialize(current, f.path.string());
        const Ticket merged = merge_imported(old, std::move(t), spec);
        if (merged.events().size() != f.events) {
          kept_local.fetch_add(1);
        }
        text = storage::TicketStore::serialize(merged);
      } catch (const ParseError&) {
        // Unreadable as a ticket: replaced by the imported version.
      }
    }
    if (current == text) {
      f.action = ImportAction::unchanged;
      return;
    }
    storage::check_file_size(f.path, text.size());
    f.action = ImportAction::update;
    f.text = std::move(text);
  });
  for (const auto& f : plan.files) {
    plan.events += f.events;
    switch (f.action) {
    case ImportAction::create:
      ++plan.created;
      break;
    case ImportAction::update:
      ++plan.updated;
      break;
    case ImportAction::unchanged:
      ++plan.unchanged;
      break;
    }
  }
  plan.kept_local = kept_local.load();
  return plan;
}

std::vector<fs::path> write_plan(const storage::Repository& repo, ImportPlan& plan)
{
  std::vector<PlannedFile*> todo;
  std::set<fs::path> dirs;
  for (auto& f : plan.files) {
    if (f.action != ImportAction::unchanged) {
      todo.push_back(&f);
      dirs.insert(f.path.parent_path());
    }
  }
  std::vector<fs::path> written;
  if (todo.empty()) {
    return written;
  }
  for (const auto& dir : dirs) {
    storage::BulkWriter::remove_stale_temps(dir);
  }
  storage::BulkWriter writer(repo.root());
  parallel_for(todo.size(), thread_count(2, todo.size()), [&](std::size_t i) {
    PlannedFile& f = *todo[i];
    if (f.action == ImportAction::create) {
      if (!writer.create(f.path, f.text)) {
        throw StorageError(fmt::format("cannot create {}: a file of that name appeared meanwhile", f.path.string()),
                           "run the import again");
      }
    } else {
      writer.write(f.path, f.text);
    }
    f.text.clear();
    f.text.shrink_to_fit();
  });
  writer.sync();
  written.reserve(todo.size());
  for (const PlannedFile* f : todo) {
    written.push_back(f->path);
  }
  return written;
}

} // namespace desk::import
