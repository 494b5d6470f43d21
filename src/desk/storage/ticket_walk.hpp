#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

// The one walk of tickets/YYYY/MM/*.yaml, for TicketStore::scan and the ticket index.
namespace desk::storage {

// What identifies one version of a file without reading it.
struct TicketStamp {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t ino = 0;
  bool operator==(const TicketStamp&) const = default;
};

struct TicketWalk {
  // Stat every file, relative to its folder (short names, no path walk), the folders
  // shared among the cores; without stamps the folders are only listed, on this thread.
  bool stamps = false;
  // Also walk year and month folders whose names start with '.' (TicketStore::scan always
  // has; the index never has).
  bool hidden_folders = false;
};

// One ticket file found by the walk.
struct TicketFile {
  std::string_view rel;             // "YYYY/MM/ID.yaml", relative to tickets/ (in its TicketFiles)
  std::optional<TicketStamp> stamp; // with stamps only; none when it is not a regular file

  // The ticket's id: the file name without ".yaml".
  std::string_view id() const
  {
    const std::string_view name = rel.substr(rel.rfind('/') + 1); // npos + 1 == 0
    return name.substr(0, name.size() - 5);
  }
};

class TicketFiles;

// Every tickets/YYYY/MM/*.yaml (the name not hidden), sorted by path. Year and month folders
// may be links to folders. Folders that cannot be read are passed over.
TicketFiles walk_ticket_files(const std::filesystem::path& tickets_dir, const TicketWalk& how);

// The files a walk found, in path order. Their paths are kept in one buffer a folder and
// the entries in one array sized once: at 100,000 tickets a string and a vector growth a
// file made up most of the memory a read touched, and fresh memory is what costs most here
// (a page fault for every new page).
class TicketFiles {
public:
  std::size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  const TicketFile& operator[](std::size_t i) const { return m_storage.get()[i]; }
  const TicketFile* begin() const { return m_storage.get(); }
  const TicketFile* end() const { return m_storage.get() + m_size; }

private:
  friend TicketFiles walk_ticket_files(const std::filesystem::path& tickets_dir, const TicketWalk& how);
  struct Release {
    void operator()(TicketFile* p) const { ::operator delete(p); }
  };
  static_assert(std::is_trivially_destructible_v<TicketFile>);
  std::vector<std::string> m_paths; // each folder's paths, end to end (the views point here)
  std::unique_ptr<TicketFile, Release> m_storage; // m_size entries, built in place by the walk
  std::size_t m_size = 0;
};

} // namespace desk::storage
