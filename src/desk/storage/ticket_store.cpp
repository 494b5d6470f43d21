#include <desk/storage/ticket_store.hpp>

#include <desk/model/id.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/ticket_walk.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace fs = std::filesystem;

namespace desk::storage {

TicketStore::TicketStore(fs::path root) : m_root(std::move(root)), m_dir(m_root / "tickets") {}

std::vector<TicketRef> TicketStore::scan() const
{
  // tickets/YYYY/MM/ID.yaml: the walk the index makes, without its stat calls.
  const TicketFiles files = walk_ticket_files(m_dir, {.stamps = false, .hidden_folders = true});
  std::vector<TicketRef> out;
  out.reserve(files.size());
  for (const auto& file : files) {
    out.push_back(ref_of(file));
  }
  return out;
}

TicketRef TicketStore::ref_of(const TicketFile& file) const
{
  return {std::string(file.id()), m_dir / file.rel};
}

std::optional<TicketRef> TicketStore::find_exact(const std::string& id) const
{
  // tickets/YYYY/MM/ID.yaml: look for the name in each month folder, without listing them.
  std::error_code ec;
  std::optional<TicketRef> found;
  for (const auto& year : fs::directory_iterator(m_dir, ec)) {
    if (!year.is_directory(ec)) {
      continue;
    }
    for (const auto& month : fs::directory_iterator(year.path(), ec)) {
      fs::path candidate = month.path() / (id + ".yaml");
      if (fs::is_regular_file(candidate, ec)) {
        if (found) {
          return std::nullopt; // the same id twice: let the full scan report it
        }
        found = TicketRef{id, std::move(candidate)};
      }
    }
  }
  return found;
}

TicketRef TicketStore::resolve(std::string_view input) const
{
  static constexpr ids::IdKind k_kind{"ticket", "INC-7K3F2A9Q", "`desk list --all` shows every ticket"};
  if (input.find('/') == std::string_view::npos && input.find('\\') == std::string_view::npos) {
    try {
      if (auto exact = find_exact(ids::normalize_id_input(input))) {
        return *exact; // a whole id: no need to list every ticket
      }
    } catch (const UsageError&) {
      // not id-shaped: resolve_abbreviation says why
    }
  }
  std::vector<TicketRef> refs = scan();
  std::vector<std::string> names;
  names.reserve(refs.size());
  for (const auto& r : refs) {
    names.push_back(r.id);
  }
  return std::move(refs[ids::resolve_abbreviation(input, names, k_kind)]);
}

std::string TicketStore::serialize(const Ticket& ticket)
{
  return emit_yaml(ticket.to_value());
}

Ticket TicketStore::deserialize(std::string_view text, const std::string& path)
{
  return read_document(text, path, [&](Value&& doc) { return Ticket::from_value(std::move(doc), path); });
}

Ticket TicketStore::load(const TicketRef& ref) const
{
  return load_text(ref, read_text_file(ref.path));
}

Ticket TicketStore::load_text(const TicketRef& ref, std::string_view text) const
{
  const std::string path = ref.path.string();
  return read_document(text, path, [&](Value&& doc) {
    Ticket t = Ticket::from_value(std::move(doc), path);
    t.require_named(ref.id, path, "rename the file to match its id, or run `desk doctor`");
    return t;
  });
}

fs::path TicketStore::attachments_dir(const TicketRef& ref)
{
  return attachments_dir(ref.path, ref.id);
}

fs::path TicketStore::attachments_dir(const fs::path& path, std::string_view id)
{
  return path.parent_path() / (std::string(id) + ".files");
}

fs::path TicketStore::index_file() const
{
  return m_root / ".desk" / "cache" / "tickets.idx";
}

std::vector<Ticket> TicketStore::load_all(std::vector<LoadProblem>& problems, const Selection& selection,
                                          IndexStats* stats) const
{
  std::vector<Ticket> out;
  for_each(problems, selection, [&out](Ticket&& t, std::string_view) { out.push_back(std::move(t)); }, stats);
  return out;
}

TicketSource TicketStore::source() const
{
  return {m_dir, [this](std::string_view id, const fs::path& path, std::string_view text) {
            return load_text({std::string(id), path}, text);
          }};
}

IndexStats TicketStore::rebuild_index() const
{
  return storage::rebuild_index(source(), index_file());
}

void TicketStore::for_each(std::vector<LoadProblem>& problems, const Selection& selection, const TicketSink& sink,
                           IndexStats* stats) const
{
  const char* mode = std::getenv("DESK_INDEX");
  if (mode == nullptr || std::string_view(mode) != "off") {
    visit_indexed(source(), index_file(), selection, problems, sink, stats);
    return;
  }
  const TicketFiles files = walk_ticket_files(m_dir, {.stamps = false, .hidden_folders = true}); // as scan()
  for (const auto& file : files) {
    const TicketRef ref = ref_of(file);
    std::optional<Ticket> t;
    try {
      t = load(ref);
    } catch (const Error& e) {
      problems.push_back(LoadProblem::of(ref.path, e));
      continue;
    }
    if ((selection.keep_brief && !selection.keep_brief(brief_of(*t))) || (selection.keep && !selection.keep(*t))) {
      continue;
    }
    sink(shape_selected(std::move(*t), selection), file.rel);
  }
}

fs::path TicketStore::path_for(std::string_view id, std::string_view created) const
{
  // created is YYYY-MM-DDTHH:MM:SS±HH:MM; the folder is its (local) year and month.
  if (created.size() < 7 || created[4] != '-') {
    throw UsageError(fmt::format("ticket {} has no valid creation time '{}'", id, created));
  }
  return m_dir / std::string(created.substr(0, 4)) / std::string(created.substr(5, 2)) /
         (std::string(id) + ".yaml");
}

TicketRef TicketStore::create(Ticket& ticket, const std::function<std::string()>& make_id) const
{
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::string id = make_id();
    ticket.set("id", id);
    const fs::path path = path_for(id, ticket.get("created"));
    const std::string text = serialize(ticket);
    check_file_size(path, text.size());
    if (create_file_exclusive(path, text, m_root)) {
      return {id, path};
    }
  }
  throw StorageError("could not find a free ticket id after 16 attempts",
                     "check that the tickets/ folder is writable and not full of stale files");
}

void TicketStore::save(const Ticket& ticket, const fs::path& path) const
{
  const std::string text = serialize(ticket);
  check_file_size(path, text.size());
  write_file_atomic(path, text, m_root);
}

} // namespace desk::storage
