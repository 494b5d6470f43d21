#include <desk/kb/search.hpp>

#include <desk/kb/tokenize.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/mapped_file.hpp>
#include <desk/util/error.hpp>
#include <desk/util/file_stamp.hpp>
#include <desk/util/parallel.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <set>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::kb {

namespace {

// Length of the UTF-8 sequence starting with `b` (1 for stray bytes).
std::size_t sequence_length(unsigned char b)
{
  return b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

// Byte offset and column of every code point start, plus the end.
struct Layout {
  std::vector<std::size_t> offset;
  std::vector<std::size_t> column;
};

Layout layout_of(std::string_view s)
{
  Layout l;
  std::size_t col = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = std::min(sequence_length(static_cast<unsigned char>(s[i])), s.size() - i);
    l.offset.push_back(i);
    l.column.push_back(col);
    col += text::display_width(s.substr(i, n));
    i += n;
  }
  l.offset.push_back(s.size());
  l.column.push_back(col);
  return l;
}

// Index of the code point that starts at byte `b` (or the first after it).
std::size_t cp_at(const Layout& l, std::size_t b)
{
  return static_cast<std::size_t>(std::lower_bound(l.offset.begin(), l.offset.end(), b) - l.offset.begin());
}

std::vector<std::pair<std::size_t, std::size_t>> match_spans(std::string_view nfc, const std::set<std::string>& wanted,
                                                             std::size_t* distinct)
{
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::set<std::string> seen;
  for (const auto& t : tokenize(nfc)) {
    if (wanted.contains(t.text)) {
      spans.emplace_back(t.begin, t.end);
      seen.insert(t.text);
    }
  }
  if (distinct) {
    *distinct = seen.size();
  }
  // Overlapping bigrams (打印 + 印机) become one mark (打印机).
  std::vector<std::pair<std::size_t, std::size_t>> merged;
  for (const auto& s : spans) {
    if (!merged.empty() && s.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, s.second);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

std::string searchable(std::string_view s)
{
  return text::normalize_nfc(text::one_line(s));
}

bool is_racy(const IndexStamp& stamp)
{
  return stamp.built_ns - stamp.dir_mtime_ns < k_racy_window_ns;
}

FileStamp file_stamp_of(const fs::path& path)
{
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {};
  }
  return {static_cast<std::int64_t>(st.st_size), timespec_ns(st.st_mtim)};
}

// Rewrite the stamp in the cache's header in place (a few bytes; readers copy the header
// when they open the file).
void refresh_stamp(const fs::path& path, const IndexStamp& stamp)
{
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return;
  }
  const std::string bytes = KbIndex::stamp_bytes(stamp);
  [[maybe_unused]] const auto n =
    ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(KbIndex::stamp_offset()));
  ::close(fd);
}

// An index file mapped into memory, as KbIndex reads it.
class MappedIndexBytes final : public IndexBytes {
public:
  explicit MappedIndexBytes(storage::MappedFile file) : m_file(std::move(file)) {}
  std::string_view bytes() const override { return m_file.bytes(); }

private:
  storage::MappedFile m_file;
};

// The splitmix64 finaliser: spreads every input bit over the result.
std::uint64_t mix64(std::uint64_t x)
{
  x ^= x >> 30U;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27U;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31U;
  return x;
}

void hash_bytes(std::uint64_t& h, const void* data, std::size_t n)
{
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
}

} // namespace

std::vector<std::string> query_terms(std::string_view query)
{
  if (text::decode(query).size() > k_max_query_length) {
    throw UsageError(fmt::format("the query is too long ({} characters; at most {})", text::decode(query).size(),
                                 k_max_query_length),
                     "search for the distinctive words of the problem, or a line of the error text");
  }
  if (text::trim(text::one_line(query)).empty()) {
    throw UsageError("the search query is empty", "give words to look for, e.g. desk kb search \"printer offline\"");
  }
  std::vector<std::string> out;
  for (auto& t : token_texts(query)) {
    if (std::find(out.begin(), out.end(), t) == out.end()) {
      out.push_back(std::move(t));
    }
  }
  if (out.empty()) {
    throw UsageError(fmt::format("the query '{}' has no words to search for, only punctuation",
                                 text::truncate_to_width(text::one_line(query), 40)),
                     "give words or characters to look for");
  }
  return out;
}

