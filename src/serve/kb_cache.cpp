#include "serve/kb_cache.hpp"

#include <array>

#include <sys/inotify.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::serve {

KbCache::KbCache(fs::path root) : m_root(std::move(root))
{
  m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  current(); // loaded (or built) at start, not by the first search while others wait
}

KbCache::~KbCache()
{
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

std::shared_ptr<const kb::KbIndex> KbCache::current()
{
  const std::lock_guard lock(m_mutex);
  bool changed = false;
  if (m_fd >= 0 && m_wd < 0) {
    // kb/ may appear later (the first `desk kb add`): watched from when it exists.
    m_wd = ::inotify_add_watch(m_fd, (m_root / "kb").c_str(),
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF |
                                 IN_MOVE_SELF | IN_ONLYDIR);
    changed = true;
  }
  alignas(inotify_event) std::array<char, 16 * 1024> buf{};
  while (m_fd >= 0) {
    const ssize_t n = ::read(m_fd, buf.data(), buf.size());
    if (n <= 0) {
      break;
    }
    changed = true;
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf.data() + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        m_wd = -1; // kb/ itself went away or was replaced: watch it again next time
      }
    }
  }
  if (changed || !m_index || m_wd < 0) {
    m_index = std::make_shared<const kb::KbIndex>(kb::load_index(m_root));
  }
  return m_index;
}

kb::SearchResult KbCache::search(const std::vector<std::string>& terms, const kb::SearchOptions& options)
{
  const auto index = current();
  return kb::search(*index, m_root, terms, options);
}

} // namespace desk::serve
