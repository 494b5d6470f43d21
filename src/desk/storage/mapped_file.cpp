#include <desk/storage/mapped_file.hpp>

#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace desk::storage {

MappedFile::MappedFile(const std::filesystem::path& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      m_data = static_cast<const char*>(p);
      m_size = size;
    }
  }
  ::close(fd); // the mapping stays valid
}

MappedFile::MappedFile(int fd, std::uint64_t offset, std::size_t length, bool populate)
{
  if (fd < 0 || length == 0) {
    return;
  }
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t start = offset - offset % page;
  const auto lead = static_cast<std::size_t>(offset - start);
  void* p = ::mmap(nullptr, lead + length, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd,
                   static_cast<off_t>(start));
  if (p != MAP_FAILED) {
    m_data = static_cast<const char*>(p) + lead;
    m_size = length;
    m_lead = lead;
  }
}

MappedFile::~MappedFile()
{
  unmap();
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)),
      m_lead(std::exchange(other.m_lead, 0))
{
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept
{
  if (this != &other) {
    unmap();
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_lead = std::exchange(other.m_lead, 0);
  }
  return *this;
}

void MappedFile::unmap()
{
  if (m_data != nullptr) {
    ::munmap(const_cast<char*>(m_data - m_lead), m_lead + m_size);
    m_data = nullptr;
    m_size = 0;
    m_lead = 0;
  }
}

} // namespace desk::storage
