#include "serve/render.hpp"

#include <desk/portal/headers.hpp>

#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::serve {

namespace {

namespace mu = kainjow::mustache;

const std::vector<std::string> k_page_names = {"layout",  "signin", "signin_sent", "signin_confirm", "requests",
                                                "new",     "ticket", "kb",          "article",        "board",
                                                "error"};

mu::data to_data(const nlohmann::json& j)
{
  if (j.is_object()) {
    mu::data d{mu::data::type::object};
    for (auto it = j.begin(); it != j.end(); ++it) {
      d.set(it.key(), to_data(it.value()));
    }
    return d;
  }
  if (j.is_array()) {
    mu::data d{mu::data::type::list};
    for (const auto& item : j) {
      d.push_back(to_data(item));
    }
    return d;
  }
  if (j.is_string()) {
    // An empty text is false, so `{{#eta}}…{{/eta}}` shows nothing for a missing value.
    return j.get_ref<const std::string&>().empty() ? mu::data{false} : mu::data{j.get<std::string>()};
  }
  if (j.is_boolean()) {
    return mu::data{j.get<bool>()};
  }
  if (j.is_number()) {
    return mu::data{j.dump()};
  }
  return mu::data{false};
}

std::string read_template(const fs::path& repo_root, const std::string& file)
{
  const fs::path local = repo_root / ".desk" / "templates" / "serve" / file;
  std::error_code ec;
  const fs::path path = fs::exists(local, ec) ? local : share_templates_dir() / file;
  return storage::read_text_file(path);
}

std::string render_template(const std::string& name, const std::string& text, const mu::data& data)
{
  mu::mustache tmpl{text};
  if (!tmpl.is_valid()) {
    throw Error(fmt::format("template {}.html: {}", name, tmpl.error_message()),
                "fix the template (mustache syntax)");
  }
  return tmpl.render(data);
}

} // namespace

const std::vector<std::string>& languages()
{
  static const std::vector<std::string> k_languages = {"en", "zh"};
  return k_languages;
}

std::string pick_language(std::string_view accept_language)
{
  return portal::pick_language(accept_language, languages());
}

fs::path share_templates_dir()
{
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    const fs::path exe(std::string(buf, static_cast<std::size_t>(n)));
    // Installed: <prefix>/libexec/desk/desk-serve or <prefix>/bin → <prefix>/share/desk.
    for (const fs::path& up : {exe.parent_path().parent_path().parent_path(), exe.parent_path().parent_path()}) {
      const fs::path dir = up / "share" / "desk" / "templates" / "serve";
      std::error_code ec;
      if (fs::exists(dir / "layout.html", ec)) {
        return dir;
      }
    }
  }
  return fs::path(DESK_SHARE_DIR) / "desk" / "templates" / "serve";
}

Renderer::Renderer(const fs::path& repo_root)
{
  for (const auto& name : k_page_names) {
    m_templates[name] = read_template(repo_root, name + ".html");
  }
  for (const auto& lang : languages()) {
    const std::string text = read_template(repo_root, lang + ".json");
    try {
      m_words[lang] = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw Error(fmt::format("templates/serve/{}.json: {}", lang, e.what()), "fix the word list (JSON)");
    }
  }
  m_css = read_template(repo_root, "portal.css");
}

const nlohmann::json& Renderer::words(const std::string& lang) const
{
  const auto it = m_words.find(lang);
  return it == m_words.end() ? m_words.at(languages().front()) : it->second;
}

std::string Renderer::word(const std::string& lang, std::string_view key) const
{
  const nlohmann::json* at = &words(lang);
  for (const auto& part : text::split(key, '.')) {
    if (!at->is_object() || !at->contains(part)) {
      return std::string(key);
    }
    at = &(*at)[part];
  }
  return at->is_string() ? at->get<std::string>() : std::string(key);
}

std::string Renderer::page(const std::string& lang, const std::string& name, nlohmann::json context) const
{
  context["t"] = words(lang);
  context["lang"] = lang;
  context["lang_" + lang] = true;
  const mu::data data = to_data(context);
  const std::string body = render_template(name, m_templates.at(name), data);
  nlohmann::json outer = std::move(context);
  outer["body"] = body;
  return render_template("layout", m_templates.at("layout"), to_data(outer));
}

} // namespace desk::serve