std::vector<std::string> ticket_terms(const Ticket& ticket)
{
  std::string all = ticket.get("title") + "\n" + ticket.get("description") + "\n" + ticket.get("error");
  // Keep the first k_max_query_length characters, cut at a character boundary.
  std::size_t chars = 0;
  for (std::size_t i = 0; i < all.size(); i += sequence_length(static_cast<unsigned char>(all[i]))) {
    if (++chars > k_max_query_length) {
      all.resize(i);
      break;
    }
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto& t : token_texts(all)) {
    if (seen.insert(t).second) {
      out.push_back(std::move(t));
    }
  }
  return out;
}

Snippet make_snippet(std::string_view text, const std::vector<std::string>& terms, std::size_t width)
{
  Snippet out;
  const std::string s = searchable(text);
  const std::set<std::string> wanted(terms.begin(), terms.end());
  const auto marks = match_spans(s, wanted, nullptr);
  const Layout l = layout_of(s);
  const std::size_t total = l.column.back();
  width = std::max<std::size_t>(width, 10);
  std::size_t start_col = 0;
  if (!marks.empty()) {
    // The mark with the most other marks in the window after it.
    std::size_t best = 0;
    std::size_t best_count = 0;
    for (std::size_t i = 0; i < marks.size() && i < 256; ++i) {
      const std::size_t from = l.column[cp_at(l, marks[i].first)];
      std::size_t count = 0;
      for (std::size_t j = i; j < marks.size(); ++j) {
        if (l.column[cp_at(l, marks[j].second)] > from + width * 3 / 4) {
          break;
        }
        ++count;
      }
      if (count > best_count) {
        best_count = count;
        best = i;
      }
    }
    const std::size_t anchor = l.column[cp_at(l, marks[best].first)];
    start_col = anchor > width / 4 ? anchor - width / 4 : 0;
    if (total > width && start_col > total - width) {
      start_col = total - width;
    }
    if (total <= width) {
      start_col = 0;
    }
  }
  // Whole characters from start_col, leaving room for the ellipses.
  std::size_t first = 0;
  while (first + 1 < l.column.size() && l.column[first] < start_col) {
    ++first;
  }
  const bool cut_front = first > 0;
  const std::size_t budget = width - (cut_front ? 1 : 0);
  std::size_t last = first;
  while (last + 1 < l.column.size() && l.column[last + 1] - l.column[first] <= budget) {
    ++last;
  }
  bool cut_back = last + 1 < l.column.size();
  if (cut_back) {
    while (last > first && l.column[last] - l.column[first] + 1 > budget) {
      --last; // room for the trailing "…"
    }
  }
  // Cut between words where a word would be split (CJK text may be cut anywhere).
  auto alnum_at = [&](std::size_t cp) {
    if (cp + 1 >= l.offset.size()) {
      return false;
    }
    const unsigned char c = static_cast<unsigned char>(s[l.offset[cp]]);
    return std::isalnum(c) != 0;
  };
  if (cut_back) {
    std::size_t back = last;
    while (back > first + (last - first) / 2 && alnum_at(back - 1) && alnum_at(back)) {
      --back;
    }
    if (back > first + (last - first) / 2) {
      last = back;
    }
  }
  if (cut_front && !marks.empty()) {
    std::size_t fwd = first;
    std::size_t anchor_cp = last;
    for (const auto& m : marks) {
      if (cp_at(l, m.first) >= first) {
        anchor_cp = cp_at(l, m.first);
        break;
      }
    }
    while (fwd < last && fwd < anchor_cp && alnum_at(fwd - 1) && alnum_at(fwd)) {
      ++fwd;
    }
    if (fwd < last && fwd <= anchor_cp) {
      first = fwd;
    }
  }
  while (cut_front && first < last &&
         (s[l.offset[first]] == ' ' || std::ispunct(static_cast<unsigned char>(s[l.offset[first]])) != 0)) {
    ++first;
  }
  while (cut_back && last > first && s[l.offset[last - 1]] == ' ') {
    --last;
  }
  const std::size_t b0 = l.offset[first];
  const std::size_t b1 = l.offset[last];
  cut_back = b1 < s.size();
  const std::string prefix = cut_front ? "…" : "";
  out.text = prefix + s.substr(b0, b1 - b0) + (cut_back ? "…" : "");
  for (const auto& [mb, me] : marks) {
    const std::size_t from = std::max(mb, b0);
    const std::size_t to = std::min(me, b1);
    if (from < to) {
      out.marks.emplace_back(from - b0 + prefix.size(), to - b0 + prefix.size());
    }
  }
  return out;
}

