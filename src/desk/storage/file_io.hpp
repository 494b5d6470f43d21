#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

// Files on disk: careful reads, atomic writes, the repository lock.
namespace desk::storage {

// Largest ticket, article or config file desk reads.
inline constexpr std::size_t k_max_file_size = 8 * 1024 * 1024;

// Read a whole text file. Throws NotFoundError when missing, ParseError (bad data) when it
// is a directory, larger than k_max_file_size, holds NUL bytes or invalid UTF-8 (with the
// line and column of the first bad byte), StorageError when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

// Write all of `content` to the open descriptor `fd` (retrying short writes); throws
// StorageError naming `path` and what to do (disk full, read-only, permissions).
void write_all(int fd, std::string_view content, const std::filesystem::path& path);

// Replace `path` atomically: write a temp file beside it, fsync, rename, fsync the folder.
// Creates missing parent folders. Throws StorageError naming the path and the reason.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Write a command's output to the path the user named (`report -o`, `export -o`):
// - a regular file, or nothing yet: replaced atomically (temp file beside it, fsync,
//   rename); an existing file keeps its permissions;
// - a symbolic link: written through, the link stays and its target follows these rules;
// - a character device or a FIFO (/dev/null, a named pipe): written to as a stream;
// - a folder, a block device or a socket: refused (UsageError).
// The folder it goes into must exist (it is never created): StorageError otherwise, as for
// any write that fails.
void write_output_file(const std::filesystem::path& path, std::string_view content);

// Create `path` with `content` only if it does not exist yet, atomically (a temp file is
// linked into place). Returns false when the path already exists.
bool create_file_exclusive(const std::filesystem::path& path, std::string_view content);

// Copy a file into place atomically (for attachments).
void copy_file_atomic(const std::filesystem::path& from, const std::filesystem::path& to);

// The repository's write lock (.desk/lock, flock). Held for one command's writes;
// readers never take it. Waits up to `timeout`, then throws BusyError.
class RepoLock {
public:
  RepoLock(const std::filesystem::path& desk_dir, std::chrono::milliseconds timeout);
  ~RepoLock();
  RepoLock(const RepoLock&) = delete;
  RepoLock& operator=(const RepoLock&) = delete;

private:
  int m_fd = -1;
};

// A message for errno: "Permission denied" etc.
std::string errno_text(int err);

} // namespace desk::storage
