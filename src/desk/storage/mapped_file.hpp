#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace desk::storage {

// A whole file mapped read-only (private mapping), for the knowledge-base index (the
// ticket index reads its file instead: see ticket_index.hpp). Empty (data() == nullptr)
// when the file is missing, not a regular file, empty, or cannot be mapped.
class MappedFile {
public:
  MappedFile() = default;
  explicit MappedFile(const std::filesystem::path& path);
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
};

} // namespace desk::storage
