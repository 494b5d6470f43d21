#include <desk/storage/file_io.hpp>

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::storage {

std::string errno_text(int err)
{
  return std::strerror(err);
}

namespace {

class Fd {
public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }
  int release()
  {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }

private:
  int m_fd;
};

[[noreturn]] void fail_write(const fs::path& path, int err)
{
  std::string hint = "check free space and permissions";
  if (err == EROFS) {
    hint = "the file system is read-only; work in a writable clone";
  } else if (err == EACCES || err == EPERM) {
    hint = "you have no write permission there; check the owner and mode of the repository";
  } else if (err == ENOSPC) {
    hint = "the disk is full; free some space and run the command again";
  }
  throw StorageError(fmt::format("cannot write {}: {}", path.string(), errno_text(err)), hint);
}

void fsync_dir(const fs::path& dir)
{
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void make_parents(const fs::path& path)
{
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    fail_write(path.parent_path(), ec.value());
  }
}

// Write `content` to a fresh temp file in the folder of `path` (created unless
// `make_folder` is false) with permissions `mode`; returns its path.
fs::path write_temp(const fs::path& path, std::string_view content, bool make_folder = true, mode_t mode = 0644)
{
  if (make_folder) {
    make_parents(path);
  }
  std::string templ = (path.parent_path() / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  const int raw = ::mkstemp(templ.data());
  if (raw < 0) {
    fail_write(path, errno);
  }
  Fd fd(raw);
  const fs::path temp = templ;
  try {
    write_all(fd.get(), content, temp);
    if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0) {
      fail_write(temp, errno);
    }
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  return temp;
}

} // namespace

void write_all(int fd, std::string_view content, const fs::path& path)
{
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail_write(path, errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

std::string read_text_file(const fs::path& path)
{
  // Opened, then stat'ed through the descriptor: one walk of the path, not two.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      throw NotFoundError(fmt::format("{} does not exist", path.string()));
    }
    throw StorageError(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw StorageError(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    throw ParseError(path.string(), 0, 0, "is a directory, not a file", "move or remove that directory");
  }
  if (static_cast<std::size_t>(st.st_size) > k_max_file_size) {
    throw ParseError(path.string(), 0, 0,
                     fmt::format("file is too large ({} bytes; desk reads at most {} MiB)", st.st_size,
                                 k_max_file_size / (1024 * 1024)),
                     "this is not a file desk wrote; restore it from git or move it away");
  }
  // A byte more than the size: the read that finds the end needs no bigger buffer (a file
  // that grew meanwhile is read on, 4 KiB more at a time).
  std::string content;
  content.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  while (true) {
    if (got == content.size()) {
      content.resize(content.size() + 4096);
    }
    const ssize_t n = ::read(fd.get(), content.data() + got, content.size() - got);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw StorageError(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
    if (got > k_max_file_size) {
      throw ParseError(path.string(), 0, 0, "file is too large");
    }
  }
  content.resize(got);
  auto locate = [&](std::size_t offset) {
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
      if (content[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return std::pair<int, int>(line, static_cast<int>(offset - line_start) + 1);
  };
  if (const auto nul = content.find('\0'); nul != std::string::npos) {
    const auto [line, col] = locate(nul);
    throw ParseError(path.string(), line, col, "binary data (a NUL byte); this is not a text file",
                     "restore the file from git or move it away");
  }
  if (const auto bad = text::first_invalid_utf8(content); bad != std::string::npos) {
    const auto [line, col] = locate(bad);
    throw ParseError(path.string(), line, col, "invalid UTF-8; desk files are UTF-8 text",
                     "re-save the file as UTF-8");
  }
  return content;
}

void write_file_atomic(const fs::path& given, std::string_view content)
{
  const fs::path path = fs::absolute(given); // a bare file name has no parent folder to sync
  const fs::path temp = write_temp(path, content);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail_write(path, err);
  }
  fsync_dir(path.parent_path());
}

void write_output_file(const fs::path& given, std::string_view content)
{
  fs::path path = fs::absolute(given);
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0; // through a symbolic link
  if (!exists && errno != ENOENT) {
    fail_write(given, errno);
  }
  if (exists && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
      fail_write(given, errno);
    }
    write_all(fd.get(), content, given);
    if (::close(fd.release()) != 0 && errno != EINTR) {
      fail_write(given, errno);
    }
    return;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    const char* kind = S_ISDIR(st.st_mode) ? "a folder" : S_ISBLK(st.st_mode) ? "a block device" : "a socket";
    throw UsageError(fmt::format("cannot write {}: it is {}, not a file", given.string(), kind),
                     "give the path of a file (it is replaced), a FIFO or a character device");
  }
  // Written through: the file replaced is the link's target (a dangling link's too), and
  // the link stays.
  struct stat link {};
  for (int hops = 0; ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode); ++hops) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(path, ec);
    if (ec || hops == 40) {
      throw StorageError(fmt::format("cannot write {}: {}", given.string(), ec ? ec.message() : errno_text(ELOOP)),
                         "the symbolic link cannot be followed; give the path of a file");
    }
    path = (target.is_absolute() ? target : path.parent_path() / target).lexically_normal();
  }
  if (!exists) {
    struct stat folder {};
    if (::stat(path.parent_path().c_str(), &folder) != 0 || !S_ISDIR(folder.st_mode)) {
      throw StorageError(fmt::format("cannot write {}: the folder {} does not exist", given.string(),
                                     path.parent_path().string()),
                         "create the folder first, or give a path in an existing one");
    }
    st.st_mode = S_IFREG | 0644;
  }
  const fs::path temp = write_temp(path, content, false, st.st_mode & 07777);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail_write(given, err);
  }
  fsync_dir(path.parent_path());
}

bool create_file_exclusive(const fs::path& given, std::string_view content)
{
  const fs::path path = fs::absolute(given);
  const fs::path temp = write_temp(path, content);
  const int rc = ::link(temp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(temp.c_str());
  if (rc != 0) {
    if (err == EEXIST) {
      return false;
    }
    fail_write(path, err);
  }
  fsync_dir(path.parent_path());
  return true;
}

void copy_file_atomic(const fs::path& from, const fs::path& to)
{
  std::error_code ec;
  const auto size = fs::file_size(from, ec);
  if (ec) {
    throw NotFoundError(fmt::format("cannot read {}: {}", from.string(), ec.message()),
                        "check the path of the file to attach");
  }
  if (!fs::is_regular_file(from)) {
    throw UsageError(fmt::format("{} is not a regular file", from.string()));
  }
  std::string content;
  content.resize(size);
  Fd fd(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    throw StorageError(fmt::format("cannot read {}: {}", from.string(), errno_text(errno)));
  }
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(fd.get(), content.data() + got, size - got);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) {
        continue;
      }
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  content.resize(got);
  write_file_atomic(to, content);
}

RepoLock::RepoLock(const fs::path& desk_dir, std::chrono::milliseconds timeout)
{
  const fs::path path = desk_dir / "lock";
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    fail_write(path, errno);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      fail_write(path, errno);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw BusyError(fmt::format("the repository is busy: another desk process holds {}", path.string()),
                      "wait for it to finish and run the command again (DESK_LOCK_TIMEOUT sets the wait in seconds)");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  m_fd = fd.release();
}

RepoLock::~RepoLock()
{
  if (m_fd >= 0) {
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
  }
}

} // namespace desk::storage
