#include <desk/storage/ticket_walk.hpp>

#include <desk/util/file_stamp.hpp>
#include <desk/util/parallel.hpp>

#include <algorithm>
#include <iterator>
#include <string_view>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::storage {

namespace {

bool is_ticket_file_name(std::string_view name)
{
  return name.size() > 5 && name.front() != '.' && name.ends_with(".yaml");
}

// The sub-folders of `name` in `dirfd_parent`, by name ("." and "..", and hidden ones
// unless asked for, left out).
std::vector<std::string> subfolder_names(int dirfd_parent, const char* name, bool hidden)
{
  std::vector<std::string> out;
  const int fd = ::openat(dirfd_parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return out;
  }
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return out;
  }
  while (const dirent* e = ::readdir(d)) {
    const std::string_view entry = e->d_name;
    if (entry == "." || entry == ".." || (!hidden && entry.front() == '.')) {
      continue;
    }
    bool dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
      struct stat st {};
      dir = ::fstatat(::dirfd(d), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
    }
    if (dir) {
      out.emplace_back(entry);
    }
  }
  ::closedir(d);
  return out;
}

TicketStamp stamp_of(const struct stat& st)
{
  TicketStamp s;
  s.size = static_cast<std::uint64_t>(st.st_size);
  s.mtime_ns = timespec_ns(st.st_mtim);
  s.ctime_ns = timespec_ns(st.st_ctim);
  s.ino = static_cast<std::uint64_t>(st.st_ino);
  return s;
}

} // namespace

std::vector<TicketFile> walk_ticket_files(const fs::path& tickets_dir, const TicketWalk& how)
{
  std::vector<std::string> months;
  const int root = ::open(tickets_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    return {};
  }
  for (const auto& year : subfolder_names(root, ".", how.hidden_folders)) {
    const int yfd = ::openat(root, year.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (yfd < 0) {
      continue;
    }
    for (const auto& month : subfolder_names(yfd, ".", how.hidden_folders)) {
      months.push_back(year + "/" + month);
    }
    ::close(yfd);
  }
  // Folders in the order of the paths below them ("2026/1" + "/" sorts before "2026/1-x"
  // + "/", as their files do), each folder's files sorted on its own thread: the
  // concatenation is in path order without sorting every path again.
  std::sort(months.begin(), months.end(), [](const std::string& a, const std::string& b) { return a + '/' < b + '/'; });
  std::vector<std::vector<TicketFile>> per_month(months.size());
  auto list_month = [&](std::size_t m) {
    const int fd = ::openat(root, months[m].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return;
    }
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      return;
    }
    auto& out = per_month[m];
    out.reserve(1024);
    while (const dirent* e = ::readdir(d)) {
      if (!is_ticket_file_name(e->d_name)) {
        continue;
      }
      TicketFile f;
      f.rel = months[m] + "/" + e->d_name;
      if (how.stamps) {
        struct stat st {};
        if (::fstatat(::dirfd(d), e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode)) {
          f.stamp = stamp_of(st);
        }
      }
      out.push_back(std::move(f));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(), [](const TicketFile& a, const TicketFile& b) { return a.rel < b.rel; });
  };
  // With stamps: one folder at a time to each thread, at most one thread a folder.
  const unsigned threads =
      how.stamps ? static_cast<unsigned>(std::min<std::size_t>(thread_count(0, months.size(), 2, 8), months.size()))
                 : 1;
  parallel_for(months.size(), threads, list_month, 1);
  ::close(root);
  std::vector<TicketFile> all;
  std::size_t total = 0;
  for (const auto& v : per_month) {
    total += v.size();
  }
  all.reserve(total);
  for (auto& v : per_month) {
    std::move(v.begin(), v.end(), std::back_inserter(all));
  }
  return all;
}

} // namespace desk::storage
