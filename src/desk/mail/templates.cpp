#include <desk/mail/templates.hpp>

#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include <system_error>

namespace desk::mail {

// Generated from share/desk/templates/ (CMake): name → text.
const std::map<std::string, std::string_view>& compiled_templates();

namespace {

namespace mstch = kainjow::mustache;

// The template text for `name` ("en/open.txt"): the repository's, else the default; "" when none.
std::pair<std::string, std::string> find_template(const std::string& name, const std::filesystem::path& repo_templates)
{
  std::error_code ec;
  const auto own = repo_templates / name;
  if (!repo_templates.empty() && std::filesystem::is_regular_file(own, ec)) {
    return {storage::read_text_file(own), own.string()};
  }
  const auto& defaults = compiled_templates();
  if (const auto it = defaults.find(name); it != defaults.end()) {
    return {std::string(it->second), "share/desk/templates/" + name};
  }
  return {};
}

mstch::data to_data(const TemplateData& d)
{
  mstch::data out;
  for (const auto& [k, v] : d.values) {
    out.set(k, v);
  }
  for (const auto& [k, items] : d.lists) {
    mstch::data list = mstch::data::type::list;
    for (const auto& item : items) {
      mstch::data obj;
      for (const auto& [ik, iv] : item) {
        obj.set(ik, iv);
      }
      list.push_back(obj);
    }
    out.set(k, list);
  }
  return out;
}

std::string render(const std::string& source, const std::string& where, const mstch::data& data, bool html)
{
  mstch::mustache tmpl(source);
  if (!tmpl.is_valid()) {
    throw ParseError(where, 0, 0, fmt::format("the template does not parse: {}", tmpl.error_message()),
                     "fix the mustache template (https://mustache.github.io/mustache.5.html)");
  }
  if (html) {
    tmpl.set_custom_escape([](const std::string& s) { return text::html_escape(s); });
  } else {
    tmpl.set_custom_escape([](const std::string& s) { return s; });
  }
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    throw ParseError(where, 0, 0, fmt::format("the template cannot be rendered: {}", tmpl.error_message()));
  }
  return out;
}

} // namespace

std::vector<std::string> default_template_names()
{
  std::vector<std::string> out;
  for (const auto& [k, v] : compiled_templates()) {
    out.push_back(k);
  }
  return out;
}

RenderedNotice render_notice(const std::string& kind, const std::string& language, const TemplateData& data,
                             const std::filesystem::path& repo_templates)
{
  const std::string lang = language == "zh" ? "zh" : "en";
  auto [text_src, text_where] = find_template(lang + "/" + kind + ".txt", repo_templates);
  std::string used_lang = lang;
  if (text_src.empty() && lang != "en") {
    std::tie(text_src, text_where) = find_template("en/" + kind + ".txt", repo_templates);
    used_lang = "en";
  }
  if (text_src.empty()) {
    throw NotFoundError(fmt::format("no mail template for '{}' ({})", kind, lang),
                        fmt::format("write .desk/templates/{}/{}.txt", lang, kind));
  }
  const mstch::data values = to_data(data);
  RenderedNotice out;
  std::string body = render(text_src, text_where, values, false);
  if (body.rfind("Subject:", 0) == 0) {
    const std::size_t nl = body.find('\n');
    out.subject = std::string(text::trim(std::string_view(body).substr(8, nl == std::string::npos ? std::string::npos : nl - 8)));
    body.erase(0, nl == std::string::npos ? body.size() : nl + 1);
    while (!body.empty() && body.front() == '\n') {
      body.erase(0, 1);
    }
  } else {
    out.subject = render("[{{id}}] {{title}}", "subject", values, false);
  }
  out.subject = text::one_line(out.subject);
  out.text = std::move(body);
  auto [html_src, html_where] = find_template(used_lang + "/" + kind + ".html", repo_templates);
  if (!html_src.empty()) {
    out.html = render(html_src, html_where, values, true);
  }
  return out;
}

} // namespace desk::mail
