#pragma once

#include <desk/model/ticket.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace desk::storage {

// Where one ticket lives.
struct TicketRef {
  std::string id;
  std::filesystem::path path;
};

// A file that could not be read as a ticket.
struct LoadProblem {
  std::filesystem::path path;
  std::string message; // "path:line:column: ..." form
};

// The tickets/ tree: one YAML file per ticket at tickets/YYYY/MM/<ID>.yaml.
class TicketStore {
public:
  explicit TicketStore(std::filesystem::path root);

  // Every ticket file (name ends in .yaml, not hidden), sorted by path.
  std::vector<TicketRef> scan() const;

  // Resolve a full id or any unique abbreviation (of the whole id or of its token).
  // Throws UsageError for path-like input, NotFoundError when nothing or several match
  // (the message lists the candidates).
  TicketRef resolve(std::string_view input) const;

  // Read one ticket; throws ParseError (path:line:column) when the file is bad.
  Ticket load(const TicketRef& ref) const;

  // Read every ticket; bad files are reported in `problems`, never thrown.
  std::vector<Ticket> load_all(std::vector<LoadProblem>& problems) const;

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
