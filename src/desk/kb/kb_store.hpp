#pragma once

#include <desk/kb/article.hpp>
#include <desk/storage/doctor.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace desk::kb {

// The id prefix of every article.
inline constexpr std::string_view k_id_prefix = "KB";

// A fresh article id: `KB-` and random Crockford characters, like a ticket id.
std::string make_article_id();

// Where one article lives.
struct ArticleRef {
  std::string id;
  std::filesystem::path path;
};

// A file that could not be read as an article.
struct ArticleProblem {
  std::filesystem::path path;
  std::string message; // "path:line:column: ..." form
};

// The kb/ folder: one YAML file per article at kb/<ID>.yaml.
class KbStore {
public:
  // The store of the repository rooted at `root`.
  explicit KbStore(std::filesystem::path root);

  // Every article file (name ends in .yaml, not hidden), sorted by path.
  std::vector<ArticleRef> scan() const;

  // Resolve a full id or any unique abbreviation (of the whole id or of its token).
  // Throws UsageError for path-like input, NotFoundError when nothing or several match.
  ArticleRef resolve(std::string_view input) const;

  // Read one article; throws ParseError (path:line:column) when the file is bad.
  Article load(const ArticleRef& ref) const;

  // Read every article; bad files are reported in `problems`, never thrown.
  std::vector<Article> load_all(std::vector<ArticleProblem>& problems) const;

  // Path of the article `id`.
  std::filesystem::path path_for(std::string_view id) const;

  // Write a new article exclusively; `make_id` draws a fresh id, drawn again on a clash
  // (up to 16 times). Sets the article's id and returns where it was written.
  ArticleRef create(Article& article, const std::function<std::string()>& make_id) const;

  // Replace an existing article's file atomically.
  void save(const Article& article, const std::filesystem::path& path) const;

  // The file text of an article (what save writes).
  static std::string serialize(const Article& article);

  // Parse file text into an article (what load reads); `path` for messages.
  static Article deserialize(std::string_view text, const std::string& path);

  // The kb/ folder.
  const std::filesystem::path& dir() const { return m_dir; }

private:
  std::filesystem::path m_root;
  std::filesystem::path m_dir;
};

// doctor's check of kb/: every article file readable (YAML, schema, title), named after
// its id, and no id twice. Returns the problems found and counts the files in `checked`.
std::vector<storage::Problem> check_articles(const std::filesystem::path& root, std::size_t& checked);

} // namespace desk::kb