Snippet best_snippet(const Article& article, const std::vector<std::string>& terms, std::size_t width)
{
  const std::set<std::string> wanted(terms.begin(), terms.end());
  std::string_view best_field;
  std::size_t best = 0;
  for (std::string_view f : {"symptoms", "error", "cause", "solution", "title"}) {
    const std::string& value = article.get(f);
    if (value.empty()) {
      continue;
    }
    std::size_t distinct = 0;
    match_spans(searchable(value), wanted, &distinct);
    if (distinct > best) {
      best = distinct;
      best_field = f;
    }
  }
  if (best_field.empty()) {
    best_field = article.get("symptoms").empty() ? "solution" : "symptoms";
  }
  Snippet s = make_snippet(article.get(best_field), terms, width);
  s.field = std::string(best_field);
  return s;
}

std::uint64_t kb_signature(const fs::path& kb_dir)
{
  // Entries are combined in an order-independent way (readdir order varies), so nothing
  // is sorted; the stat calls, the bulk of the cost, are spread over a few threads.
  DIR* dir = ::opendir(kb_dir.c_str());
  if (!dir) {
    return mix64(0x6b622d6e6f6e65ULL);
  }
  std::string names; // NUL-separated
  std::vector<std::uint32_t> starts;
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name.size() <= 5 || name.front() == '.' || !name.ends_with(".yaml")) {
      continue;
    }
    starts.push_back(static_cast<std::uint32_t>(names.size()));
    names.append(name);
    names.push_back('\0');
  }
  const int dfd = ::dirfd(dir);
  // Each file's hash (none when it cannot be stat'ed), then combined on this thread.
  const std::size_t n = starts.size();
  std::vector<std::optional<std::uint64_t>> hashes(n);
  parallel_for(n, thread_count(0, n, 2000, 4), [&](std::size_t i) {
    const char* name = names.data() + starts[i];
    struct stat st {};
    if (::fstatat(dfd, name, &st, 0) != 0) {
      return;
    }
    std::uint64_t h = 0xcbf29ce484222325ULL;
    hash_bytes(h, name, std::strlen(name));
    h = mix64(h ^ static_cast<std::uint64_t>(st.st_size));
    h = mix64(h ^ static_cast<std::uint64_t>(st.st_mtim.tv_sec));
    h = mix64(h ^ static_cast<std::uint64_t>(st.st_mtim.tv_nsec));
    h = mix64(h ^ static_cast<std::uint64_t>(st.st_ino));
    hashes[i] = h;
  });
  ::closedir(dir);
  std::uint64_t sum = 0;
  std::uint64_t mixed = 0;
  std::uint64_t count = 0;
  for (const auto& h : hashes) {
    if (h) {
      sum += *h;
      mixed ^= mix64(*h + 0x9e3779b97f4a7c15ULL);
      ++count;
    }
  }
  return mix64(sum ^ mix64(mixed ^ mix64(count)));
}

fs::path index_path(const fs::path& root)
{
  return root / ".desk" / "cache" / "kb-index";
}

