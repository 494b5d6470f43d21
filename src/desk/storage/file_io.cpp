#include <desk/storage/file_io.hpp>

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <random>
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
  void reset(int fd)
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = fd;
  }
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
fs::path write_temp(const fs::path& path, std::string_view content, bool make_folder, mode_t mode)
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

std::string kind_of(mode_t mode)
{
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO (named pipe)";
  }
  if (S_ISCHR(mode) || S_ISBLK(mode)) {
    return "a device";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  return "not a regular file";
}

// A name for a temp file beside `name`: `.NAME.tmp.XXXXXX` (what doctor and
// remove_stale_temps recognise), random enough that an exclusive create rarely retries.
std::string temp_name(const std::string& name, unsigned attempt)
{
  static thread_local std::mt19937_64 rng(std::random_device{}() ^ (static_cast<std::uint64_t>(::getpid()) << 32U));
  constexpr std::string_view k_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out = "." + name + ".tmp.";
  std::uint64_t r = rng() ^ attempt;
  for (int i = 0; i < 6; ++i) {
    out += k_chars[r % k_chars.size()];
    r /= k_chars.size();
  }
  return out;
}

} // namespace

void check_file_size(const fs::path& path, std::size_t size)
{
  if (size > k_max_file_size) {
    throw UsageError(fmt::format("{} would be {} bytes; desk files hold at most {} MiB", path.string(), size,
                                 k_max_file_size / (1024 * 1024)),
                     "shorten the text, or attach a long text as a file (--attach)");
  }
}

int open_regular_file(const fs::path& path, struct stat& st)
{
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return -1;
  }
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    errno = EINVAL;
    return -1;
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) {
    ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  }
  return fd;
}

