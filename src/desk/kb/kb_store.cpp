#include <desk/kb/kb_store.hpp>

#include <desk/model/id.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace fs = std::filesystem;

namespace desk::kb {

std::string make_article_id()
{
  return ids::make_ticket_id(k_id_prefix);
}

KbStore::KbStore(fs::path root) : m_root(std::move(root)), m_dir(m_root / "kb") {}

std::vector<ArticleRef> KbStore::scan() const
{
  std::vector<ArticleRef> out;
  std::error_code ec;
  if (!fs::is_directory(m_dir, ec)) {
    return out;
  }
  for (const auto& file : fs::directory_iterator(m_dir, ec)) {
    const std::string name = file.path().filename().string();
    if (name.size() <= 5 || name.front() == '.' || !name.ends_with(".yaml")) {
      continue;
    }
    out.push_back({name.substr(0, name.size() - 5), file.path()});
  }
  std::sort(out.begin(), out.end(), [](const ArticleRef& a, const ArticleRef& b) { return a.path < b.path; });
  return out;
}

ArticleRef KbStore::resolve(std::string_view input) const
{
  static constexpr ids::IdKind k_kind{"knowledge-base article", "KB-7K3F2A9Q", "`desk kb list` shows the articles"};
  std::vector<ArticleRef> refs = scan();
  std::vector<std::string> names;
  names.reserve(refs.size());
  for (const auto& r : refs) {
    names.push_back(r.id);
  }
  return std::move(refs[ids::resolve_abbreviation(input, names, k_kind)]);
}

std::string KbStore::serialize(const Article& article)
{
  return storage::emit_yaml(article.to_value());
}

Article KbStore::deserialize(std::string_view text, const std::string& path)
{
  return storage::read_document(text, path, [&](const Value& doc) { return Article::from_value(doc, path); });
}

Article KbStore::load(const ArticleRef& ref) const
{
  const std::string path = ref.path.string();
  return storage::read_document(storage::read_text_file(ref.path), path, [&](const Value& doc) {
    Article a = Article::from_value(doc, path);
    a.require_named(ref.id, path, "rename the file to match its id");
    return a;
  });
}

std::vector<Article> KbStore::load_all(std::vector<ArticleProblem>& problems) const
{
  std::vector<Article> out;
  for (const auto& ref : scan()) {
    try {
      out.push_back(load(ref));
    } catch (const Error& e) {
      problems.push_back({ref.path, e.what()});
    }
  }
  return out;
}

fs::path KbStore::path_for(std::string_view id) const
{
  return m_dir / (std::string(id) + ".yaml");
}

ArticleRef KbStore::create(Article& article, const std::function<std::string()>& make_id) const
{
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::string id = make_id();
    article.set("id", id);
    const fs::path path = path_for(id);
    const std::string text = serialize(article);
    storage::check_file_size(path, text.size());
    if (storage::create_file_exclusive(path, text, m_root)) {
      return {id, path};
    }
  }
  throw StorageError("could not find a free article id after 16 attempts",
                     "check that the kb/ folder is writable and not full of stale files");
}

void KbStore::save(const Article& article, const fs::path& path) const
{
  const std::string text = serialize(article);
  storage::check_file_size(path, text.size());
  storage::write_file_atomic(path, text, m_root);
}

std::vector<storage::Problem> check_articles(const std::filesystem::path& root, std::size_t& checked)
{
  std::vector<storage::Problem> problems;
  const KbStore store(root);
  std::map<std::string, std::vector<std::string>> by_id;
  for (const auto& ref : store.scan()) {
    ++checked;
    by_id[ref.id].push_back(ref.path.string());
    try {
      store.load(ref);
    } catch (const ParseError& e) {
      problems.push_back({e.path(), e.line(), e.column(), e.message()});
    } catch (const Error& e) {
      problems.push_back({ref.path.string(), 0, 0, e.what()});
    }
  }
  for (const auto& [id, paths] : by_id) {
    if (paths.size() > 1) {
      problems.push_back({paths.front(), 0, 0,
                          fmt::format("duplicate article id {}: also {}", id,
                                      fmt::join(std::vector<std::string>(paths.begin() + 1, paths.end()), ", "))});
    }
  }
  return problems;
}

} // namespace desk::kb
