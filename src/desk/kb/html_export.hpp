#pragma once

#include <desk/kb/article.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

// The self-service site: a static folder of HTML pages for the public, validated articles,
// with search in the page itself (a prebuilt index in a script file; no network, no
// external scripts). search.html?q=WORDS runs a search, so it can be linked.
namespace desk::kb {

// What an export wrote.
struct ExportResult {
  std::size_t articles = 0;
  std::vector<std::string> categories;
  std::vector<std::string> files; // names written in the folder
};

// True for the articles the site shows: validated and public.
bool is_exported(const Article& article);

// Write the site for the exported articles among `articles` into `dir` (created when
// missing). Refuses a folder that holds other files and is not an earlier export;
// removes pages of articles no longer exported. `generated` is shown in the footer.
ExportResult export_html(const std::vector<Article>& articles, const std::filesystem::path& dir,
                         std::string_view generated);

} // namespace desk::kb
