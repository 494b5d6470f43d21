#pragma once

#include <filesystem>
#include <mutex>
#include <set>
#include <string_view>

// Writing thousands of files at once (imports) without paying an fsync per file.
namespace desk::storage {

// Writes a batch of files: each goes to a temp file beside it and is renamed (or linked)
// into place, so a reader or a killed process never sees half a file, but without a
// per-file fsync; `sync()` then flushes the whole batch with one syncfs(2). Until `sync()`
// returns, a power failure may lose files of the batch (a re-run of the import writes them
// again). Safe to call from several threads at once.
class BulkWriter {
public:
  // `root`: the repository; every file lies inside it, never reached through a symlinked
  // folder (see write_file_in), and syncfs flushes its file system.
  explicit BulkWriter(std::filesystem::path root);

  // Create or replace `path` with `content`; creates missing parent folders.
  void write(const std::filesystem::path& path, std::string_view content);

  // Create `path` only when it does not exist yet; false when it does.
  bool create(const std::filesystem::path& path, std::string_view content);

  // Flush every file written so far to stable storage. Throws StorageError.
  void sync();

  // Files written so far.
  std::size_t written() const { return m_written; }

  // Remove the temp files (`.NAME.tmp.XXXXXX`) that interrupted writes left in `dir`; call
  // under the repository lock, when no other desk process can be writing. Returns how many.
  static std::size_t remove_stale_temps(const std::filesystem::path& dir);

private:
  std::filesystem::path m_root;
  std::mutex m_mutex;
  std::size_t m_written = 0;
};

} // namespace desk::storage
