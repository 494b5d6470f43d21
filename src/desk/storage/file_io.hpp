#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include <sys/stat.h>

// Files on disk: careful reads, atomic writes, the repository lock.
namespace desk::storage {

// Largest ticket, article or config file desk reads, and so the largest it writes.
inline constexpr std::size_t k_max_file_size = 8 * 1024 * 1024;

// Largest file attached to a ticket.
inline constexpr std::size_t k_max_attachment_size = 50 * 1024 * 1024;

// Refuse to write a desk file (ticket, article, config) of `size` bytes that read_text_file
// would then refuse: throws UsageError (exit 2) naming `path` and the limit.
void check_file_size(const std::filesystem::path& path, std::size_t size);

// Read a whole text file. Throws NotFoundError when missing, ParseError (bad data) when it
// is not a regular file (a directory, FIFO, device or socket: never opened so that it
// could block), larger than k_max_file_size, holds NUL bytes or invalid UTF-8 (with the
// line and column of the first bad byte), StorageError when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

// Open `path` for reading only when it is a regular file (a FIFO or device is never waited
// on); -1 with errno set otherwise (EINVAL for a file of another kind, ENOENT when missing).
// `st` receives its status.
int open_regular_file(const std::filesystem::path& path, struct stat& st);

// Open the folder `dir`, which lies inside `root`, walking from `root` one folder at a time
// without following symbolic links, so a linked folder cannot lead a write out of the
// repository; creates missing folders when `create`. Returns the descriptor (the caller
// closes it). Throws StorageError naming the link, or the folder that cannot be made.
int open_dir_beneath(const std::filesystem::path& root, const std::filesystem::path& dir, bool create);

// True when `dir` (inside `root`) is a folder desk may keep derived files in: reached
// without a symbolic link (made when missing). A cache behind a link is neither read nor
// written.
bool is_folder_beneath(const std::filesystem::path& root, const std::filesystem::path& dir);

// How write_file_in puts a file in place.
enum class Placement { replace, create };

// The one writer of files: a temp file beside `path` (created exclusively, never through a
// link), then renamed over it (`replace`: a symlink at `path` is replaced, not written
// through) or linked to it (`create`: false when `path` exists). When `root` is not empty,
// the folders from it to `path` are walked and made by open_dir_beneath. `durable` fsyncs
// the file and its folder.
bool write_file_in(const std::filesystem::path& root, const std::filesystem::path& path, std::string_view content,
                   Placement placement, bool durable);

// Write all of `content` to the open descriptor `fd` (retrying short writes); throws
// StorageError naming `path` and what to do (disk full, read-only, permissions).
void write_all(int fd, std::string_view content, const std::filesystem::path& path);

// Replace `path` atomically: write a temp file beside it, fsync, rename, fsync the folder.
// Creates missing parent folders (inside `root`, when given, never through a symlinked
// folder: see write_file_in). Throws StorageError naming the path and the reason.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       const std::filesystem::path& root = {});

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
bool create_file_exclusive(const std::filesystem::path& path, std::string_view content,
                           const std::filesystem::path& root = {});

// Check a file given to attach and return the name it is stored under: it must be a
// regular file (not a folder, FIFO or device), at most k_max_attachment_size, its name
// UTF-8. Throws UsageError, or NotFoundError when it does not exist.
std::string check_attachment(const std::filesystem::path& from);

// Copy a regular file (read to its end, whatever its size says) into place atomically,
// inside `root` (for attachments).
void copy_file_atomic(const std::filesystem::path& from, const std::filesystem::path& to,
                      const std::filesystem::path& root = {});

// The repository's write lock (.desk/lock, flock). Held for one command's writes;
// readers never take it. Waits up to `timeout`, then throws BusyError.
class RepoLock {
public:
  RepoLock(const std::filesystem::path& desk_dir, std::chrono::milliseconds timeout);
  ~RepoLock();
  RepoLock(const RepoLock&) = delete;
  RepoLock& operator=(const RepoLock&) = delete;

private:
  // Writers of one process take their turn here first (without a time limit: a server's
  // threads queue), then the file lock that other processes see.
  std::unique_lock<std::mutex> m_in_process;
  int m_fd = -1;
};

// A message for errno: "Permission denied" etc.
std::string errno_text(int err);

} // namespace desk::storage
