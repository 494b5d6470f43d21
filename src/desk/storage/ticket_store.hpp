#pragma once

#include <desk/model/ticket.hpp>
#include <desk/storage/load_problem.hpp>
#include <desk/storage/ticket_index.hpp>
#include <desk/util/error.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace desk::storage {

struct TicketFile;

// Where one ticket lives.
struct TicketRef {
  std::string id;
  std::filesystem::path path;
};

// The tickets/ tree: one YAML file per ticket at tickets/YYYY/MM/<ID>.yaml.
class TicketStore {
public:
  explicit TicketStore(std::filesystem::path root);

  // Every ticket file (name ends in .yaml, not hidden), sorted by path.
  std::vector<TicketRef> scan() const;

  // The ticket at a file the walk of tickets/ found (its id is the file name's stem).
  TicketRef ref_of(const TicketFile& file) const;

  // Resolve a full id or any unique abbreviation (of the whole id or of its token).
  // Throws UsageError for path-like input, NotFoundError when nothing or several match
  // (the message lists the candidates).
  TicketRef resolve(std::string_view input) const;

  // The one file named exactly `id` (tickets/*/*/<id>.yaml), found without listing every
  // ticket; nullopt when there is none or more than one.
  std::optional<TicketRef> find_exact(const std::string& id) const;

  // Read one ticket; throws ParseError (path:line:column) when the file is bad.
  Ticket load(const TicketRef& ref) const;

  // A ticket from its file's text (what load does after reading `ref.path`).
  Ticket load_text(const TicketRef& ref, std::string_view text) const;

  // Read every ticket (or the `selection`), in path order, through the index in
  // .desk/cache/ (see ticket_index.hpp); bad files are reported in `problems`, never
  // thrown. DESK_INDEX=off in the environment reads every file instead.
  std::vector<Ticket> load_all(std::vector<LoadProblem>& problems, const Selection& selection = {},
                               IndexStats* stats = nullptr) const;

  // The same, handing each ticket to `sink` as it is read, with its path relative to
  // dir() (see visit_indexed).
  void for_each(std::vector<LoadProblem>& problems, const Selection& selection, const TicketSink& sink,
                IndexStats* stats = nullptr) const;

  // Drop the index and build it again from every file (`desk reindex`).
  IndexStats rebuild_index() const;

  // What the index reads: dir() and load_text.
  TicketSource source() const;

  // The folder of a ticket's attachments: <ID>.files beside its file.
  static std::filesystem::path attachments_dir(const TicketRef& ref);
  // The same for a ticket `id` whose file is at `path`.
  static std::filesystem::path attachments_dir(const std::filesystem::path& path, std::string_view id);

  // Where the index lives: <root>/.desk/cache/tickets.idx.
  std::filesystem::path index_file() const;

  // Path of a ticket created at `created` (ISO 8601 text; its own local month).
  std::filesystem::path path_for(std::string_view id, std::string_view created) const;

  // Write a new ticket exclusively. `make_id` draws a fresh id; on a clash it is drawn
  // again (up to 16 times). Sets the ticket's id and returns where it was written.
  TicketRef create(Ticket& ticket, const std::function<std::string()>& make_id) const;

  // Replace an existing ticket's file atomically.
  void save(const Ticket& ticket, const std::filesystem::path& path) const;

  // The file text of a ticket (what save writes).
  static std::string serialize(const Ticket& ticket);

  // Parse file text into a ticket (what load reads); `path` for messages.
  static Ticket deserialize(std::string_view text, const std::string& path);

  const std::filesystem::path& dir() const { return m_dir; }

private:
  std::filesystem::path m_root;
  std::filesystem::path m_dir;
};

} // namespace desk::storage
