#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
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

// One ticket file found by the walk.
struct TicketFile {
  std::string rel;                  // "YYYY/MM/ID.yaml", relative to tickets/
  std::optional<TicketStamp> stamp; // with stamps only; none when it is not a regular file
};

struct TicketWalk {
  // Stat every file, relative to its folder (short names, no path walk), the folders
  // shared among the cores; without stamps the folders are only listed, on this thread.
  bool stamps = false;
  // Also walk year and month folders whose names start with '.' (TicketStore::scan always
  // has; the index never has).
  bool hidden_folders = false;
};

// Every tickets/YYYY/MM/*.yaml (the name not hidden), sorted by path. Year and month folders
// may be links to folders. Folders that cannot be read are passed over.
std::vector<TicketFile> walk_ticket_files(const std::filesystem::path& tickets_dir, const TicketWalk& how);

} // namespace desk::storage
