#include <desk/storage/bulk_writer.hpp>

#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::storage {

namespace {

[[noreturn]] void fail_bulk_write(const fs::path& path, int err)
{
  std::string hint = "check free space and permissions";
  if (err == ENOSPC) {
    hint = "the disk is full; free some space and run the import again (it resumes)";
  } else if (err == EACCES || err == EPERM || err == EROFS) {
    hint = "you have no write permission there; check the owner and mode of the repository";
  }
  throw StorageError(fmt::format("cannot write {}: {}", path.string(), errno_text(err)), hint);
}

} // namespace

BulkWriter::BulkWriter(fs::path root) : m_root(std::move(root)) {}

void BulkWriter::make_parent(const fs::path& path)
{
  const fs::path dir = path.parent_path();
  {
    const std::lock_guard lock(m_mutex);
    if (m_dirs.contains(dir)) {
      return;
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    fail_bulk_write(dir, ec.value());
  }
  const std::lock_guard lock(m_mutex);
  m_dirs.insert(dir);
}

fs::path BulkWriter::write_temp(const fs::path& path, std::string_view content)
{
  make_parent(path);
  std::string templ = (path.parent_path() / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = ::mkstemp(templ.data());
  if (fd < 0) {
    fail_bulk_write(path, errno);
  }
  const char* p = content.data();
  std::size_t left = content.size();
  int err = 0;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      err = errno;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fchmod(fd, 0644) != 0) {
    err = errno;
  }
  if (::close(fd) != 0 && err == 0) {
    err = errno;
  }
  if (err != 0) {
    ::unlink(templ.c_str());
    fail_bulk_write(path, err);
  }
  return templ;
}

void BulkWriter::write(const fs::path& path, std::string_view content)
{
  const fs::path temp = write_temp(path, content);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail_bulk_write(path, err);
  }
  const std::lock_guard lock(m_mutex);
  ++m_written;
}

bool BulkWriter::create(const fs::path& path, std::string_view content)
{
  const fs::path temp = write_temp(path, content);
  const int rc = ::link(temp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(temp.c_str());
  if (rc != 0) {
    if (err == EEXIST) {
      return false;
    }
    fail_bulk_write(path, err);
  }
  const std::lock_guard lock(m_mutex);
  ++m_written;
  return true;
}

void BulkWriter::sync()
{
  const int fd = ::open(m_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    fail_bulk_write(m_root, errno);
  }
  const int rc = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    fail_bulk_write(m_root, err);
  }
}

std::size_t BulkWriter::remove_stale_temps(const fs::path& dir)
{
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 1 && name.front() == '.' && name.find(".tmp.") != std::string::npos &&
        entry.is_regular_file(ec)) {
      if (fs::remove(entry.path(), ec)) {
        ++removed;
      }
    }
  }
  return removed;
}

} // namespace desk::storage
