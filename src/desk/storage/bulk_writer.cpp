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

void BulkWriter::write(const fs::path& path, std::string_view content)
{
  write_file_in(m_root, path, content, Placement::replace, false);
  const std::lock_guard lock(m_mutex);
  ++m_written;
}

bool BulkWriter::create(const fs::path& path, std::string_view content)
{
  if (!write_file_in(m_root, path, content, Placement::create, false)) {
    return false;
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
