#pragma once

#include <desk/kb/search.hpp>

#include <filesystem>
#include <memory>
#include <mutex>

// The knowledge-base index kept loaded by the server, read again when inotify reports a
// change in kb/ (an article added, replaced or removed by any process): a search then
// costs no stat of every article file. An article edited in place is still caught where
// a hit is read (kb::search).
namespace desk::serve {

// The loaded index of one repository's kb/ (thread-safe).
class KbCache {
public:
  explicit KbCache(std::filesystem::path root);
  ~KbCache();
  KbCache(const KbCache&) = delete;
  KbCache& operator=(const KbCache&) = delete;

  // Search like `desk kb search`.
  kb::SearchResult search(const std::vector<std::string>& terms, const kb::SearchOptions& options);

private:
  std::shared_ptr<const kb::KbIndex> current();

  std::filesystem::path m_root;
  std::mutex m_mutex;
  int m_fd = -1;
  int m_wd = -1;
  std::shared_ptr<const kb::KbIndex> m_index;
};

} // namespace desk::serve
