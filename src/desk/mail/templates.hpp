#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

// Notice templates: mustache (logic-less: no template can run code), one per kind of
// notice and language. A repository's own in .desk/templates/<lang>/<kind>.txt (and .html)
// win over desk's defaults (share/desk/templates/, compiled in). The text template's first
// line may be "Subject: …"; the default subject is "[{{id}}] {{title}}".
namespace desk::mail {

// The values a template sees: strings, and lists of string maps for sections.
struct TemplateData {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::map<std::string, std::string>>> lists;
};

// A rendered notice.
struct RenderedNotice {
  std::string subject;
  std::string text;
  std::string html; // empty when the kind has no HTML template
};

// Render `kind` ("open", "resolve", …) in `language` ("zh"/"en"; falls back to "en"),
// looking in `repo_templates` (may not exist) first. Throws Error (bad data) for a template
// that does not parse, naming the file.
RenderedNotice render_notice(const std::string& kind, const std::string& language, const TemplateData& data,
                             const std::filesystem::path& repo_templates);

// The names of the compiled-in default templates ("en/open.txt", …).
std::vector<std::string> default_template_names();

} // namespace desk::mail
