#pragma once

#include <desk/kb/article.hpp>
#include <desk/kb/kb_index.hpp>
#include <desk/kb/kb_store.hpp>
#include <desk/model/ticket.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Searching a repository's knowledge base: query checks, the cached index under
// .desk/cache/kb-index (derived data, never committed), ranked hits with snippets, and
// suggestions for a ticket.
namespace desk::kb {

// Longest query accepted, in characters (code points).
inline constexpr std::size_t k_max_query_length = 10000;

// The distinct search terms of a query. Throws UsageError for an empty query, one with
// nothing but punctuation or spaces, or one longer than k_max_query_length characters.
std::vector<std::string> query_terms(std::string_view query);

// The search terms of a ticket (title, description and error text), for suggestions;
// empty when it has nothing to search for. Never throws for its length: only the first
// k_max_query_length characters count.
std::vector<std::string> ticket_terms(const Ticket& ticket);

// A piece of text around the matches, on one line.
struct Snippet {
  std::string field;                                  // which field it comes from
  std::string text;                                   // "…" marks a cut at either end
  std::vector<std::pair<std::size_t, std::size_t>> marks; // byte ranges of matches in text
};

// Up to about `width` terminal columns of `text` around the densest cluster of `terms`
// (folded tokens); the start of the text when nothing matches. Never splits a character.
Snippet make_snippet(std::string_view text, const std::vector<std::string>& terms, std::size_t width = 80);

// The snippet of the article field that matches most terms (symptoms, error, cause,
// solution, then title); the start of the symptoms or solution when none matches.
Snippet best_snippet(const Article& article, const std::vector<std::string>& terms, std::size_t width = 80);

// A fingerprint of kb/ (name, size, mtime and inode of every article file): the cache is
// current while it is unchanged.
std::uint64_t kb_signature(const std::filesystem::path& kb_dir);

// Where the cached index lives.
std::filesystem::path index_path(const std::filesystem::path& root);

// The current index of the repository at `root`. The cache is used while kb/ is
// unchanged: the folder's mtime and inode (one stat) when they are older than the build,
// else the signature of every file; an article edited in place is noticed when a search
// reads it (see search()). Otherwise, when damaged, or with `rebuild`, the index is built
// from the files and written back (silently; a cache that cannot be written is only kept
// in memory).
KbIndex load_index(const std::filesystem::path& root, bool rebuild = false);

// True when a cached index exists but fails its checks (damaged, or another version's):
// harmless, it is rebuilt by the next search, but `doctor` mentions it.
bool index_is_damaged(const std::filesystem::path& root);

// What a search asks for.
struct SearchOptions {
  SearchFilter filter;
  std::size_t limit = 10;
  double min_score = 0;
  double relative_min = 0; // drop hits scoring below this fraction of the best one
  std::size_t snippet_width = 80;
};

// One ranked article, read from its file.
struct SearchHit {
  Article article;
  double score = 0;
  Snippet snippet;
};

// Hits and the files that could not be read.
struct SearchResult {
  std::vector<SearchHit> hits;
  std::vector<ArticleProblem> problems;
};

// Search the repository at `root` for `terms` (from query_terms or ticket_terms). A hit
// whose file changed since it was indexed rebuilds the index and searches again.
SearchResult search(const std::filesystem::path& root, const std::vector<std::string>& terms,
                    const SearchOptions& options);

// The same over an index the caller keeps loaded (a server watching kb/ for changes); a
// hit whose file changed since is answered from an index built again for this search.
SearchResult search(const KbIndex& index, const std::filesystem::path& root, const std::vector<std::string>& terms,
                    const SearchOptions& options);

// Smallest score of an article suggested at intake: one specific word or a couple of
// CJK bigrams, not just words every article has.
inline constexpr double k_min_suggestion_score = 0.5;

// Suggestions also score at least this fraction of the best match: a ticket's long text
// shares a common word or bigram with many articles, and those are noise next to a match.
inline constexpr double k_relative_suggestion_score = 0.3;

// The validated articles that best match a ticket (at most `limit`).
SearchResult suggest(const std::filesystem::path& root, const Ticket& ticket, std::size_t limit = 3);

} // namespace desk::kb
