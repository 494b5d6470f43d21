#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace desk::storage {

// A file, or a part of one, mapped read-only (private mapping): the knowledge-base index,
// the ticket index's table. Pages of the page cache mapped in cost a fraction of what the
// same bytes read into fresh memory do. Empty (data() == nullptr) when the file is missing,
// not a regular file, empty, or cannot be mapped.
class MappedFile {
public:
  MappedFile() = default;
  // The whole file.
  explicit MappedFile(const std::filesystem::path& path);
  // `length` bytes of an open file from `offset` (which need not be page-aligned), read
  // ahead in one call when `populate`. The file must not shrink below them while mapped.
  MappedFile(int fd, std::uint64_t offset, std::size_t length, bool populate);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return m_data; }
  std::size_t size() const { return m_size; }
  std::string_view bytes() const { return {m_data, m_size}; }
  explicit operator bool() const { return m_data != nullptr; }

private:
  void unmap();

  const char* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_lead = 0; // bytes mapped before m_data (a region's offset within its page)
};

} // namespace desk::storage
