#include <desk/storage/ticket_walk.hpp>

#include <desk/util/file_stamp.hpp>
#include <desk/util/parallel.hpp>

#include <algorithm>
#include <climits>
#include <cstring>
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

TicketFiles walk_ticket_files(const fs::path& tickets_dir, const TicketWalk& how)
{
  TicketFiles out;
  std::vector<std::string> months;
  const int root = ::open(tickets_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    return out;
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
  // With stamps the folders are listed on every core, one folder at a time to a thread.
  const unsigned threads =
      how.stamps ? static_cast<unsigned>(std::min<std::size_t>(thread_count(0, months.size(), 2, 8), months.size()))
                 : 1;

  // First each folder's paths (end to end in one string; where each is, in path order),
  // then, the count known, every file's entry in its place, with its stat.
  using Span = std::pair<std::uint32_t, std::uint32_t>; // start and length in the folder's string
  out.m_paths.resize(months.size());
  std::vector<std::vector<Span>> spans(months.size());
  parallel_for(
    months.size(), threads,
    [&](std::size_t m) {
      const int fd = ::openat(root, months[m].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) {
        return;
      }
      DIR* d = ::fdopendir(fd);
      if (d == nullptr) {
        ::close(fd);
        return;
      }
      std::string& paths = out.m_paths[m];
      while (const dirent* e = ::readdir(d)) {
        if (is_ticket_file_name(e->d_name)) {
          const std::size_t start = paths.size();
          paths += months[m];
          paths += '/';
          paths += e->d_name;
          spans[m].emplace_back(static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(paths.size() - start));
        }
      }
      ::closedir(d);
      const std::string_view all = paths;
      std::sort(spans[m].begin(), spans[m].end(), [all](const Span& x, const Span& y) {
        return all.substr(x.first, x.second) < all.substr(y.first, y.second);
      });
    },
    1);

  // Then the stats, in pieces of at most 256 files (a folder may hold most of the files),
  // each written in its place in an array left uninitialised until then: its pages are
  // first touched by the threads that fill them.
  struct Piece {
    std::size_t month;
    std::size_t begin; // in the folder's spans
    std::size_t end;
    std::size_t at; // of begin in the array
  };
  std::vector<Piece> pieces;
  std::size_t total = 0;
  for (std::size_t m = 0; m < months.size(); ++m) {
    for (std::size_t k = 0; k < spans[m].size(); k += 256) {
      pieces.push_back({m, k, std::min(spans[m].size(), k + 256), total + k});
    }
    total += spans[m].size();
  }
  out.m_storage.reset(static_cast<TicketFile*>(::operator new(std::max<std::size_t>(total, 1) * sizeof(TicketFile))));
  out.m_size = total;
  parallel_for(
    pieces.size(), how.stamps ? thread_count(0, total, 512, 8) : 1,
    [&](std::size_t p) {
      const Piece& piece = pieces[p];
      const std::string_view paths = out.m_paths[piece.month];
      const int fd = how.stamps ? ::openat(root, months[piece.month].c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
      const std::size_t name_from = months[piece.month].size() + 1; // past "YYYY/MM/"
      char name[NAME_MAX + 1];
      for (std::size_t k = piece.begin; k < piece.end; ++k) {
        auto* f = new (out.m_storage.get() + piece.at + (k - piece.begin)) TicketFile;
        f->rel = paths.substr(spans[piece.month][k].first, spans[piece.month][k].second);
        const std::string_view base = f->rel.substr(name_from);
        struct stat st {};
        if (fd >= 0 && base.size() <= NAME_MAX) {
          std::memcpy(name, base.data(), base.size()); // fstatat needs it terminated
          name[base.size()] = '\0';
          if (::fstatat(fd, name, &st, 0) == 0 && S_ISREG(st.st_mode)) {
            f->stamp = stamp_of(st);
          }
        }
      }
      if (fd >= 0) {
        ::close(fd);
      }
    },
    1);
  ::close(root);
  return out;
}

} // namespace desk::storage
