#pragma once

#include <desk/kb/article.hpp>
#include <desk/kb/kb_store.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The search index over articles: BM25F (BM25 over weighted fields: the title weighs most),
// laid out as one flat byte block so that it can be stored in .desk/cache/kb-index and
// searched straight from a memory map without parsing.
namespace desk::kb {

// One searched field and its weight in BM25F.
struct SearchField {
  std::string_view name;
  float weight;
};

// The searched fields: title ×3, tags ×2, symptoms, error, cause and solution ×1.
const std::vector<SearchField>& search_fields();

// BM25 parameters.
inline constexpr float k_bm25_k1 = 1.2F;
inline constexpr float k_bm25_b = 0.75F;

// What the index knows of one article without reading its file.
struct IndexedDoc {
  std::string id;
  std::string file; // file name in kb/
  std::string title;
  std::string category;
  std::vector<std::string> tags;
  State state = State::draft;
  Audience audience = Audience::internal;
  long reuse_count = 0;
};

// Which articles a search may return; empty members do not filter.
struct SearchFilter {
  std::vector<State> states;
  std::vector<std::string> categories;
  std::vector<Audience> audiences;
  std::vector<std::string> tags; // an article must carry every tag given
};

// One ranked match: the doc's position in the index and its score.
struct IndexHit {
  std::uint32_t doc = 0;
  double score = 0;
  std::uint32_t matched_terms = 0;
};

// What an index was built from: the state of kb/ and when (for the cache's checks).
struct IndexStamp {
  std::uint64_t files = 0;       // kb_signature(): name, size, mtime and inode of every file
  std::int64_t dir_mtime_ns = 0; // the kb/ folder's mtime and inode: any file created,
  std::uint64_t dir_ino = 0;     // removed or replaced changes them
  std::int64_t built_ns = 0;     // when the build started (wall clock)

  bool operator==(const IndexStamp&) const = default;
};

// Size and mtime of one article file when it was indexed.
struct FileStamp {
  std::int64_t size = -1;
  std::int64_t mtime_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

// One posting: a doc and the saturated, length-normalised weight of the term in it.
struct Posting {
  std::uint32_t doc;
  float weight;
};

// Read-only bytes the index lives in (a memory map or a string).
class IndexBytes {
public:
  virtual ~IndexBytes() = default;
  // The whole block.
  virtual std::string_view bytes() const = 0;
};

// A searchable index over a block of bytes made by KbIndex::build.
class KbIndex {
public:
  // Lay out the index of `articles` (and the files that could not be read) as bytes;
  // `stamp` says what state of kb/ it was built from, `files` (empty, or one per article)
  // the state of each article's file.
  static std::string build(const std::vector<Article>& articles, const std::vector<ArticleProblem>& problems,
                           const IndexStamp& stamp, const std::vector<FileStamp>& files = {});

  // Open a block; nullopt when it is not a complete index of this version (a stale or
  // corrupt cache is rebuilt by the caller).
  static std::optional<KbIndex> open(std::shared_ptr<const IndexBytes> bytes);

  // Open an in-memory block (tests, and a freshly built index).
  static std::optional<KbIndex> open(std::string bytes);

  // The stamp given to build.
  const IndexStamp& stamp() const { return m_stamp; }

  // Where the stamp sits in the block and its bytes (to refresh it in place).
  static std::size_t stamp_offset();
  static std::string stamp_bytes(const IndexStamp& stamp);

  // The file state of one indexed article.
  FileStamp file_stamp(std::uint32_t index) const;

  // Number of indexed articles.
  std::size_t size() const { return m_docs; }

  // One indexed article.
  IndexedDoc doc(std::uint32_t index) const;

  // The files that could not be read when the index was built: (file name, message).
  std::vector<std::pair<std::string, std::string>> problems() const;

  // Rank the articles for `terms` (folded tokens; repeats count once), best first, at
  // most `limit` (0: all), only scores above `min_score`. Ties: more reuse, then id.
  std::vector<IndexHit> search(const std::vector<std::string>& terms, const SearchFilter& filter,
                               std::size_t limit, double min_score = 0) const;

  // Number of distinct terms.
  std::size_t term_count() const { return m_terms; }
  // The i-th term (sorted by bytes).
  std::string_view term(std::size_t i) const;
  // The postings of the i-th term.
  std::vector<Posting> postings(std::size_t i) const;

  // BM25 inverse document frequency of a term found in `df` of `n` docs.
  static double idf(std::size_t n, std::size_t df);

private:
  explicit KbIndex(std::shared_ptr<const IndexBytes> bytes) : m_bytes(std::move(bytes)) {}
  bool validate();
  std::string_view str(std::uint32_t off, std::uint32_t len) const;
  std::optional<std::size_t> find_term(std::string_view term) const;
  bool matches(std::uint32_t doc, const SearchFilter& filter) const;

  std::shared_ptr<const IndexBytes> m_bytes;
  std::string_view m_data;
  IndexStamp m_stamp;
  std::uint32_t m_docs = 0;
  std::uint32_t m_terms = 0;
  std::uint32_t m_postings = 0;
  std::uint32_t m_problems = 0;
  std::size_t m_docs_off = 0;
  std::size_t m_terms_off = 0;
  std::size_t m_postings_off = 0;
  std::size_t m_problems_off = 0;
  std::size_t m_strings_off = 0;
  std::size_t m_strings_size = 0;
};

} // namespace desk::kb
