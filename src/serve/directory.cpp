#include "serve/directory.hpp"

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <sys/inotify.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::serve {

namespace {

constexpr std::uint32_t k_dir_events = IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                       IN_DELETE_SELF | IN_ONLYDIR;

bool is_ticket_name(const std::string& name)
{
  return !name.empty() && name[0] != '.' && name.ends_with(".yaml");
}

TicketEntry entry_of(const Ticket& t, fs::path path)
{
  return TicketEntry{t.id(),        std::move(path),  lower_address(t.get("email")), t.status(), t.get("title"),
                     t.get("created"), t.get("updated"), t.get("eta")};
}

} // namespace

std::string lower_address(std::string_view s)
{
  return text::ascii_lower(text::trim(s));
}

TicketDirectory::TicketDirectory(const storage::TicketStore& store) : m_store(store)
{
  m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (m_fd < 0) {
    throw StorageError(fmt::format("cannot watch {}: {}", store.dir().string(), std::strerror(errno)),
                       "raise fs.inotify.max_user_instances");
  }
  const std::lock_guard lock(m_mutex);
  reload_all();
}

TicketDirectory::~TicketDirectory()
{
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

void TicketDirectory::reload_all()
{
  for (const auto& [wd, dir] : m_watches) {
    ::inotify_rm_watch(m_fd, wd);
  }
  m_watches.clear();
  m_by_id.clear();
  m_by_email.clear();
  std::error_code ec;
  fs::create_directories(m_store.dir(), ec);
  // Watches first, then the read: a change made in between is in the queue.
  watch_tree(m_store.dir(), false);
  std::vector<storage::LoadProblem> problems;
  storage::Selection selection;
  selection.events = false;
  selection.fields = {"id", "email", "status", "title", "created", "updated", "eta"};
  m_store.for_each(problems, selection,
                   [this](Ticket&& t, std::string_view rel) { put(entry_of(t, m_store.dir() / rel)); });
}

void TicketDirectory::watch_tree(const fs::path& dir, bool read_files)
{
  const int wd = ::inotify_add_watch(m_fd, dir.c_str(), k_dir_events);
  if (wd < 0) {
    throw StorageError(fmt::format("cannot watch {}: {}", dir.string(), std::strerror(errno)),
                       "raise fs.inotify.max_user_watches");
  }
  m_watches[wd] = dir;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(dir, ec)) {
    const std::string name = item.path().filename().string();
    if (name.empty() || name[0] == '.') {
      continue;
    }
    if (item.is_directory(ec)) {
      watch_tree(item.path(), read_files);
    } else if (read_files && is_ticket_name(name)) {
      read_file(item.path());
    }
  }
}

void TicketDirectory::put(TicketEntry entry)
{
  if (const auto old = m_by_id.find(entry.id); old != m_by_id.end() && old->second.email != entry.email) {
    m_by_email[old->second.email].erase(entry.id);
  }
  if (!entry.email.empty()) {
    m_by_email[entry.email].insert(entry.id);
  }
  std::string id = entry.id;
  m_by_id[id] = std::move(entry);
}

void TicketDirectory::forget(const std::string& id)
{
  const auto it = m_by_id.find(id);
  if (it == m_by_id.end()) {
    return;
  }
  m_by_email[it->second.email].erase(id);
  m_by_id.erase(it);
}

void TicketDirectory::read_file(const fs::path& path)
{
  const std::string id = path.stem().string();
  try {
    const Ticket t = m_store.load(storage::TicketRef{id, path});
    put(entry_of(t, path));
  } catch (const Error&) {
    forget(id); // gone or not readable now: read again on its next change
  }
}

void TicketDirectory::catch_up()
{
  alignas(inotify_event) std::array<char, 64 * 1024> buf{};
  for (;;) {
    const ssize_t n = ::read(m_fd, buf.data(), buf.size());
    if (n <= 0) {
      return; // EAGAIN: nothing more queued
    }
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf.data() + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        ++m_reloads;
        reload_all();
        return;
      }
      const auto dir = m_watches.find(ev->wd);
      if (dir == m_watches.end()) {
        continue;
      }
      if (ev->mask & (IN_DELETE_SELF | IN_IGNORED)) {
        m_watches.erase(dir);
        continue;
      }
      const std::string name = ev->len ? std::string(ev->name) : std::string();
      const fs::path path = dir->second / name;
      if (ev->mask & IN_ISDIR) {
        if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
          watch_tree(path, true); // files made before the watch are read here
        }
        continue;
      }
      if (!is_ticket_name(name)) {
        continue;
      }
      if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
        forget(path.stem().string());
      } else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)) {
        read_file(path);
      }
    }
  }
}

std::optional<TicketEntry> TicketDirectory::find(const std::string& id)
{
  const std::lock_guard lock(m_mutex);
  catch_up();
  const auto it = m_by_id.find(id);
  if (it == m_by_id.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<TicketEntry> TicketDirectory::of_requester(std::string_view email)
{
  const std::lock_guard lock(m_mutex);
  catch_up();
  std::vector<TicketEntry> out;
  const auto it = m_by_email.find(lower_address(email));
  if (it == m_by_email.end() || it->first.empty()) {
    return out;
  }
  for (const auto& id : it->second) {
    if (const auto e = m_by_id.find(id); e != m_by_id.end()) {
      out.push_back(e->second);
    }
  }
  std::sort(out.begin(), out.end(), [](const TicketEntry& a, const TicketEntry& b) {
    return a.created != b.created ? a.created > b.created : a.id > b.id;
  });
  return out;
}

std::size_t TicketDirectory::size()
{
  const std::lock_guard lock(m_mutex);
  catch_up();
  return m_by_id.size();
}

} // namespace desk::serve
