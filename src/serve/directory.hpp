#pragma once

#include <desk/storage/ticket_store.hpp>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// The server's in-memory directory of tickets: who asked for each (its `email`), its
// status and title, and where its file is. Kept current with inotify on tickets/: every
// read first takes the kernel's queue of changes made so far (by this server, another desk
// process, an editor or a `git pull`), so a change is seen by the next request.
namespace desk::serve {

// What the portal needs of a ticket without reading its file.
struct TicketEntry {
  std::string id;
  std::filesystem::path path;
  std::string email; // lower-case
  std::string status;
  std::string title;
  std::string created;
  std::string updated;
  std::string eta;
};

// Tickets by id and by requester, watched.
class TicketDirectory {
public:
  // Watch tickets/ of `store`, then read every ticket once (through the on-disk index).
  explicit TicketDirectory(const storage::TicketStore& store);
  ~TicketDirectory();
  TicketDirectory(const TicketDirectory&) = delete;
  TicketDirectory& operator=(const TicketDirectory&) = delete;

  // The entry of the ticket with exactly this id, current.
  std::optional<TicketEntry> find(const std::string& id);

  // The tickets of a requester (by address, any case), newest first, current.
  std::vector<TicketEntry> of_requester(std::string_view email);

  // How many tickets are known.
  std::size_t size();

  // How many times the whole tree was read again (the kernel's queue overflowed).
  std::size_t reloads() const { return m_reloads; }

private:
  void catch_up();                              // under m_mutex
  void reload_all();                            // under m_mutex
  void watch_tree(const std::filesystem::path& dir, bool read_files); // under m_mutex
  void read_file(const std::filesystem::path& path); // under m_mutex
  void forget(const std::string& id);           // under m_mutex
  void put(TicketEntry entry);                  // under m_mutex

  const storage::TicketStore& m_store;
  std::mutex m_mutex;
  int m_fd = -1;
  std::map<int, std::filesystem::path> m_watches;
  std::map<std::string, TicketEntry> m_by_id;
  std::map<std::string, std::set<std::string>> m_by_email;
  std::size_t m_reloads = 0;
};

// `s` with ASCII letters in lower case (addresses compare so).
std::string lower_address(std::string_view s);

} // namespace desk::serve
