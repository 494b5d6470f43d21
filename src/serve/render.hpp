#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

// Pages from mustache templates (HTML-escaped by default) and the words of each language.
// Templates and word lists live in share/desk/templates/serve/; a repository overrides any
// of them with a file of the same name in .desk/templates/serve/.
namespace desk::serve {

// The languages of the portal (the first is the default).
const std::vector<std::string>& languages();

// The language for an Accept-Language header ("zh-CN,zh;q=0.9,en;q=0.8" → zh).
std::string pick_language(std::string_view accept_language);

// Templates and words, read once (a new Renderer after SIGHUP reads them again).
class Renderer {
public:
  // `repo_root` for the overrides; throws Error naming a template that cannot be read.
  explicit Renderer(const std::filesystem::path& repo_root);

  // The page `name` (e.g. "ticket") in `lang`, inside the layout. `context` gets the
  // language's words as `t` and `lang`.
  std::string page(const std::string& lang, const std::string& name, nlohmann::json context) const;

  // A word of `lang` by dotted key ("status.resolved"); the key itself when missing.
  std::string word(const std::string& lang, std::string_view key) const;

  // The words of `lang`.
  const nlohmann::json& words(const std::string& lang) const;

  // The style sheet.
  const std::string& stylesheet() const { return m_css; }

private:
  std::map<std::string, std::string> m_templates; // name → text
  std::map<std::string, nlohmann::json> m_words;  // lang → words
  std::string m_css;
};

// The folder of the shipped templates (beside the binary when installed, else the source tree).
std::filesystem::path share_templates_dir();

} // namespace desk::serve