KbIndex load_index(const fs::path& root, bool rebuild)
{
  const KbStore store(root);
  const fs::path path = index_path(root);
  struct stat dir_st {};
  const bool have_dir = ::stat(store.dir().c_str(), &dir_st) == 0;
  const std::int64_t dir_mtime = have_dir ? timespec_ns(dir_st.st_mtim) : 0;
  const std::uint64_t dir_ino = have_dir ? static_cast<std::uint64_t>(dir_st.st_ino) : 0;
  std::optional<std::uint64_t> files;
  const bool cache_usable = storage::is_folder_beneath(root, path.parent_path());
  if (!rebuild && cache_usable) {
    if (storage::MappedFile mapped(path); mapped) {
      if (auto index = KbIndex::open(std::make_shared<MappedIndexBytes>(std::move(mapped)))) {
        const IndexStamp& st = index->stamp();
        // Every article's size, mtime and inode against the build's: an article edited in
        // place (the folder unchanged) is caught as surely as one added or removed. This
        // stat of every file is most of a warm search's cost (about 20 ms for 10,000
        // articles on two cores here), the price of never answering from a stale index.
        files = kb_signature(store.dir());
        if (*files == st.files) {
          if (have_dir && st.dir_ino == dir_ino && st.dir_mtime_ns == dir_mtime && !is_racy(st)) {
            return *index; // settled: nothing to write down
          }
          IndexStamp fresh = st;
          fresh.dir_ino = dir_ino;
          fresh.dir_mtime_ns = dir_mtime;
          fresh.built_ns = wall_clock_ns();
          if (!is_racy(fresh)) {
            refresh_stamp(path, fresh); // written down once settled
          }
          return *index;
        }
      }
    }
  }
  IndexStamp stamp;
  stamp.built_ns = wall_clock_ns();
  stamp.dir_ino = dir_ino;
  stamp.dir_mtime_ns = dir_mtime;
  stamp.files = files ? *files : kb_signature(store.dir());
  // Each file is stat'ed before it is read: a change while building shows as stale later.
  std::vector<Article> articles;
  std::vector<FileStamp> file_stamps;
  std::vector<ArticleProblem> problems;
  for (const auto& ref : store.scan()) {
    try {
      const FileStamp f = file_stamp_of(ref.path);
      articles.push_back(store.load(ref));
      file_stamps.push_back(f);
    } catch (const Error& e) {
      problems.push_back({ref.path, e.what()});
    }
  }
  std::string bytes = KbIndex::build(articles, problems, stamp, file_stamps);
  if (cache_usable && (!articles.empty() || !problems.empty())) {
    try {
      storage::write_file_atomic(path, bytes, root);
    } catch (const Error&) {
      // A read-only repository still searches; the index lives in memory this time.
    }
  }
  auto index = KbIndex::open(std::move(bytes));
  if (!index) {
    throw Error("internal error: a freshly built knowledge-base index does not open");
  }
  return *index;
}

bool index_is_damaged(const fs::path& root)
{
  const fs::path path = index_path(root);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return false;
  }
  storage::MappedFile mapped(path);
  return !mapped || !KbIndex::open(std::make_shared<MappedIndexBytes>(std::move(mapped)));
}

SearchResult search(const fs::path& root, const std::vector<std::string>& terms, const SearchOptions& options)
{
  return search(load_index(root), root, terms, options);
}

SearchResult search(const KbIndex& kept, const fs::path& root, const std::vector<std::string>& terms,
                    const SearchOptions& options)
{
  const KbStore store(root);
  std::optional<KbIndex> rebuilt;
  for (int attempt = 0;; ++attempt) {
    const KbIndex& index = rebuilt ? *rebuilt : kept;
    SearchResult result;
    for (const auto& [file, message] : index.problems()) {
      result.problems.push_back({store.dir() / file, message});
    }
    bool stale = false;
    std::vector<IndexHit> hits = index.search(terms, options.filter, options.limit, options.min_score);
    if (!hits.empty() && options.relative_min > 0) {
      const double cut = hits.front().score * options.relative_min;
      std::erase_if(hits, [&](const IndexHit& h) { return h.score < cut; });
    }
    for (const IndexHit& hit : hits) {
      const IndexedDoc d = index.doc(hit.doc);
      const ArticleRef ref{d.id, store.dir() / d.file};
      // A file edited in place (same folder, same name) is caught here, where it is read.
      if (attempt == 0 && file_stamp_of(ref.path) != index.file_stamp(hit.doc)) {
        stale = true;
        break;
      }
      try {
        Article a = store.load(ref);
        Snippet snippet = best_snippet(a, terms, options.snippet_width);
        result.hits.push_back({std::move(a), hit.score, std::move(snippet)});
      } catch (const Error& e) {
        result.problems.push_back({ref.path, e.what()});
      }
    }
    if (!stale) {
      return result;
    }
    rebuilt = load_index(root, true);
  }
}

SearchResult suggest(const fs::path& root, const Ticket& ticket, std::size_t limit)
{
  std::error_code ec;
  if (!fs::is_directory(root / "kb", ec)) {
    return {};
  }
  const auto terms = ticket_terms(ticket);
  if (terms.empty()) {
    return {};
  }
  SearchOptions options;
  options.filter.states = {State::validated};
  options.limit = limit;
  options.min_score = k_min_suggestion_score;
  options.relative_min = k_relative_suggestion_score;
  return search(root, terms, options);
}

} // namespace desk::kb