int open_dir_beneath(const fs::path& given_root, const fs::path& given_dir, bool create)
{
  const fs::path root = fs::absolute(given_root).lexically_normal();
  const fs::path dir = fs::absolute(given_dir).lexically_normal();
  const fs::path rel = dir.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") {
    throw StorageError(fmt::format("cannot write in {}: it is outside the repository {}", dir.string(), root.string()));
  }
  Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    fail_write(root, errno);
  }
  fs::path walked = root;
  for (const auto& part : rel) {
    if (part == "." || part.empty()) {
      continue;
    }
    walked /= part;
    int next = ::openat(fd.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(fd.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
        fail_write(walked, errno);
      }
      next = ::openat(fd.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (next < 0) {
      const int err = errno;
      struct stat st {};
      if (::fstatat(fd.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        throw StorageError(
          fmt::format("cannot write {}: {} is a symbolic link, and desk does not write through linked folders",
                      dir.string(), walked.string()),
          "replace the link with a real folder (move its files in), or remove it");
      }
      if (err == ENOTDIR) {
        throw StorageError(fmt::format("cannot write {}: {} is not a folder", dir.string(), walked.string()),
                           "move that file away");
      }
      fail_write(walked, err);
    }
    fd.reset(next);
  }
  return fd.release();
}

bool is_folder_beneath(const fs::path& root, const fs::path& dir)
{
  try {
    ::close(open_dir_beneath(root, dir, true));
    return true;
  } catch (const StorageError&) {
    return false;
  }
}

bool write_file_in(const fs::path& root, const fs::path& given, std::string_view content, Placement placement,
                   bool durable)
{
  const fs::path path = fs::absolute(given); // a bare file name has no parent folder to sync
  const std::string name = path.filename().string();
  int raw_dir = -1;
  if (root.empty()) {
    make_parents(path);
    raw_dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (raw_dir < 0) {
      fail_write(path, errno);
    }
  } else {
    raw_dir = open_dir_beneath(root, path.parent_path(), true);
  }
  const Fd dir(raw_dir);
  std::string temp;
  int raw = -1;
  for (unsigned attempt = 0; raw < 0; ++attempt) {
    temp = temp_name(name, attempt);
    raw = ::openat(dir.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (raw < 0 && (errno != EEXIST || attempt > 100)) {
      fail_write(path, errno);
    }
  }
  const fs::path temp_path = path.parent_path() / temp;
  {
    Fd fd(raw);
    try {
      write_all(fd.get(), content, temp_path);
      if (::fchmod(fd.get(), 0644) != 0 || (durable && ::fsync(fd.get()) != 0)) {
        fail_write(temp_path, errno);
      }
      if (::close(fd.release()) != 0) {
        fail_write(temp_path, errno);
      }
    } catch (...) {
      ::unlinkat(dir.get(), temp.c_str(), 0);
      throw;
    }
  }
  if (placement == Placement::replace) {
    if (::renameat(dir.get(), temp.c_str(), dir.get(), name.c_str()) != 0) {
      const int err = errno;
      ::unlinkat(dir.get(), temp.c_str(), 0);
      fail_write(path, err);
    }
  } else {
    const int rc = ::linkat(dir.get(), temp.c_str(), dir.get(), name.c_str(), 0);
    const int err = errno;
    ::unlinkat(dir.get(), temp.c_str(), 0);
    if (rc != 0) {
      if (err == EEXIST) {
        return false;
      }
      fail_write(path, err);
    }
  }
  if (durable) {
    ::fsync(dir.get());
  }
  return true;
}

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
  // Opened, then stat'ed through the descriptor: one walk of the path, not two; opened
  // without waiting, so a FIFO in its place is reported, not waited on.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
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
  if (!S_ISREG(st.st_mode)) {
    throw ParseError(path.string(), 0, 0, fmt::format("is {}, not a regular file", kind_of(st.st_mode)),
                     "remove it, or restore the file from git");
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

void write_file_atomic(const fs::path& path, std::string_view content, const fs::path& root)
{
  write_file_in(root, path, content, Placement::replace, true);
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
  if (Fd dir(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dir.get() >= 0) {
    ::fsync(dir.get()); // the rename is durable
  }
}

bool create_file_exclusive(const fs::path& path, std::string_view content, const fs::path& root)
{
  return write_file_in(root, path, content, Placement::create, true);
}

std::string check_attachment(const fs::path& from)
{
  struct stat st {};
  if (::stat(from.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      throw NotFoundError(fmt::format("--attach {}: no such file", from.string()), "check the path of the file to attach");
    }
    throw StorageError(fmt::format("--attach {}: {}", from.string(), errno_text(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    throw UsageError(fmt::format("--attach {}: is a folder, not a file", from.string()),
                     "attach files one by one, or an archive of the folder");
  }
  if (!S_ISREG(st.st_mode)) {
    throw UsageError(fmt::format("--attach {}: is {}, not a regular file", from.string(), kind_of(st.st_mode)),
                     "save what it gives to a file and attach that");
  }
  if (static_cast<std::size_t>(st.st_size) > k_max_attachment_size) {
    throw UsageError(fmt::format("--attach {}: larger than {} MiB", from.string(), k_max_attachment_size >> 20U),
                     "attach a smaller excerpt, or link to the file in --description");
  }
  std::string name = from.filename().string();
  if (!text::is_valid_utf8(name) || name.find_first_of("\n\r\t") != std::string::npos) {
    std::string shown;
    for (const unsigned char c : name) {
      shown += c >= 0x20 && c < 0x7F ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02X}", c);
    }
    throw UsageError(fmt::format("--attach: the file name '{}' is not UTF-8 text", shown),
                     "rename the file (its name is stored in the ticket, which is UTF-8)");
  }
  return name;
}

void copy_file_atomic(const fs::path& from, const fs::path& to, const fs::path& root)
{
  struct stat st {};
  Fd fd(open_regular_file(from, st));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      throw NotFoundError(fmt::format("cannot read {}: no such file", from.string()),
                          "check the path of the file to attach");
    }
    if (errno == EINVAL) {
      throw UsageError(fmt::format("{} is not a regular file", from.string()));
    }
    throw StorageError(fmt::format("cannot read {}: {}", from.string(), errno_text(errno)));
  }
  // Read to the end: a file in /proc says it is empty and is not.
  std::string content;
  content.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  while (true) {
    if (got == content.size()) {
      content.resize(content.size() + 65536);
    }
    const ssize_t n = ::read(fd.get(), content.data() + got, content.size() - got);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw StorageError(fmt::format("cannot read {}: {}", from.string(), errno_text(errno)));
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
    if (got > k_max_attachment_size) {
      throw UsageError(fmt::format("--attach {}: larger than {} MiB", from.string(), k_max_attachment_size >> 20U),
                       "attach a smaller excerpt, or link to the file in --description");
    }
  }
  content.resize(got);
  write_file_atomic(to, content, root);
}

namespace {

std::mutex& in_process_writers()
{
  static std::mutex m;
  return m;
}

// The thread that holds the lock, so that the same thread asking again fails at once
// (std::mutex would wait on itself forever) the way a second process does after its wait.
std::atomic<std::thread::id>& lock_owner()
{
  static std::atomic<std::thread::id> owner{};
  return owner;
}

std::unique_lock<std::mutex> take_in_process_turn(const fs::path& desk_dir)
{
  if (lock_owner().load() == std::this_thread::get_id()) {
    throw BusyError(fmt::format("the repository is busy: this process already holds {}", (desk_dir / "lock").string()),
                    "finish the change in progress before starting another one");
  }
  return std::unique_lock<std::mutex>(in_process_writers());
}

} // namespace

RepoLock::RepoLock(const fs::path& desk_dir, std::chrono::milliseconds timeout)
  : m_in_process(take_in_process_turn(desk_dir))
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
  lock_owner().store(std::this_thread::get_id());
}

RepoLock::~RepoLock()
{
  lock_owner().store(std::thread::id{});
  if (m_fd >= 0) {
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
  }
}

} // namespace desk::storage
